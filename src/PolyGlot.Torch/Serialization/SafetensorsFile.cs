using System.IO.MemoryMappedFiles;

namespace PolyGlot.Torch.Serialization;

/// <summary>
/// A safetensors file opened for reading over a read-only memory map: the header is parsed and
/// checked on open (offsets in range, no overlap or hole, sizes matching dtype and shape), and
/// tensor bytes are then served straight from the map without copying.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataStart;
    private bool _disposed;

    private SafetensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePointer,
        SafetensorsLayout layout)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = basePointer;
        Layout = layout;
        _dataStart = layout.HeaderBytes.Length;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The validated header: tensors in file order and the metadata map.</summary>
    public SafetensorsLayout Layout { get; }

    /// <summary>The tensors in file order.</summary>
    public IReadOnlyList<SafetensorsEntry> Tensors => Layout.Entries;

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata => Layout.Metadata;

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafetensorsFormatException">The file breaks a rule of the format.</exception>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Safetensors file {path} does not exist.", path);
        var length = new FileInfo(path).Length;
        if (length < 8)
            // An empty file cannot be mapped; the parser reports it by name.
            SafetensorsHeaderParser.Parse(path, ReadOnlySpan<byte>.Empty, length, _ => []);

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            pointer += view.PointerOffset;
            var basePointer = pointer;
            var layout = SafetensorsHeaderParser.Parse(path, new ReadOnlySpan<byte>(basePointer, 8), length,
                headerLength => new ReadOnlySpan<byte>(basePointer + 8, checked((int)headerLength)).ToArray());
            return new SafetensorsFile(path, map, view, basePointer, layout);
        }
        catch
        {
            if (acquired)
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>True when the file holds a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => Layout.Contains(name);

    /// <summary>The entry of <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message names the file.</exception>
    public SafetensorsEntry Entry(string name)
    {
        try
        {
            return Layout[name];
        }
        catch (KeyNotFoundException)
        {
            throw new KeyNotFoundException($"Safetensors file {Path} has no tensor '{name}'.");
        }
    }

    /// <summary>
    /// The bytes of <paramref name="name"/>, served from the map (valid until disposal). Tensors of
    /// 2 GiB or more do not fit a span: use <see cref="CopyTo(string, Stream)"/> or <see cref="Address"/>.
    /// </summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var entry = Entry(name);
        if (entry.ByteLength > int.MaxValue)
            throw new InvalidOperationException(
                $"Tensor '{name}' in {Path} has {entry.ByteLength} bytes, too many for one span; use CopyTo or Address.");
        return new ReadOnlySpan<byte>(Start(entry), (int)entry.ByteLength);
    }

    /// <summary>
    /// <paramref name="length"/> bytes of <paramref name="entry"/> from byte <paramref name="offset"/>
    /// of the tensor, served from the map (valid until disposal).
    /// </summary>
    public ReadOnlySpan<byte> GetChunk(SafetensorsEntry entry, long offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > entry.ByteLength)
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"bytes {offset}..{offset + length} are outside tensor '{entry.Name}' ({entry.ByteLength} bytes)");
        return new ReadOnlySpan<byte>(Start(Entry(entry.Name)) + offset, length);
    }

    /// <summary>The address of the first byte of <paramref name="name"/> (valid until disposal).</summary>
    public IntPtr Address(string name) => (IntPtr)Start(Entry(name));

    /// <summary>Copies the bytes of <paramref name="name"/> to <paramref name="destination"/>, in chunks.</summary>
    public void CopyTo(string name, Stream destination)
    {
        var entry = Entry(name);
        var start = Start(entry);
        const int chunk = 1 << 24;
        for (long done = 0; done < entry.ByteLength; done += chunk)
        {
            var count = (int)Math.Min(chunk, entry.ByteLength - done);
            destination.Write(new ReadOnlySpan<byte>(start + done, count));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _view?.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _map?.Dispose();
    }

    private byte* Start(SafetensorsEntry entry)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _base + _dataStart + entry.Begin;
    }
}
