namespace PolyGlot.Training.Planning;

/// <summary>One line of a memory plan: bytes per rank and the arithmetic behind them.</summary>
/// <param name="Name">What the bytes hold, e.g. <c>optimizer state</c>.</param>
/// <param name="Bytes">Bytes per rank.</param>
/// <param name="Arithmetic">How they follow from the configuration, e.g. <c>2 x 4 B x 1,741,500,160 (...)</c>.</param>
public sealed record MemoryItem(string Name, long Bytes, string Arithmetic);

/// <summary>The settings a plan is made for; the search for a plan that fits varies them.</summary>
/// <param name="WorldSize">Data-parallel ranks (N).</param>
/// <param name="Zero">ZeRO stage, 0 to 3 (<c>training.distributed.zero</c>).</param>
/// <param name="MicroBatchSize">Sequences per forward/backward on one rank (<c>training.micro_batch_size</c>).</param>
/// <param name="ActivationCheckpointing">Blocks recomputed in backward (<c>training.activation_checkpointing</c>).</param>
public sealed record PlanSettings(int WorldSize, int Zero, int MicroBatchSize, bool ActivationCheckpointing);

/// <summary>The device memory a plan is held against.</summary>
/// <param name="Bytes">Total memory of one device (or of the host, for CPU runs).</param>
/// <param name="Source">Where the figure comes from, e.g. <c>--device-memory</c> or <c>cuda:0 (NVIDIA H100 80GB HBM3)</c>.</param>
public sealed record DeviceMemory(long Bytes, string Source);

/// <summary>
/// Memory per rank of one training run (<see cref="MemoryPlanner"/>): persistent state (parameters,
/// gradients, AdamW moments, ZeRO-3's gathered units), one micro-batch's activations and loss, and
/// the buffers of gradient reduction and the optimizer step. The peak is the larger of the
/// forward/backward peak and the optimizer step's; it fits when it is at most the device memory less
/// <see cref="MemoryPlanner.Headroom"/>.
/// </summary>
public sealed record MemoryPlan
{
    /// <summary>The run's name (<c>name:</c>).</summary>
    public required string Run { get; init; }

    /// <summary>World size, ZeRO stage, micro-batch and activation checkpointing of this plan.</summary>
    public required PlanSettings Settings { get; init; }

    /// <summary>Micro-batches per rank and step (global batch / (micro-batch x world size)).</summary>
    public required int Accumulation { get; init; }

    /// <summary>Positions per sequence (<c>data.seq_len</c>).</summary>
    public required int SeqLen { get; init; }

    /// <summary>Trainable parameters (P).</summary>
    public required long ParameterCount { get; init; }

    /// <summary><c>fp32</c> or <c>bf16</c> compute.</summary>
    public required string Precision { get; init; }

    /// <summary>The device facts the plan assumed (device kind, attention kernel, AdamW kernel).</summary>
    public required PlanTarget Target { get; init; }

    /// <summary>fp32 master weights: whole (stages 0-2) or a 1/N part of each unit (stage 3).</summary>
    public required MemoryItem Parameters { get; init; }

    /// <summary>fp32 gradients: whole (0), whole plus ZeRO-1's received part (1), a part plus one unit in flight (2, 3).</summary>
    public required MemoryItem Gradients { get; init; }

    /// <summary>
    /// Of <see cref="Gradients"/>, the whole gradients that exist only while a unit's backward is being
    /// reduced (stages 2 and 3); 0 at stages 0 and 1, whose whole gradients stay for the step.
    /// </summary>
    public required long GradientsInFlight { get; init; }

    /// <summary>AdamW's two fp32 moments: whole (0) or a 1/N part (1-3).</summary>
    public required MemoryItem OptimizerState { get; init; }

    /// <summary>ZeRO-3: the largest unit gathered into its fp32 parameters, with the all-gather's flat buffer.</summary>
    public required MemoryItem GatheredUnits { get; init; }

    /// <summary>What one micro-batch's forward keeps until its backward, as <see cref="PlanSettings.ActivationCheckpointing"/> says.</summary>
    public required MemoryItem Activations { get; init; }

    /// <summary>The activation peak (kept activations and backward's peak) without activation checkpointing.</summary>
    public required long ActivationsPlain { get; init; }

    /// <summary>The activation peak with activation checkpointing.</summary>
    public required long ActivationsCheckpointed { get; init; }

    /// <summary>
    /// What backward adds to the kept activations at its peak: the loss (float32 logits of one chunk or of
    /// all positions, with their gradients) or one block's backward, whichever is larger.
    /// </summary>
    public required MemoryItem Loss { get; init; }

    /// <summary>Gradient reduction and optimizer step buffers, alive after backward (no activations then).</summary>
    public required MemoryItem StepBuffers { get; init; }

    /// <summary>The device memory held against, when known.</summary>
    public DeviceMemory? Device { get; init; }

    /// <summary>The smallest change that fits (<see cref="MemoryPlanner"/> documents the search), when this plan does not.</summary>
    public MemorySuggestion? Suggestion { get; init; }

    /// <summary>State held all the time: parameters, gradients, optimizer state, gathered units.</summary>
    public long Persistent => Parameters.Bytes + Gradients.Bytes + OptimizerState.Bytes + GatheredUnits.Bytes;

    /// <summary>The peak of forward and backward: persistent state, activations and the loss.</summary>
    public long TrainingPeak => Persistent + Activations.Bytes + Loss.Bytes;

    /// <summary>The peak of the optimizer step: parameters, gradients, optimizer state and the step's buffers.</summary>
    public long StepPeak => Parameters.Bytes + Gradients.Bytes + OptimizerState.Bytes + StepBuffers.Bytes;

    /// <summary>Peak bytes per rank.</summary>
    public long Total => Math.Max(TrainingPeak, StepPeak);

    /// <summary>Device memory less the headroom, when known.</summary>
    public long? Usable => Device is null ? null : (long)(Device.Bytes * (1 - MemoryPlanner.Headroom));

    /// <summary>Whether <see cref="Total"/> fits the usable memory; null when no device memory is known.</summary>
    public bool? Fits => Usable is { } usable ? Total <= usable : null;

    /// <summary>Every line, in the order the plan prints them.</summary>
    public IReadOnlyList<MemoryItem> Items => [Parameters, Gradients, OptimizerState, GatheredUnits, Activations, Loss, StepBuffers];
}

/// <summary>A change of settings that makes the run fit, and the plan with it.</summary>
/// <param name="Change">The change in words, e.g. <c>zero 1 -> 3, activation checkpointing on</c>.</param>
/// <param name="Plan">The plan with the changed settings (it fits).</param>
public sealed record MemorySuggestion(string Change, MemoryPlan Plan);
