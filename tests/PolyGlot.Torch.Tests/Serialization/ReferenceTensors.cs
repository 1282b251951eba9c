using System.Buffers.Binary;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Torch.Tests.Serialization;

/// <summary>The tensor set of <c>reference_tensors()</c> in safetensors_reference.py, built independently here.</summary>
internal static class ReferenceTensors
{
    public static IReadOnlyList<SafetensorsPayload> All() =>
    [
        Payload("f32.weight", SafetensorsDType.F32, [3, 4], Floats(Enumerable.Range(0, 12).Select(i => i * 0.25f - 1))),
        Payload("bf16.weight", SafetensorsDType.BF16, [2, 3], BFloat16s(Enumerable.Range(0, 6).Select(i => i * 0.5f))),
        Payload("f16.bias", SafetensorsDType.F16, [5], Halves(Enumerable.Range(0, 5).Select(i => (Half)(i * -1.5f)))),
        Payload("i64.steps", SafetensorsDType.I64, [4], Longs(Enumerable.Range(0, 4).Select(i => i * 1_000_000_000_000L))),
        Payload("i32.ids", SafetensorsDType.I32, [7], Ints(Enumerable.Range(0, 7).Select(i => i - 3))),
        Payload("bool.mask", SafetensorsDType.BOOL, [5], Enumerable.Range(0, 5).Select(i => (byte)(i % 2 == 0 ? 1 : 0)).ToArray()),
        Payload("u8.bytes", SafetensorsDType.U8, [10], Enumerable.Range(0, 10).Select(i => (byte)(i * 25)).ToArray()),
        Payload("f64.scalar", SafetensorsDType.F64, [], Doubles([3.25])),
        Payload("f32.empty", SafetensorsDType.F32, [0, 3], []),
    ];

    /// <summary>The values as the Python reader prints them (floats widened to double, bools as 0/1).</summary>
    public static IReadOnlyDictionary<string, double[]> Values() => new Dictionary<string, double[]>
    {
        ["f32.weight"] = Enumerable.Range(0, 12).Select(i => i * 0.25 - 1).ToArray(),
        ["bf16.weight"] = Enumerable.Range(0, 6).Select(i => i * 0.5).ToArray(),
        ["f16.bias"] = Enumerable.Range(0, 5).Select(i => i * -1.5).ToArray(),
        ["i64.steps"] = Enumerable.Range(0, 4).Select(i => i * 1e12).ToArray(),
        ["i32.ids"] = Enumerable.Range(0, 7).Select(i => i - 3.0).ToArray(),
        ["bool.mask"] = Enumerable.Range(0, 5).Select(i => i % 2 == 0 ? 1.0 : 0.0).ToArray(),
        ["u8.bytes"] = Enumerable.Range(0, 10).Select(i => i * 25.0).ToArray(),
        ["f64.scalar"] = [3.25],
        ["f32.empty"] = [],
    };

    public static byte[] BytesOf(string name)
    {
        var payload = All().Single(p => p.Info.Name == name);
        using var stream = new MemoryStream();
        using (var writer = SafetensorsWriter.Over(stream, SafetensorsLayout.Create([payload.Info])))
        {
            payload.WriteBytes(writer);
            writer.Commit();
        }
        var header = SafetensorsLayout.Create([payload.Info]).HeaderBytes.Length;
        return stream.ToArray()[header..];
    }

    private static SafetensorsPayload Payload(string name, SafetensorsDType dtype, long[] shape, byte[] bytes) =>
        SafetensorsPayload.FromBytes(name, dtype, shape, bytes);

    private static byte[] Floats(IEnumerable<float> values) =>
        Encode(values, 4, (span, v) => BinaryPrimitives.WriteSingleLittleEndian(span, v));

    // bfloat16 is the upper half of an IEEE single; the values here are exact, so truncation is exact.
    private static byte[] BFloat16s(IEnumerable<float> values) =>
        Encode(values, 2, (span, v) => BinaryPrimitives.WriteUInt16LittleEndian(span,
            (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)));

    private static byte[] Halves(IEnumerable<Half> values) =>
        Encode(values, 2, (span, v) => BinaryPrimitives.WriteHalfLittleEndian(span, v));

    private static byte[] Longs(IEnumerable<long> values) =>
        Encode(values, 8, (span, v) => BinaryPrimitives.WriteInt64LittleEndian(span, v));

    private static byte[] Ints(IEnumerable<int> values) =>
        Encode(values, 4, (span, v) => BinaryPrimitives.WriteInt32LittleEndian(span, v));

    private static byte[] Doubles(IEnumerable<double> values) =>
        Encode(values, 8, (span, v) => BinaryPrimitives.WriteDoubleLittleEndian(span, v));

    private delegate void Encoder<T>(Span<byte> span, T value);

    private static byte[] Encode<T>(IEnumerable<T> values, int size, Encoder<T> encode)
    {
        var list = values.ToList();
        var bytes = new byte[list.Count * size];
        for (var i = 0; i < list.Count; i++)
            encode(bytes.AsSpan(i * size, size), list[i]);
        return bytes;
    }
}
