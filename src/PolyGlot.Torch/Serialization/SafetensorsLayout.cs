using System.Buffers.Binary;
using System.Text.Json;

namespace PolyGlot.Torch.Serialization;

/// <summary>
/// Where every tensor of a safetensors file goes, and the header that says so. The format
/// (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N, N bytes
/// of UTF-8 JSON (padded with spaces to a multiple of 8 so that the data starts aligned), then the
/// data section, the tensors back to back in header order, row-major, little-endian.
/// </summary>
public sealed class SafetensorsLayout
{
    /// <summary>The key of the optional string-to-string metadata map in the header.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly Dictionary<string, SafetensorsEntry> _byName;

    private SafetensorsLayout(IReadOnlyList<SafetensorsEntry> entries,
        IReadOnlyDictionary<string, string> metadata, byte[] header)
    {
        Entries = entries;
        Metadata = metadata;
        HeaderBytes = header;
        DataLength = entries.Count == 0 ? 0 : entries[^1].End;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The tensors in file order, with their offsets.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> map (empty when none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The length prefix, the JSON header and its padding: everything before the data.</summary>
    public byte[] HeaderBytes { get; }

    /// <summary>Bytes in the data section.</summary>
    public long DataLength { get; }

    /// <summary>Bytes of the whole file.</summary>
    public long FileLength => HeaderBytes.Length + DataLength;

    /// <summary>The entry named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor in the layout.</exception>
    public SafetensorsEntry this[string name] => _byName.TryGetValue(name, out var entry)
        ? entry
        : throw new KeyNotFoundException($"tensor '{name}' is not part of this safetensors layout");

    /// <summary>True when the layout holds a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>
    /// Places <paramref name="tensors"/> back to back in the given order and renders the header.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved.</exception>
    public static SafetensorsLayout Create(IEnumerable<SafetensorsTensorInfo> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = new List<SafetensorsEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var info in tensors)
        {
            if (string.IsNullOrEmpty(info.Name))
                throw new ArgumentException("a tensor name must not be empty", nameof(tensors));
            if (info.Name == MetadataKey)
                throw new ArgumentException($"'{MetadataKey}' is reserved for the metadata map", nameof(tensors));
            if (!names.Add(info.Name))
                throw new ArgumentException($"tensor '{info.Name}' appears twice", nameof(tensors));
            var end = checked(offset + info.ByteLength);
            entries.Add(new SafetensorsEntry(info, offset, end));
            offset = end;
        }
        var meta = metadata is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        return new SafetensorsLayout(entries, meta, RenderHeader(entries, meta));
    }

    /// <summary>Builds a layout from entries already validated by the reader.</summary>
    internal static SafetensorsLayout FromValidated(IReadOnlyList<SafetensorsEntry> entries,
        IReadOnlyDictionary<string, string> metadata, byte[] header) => new(entries, metadata, header);

    private static byte[] RenderHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata.Count > 0)
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            foreach (var entry in entries)
            {
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", entry.DType.Code());
                writer.WriteStartArray("shape");
                foreach (var dim in entry.Shape)
                    writer.WriteNumberValue(dim);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(entry.Begin);
                writer.WriteNumberValue(entry.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }

        // Spaces pad the JSON so that the data section starts on an 8-byte boundary.
        var jsonLength = (int)json.Length;
        var padded = (jsonLength + 7) / 8 * 8;
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        json.GetBuffer().AsSpan(0, jsonLength).CopyTo(header.AsSpan(8));
        header.AsSpan(8 + jsonLength).Fill((byte)' ');
        return header;
    }
}
