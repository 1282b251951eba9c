namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// The checkpoints of one run, under one root directory: saves them (crash-safely, then keeping
/// the last K complete ones), finds the newest usable one, and resolves <c>--resume</c>. Skipped
/// checkpoints (incomplete, corrupt, unreadable) are reported through the warning callback by name.
/// </summary>
public sealed class CheckpointStore
{
    private readonly Action<string> _warn;

    /// <summary>A store over <paramref name="root"/>; <paramref name="warn"/> receives one line per skipped checkpoint.</summary>
    public CheckpointStore(string root, Action<string>? warn = null)
    {
        Root = root;
        _warn = warn ?? (_ => { });
    }

    /// <summary>The directory that holds the <c>step-NNNNNN</c> checkpoints.</summary>
    public string Root { get; }

    /// <summary>Writes a checkpoint, then deletes all but the newest <paramref name="keepLast"/> complete ones.</summary>
    /// <returns>The new checkpoint's directory.</returns>
    public string Save(CheckpointData data, int keepLast)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);
        var path = CheckpointWriter.Write(Root, data);
        Prune(keepLast);
        return path;
    }

    /// <summary>The <c>step-</c> directories under the root, newest first, with whether they carry the completion marker.</summary>
    public IReadOnlyList<(long Step, string Directory, bool Complete)> List()
    {
        if (!Directory.Exists(Root))
            return [];
        return Directory.GetDirectories(Root)
            .Select(dir => (Step: CheckpointFiles.StepOf(Path.GetFileName(dir)), Directory: dir))
            .Where(c => c.Step is not null)
            .Select(c => (c.Step!.Value, c.Directory, File.Exists(Path.Combine(c.Directory, CheckpointFiles.Complete))))
            .OrderByDescending(c => c.Item1)
            .ToList();
    }

    /// <summary>The newest checkpoint that verifies; each newer one that does not is skipped with a warning. Null when none.</summary>
    public Checkpoint? FindNewestValid(bool verifyChecksums = true)
    {
        foreach (var (_, directory, _) in List())
        {
            try
            {
                return Checkpoint.Load(directory, verifyChecksums);
            }
            catch (CheckpointException e)
            {
                _warn($"Skipping checkpoint {directory}: {e.Problem}.");
            }
        }
        return null;
    }

    /// <summary>
    /// The checkpoint to resume from: none for <c>none</c>; the newest usable one (or none) for
    /// <c>auto</c>; for a path, that checkpoint, or the newest usable one in that directory.
    /// </summary>
    /// <exception cref="CheckpointException">A given path is missing, unusable or holds no usable checkpoint.</exception>
    public Checkpoint? Resolve(ResumeRequest request, bool verifyChecksums = true)
    {
        switch (request.Mode)
        {
            case ResumeMode.None:
                return null;
            case ResumeMode.Auto:
                return FindNewestValid(verifyChecksums);
        }
        var target = request.Target!;
        if (!Directory.Exists(target))
            throw new CheckpointException(target, "--resume names a directory that does not exist");
        if (File.Exists(Path.Combine(target, CheckpointFiles.Checksums)) || CheckpointFiles.StepOf(Path.GetFileName(Path.TrimEndingDirectorySeparator(target))) is not null)
            return Checkpoint.Load(target, verifyChecksums);
        return new CheckpointStore(target, _warn).FindNewestValid(verifyChecksums)
               ?? throw new CheckpointException(target, "holds no complete, verifiable step-NNNNNN checkpoint");
    }

    /// <summary>
    /// Keeps the newest <paramref name="keepLast"/> complete checkpoints; deletes older complete
    /// ones, incomplete ones older than the newest complete one, and leftovers of interrupted writes.
    /// </summary>
    public void Prune(int keepLast)
    {
        var all = List();
        var complete = all.Where(c => c.Complete).ToList();
        var newestComplete = complete.Count > 0 ? complete[0].Step : long.MinValue;
        foreach (var (_, directory, _) in complete.Skip(keepLast))
            CheckpointWriter.TryDelete(directory);
        foreach (var (step, directory, _) in all.Where(c => !c.Complete && c.Step < newestComplete))
            CheckpointWriter.TryDelete(directory);
        foreach (var leftover in Directory.GetDirectories(Root).Where(IsLeftover))
            CheckpointWriter.TryDelete(leftover);
    }

    private static bool IsLeftover(string directory)
    {
        var name = Path.GetFileName(directory);
        return name.StartsWith(CheckpointFiles.TempPrefix, StringComparison.Ordinal)
               || name.StartsWith(CheckpointFiles.OldPrefix, StringComparison.Ordinal);
    }
}
