namespace PolyGlot.Data.Corpus;

/// <summary>One document of a monolingual source.</summary>
/// <param name="Text">The document text (paragraphs inside it separated by <c>\n</c>).</param>
/// <param name="Language">Its language code.</param>
/// <param name="File">The file it came from.</param>
/// <param name="Position">Its line in a text or JSONL file (1-based), or its row in a Parquet file (0-based, <paramref name="IsRow"/>).</param>
/// <param name="IsRow">Whether <paramref name="Position"/> is a Parquet row rather than a line.</param>
public readonly record struct CorpusDocument(string Text, string Language, string File, long Position, bool IsRow = false)
{
    /// <summary>Where it came from, e.g. <c>data/x.jsonl:12</c> or <c>data/x.parquet:row 3</c>, for error messages (made when asked:
    /// a corpus is read by the million documents, and nearly all are never reported).</summary>
    public string Location => IsRow ? $"{File}:row {Position}" : $"{File}:{Position}";
}

/// <summary>One aligned translation pair of a bilingual source.</summary>
/// <param name="SourceText">Text in the source language.</param>
/// <param name="SourceLanguage">Source language code.</param>
/// <param name="TargetText">Text in the target language.</param>
/// <param name="TargetLanguage">Target language code.</param>
/// <param name="File">The file it came from.</param>
/// <param name="Line">Its line in that file (1-based).</param>
public readonly record struct BilingualPair(string SourceText, string SourceLanguage, string TargetText, string TargetLanguage, string File, long Line)
{
    /// <summary>Where it came from, e.g. <c>data/x.tsv:12</c>, for error messages (made when asked).</summary>
    public string Location => $"{File}:{Line}";
}

/// <summary>Input that cannot be read as the configured format; the message names the file and line or row.</summary>
public sealed class CorpusFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="file"/> at <paramref name="position"/> (e.g. <c>line 12</c>; null for the whole file).</summary>
    public CorpusFormatException(string file, string? position, string problem, Exception? inner = null)
        : base($"{file}{(position is null ? "" : ", " + position)}: {problem}", inner)
    {
        File = file;
        Position = position;
    }

    /// <summary>The offending file.</summary>
    public string File { get; }

    /// <summary>Line or row within the file, when known.</summary>
    public string? Position { get; }
}
