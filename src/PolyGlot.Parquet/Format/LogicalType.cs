namespace PolyGlot.Parquet.Format;

/// <summary>The kinds of the parquet-format <c>LogicalType</c> union.</summary>
public enum LogicalTypeKind
{
    /// <summary>UTF-8 string.</summary>
    String = 1,
    /// <summary>Map.</summary>
    Map = 2,
    /// <summary>List.</summary>
    List = 3,
    /// <summary>Enum.</summary>
    Enum = 4,
    /// <summary>Decimal with scale and precision.</summary>
    Decimal = 5,
    /// <summary>Date.</summary>
    Date = 6,
    /// <summary>Time of day in a unit.</summary>
    Time = 7,
    /// <summary>Timestamp in a unit.</summary>
    Timestamp = 8,
    /// <summary>Integer of a bit width and signedness.</summary>
    Integer = 10,
    /// <summary>Always null.</summary>
    Unknown = 11,
    /// <summary>JSON text.</summary>
    Json = 12,
    /// <summary>BSON document.</summary>
    Bson = 13,
    /// <summary>UUID (16 bytes).</summary>
    Uuid = 14,
    /// <summary>Half-precision float (2 bytes).</summary>
    Float16 = 15,
    /// <summary>A union member this reader does not know; values are read raw.</summary>
    Other = 1000,
}

/// <summary>Time units of TIME and TIMESTAMP logical types.</summary>
public enum TimeUnit
{
    /// <summary>Milliseconds.</summary>
    Millis = 1,
    /// <summary>Microseconds.</summary>
    Micros = 2,
    /// <summary>Nanoseconds.</summary>
    Nanos = 3,
}

/// <summary>A logical type annotation; values are always exposed raw (by physical type).</summary>
public sealed record LogicalType(LogicalTypeKind Kind)
{
    /// <summary>Bit width of an INTEGER annotation.</summary>
    public int BitWidth { get; init; }

    /// <summary>Signedness of an INTEGER annotation.</summary>
    public bool IsSigned { get; init; }

    /// <summary>Unit of a TIME or TIMESTAMP annotation.</summary>
    public TimeUnit Unit { get; init; }

    /// <summary>Whether a TIME or TIMESTAMP is adjusted to UTC.</summary>
    public bool IsAdjustedToUtc { get; init; }

    /// <summary>Scale of a DECIMAL annotation.</summary>
    public int Scale { get; init; }

    /// <summary>Precision of a DECIMAL annotation.</summary>
    public int Precision { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        LogicalTypeKind.Integer => $"INTEGER({BitWidth},{(IsSigned ? "signed" : "unsigned")})",
        LogicalTypeKind.Timestamp or LogicalTypeKind.Time => $"{Kind.ToString().ToUpperInvariant()}({Unit.ToString().ToUpperInvariant()},utc={IsAdjustedToUtc})",
        LogicalTypeKind.Decimal => $"DECIMAL({Precision},{Scale})",
        _ => Kind.ToString().ToUpperInvariant(),
    };
}
