namespace PolyGlot.Training.Import;

/// <summary>A Hugging Face folder that cannot be imported; the message names the file, the key and what to do.</summary>
public sealed class ImportException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public ImportException(string path, string problem, Exception? inner = null)
        : base($"Cannot import {path}: {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The folder or file concerned.</summary>
    public string Path { get; }
}
