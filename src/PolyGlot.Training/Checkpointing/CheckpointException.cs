namespace PolyGlot.Training.Checkpointing;

/// <summary>A checkpoint that cannot be used: names the checkpoint (or file) and what is wrong.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public CheckpointException(string path, string problem, Exception? inner = null)
        : base($"Checkpoint {path}: {problem}.", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The checkpoint directory or file at fault.</summary>
    public string Path { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
