namespace PolyGlot.Torch.Serialization;

/// <summary>
/// A tensor to be written: its description and a callback that writes exactly its bytes into
/// the writer (in one piece or in chunks), so that large tensors never need a second copy.
/// </summary>
/// <param name="Info">Name, dtype and shape.</param>
/// <param name="WriteBytes">Writes the tensor's <see cref="SafetensorsTensorInfo.ByteLength"/> bytes.</param>
public sealed record SafetensorsPayload(SafetensorsTensorInfo Info, Action<SafetensorsWriter> WriteBytes)
{
    /// <summary>A payload over bytes already in memory.</summary>
    public static SafetensorsPayload FromBytes(string name, SafetensorsDType dtype, IReadOnlyList<long> shape,
        ReadOnlyMemory<byte> bytes) =>
        new(new SafetensorsTensorInfo(name, dtype, shape), writer => writer.Write(bytes.Span));

    /// <summary>Writes every payload of <paramref name="payloads"/> (in layout order) and checks each one's length.</summary>
    public static void WriteAll(SafetensorsWriter writer, IEnumerable<SafetensorsPayload> payloads)
    {
        foreach (var payload in payloads)
        {
            var entry = writer.Layout[payload.Info.Name];
            if (writer.DataWritten != entry.Begin)
                throw new InvalidOperationException(
                    $"Tensor '{entry.Name}' starts at data offset {entry.Begin} but the writer is at {writer.DataWritten}.");
            payload.WriteBytes(writer);
            if (writer.DataWritten != entry.End)
                throw new InvalidOperationException(
                    $"Tensor '{entry.Name}' wrote {writer.DataWritten - entry.Begin} bytes; its dtype and shape need {entry.ByteLength}.");
        }
    }

    /// <summary>Writes <paramref name="payloads"/> as one safetensors file at <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, IReadOnlyList<SafetensorsPayload> payloads,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var layout = SafetensorsLayout.Create(payloads.Select(p => p.Info), metadata);
        using var writer = SafetensorsWriter.Create(path, layout);
        WriteAll(writer, payloads);
        writer.Commit();
    }
}
