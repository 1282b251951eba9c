using System.Buffers.Binary;
using System.Text.Json;

namespace PolyGlot.Torch.Serialization;

/// <summary>
/// Reads and checks the header of a safetensors file against the file's length: every rule of the
/// format is checked before a single tensor byte is touched, so a bad file fails here, by name.
/// </summary>
internal static class SafetensorsHeaderParser
{
    /// <summary>Parses the header; <paramref name="fileStart"/> holds at least the first 8 bytes.</summary>
    public static SafetensorsLayout Parse(string path, ReadOnlySpan<byte> fileStart, long fileLength,
        Func<long, byte[]> readHeader)
    {
        if (fileLength < 8)
            throw new SafetensorsFormatException(path, null,
                $"the file has {fileLength} bytes, fewer than the 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(fileStart);
        if (headerLength > SafetensorsLayout.MaxHeaderBytes)
            throw new SafetensorsFormatException(path, null,
                $"the header length {headerLength} exceeds the limit of {SafetensorsLayout.MaxHeaderBytes} bytes");
        if (8 + (long)headerLength > fileLength)
            throw new SafetensorsFormatException(path, null,
                $"the header length {headerLength} runs past the end of the {fileLength}-byte file");

        var json = readHeader((long)headerLength);
        if (json.Length == 0 || json[0] != (byte)'{')
            throw new SafetensorsFormatException(path, null, "the header does not start with a JSON object ('{')");

        var dataLength = fileLength - 8 - (long)headerLength;
        var (entries, metadata) = ParseJson(path, json, dataLength);
        var header = new byte[8 + json.Length];
        fileStart[..8].CopyTo(header);
        json.CopyTo(header, 8);
        return SafetensorsLayout.FromValidated(entries, metadata, header);
    }

    private static (List<SafetensorsEntry>, Dictionary<string, string>) ParseJson(string path, byte[] json, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, null, $"the header is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafetensorsFormatException(path, property.Name, "the name appears twice in the header");
                if (property.Name == SafetensorsLayout.MetadataKey)
                    ReadMetadata(path, property.Value, metadata);
                else
                    entries.Add(ReadEntry(path, property.Name, property.Value, dataLength));
            }
            CheckContiguous(path, entries, dataLength);
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, null, $"'{SafetensorsLayout.MetadataKey}' must be an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(path, null,
                    $"metadata '{item.Name}' must be a string, found {item.Value.ValueKind}");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafetensorsEntry ReadEntry(string path, string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, name, "the entry must be an object with dtype, shape and data_offsets");
        var dtype = ReadDType(path, name, value);
        var shape = ReadIntegers(path, name, value, "shape");
        var offsets = ReadIntegers(path, name, value, "data_offsets");
        if (offsets.Length != 2)
            throw new SafetensorsFormatException(path, name, $"data_offsets must hold 2 numbers, found {offsets.Length}");
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end)
            throw new SafetensorsFormatException(path, name, $"data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw new SafetensorsFormatException(path, name,
                $"data_offsets [{begin}, {end}] run past the end of the {dataLength}-byte data section");

        var info = new SafetensorsTensorInfo(name, dtype, shape);
        long expected;
        try
        {
            expected = info.ByteLength;
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(path, name, $"shape [{string.Join(", ", shape)}] is too large");
        }
        if (end - begin != expected)
            throw new SafetensorsFormatException(path, name,
                $"data_offsets [{begin}, {end}] span {end - begin} bytes, but shape [{string.Join(", ", shape)}] "
                + $"of {dtype.Code()} needs {expected}");
        return new SafetensorsEntry(info, begin, end);
    }

    private static SafetensorsDType ReadDType(string path, string name, JsonElement value)
    {
        if (!value.TryGetProperty("dtype", out var code) || code.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException(path, name, "dtype is missing or not a string");
        if (!SafetensorsDTypes.TryParse(code.GetString()!, out var dtype))
            throw new SafetensorsFormatException(path, name,
                $"dtype '{code.GetString()}' is unknown (known: {SafetensorsDTypes.AllCodes})");
        return dtype;
    }

    private static long[] ReadIntegers(string path, string name, JsonElement value, string key)
    {
        if (!value.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(path, name, $"{key} is missing or not an array");
        var result = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var number) || number < 0)
                throw new SafetensorsFormatException(path, name, $"{key} must hold non-negative integers, found {item}");
            result[i++] = number;
        }
        return result;
    }

    /// <summary>
    /// The data section must be covered exactly: sorted by offset, each tensor starts where the
    /// previous one ends (no overlap, no hole) and the last one ends at the end of the file.
    /// </summary>
    private static void CheckContiguous(string path, List<SafetensorsEntry> entries, long dataLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long position = 0;
        SafetensorsEntry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.Begin < position)
                throw new SafetensorsFormatException(path, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            if (entry.Begin > position)
                throw new SafetensorsFormatException(path, entry.Name,
                    $"data_offsets begin at {entry.Begin}, leaving bytes {position}..{entry.Begin} unused");
            position = entry.End;
            previous = entry;
        }
        if (position != dataLength)
            throw new SafetensorsFormatException(path, null,
                $"the tensors cover {position} bytes but the data section has {dataLength}");
    }
}
