namespace PolyGlot.Training.Export;

/// <summary>An export that cannot proceed; the message names the path and what to do.</summary>
public sealed class ExportException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public ExportException(string path, string problem, Exception? inner = null)
        : base($"Cannot export to {path}: {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The file or directory concerned.</summary>
    public string Path { get; }
}
