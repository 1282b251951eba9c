namespace PolyGlot.Parquet;

/// <summary>A Parquet operation failed for a reason other than malformed input (for example a codec library that is missing).</summary>
public class ParquetException : Exception
{
    /// <summary>Creates the exception with a message that says what went wrong and what to do.</summary>
    public ParquetException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The bytes of a Parquet file are not valid: truncated, wrong magic, corrupt footer, page or Thrift
/// structure, sizes that exceed the file, a failed decompression, an unknown codec or encoding.
/// The message names the file, the row group and the column where they are known.
/// </summary>
public sealed class ParquetFormatException : ParquetException
{
    /// <summary>Creates the exception for a problem whose location is not known yet.</summary>
    public ParquetFormatException(string problem) : base(problem) => Problem = problem;

    /// <summary>Creates the exception naming where in which file the problem is.</summary>
    public ParquetFormatException(string? file, int? rowGroup, string? column, string problem, Exception? inner = null)
        : base(Describe(file, rowGroup, column, problem), inner)
    {
        File = file;
        RowGroup = rowGroup;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file being read, when known.</summary>
    public string? File { get; }

    /// <summary>The zero-based row group, when the problem is inside one.</summary>
    public int? RowGroup { get; }

    /// <summary>The column path (dotted), when the problem is inside a column chunk.</summary>
    public string? Column { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    private static string Describe(string? file, int? rowGroup, string? column, string problem)
    {
        var where = new List<string>();
        if (file is not null) where.Add($"file '{file}'");
        if (rowGroup is not null) where.Add($"row group {rowGroup}");
        if (column is not null) where.Add($"column '{column}'");
        var location = where.Count == 0 ? "" : string.Join(", ", where) + ": ";
        return $"{location}{problem} (the file is not valid Parquet or is damaged; re-create or re-download it)";
    }
}
