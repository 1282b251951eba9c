using System.Security.Cryptography;

namespace PolyGlot.Common.IO;

/// <summary>Content hashes of files, as recorded in manifests and checksum files.</summary>
public static class FileHash
{
    /// <summary>Lower-case hex SHA-256 of the file's content, read in 1 MiB blocks.</summary>
    public static string Sha256Hex(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
