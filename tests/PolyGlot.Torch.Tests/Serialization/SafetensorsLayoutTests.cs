using System.Buffers.Binary;
using System.Text;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Torch.Tests.Serialization;

public sealed class SafetensorsLayoutTests
{
    private static readonly SafetensorsTensorInfo A = new("a", SafetensorsDType.F32, [2, 3]);
    private static readonly SafetensorsTensorInfo B = new("b", SafetensorsDType.BF16, [5]);

    [Fact]
    public void PlacesTensorsBackToBack_When_Created()
    {
        // Given / When
        var layout = SafetensorsLayout.Create([A, B]);

        // Then
        Assert.Equal((0L, 24L), (layout["a"].Begin, layout["a"].End));
        Assert.Equal((24L, 34L), (layout["b"].Begin, layout["b"].End));
        Assert.Equal(34, layout.DataLength);
    }

    [Fact]
    public void PadsHeaderWithSpacesToEightBytes_When_Rendered()
    {
        // Given / When
        var header = SafetensorsLayout.Create([A, B], new Dictionary<string, string> { ["format"] = "pt" }).HeaderBytes;

        // Then the length prefix covers the rest, which is JSON followed by spaces
        var length = BinaryPrimitives.ReadUInt64LittleEndian(header);
        Assert.Equal((ulong)(header.Length - 8), length);
        Assert.Equal(0, header.Length % 8);
        var text = Encoding.UTF8.GetString(header, 8, header.Length - 8);
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", text);
        Assert.Equal(text.TrimEnd(' ').Length, text.LastIndexOf('}') + 1);
    }

    [Fact]
    public void Refuses_When_NameRepeats()
    {
        var e = Assert.Throws<ArgumentException>(() => SafetensorsLayout.Create([A, A]));

        Assert.Contains("'a' appears twice", e.Message);
    }

    [Fact]
    public void Refuses_When_NameIsMetadataKey()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            SafetensorsLayout.Create([new SafetensorsTensorInfo("__metadata__", SafetensorsDType.U8, [1])]));

        Assert.Contains("reserved", e.Message);
    }
}
