namespace PolyGlot.Torch.Serialization;

/// <summary>
/// Streams tensors into a safetensors file without holding them all in memory: the header is
/// written first from a <see cref="SafetensorsLayout"/>, then the bytes of each tensor in layout
/// order, in as many chunks as the caller likes. <see cref="Create"/> writes to a temporary file
/// beside the target and <see cref="Commit"/> fsyncs and renames it, so a crash never leaves a
/// file that looks complete; disposing without committing deletes the temporary file.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly string? _tempPath;
    private readonly string? _path;
    private long _written;
    private bool _committed;
    private bool _disposed;

    private SafetensorsWriter(Stream stream, bool ownsStream, SafetensorsLayout layout, string? tempPath, string? path)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _tempPath = tempPath;
        _path = path;
        Layout = layout;
        _stream.Write(layout.HeaderBytes);
    }

    /// <summary>Where each tensor goes.</summary>
    public SafetensorsLayout Layout { get; }

    /// <summary>Data bytes written so far.</summary>
    public long DataWritten => _written;

    /// <summary>The tensor the next bytes belong to, or null when all data is written.</summary>
    public SafetensorsEntry? Current => Layout.Entries.FirstOrDefault(e => e.End > _written && e.ByteLength > 0);

    /// <summary>Starts a file at <paramref name="path"/> (written under a temporary name until <see cref="Commit"/>).</summary>
    public static SafetensorsWriter Create(string path, SafetensorsLayout layout)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = DurableFiles.TempPathFor(path);
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        try
        {
            return new SafetensorsWriter(stream, ownsStream: true, layout, temp, path);
        }
        catch
        {
            stream.Dispose();
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Writes into <paramref name="stream"/> (e.g. a file inside a directory that is itself
    /// published atomically); <see cref="Commit"/> then checks completeness and flushes.
    /// </summary>
    public static SafetensorsWriter Over(Stream stream, SafetensorsLayout layout) =>
        new(stream, ownsStream: false, layout, null, null);

    /// <summary>Appends the next <paramref name="bytes"/> of data (tensors in layout order).</summary>
    /// <exception cref="InvalidOperationException">More bytes than the layout holds.</exception>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
            throw new InvalidOperationException("The safetensors file is already committed.");
        if (_written + bytes.Length > Layout.DataLength)
            throw new InvalidOperationException(
                $"Writing {bytes.Length} bytes at data offset {_written} exceeds the layout's {Layout.DataLength} bytes.");
        _stream.Write(bytes);
        _written += bytes.Length;
    }

    /// <summary>Writes the whole of tensor <paramref name="name"/>, which must be the next one in the layout.</summary>
    /// <exception cref="InvalidOperationException">Out of order, or the wrong number of bytes.</exception>
    public void WriteTensor(string name, ReadOnlySpan<byte> bytes)
    {
        var entry = Layout[name];
        if (entry.Begin != _written)
            throw new InvalidOperationException(
                $"Tensor '{name}' starts at data offset {entry.Begin} but the writer is at {_written}; write tensors in layout order.");
        if (bytes.Length != entry.ByteLength)
            throw new InvalidOperationException(
                $"Tensor '{name}' needs {entry.ByteLength} bytes ({entry.DType.Code()} [{string.Join(", ", entry.Shape)}]), got {bytes.Length}.");
        Write(bytes);
    }

    /// <summary>
    /// Checks that every byte of the layout was written, flushes to disk and, for a file started
    /// with <see cref="Create"/>, renames it into place and flushes its directory.
    /// </summary>
    /// <exception cref="InvalidOperationException">Some tensor data was not written.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_written != Layout.DataLength)
            throw new InvalidOperationException(
                $"Only {_written} of {Layout.DataLength} data bytes were written (next tensor: '{Current?.Name}'); "
                + "the file is incomplete and was not published.");
        if (_stream is FileStream file)
            file.Flush(flushToDisk: true);
        else
            _stream.Flush();
        if (_tempPath is not null)
        {
            _stream.Dispose();
            DurableFiles.Publish(_tempPath, _path!);
        }
        _committed = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_ownsStream)
            _stream.Dispose();
        if (_tempPath is not null && !_committed)
        {
            try { File.Delete(_tempPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
