using System.Globalization;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Checkpointing;

/// <summary>What one rank contributes to a sharded checkpoint.</summary>
/// <param name="Index">The index of every rank's pieces (the same on all ranks; rank 0 writes it).</param>
/// <param name="LocalPieces">This rank's pieces, each named by its tensor, as <see cref="ShardIndex"/> describes them.</param>
public sealed record ShardedState(ShardIndex Index, IReadOnlyList<SafetensorsPayload> LocalPieces);

/// <summary>
/// Writes a checkpoint whose tensors the ranks hold in parts: rank 0 makes the temporary
/// directory; every rank writes its own file into it at once (fsynced, its SHA-256 computed on
/// the way) and no rank gathers another's tensors; the checksums are gathered; rank 0 writes the
/// index and the small files, publishes the directory and writes <c>COMPLETE</c> as
/// <see cref="CheckpointWriter"/> does, and only then removes older checkpoints. Every rank learns
/// whether all of this succeeded; a rank killed on the way leaves a temporary directory that
/// readers never take, so the previous checkpoint stays the newest complete one.
/// </summary>
internal static class ShardedCheckpointWriter
{
    public static string Write(CheckpointStore store, CheckpointData data, ShardedState state, DataParallel parallel, int keepLast)
    {
        var temp = Path.Combine(store.Root, $"{CheckpointFiles.TempPrefix}{CheckpointFiles.DirectoryName(data.Step)}-sharded");
        Exception? failure = null;
        if (parallel.Rank == 0)
            Attempt(ref failure, () =>
            {
                CheckpointWriter.TryDelete(temp);
                Directory.CreateDirectory(temp);
            });
        Agree(parallel, failure, store.Root, "rank 0 could not create the checkpoint directory");

        (string File, string Sha256)? written = null;
        Attempt(ref failure, () => written = CheckpointWriter.WriteTensorFile(temp, ShardIndex.RankFile(parallel.Rank, parallel.WorldSize),
            state.LocalPieces, CheckpointWriter.TensorMetadata(data)));
        var checksums = GatherChecksums(parallel, written?.Sha256);
        string? final = null;
        if (parallel.Rank == 0)
            Attempt(ref failure, () =>
            {
                if (checksums.Any(c => c is null))
                    throw new CheckpointException(store.Root, $"rank {Array.IndexOf(checksums, null)} failed to write its part of step {data.Step}");
                final = Finish(store, temp, data, state.Index, checksums!, keepLast);
            });
        if (parallel.Rank == 0 && final is null)
            CheckpointWriter.TryDelete(temp);
        Agree(parallel, failure, store.Root, $"the checkpoint of step {data.Step} was not completed (the log of the rank that failed says why)");
        return final ?? Path.Combine(store.Root, CheckpointFiles.DirectoryName(data.Step));
    }

    private static string Finish(CheckpointStore store, string temp, CheckpointData data, ShardIndex index, string[] rankChecksums, int keepLast)
    {
        List<(string File, string Sha256)> files =
        [
            .. CheckpointWriter.WriteCommonFiles(temp, data, shardedOver: index.WorldSize),
            CheckpointWriter.WriteFile(temp, ShardIndex.FileName, s => s.Write(CheckpointJson.Serialize(index))),
            .. rankChecksums.Select((sha, rank) => (ShardIndex.RankFile(rank, index.WorldSize), sha)),
        ];
        var final = CheckpointWriter.Complete(store.Root, temp, data.Step, files);
        store.Prune(keepLast);
        return final;
    }

    // Every rank's SHA-256 (null where the rank failed), through one gather of four longs each.
    private static string?[] GatherChecksums(DataParallel parallel, string? sha256)
    {
        var words = new long[5];
        if (sha256 is not null)
        {
            var bytes = Convert.FromHexString(sha256);
            for (var i = 0; i < 4; i++)
                words[i] = BitConverter.ToInt64(bytes, 8 * i);
            words[4] = 1;
        }
        var all = parallel.Gather(words);
        return Enumerable.Range(0, parallel.WorldSize).Select(rank => all[5 * rank + 4] == 1
            ? Convert.ToHexString(Enumerable.Range(0, 4).SelectMany(i => BitConverter.GetBytes(all[5 * rank + i])).ToArray()).ToLowerInvariant()
            : null).ToArray();
    }

    private static void Attempt(ref Exception? failure, Action action)
    {
        if (failure is not null)
            return;
        try
        {
            action();
        }
        catch (Exception e)
        {
            failure = e;
        }
    }

    // All ranks stop together: the rank that failed rethrows its own exception, the others say which part failed.
    private static void Agree(DataParallel parallel, Exception? failure, string root, string problem)
    {
        if (parallel.All(failure is null))
            return;
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        throw new CheckpointException(root, string.Create(CultureInfo.InvariantCulture, $"{problem}; rank {parallel.Rank} stops with it"));
    }
}
