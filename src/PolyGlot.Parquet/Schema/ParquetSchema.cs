using PolyGlot.Parquet.Format;

namespace PolyGlot.Parquet.Schema;

/// <summary>
/// The leaf columns of a file in schema order, built from the flattened schema tree of the footer
/// (or given by the writer). Leaves nested deeper than one list are listed but cannot be read.
/// </summary>
public sealed class ParquetSchema
{
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    /// <summary>Creates a schema from columns, e.g. for <see cref="Writing.ParquetWriter"/>.</summary>
    public ParquetSchema(params IReadOnlyList<ParquetColumn> columns)
    {
        Columns = columns;
        for (var i = 0; i < columns.Count; i++)
        {
            if (!_byName.TryAdd(columns[i].Name, i) && !columns[i].IsList)
                throw new ArgumentException($"column name '{columns[i].Name}' appears twice in the schema", nameof(columns));
            _byName.TryAdd(columns[i].Path, i);
        }
    }

    /// <summary>The leaf columns in schema (and column chunk) order.</summary>
    public IReadOnlyList<ParquetColumn> Columns { get; }

    /// <summary>Index of the column with this name (or dotted leaf path); -1 when none.</summary>
    public int IndexOf(string name) => _byName.GetValueOrDefault(name, -1);

    /// <summary>Builds the leaf columns from a footer's schema elements.</summary>
    internal static ParquetSchema FromElements(IReadOnlyList<SchemaElement> elements)
    {
        if (elements.Count == 0) throw new ParquetFormatException("the schema is empty (no root element)");
        var leaves = new List<ParquetColumn>();
        var next = 1;
        var rootChildren = elements[0].NumChildren ?? 0;
        if (rootChildren < 0 || rootChildren > elements.Count) throw new ParquetFormatException($"the schema root claims {rootChildren} children");
        for (var i = 0; i < rootChildren; i++) Walk(elements, ref next, [], leaves, depth: 0);
        if (next != elements.Count)
            throw new ParquetFormatException($"the schema tree covers {next} of {elements.Count} elements");
        var duplicate = leaves.GroupBy(c => c.Path).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ParquetFormatException($"the schema has two columns named '{duplicate.Key}'");
        var names = leaves.Where(c => !c.IsList).Select(c => c.Name).Concat(leaves.Where(c => c.IsList).Select(c => c.Name).Distinct());
        var clash = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null) throw new ParquetFormatException($"the schema has two columns named '{clash.Key}'");
        return new ParquetSchema(leaves);
    }

    private static void Walk(IReadOnlyList<SchemaElement> elements, ref int next, List<SchemaElement> ancestors,
        List<ParquetColumn> leaves, int depth)
    {
        if (next >= elements.Count) throw new ParquetFormatException("the schema tree claims more elements than it holds");
        if (depth > 32) throw new ParquetFormatException("the schema tree is nested deeper than 32 levels");
        var element = elements[next++];
        var path = new List<SchemaElement>(ancestors) { element };
        if (element.NumChildren is { } children && element.Type is null)
        {
            if (children < 0 || children > elements.Count - next)
                throw new ParquetFormatException($"schema group '{element.Name}' claims {children} children");
            for (var i = 0; i < children; i++) Walk(elements, ref next, path, leaves, depth + 1);
            return;
        }
        if (element.Type is null) throw new ParquetFormatException($"schema leaf '{element.Name}' has no physical type");
        leaves.Add(ToColumn(path));
    }

    private static ParquetColumn ToColumn(List<SchemaElement> path)
    {
        var leaf = path[^1];
        var names = path.Select(e => e.Name).ToArray();
        int maxDefinition = 0, maxRepetition = 0, repeatedIndex = -1, elementDefinition = 0;
        for (var i = 0; i < path.Count; i++)
        {
            var repetition = path[i].Repetition ?? Repetition.Required;
            if (repetition != Repetition.Required) maxDefinition++;
            if (repetition != Repetition.Repeated) continue;
            maxRepetition++;
            if (repeatedIndex < 0)
            {
                repeatedIndex = i;
                elementDefinition = maxDefinition;
            }
        }
        var type = leaf.Type!.Value;
        var typeLength = type == PhysicalType.Int96 ? 12 : type == PhysicalType.FixedLenByteArray ? leaf.TypeLength ?? 0 : 0;
        if (type == PhysicalType.FixedLenByteArray && typeLength <= 0)
            throw new ParquetFormatException($"column '{string.Join('.', names)}' is FIXED_LEN_BYTE_ARRAY with type length {typeLength}");
        var isList = maxRepetition > 0;
        var name = isList ? ListName(path, repeatedIndex) : string.Join('.', names);
        var nullable = isList
            ? path.Take(repeatedIndex).Any(e => e.Repetition == Repetition.Optional)
            : maxDefinition > 0;
        return new ParquetColumn(name, names, type, typeLength, isList, nullable,
            isList && maxDefinition > elementDefinition, maxDefinition, maxRepetition, elementDefinition)
        {
            LogicalType = leaf.LogicalType,
            ConvertedType = leaf.ConvertedType,
            UnsupportedReason = Unsupported(path, repeatedIndex, maxRepetition),
        };
    }

    private static string? Unsupported(List<SchemaElement> path, int repeatedIndex, int maxRepetition)
    {
        if (maxRepetition > 1) return $"it nests lists {maxRepetition} deep";
        if (repeatedIndex < 0) return null;
        var repeated = path[repeatedIndex];
        var parent = repeatedIndex > 0 ? path[repeatedIndex - 1] : null;
        if (parent?.ConvertedType is ConvertedType.Map or ConvertedType.MapKeyValue || parent?.LogicalType?.Kind == LogicalTypeKind.Map ||
            repeated.ConvertedType == ConvertedType.MapKeyValue)
            return "it is part of a map";
        // The element of a list is the leaf itself (2-level) or the one node below the repeated one
        // (3-level); a leaf further down is a field of a struct element.
        if (repeated.NumChildren > 1 || path.Count - 1 - repeatedIndex > 1) return "it is a field of a list of structs";
        return null;
    }

    // 3-level `a (LIST) / list (repeated) / element` and 2-level `a (LIST) / element (repeated)` are both
    // named by the nodes above the repeated one; a top-level repeated leaf is named by itself.
    private static string ListName(List<SchemaElement> path, int repeatedIndex) =>
        repeatedIndex == 0 ? path[0].Name : string.Join('.', path.Take(repeatedIndex).Select(e => e.Name));

    /// <summary>The flattened schema tree for a footer: root, then each column's nodes.</summary>
    internal List<SchemaElement> ToElements()
    {
        var elements = new List<SchemaElement> { new() { Name = "schema", NumChildren = Columns.Count } };
        foreach (var column in Columns)
        {
            if (column.IsList)
            {
                elements.Add(new SchemaElement
                {
                    Name = column.Name,
                    Repetition = column.IsNullable ? Repetition.Optional : Repetition.Required,
                    NumChildren = 1,
                    ConvertedType = ConvertedType.List,
                    LogicalType = new LogicalType(LogicalTypeKind.List),
                });
                if (column.IsLegacyList)
                {
                    elements.Add(Leaf(column, "element", nullable: false) with { Repetition = Repetition.Repeated });
                    continue;
                }
                elements.Add(new SchemaElement { Name = "list", Repetition = Repetition.Repeated, NumChildren = 1 });
                elements.Add(Leaf(column, "element", column.ElementIsNullable));
            }
            else
            {
                elements.Add(Leaf(column, column.Name, column.IsNullable));
            }
        }
        return elements;
    }

    private static SchemaElement Leaf(ParquetColumn column, string name, bool nullable) => new()
    {
        Name = name,
        Type = column.PhysicalType,
        TypeLength = column.PhysicalType == PhysicalType.FixedLenByteArray ? column.TypeLength : null,
        Repetition = nullable ? Repetition.Optional : Repetition.Required,
        ConvertedType = column.ConvertedType,
        LogicalType = column.LogicalType,
    };
}
