namespace PolyGlot.Torch.Serialization;

/// <summary>A tensor as the header describes it, before it has a place in a file.</summary>
/// <param name="Name">The tensor's name (unique in a file; not <c>__metadata__</c>).</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions; empty for a scalar.</param>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, IReadOnlyList<long> Shape)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount => ElementCountOf(Shape);

    /// <summary>Bytes of data: elements times the item size.</summary>
    public long ByteLength => checked(ElementCount * DType.ItemSize());

    /// <summary>The product of <paramref name="shape"/>; throws on a negative dimension or overflow.</summary>
    public static long ElementCountOf(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
                throw new ArgumentException($"dimension {dim} is negative", nameof(shape));
            count = checked(count * dim);
        }
        return count;
    }
}

/// <summary>A tensor with its place in the data section of a file.</summary>
/// <param name="Info">Name, dtype and shape.</param>
/// <param name="Begin">Offset of the first byte, relative to the start of the data section.</param>
/// <param name="End">Offset one past the last byte, relative to the start of the data section.</param>
public sealed record SafetensorsEntry(SafetensorsTensorInfo Info, long Begin, long End)
{
    /// <summary>The tensor's name.</summary>
    public string Name => Info.Name;

    /// <summary>The element type.</summary>
    public SafetensorsDType DType => Info.DType;

    /// <summary>The dimensions.</summary>
    public IReadOnlyList<long> Shape => Info.Shape;

    /// <summary>Bytes of data (<c>End - Begin</c>).</summary>
    public long ByteLength => End - Begin;
}
