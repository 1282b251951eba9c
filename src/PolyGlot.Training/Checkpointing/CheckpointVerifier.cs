using PolyGlot.Common.IO;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// Decides whether a checkpoint directory can be resumed from: the completion marker exists, the
/// checksum file lists every required file, every file's SHA-256 matches, the manifest's step is
/// the directory's, and both safetensors headers are valid.
/// </summary>
public static class CheckpointVerifier
{
    /// <summary>Null when <paramref name="directory"/> is a usable checkpoint, otherwise why not.</summary>
    public static string? Problem(string directory, bool verifyChecksums = true)
    {
        try
        {
            Verify(directory, verifyChecksums);
            return null;
        }
        catch (CheckpointException e)
        {
            return e.Problem;
        }
    }

    /// <summary>Throws a <see cref="CheckpointException"/> naming what is wrong with <paramref name="directory"/>.</summary>
    public static void Verify(string directory, bool verifyChecksums = true)
    {
        if (!Directory.Exists(directory))
            throw new CheckpointException(directory, "the directory does not exist");
        if (!File.Exists(Path.Combine(directory, CheckpointFiles.Complete)))
            throw new CheckpointException(directory,
                $"incomplete: no {CheckpointFiles.Complete} marker (the write was interrupted before it finished)");
        CheckMarker(directory);
        var listed = ReadChecksums(directory);
        foreach (var (file, expected) in listed)
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path))
                throw new CheckpointException(directory, $"{file} is missing");
            if (verifyChecksums && FileHash.Sha256Hex(path) != expected)
                throw new CheckpointException(directory, $"checksum mismatch in {file}: the file changed or is corrupt");
        }
        // The manifest (its checksum just compared) says which tensor files the list must hold.
        if (!listed.ContainsKey(CheckpointFiles.Manifest))
            throw new CheckpointException(directory, $"{CheckpointFiles.Checksums} does not list {CheckpointFiles.Manifest}");
        var manifest = CheckpointJson.Deserialize<CheckpointManifest>(Path.Combine(directory, CheckpointFiles.Manifest));
        foreach (var required in CheckpointFiles.RequiredBy(manifest))
        {
            if (!listed.ContainsKey(required))
                throw new CheckpointException(directory, $"{CheckpointFiles.Checksums} does not list {required}");
        }
        CheckManifest(directory, manifest);
        if (manifest.ShardedOver > 0)
            CheckShards(directory, manifest.ShardedOver);
        else
        {
            CheckTensorFile(directory, CheckpointFiles.Model);
            CheckTensorFile(directory, CheckpointFiles.Optimizer);
        }
    }

    private static void CheckShards(string directory, int worldSize)
    {
        var index = CheckpointJson.Deserialize<ShardIndex>(Path.Combine(directory, ShardIndex.FileName));
        if (index.WorldSize != worldSize)
            throw new CheckpointException(directory,
                $"{ShardIndex.FileName} says {index.WorldSize} ranks wrote the checkpoint, {CheckpointFiles.Manifest} says {worldSize}");
        index.Validate(directory);
        foreach (var file in index.RankFiles())
            CheckTensorFile(directory, file);
    }

    // COMPLETE records the SHA-256 of checksums.sha256, which lists the SHA-256 of every other file:
    // a marker that was damaged, or a checksum list edited after the fact, is caught here.
    private static void CheckMarker(string directory)
    {
        var lines = File.ReadAllLines(Path.Combine(directory, CheckpointFiles.Complete));
        var recorded = lines.Select(l => l.Split(' ', 2)).Where(p => p.Length == 2 && p[0] == CheckpointFiles.Checksums)
            .Select(p => p[1]).FirstOrDefault();
        if (lines.Length == 0 || !lines[0].StartsWith("step ", StringComparison.Ordinal) || recorded is null || recorded.Length != 64)
            throw new CheckpointException(directory,
                $"{CheckpointFiles.Complete} is damaged: it must read 'step N' and '{CheckpointFiles.Checksums} <sha256>'");
        var checksums = Path.Combine(directory, CheckpointFiles.Checksums);
        if (!File.Exists(checksums))
            throw new CheckpointException(directory, $"{CheckpointFiles.Checksums} is missing");
        if (FileHash.Sha256Hex(checksums) != recorded.ToLowerInvariant())
            throw new CheckpointException(directory,
                $"checksum mismatch in {CheckpointFiles.Checksums}: its SHA-256 is not the one {CheckpointFiles.Complete} records (one of the two is damaged)");
        var step = CheckpointFiles.StepOf(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)));
        if (step is not null && lines[0] != $"step {step}")
            throw new CheckpointException(directory, $"{CheckpointFiles.Complete} says '{lines[0]}' but the directory is named for step {step}");
    }

    private static Dictionary<string, string> ReadChecksums(string directory)
    {
        var path = Path.Combine(directory, CheckpointFiles.Checksums);
        if (!File.Exists(path))
            throw new CheckpointException(directory, $"{CheckpointFiles.Checksums} is missing");
        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var parts = line.Split("  ", 2);
            if (parts.Length != 2 || parts[0].Length != 64 || parts[1] != Path.GetFileName(parts[1]) || parts[1].Length == 0)
                throw new CheckpointException(directory, $"{CheckpointFiles.Checksums} line {lineNumber} is not '<sha256>  <file>'");
            listed[parts[1]] = parts[0].ToLowerInvariant();
        }
        return listed;
    }

    private static void CheckManifest(string directory, CheckpointManifest manifest)
    {
        if (manifest.Version != CheckpointManifest.CurrentVersion)
            throw new CheckpointException(directory,
                $"layout version {manifest.Version} is not the supported {CheckpointManifest.CurrentVersion}");
        var step = CheckpointFiles.StepOf(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)));
        if (step is not null && step != manifest.Step)
            throw new CheckpointException(directory, $"the manifest says step {manifest.Step} but the directory is named for step {step}");
    }

    private static void CheckTensorFile(string directory, string file)
    {
        try
        {
            using var _ = SafetensorsFile.Open(Path.Combine(directory, file));
        }
        catch (SafetensorsFormatException e)
        {
            throw new CheckpointException(directory, $"{file} is unreadable ({e.Problem})", e);
        }
    }
}
