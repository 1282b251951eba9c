using System.Text.Json;
using PolyGlot.TestSupport;

namespace PolyGlot.Torch.Tests.Serialization;

/// <summary>Runs reference/safetensors_reference.py with Debian's python3-torch.</summary>
internal static class PythonReference
{
    public static string Script => RepositoryPaths.Combine("tests", "PolyGlot.Torch.Tests", "Serialization",
        "reference", "safetensors_reference.py");

    public static JsonDocument Read(string path) => JsonDocument.Parse(Run("read", path));

    public static void Write(string path) => Run("write", path);

    private static string Run(string verb, string path) => ReferencePython.Run(Script, [verb, path]);
}
