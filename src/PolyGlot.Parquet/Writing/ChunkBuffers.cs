using System.Buffers;

namespace PolyGlot.Parquet.Writing;

/// <summary>
/// Scratch space of <see cref="ColumnChunkWriter"/>, kept for reuse on each thread that writes: a token shard is
/// hundreds of row groups, and growing fresh buffers for every column chunk took about a fifth of writing one.
/// </summary>
internal sealed class ChunkBuffers
{
    // Buffers grown past this in all (a file written as a few huge pages) are not kept: a thread's idle cost stays small.
    private const long KeepBytes = 4L << 20;

    [ThreadStatic] private static ChunkBuffers? t_free;

    public ArrayBufferWriter<byte> Levels { get; } = new();

    public ArrayBufferWriter<byte> Values { get; } = new();

    public ArrayBufferWriter<byte> Scratch { get; } = new();

    public ArrayBufferWriter<byte> Compressed { get; } = new();

    /// <summary>Repetition levels of the page being written (grown as needed).</summary>
    public byte[] Repetition { get; set; } = [];

    /// <summary>Definition levels of the page being written (grown as needed).</summary>
    public byte[] Definition { get; set; } = [];

    /// <summary>This thread's spare buffers, or new ones; give them back with <see cref="Return"/>.</summary>
    public static ChunkBuffers Rent()
    {
        var buffers = t_free ?? new ChunkBuffers();
        t_free = null;
        return buffers;
    }

    /// <summary>Keeps <paramref name="buffers"/> for this thread's next chunk, unless they grew too large to hold idle.</summary>
    public static void Return(ChunkBuffers buffers)
    {
        long held = (long)buffers.Levels.Capacity + buffers.Values.Capacity + buffers.Scratch.Capacity + buffers.Compressed.Capacity
                    + buffers.Repetition.Length + buffers.Definition.Length;
        if (held <= KeepBytes)
            t_free = buffers;
    }
}
