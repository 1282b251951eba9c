using PolyGlot.Parquet.Format;

namespace PolyGlot.Parquet.Schema;

/// <summary>
/// A column as readers and writers use it: one leaf of the schema that is either flat (a value per
/// row, maybe null) or a list (zero or more values per row; the list and its elements may be null).
/// Create columns for writing with the factories (<see cref="Int32"/>, <see cref="String"/>,
/// <see cref="List"/>, ...); the reader builds them from the file's schema.
/// </summary>
public sealed class ParquetColumn
{
    internal ParquetColumn(string name, IReadOnlyList<string> path, PhysicalType type, int typeLength, bool isList,
        bool isNullable, bool elementIsNullable, int maxDefinition, int maxRepetition, int elementDefinition)
    {
        Name = name;
        PathParts = path;
        PhysicalType = type;
        TypeLength = typeLength;
        IsList = isList;
        IsNullable = isNullable;
        ElementIsNullable = elementIsNullable;
        MaxDefinitionLevel = maxDefinition;
        MaxRepetitionLevel = maxRepetition;
        ElementDefinitionLevel = elementDefinition;
    }

    /// <summary>The name to ask for: the top-level field name (a list's name, not its leaf's).</summary>
    public string Name { get; }

    /// <summary>Dotted path of the leaf in the schema, e.g. <c>input_ids.list.element</c>.</summary>
    public string Path => string.Join('.', PathParts);

    /// <summary>Path of the leaf, one entry per schema node below the root.</summary>
    public IReadOnlyList<string> PathParts { get; }

    /// <summary>Physical type of the values.</summary>
    public PhysicalType PhysicalType { get; }

    /// <summary>Byte length of FIXED_LEN_BYTE_ARRAY values (12 for INT96), otherwise 0.</summary>
    public int TypeLength { get; }

    /// <summary>Whether each row holds a list of values.</summary>
    public bool IsList { get; }

    /// <summary>Flat: the value may be null. List: the list itself may be null.</summary>
    public bool IsNullable { get; }

    /// <summary>List: an element may be null.</summary>
    public bool ElementIsNullable { get; }

    /// <summary>Logical annotation, if any (values are still exposed by physical type).</summary>
    public LogicalType? LogicalType { get; init; }

    /// <summary>Legacy annotation, if any.</summary>
    public ConvertedType? ConvertedType { get; init; }

    /// <summary>Highest definition level of the leaf.</summary>
    public int MaxDefinitionLevel { get; }

    /// <summary>Highest repetition level of the leaf (0 flat, 1 list).</summary>
    public int MaxRepetitionLevel { get; }

    /// <summary>List: the definition level from which an element exists (one less means an empty list).</summary>
    public int ElementDefinitionLevel { get; }

    /// <summary>Why this leaf cannot be read as a flat column or a single list (maps, lists of structs, nested lists); null when it can.</summary>
    public string? UnsupportedReason { get; init; }

    /// <summary>Whether values are UTF-8 text (STRING logical type or UTF8 converted type).</summary>
    public bool IsString => PhysicalType == PhysicalType.ByteArray &&
        (LogicalType?.Kind is LogicalTypeKind.String or LogicalTypeKind.Json or LogicalTypeKind.Enum ||
         ConvertedType is Format.ConvertedType.Utf8 or Format.ConvertedType.Json or Format.ConvertedType.Enum);

    /// <summary>A 32-bit integer column.</summary>
    public static ParquetColumn Int32(string name, bool nullable = false) => Flat(name, PhysicalType.Int32, nullable);

    /// <summary>A 64-bit integer column.</summary>
    public static ParquetColumn Int64(string name, bool nullable = false) => Flat(name, PhysicalType.Int64, nullable);

    /// <summary>A single-precision float column.</summary>
    public static ParquetColumn Float(string name, bool nullable = false) => Flat(name, PhysicalType.Float, nullable);

    /// <summary>A double-precision float column.</summary>
    public static ParquetColumn Double(string name, bool nullable = false) => Flat(name, PhysicalType.Double, nullable);

    /// <summary>A boolean column.</summary>
    public static ParquetColumn Boolean(string name, bool nullable = false) => Flat(name, PhysicalType.Boolean, nullable);

    /// <summary>A UTF-8 string column (BYTE_ARRAY annotated STRING).</summary>
    public static ParquetColumn String(string name, bool nullable = false) =>
        Flat(name, PhysicalType.ByteArray, nullable, stringAnnotation: true);

    /// <summary>A binary column (BYTE_ARRAY, no annotation).</summary>
    public static ParquetColumn Binary(string name, bool nullable = false) => Flat(name, PhysicalType.ByteArray, nullable);

    /// <summary>A fixed-length binary column of <paramref name="length"/> bytes per value.</summary>
    public static ParquetColumn FixedBinary(string name, int length, bool nullable = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return new ParquetColumn(name, [name], PhysicalType.FixedLenByteArray, length, false, nullable, false,
            nullable ? 1 : 0, 0, 0);
    }

    /// <summary>
    /// A list column in the standard 3-level layout <c>name (LIST) / list (repeated) / element</c>,
    /// the layout pyarrow, DuckDB and Hugging Face datasets write (e.g. <c>input_ids: list&lt;int32&gt;</c>).
    /// </summary>
    /// <param name="name">Field name.</param>
    /// <param name="elementType">INT32, INT64, FLOAT, DOUBLE, BOOLEAN or BYTE_ARRAY.</param>
    /// <param name="nullable">Whether a row's list may be null.</param>
    /// <param name="elementNullable">Whether an element may be null.</param>
    /// <param name="elementIsString">For BYTE_ARRAY elements: annotate them as UTF-8 strings.</param>
    public static ParquetColumn List(string name, PhysicalType elementType, bool nullable = true, bool elementNullable = true,
        bool elementIsString = false)
    {
        if (elementType is PhysicalType.FixedLenByteArray or PhysicalType.Int96)
            throw new ArgumentException($"list column '{name}': element type {elementType} is not supported for writing", nameof(elementType));
        var listDefinition = nullable ? 1 : 0;
        var elementDefinition = listDefinition + 1;
        var stringAnnotation = elementIsString && elementType == PhysicalType.ByteArray;
        return new ParquetColumn(name, [name, "list", "element"], elementType, 0, true, nullable, elementNullable,
            elementDefinition + (elementNullable ? 1 : 0), 1, elementDefinition)
        {
            LogicalType = stringAnnotation ? new LogicalType(LogicalTypeKind.String) : null,
            ConvertedType = stringAnnotation ? Format.ConvertedType.Utf8 : null,
        };
    }

    /// <summary>
    /// A list in the legacy 2-level layout <c>name (LIST) / element (repeated)</c> that old writers
    /// produced; elements cannot be null. Prefer <see cref="List"/> for new files.
    /// </summary>
    /// <param name="name">Field name.</param>
    /// <param name="elementType">INT32, INT64, FLOAT, DOUBLE, BOOLEAN or BYTE_ARRAY.</param>
    /// <param name="nullable">Whether a row's list may be null.</param>
    /// <param name="elementIsString">For BYTE_ARRAY elements: annotate them as UTF-8 strings.</param>
    public static ParquetColumn LegacyList(string name, PhysicalType elementType, bool nullable = true, bool elementIsString = false)
    {
        if (elementType is PhysicalType.FixedLenByteArray or PhysicalType.Int96)
            throw new ArgumentException($"list column '{name}': element type {elementType} is not supported for writing", nameof(elementType));
        var elementDefinition = (nullable ? 1 : 0) + 1;
        var stringAnnotation = elementIsString && elementType == PhysicalType.ByteArray;
        return new ParquetColumn(name, [name, "element"], elementType, 0, true, nullable, false, elementDefinition, 1, elementDefinition)
        {
            LogicalType = stringAnnotation ? new LogicalType(LogicalTypeKind.String) : null,
            ConvertedType = stringAnnotation ? Format.ConvertedType.Utf8 : null,
        };
    }

    /// <summary>Whether this list uses the legacy 2-level layout.</summary>
    public bool IsLegacyList => IsList && PathParts.Count == 2 && MaxDefinitionLevel == ElementDefinitionLevel;

    /// <summary>A list of UTF-8 strings in the standard 3-level layout.</summary>
    public static ParquetColumn StringList(string name, bool nullable = true, bool elementNullable = true) =>
        List(name, PhysicalType.ByteArray, nullable, elementNullable, elementIsString: true);

    private static ParquetColumn Flat(string name, PhysicalType type, bool nullable, bool stringAnnotation = false) =>
        new(name, [name], type, 0, false, nullable, false, nullable ? 1 : 0, 0, 0)
        {
            LogicalType = stringAnnotation ? new LogicalType(LogicalTypeKind.String) : null,
            ConvertedType = stringAnnotation ? Format.ConvertedType.Utf8 : null,
        };

    /// <inheritdoc/>
    public override string ToString()
    {
        var type = IsString ? "string" : PhysicalType.ToString().ToLowerInvariant();
        if (LogicalType is { } logical && !IsString) type += $" ({logical})";
        else if (ConvertedType is { } converted && !IsString) type += $" ({converted})";
        return IsList
            ? $"{Name}: list<{type}{(ElementIsNullable ? "" : " not null")}>{(IsNullable ? "" : " not null")}"
            : $"{Name}: {type}{(IsNullable ? "" : " not null")}";
    }
}
