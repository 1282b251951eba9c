using System.Globalization;

namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// <c>shards.json</c>, the index of a checkpoint whose tensors the ranks wrote in parts: for each
/// tensor its group (<c>model</c> or <c>optimizer</c>), its global shape, and the pieces of its
/// flattened elements, each in one rank's file (<see cref="RankFile"/>) under the tensor's own name
/// as a 1-D tensor. Together the pieces cover every element exactly once, in order. The element
/// type is the one of the pieces in the files.
/// </summary>
public sealed class ShardIndex
{
    /// <summary>The index's file name.</summary>
    public const string FileName = "shards.json";

    /// <summary>The group of model parameters.</summary>
    public const string ModelGroup = "model";

    /// <summary>The group of optimizer state.</summary>
    public const string OptimizerGroup = "optimizer";

    /// <summary>Ranks that wrote the checkpoint, one file each.</summary>
    public int WorldSize { get; set; }

    /// <summary>Every tensor with its pieces.</summary>
    public List<ShardedTensorEntry> Tensors { get; set; } = [];

    /// <summary>The file rank <paramref name="rank"/> of <paramref name="worldSize"/> writes, e.g. <c>rank-00001-of-00004.safetensors</c>.</summary>
    public static string RankFile(int rank, int worldSize) =>
        string.Create(CultureInfo.InvariantCulture, $"rank-{rank:D5}-of-{worldSize:D5}.safetensors");

    /// <summary>The rank files, in rank order.</summary>
    public IEnumerable<string> RankFiles() => Enumerable.Range(0, WorldSize).Select(r => RankFile(r, WorldSize));

    /// <summary>Throws unless every tensor's pieces lie in existing ranks and cover its elements exactly once, in order.</summary>
    /// <exception cref="CheckpointException">The index is inconsistent; the message names the tensor.</exception>
    public void Validate(string directory)
    {
        if (WorldSize < 1)
            throw new CheckpointException(directory, $"{FileName} says world_size {WorldSize}; it must be at least 1");
        foreach (var tensor in Tensors)
        {
            if (tensor.Group is not (ModelGroup or OptimizerGroup) || tensor.Shape.Any(d => d < 0))
                throw new CheckpointException(directory, $"{FileName}: tensor '{tensor.Name}' has group '{tensor.Group}' or a negative dimension");
            long next = 0;
            foreach (var piece in tensor.Pieces)
            {
                if (piece.Start != next || piece.Length <= 0 || piece.Rank < 0 || piece.Rank >= WorldSize)
                    throw new CheckpointException(directory,
                        $"{FileName}: the pieces of '{tensor.Name}' do not cover its elements in order (piece at {piece.Start} of rank {piece.Rank})");
                next += piece.Length;
            }
            if (next != tensor.Elements)
                throw new CheckpointException(directory, $"{FileName}: the pieces of '{tensor.Name}' cover {next} of its {tensor.Elements} elements");
        }
    }
}

/// <summary>One tensor of a <see cref="ShardIndex"/>.</summary>
public sealed class ShardedTensorEntry
{
    /// <summary>The tensor's name (also its pieces' name in the rank files).</summary>
    public string Name { get; set; } = "";

    /// <summary><see cref="ShardIndex.ModelGroup"/> or <see cref="ShardIndex.OptimizerGroup"/>.</summary>
    public string Group { get; set; } = "";

    /// <summary>The whole tensor's shape.</summary>
    public long[] Shape { get; set; } = [];

    /// <summary>The pieces, in element order.</summary>
    public List<ShardPieceEntry> Pieces { get; set; } = [];

    /// <summary>Elements of the whole tensor.</summary>
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>Elements [<see cref="Start"/>, + <see cref="Length"/>) of a flattened tensor, in rank <see cref="Rank"/>'s file.</summary>
public sealed class ShardPieceEntry
{
    /// <summary>The rank whose file holds the piece.</summary>
    public int Rank { get; set; }

    /// <summary>The piece's first element in the flattened tensor.</summary>
    public long Start { get; set; }

    /// <summary>Elements in the piece.</summary>
    public long Length { get; set; }
}
