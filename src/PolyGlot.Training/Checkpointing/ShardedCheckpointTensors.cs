using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// One group of the tensors of a sharded checkpoint (<see cref="ShardIndex"/>): a range read
/// opens (memory-maps) only the rank files that hold pieces of it, and copies only the
/// overlapping elements, so a rank that resumes on another world size reads its own parts and
/// nothing more, and a whole tensor never needs more memory than itself.
/// </summary>
internal sealed class ShardedCheckpointTensors : CheckpointTensors
{
    private readonly string _directory;
    private readonly ShardIndex _index;
    private readonly Dictionary<string, ShardedTensorEntry> _tensors;
    private readonly SafetensorsFile?[] _files;

    /// <summary>The tensors of <paramref name="group"/> in the checkpoint at <paramref name="directory"/>, whose index is <paramref name="index"/>.</summary>
    public ShardedCheckpointTensors(string directory, ShardIndex index, string group)
    {
        (_directory, _index) = (directory, index);
        _tensors = index.Tensors.Where(t => t.Group == group).ToDictionary(t => t.Name, StringComparer.Ordinal);
        _files = new SafetensorsFile?[index.WorldSize];
    }

    public override string Source => Path.Combine(_directory, ShardIndex.FileName);

    public override IReadOnlyList<string> Names => _tensors.Keys.ToList();

    public override bool Contains(string name) => _tensors.ContainsKey(name);

    public override IReadOnlyList<long> Shape(string name) => Entry(name).Shape;

    public override Tensor ReadRange(string name, long start, long length, Device device)
    {
        var tensor = Entry(name);
        if (start < 0 || length < 0 || start + length > tensor.Elements)
            throw new InvalidDataException($"Elements [{start}, {start + length}) lie outside tensor '{name}' ({tensor.Elements} elements) of {Source}.");
        Tensor? result = null;
        try
        {
            foreach (var piece in tensor.Pieces)
            {
                var from = Math.Max(start, piece.Start);
                var to = Math.Min(start + length, piece.Start + piece.Length);
                if (from >= to)
                    continue;
                var file = File(piece.Rank);
                var entry = file.Entry(name);
                if (entry.Shape.Count != 1 || entry.Shape[0] != piece.Length)
                    throw new InvalidDataException($"The piece of '{name}' in {file.Path} has shape [{string.Join(", ", entry.Shape)}]; {ShardIndex.FileName} says [{piece.Length}].");
                result ??= Tensor.Empty([length], entry.DType.ToTorch());
                using var target = result.Narrow(0, from - start, to - from);
                CopyRange(file, entry, from - piece.Start, to - from, target);
            }
            result ??= Tensor.Empty([0]);
            if (!device.IsCuda)
                return result;
            using (result)
                return result.To(device);
        }
        catch
        {
            result?.Dispose();
            throw;
        }
    }

    public override void Dispose()
    {
        foreach (var file in _files)
            file?.Dispose();
    }

    private ShardedTensorEntry Entry(string name) => _tensors.TryGetValue(name, out var entry)
        ? entry
        : throw new KeyNotFoundException($"{Source} lists no tensor '{name}'.");

    private SafetensorsFile File(int rank) =>
        _files[rank] ??= SafetensorsFile.Open(Path.Combine(_directory, ShardIndex.RankFile(rank, _index.WorldSize)));
}
