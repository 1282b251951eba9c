using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Training.Checkpointing;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// How a run keeps its gradients, AdamW state and parameters over the data-parallel ranks, chosen
/// once per run from <c>training.distributed.zero</c>: <see cref="ReplicatedAdamW"/> (one process,
/// or plain data parallelism) or <see cref="ShardedAdamW"/> (ZeRO stages 1 to 3). The training step
/// calls the same members in the same order whatever the strategy.
/// </summary>
internal interface IOptimizerStrategy : IDisposable
{
    /// <summary>For the log, e.g. <c>ZeRO-3 over 4 ranks</c>.</summary>
    string Description { get; }

    /// <summary>Bytes of AdamW moments this process holds.</summary>
    long StateBytes { get; }

    /// <summary>Bytes of the tensors the strategy holds besides the parameters and their gradients: AdamW moments, gradient and parameter shards.</summary>
    long OwnedBytes { get; }

    /// <summary>The learning rate of the next update.</summary>
    double LearningRate { get; set; }

    /// <summary>Updates applied so far.</summary>
    long StepCount { get; set; }

    /// <summary>Gradient buckets and how many started during the last backward (plain data parallelism overlapped with backward), else null.</summary>
    (int Buckets, long DuringBackward)? BucketStats { get; }

    /// <summary>Call before each micro-batch's forward; <paramref name="last"/> for the one whose backward makes the gradients final.</summary>
    void BeginMicroBatch(bool last);

    /// <summary>After the last micro-batch's backward: every rank holds what it needs of the mean gradient over all ranks.</summary>
    void SynchronizeGradients();

    /// <summary>The global 2-norm of the mean gradient as a 0-dim tensor on the device; scales the gradients to at most <paramref name="maxNorm"/>.</summary>
    Tensor ClipGradients(double maxNorm);

    /// <summary>One AdamW update; afterwards every rank holds its parameters as the strategy keeps them.</summary>
    void Step();

    /// <summary>Drops all gradients (and gradient shards).</summary>
    void ZeroGrad();

    /// <summary>
    /// Runs <paramref name="action"/> with every parameter holding its whole value (ZeRO-3 gathers
    /// them for the call: a collective, so every rank calls it); with <paramref name="writesValues"/>
    /// what the action wrote into the parameters is kept.
    /// </summary>
    void WithWholeParameters(Action action, bool writesValues);

    /// <summary>
    /// The whole moments of every parameter, for a checkpoint in whole files; null when the state
    /// is sharded, whose checkpoints every rank writes in parts (<see cref="LocalShards"/>).
    /// </summary>
    IReadOnlyList<(ModelParameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq)>? WholeMoments();

    /// <summary>This rank's part of a sharded checkpoint (parameters and moments) and the index of every rank's; null when the state is whole.</summary>
    ShardedState? LocalShards();

    /// <summary>Takes this process's part of the parameters from <paramref name="source"/> (names and shapes already checked).</summary>
    void RestoreParameters(CheckpointTensors source);

    /// <summary>Takes this process's part of the moments from <paramref name="source"/> (names and shapes already checked).</summary>
    void RestoreMoments(CheckpointTensors source);
}
