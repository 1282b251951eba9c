using PolyGlot.Model.Configuration;
using PolyGlot.Training.Configuration;
using static PolyGlot.Training.Planning.ByteSize;

namespace PolyGlot.Training.Planning;

/// <summary>
/// Plans the memory of a run per rank (<see cref="MemoryPlan"/>) from its configuration, a world size
/// and the device (<see cref="PlanTarget"/>), for any ZeRO stage. When the run's own settings do not fit,
/// <see cref="Plan(int)"/> searches for the smallest change that does, preferring, in this order: a
/// higher ZeRO stage, activation checkpointing, a smaller micro-batch (the global batch kept through more
/// accumulation), more ranks (doubling). The search varies the later ones only when no choice of the
/// earlier ones fits, so a suggestion adds ranks only when nothing on the given ranks fits, and among
/// the plans on those ranks prefers the largest micro-batch, then no recomputation, then the lowest stage.
/// docs/distributed.md ("Memory plan") gives the formulas.
/// </summary>
public sealed class MemoryPlanner
{
    /// <summary>
    /// Share of the device memory a plan leaves free: the CUDA context, the caching allocator's
    /// fragmentation and what the formulas leave out (small temporaries, communication buffers).
    /// </summary>
    public const double Headroom = 0.10;

    private readonly RunConfig _run;
    private readonly PlanTarget _target;

    /// <summary>A planner for <paramref name="run"/> on <paramref name="target"/>.</summary>
    public MemoryPlanner(RunConfig run, PlanTarget target) => (_run, _target) = (run, target);

    /// <summary>The run's own settings (ZeRO stage, micro-batch, activation checkpointing) on <paramref name="worldSize"/> ranks.</summary>
    public PlanSettings SettingsFor(int worldSize) => new(worldSize, _run.Training.Distributed.Zero, _run.Training.MicroBatchSize,
        _run.Training.ActivationCheckpointing);

    /// <summary>The plan of the run's own settings on <paramref name="worldSize"/> ranks, with a suggestion when it does not fit.</summary>
    /// <exception cref="Common.Configuration.ConfigException">The global batch does not split over the ranks; the message shows the arithmetic.</exception>
    public MemoryPlan Plan(int worldSize)
    {
        var plan = Plan(SettingsFor(worldSize));
        return plan.Fits == false ? plan with { Suggestion = Search(plan.Settings) } : plan;
    }

    /// <summary>The plan of <paramref name="settings"/>, without a suggestion.</summary>
    /// <exception cref="Common.Configuration.ConfigException">The global batch does not split into whole micro-batches over the ranks.</exception>
    public MemoryPlan Plan(PlanSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.WorldSize, 1);
        if (settings.Zero is < 0 or > 3)
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Zero, "The ZeRO stage is 0, 1, 2 or 3.");
        var geometry = BatchGeometry.Create(_run.Data.GlobalBatchSize, _run.Data.SeqLen, settings.MicroBatchSize, settings.WorldSize,
            "memory plan");
        var model = _run.Model;
        var computeBytes = _run.Precision.Compute == PrecisionConfig.Bf16 ? 2 : 4;
        var gloo = _run.Training.Distributed.Backend == "gloo" || (_run.Training.Distributed.Backend == "auto" && !_target.Cuda);
        var state = new StateMemory(ModelSize.Of(model), model.VocabSize, model.DModel, model.NLayers, settings.WorldSize, settings.Zero, _target.FusedAdamW, gloo,
            model.IsLlama ? 2L * 4 * model.MaxSeqLen * model.HeadDim : 0);
        var activations = ActivationMemory.Of(new ActivationShape(model, settings.MicroBatchSize, _run.Data.SeqLen, computeBytes,
            _target.Attention, _target.Cuda ? 1 : 4, _run.Data.DocumentBoundaries));
        var loss = LossMemory.Of((long)settings.MicroBatchSize * _run.Data.SeqLen, model.VocabSize, model.DModel, _run.Training.LossChunkTokens,
            computeBytes);
        var checkpointing = settings.ActivationCheckpointing;
        return new MemoryPlan
        {
            Run = _run.Name,
            Settings = settings,
            Accumulation = geometry.Accumulation,
            SeqLen = _run.Data.SeqLen,
            ParameterCount = ModelSize.Of(model).Total,
            Precision = _run.Precision.Compute,
            Target = _target,
            Parameters = state.Parameters(),
            Gradients = state.Gradients(),
            GradientsInFlight = state.InFlight(),
            OptimizerState = state.OptimizerState(),
            GatheredUnits = state.GatheredUnits(),
            Activations = ActivationItem(activations, checkpointing),
            ActivationsPlain = activations.Plain + activations.BackwardPeak(false, loss.Bytes, loss.Held, state.ReduceScatterBuffers()),
            ActivationsCheckpointed = activations.CheckpointedKept + activations.BackwardPeak(true, loss.Bytes, loss.Held, state.ReduceScatterBuffers()),
            Loss = BackwardItem(activations, checkpointing, loss, state.ReduceScatterBuffers()),
            StepBuffers = state.StepBuffers(),
            Device = _target.Memory,
        };
    }

    private MemoryItem ActivationItem(ActivationMemory a, bool checkpointing)
    {
        long L = _run.Model.NLayers;
        return checkpointing
            ? new MemoryItem("activations", a.CheckpointedKept,
                $"{L} block outputs x {Format(a.Stream)} + {Format(a.EmbeddingStage)} embedding stage (with checkpointing; without: {Format(a.Plain)})")
            : new MemoryItem("activations", a.Plain,
                $"{L} blocks x {Format(a.PerBlock)} + {Format(a.OutsideBlocks)} outside them (without checkpointing; with: {Format(a.CheckpointedKept)})");
    }

    private static MemoryItem BackwardItem(ActivationMemory a, bool checkpointing, LossPeak loss, long reduction)
    {
        var bytes = a.BackwardPeak(checkpointing, loss.Bytes, loss.Held, reduction);
        var lossText = $"loss {Format(loss.Bytes)} = {loss.Arithmetic}";
        var gradients = reduction > a.BackwardWorkingSet
            ? $"a unit's reduce-scatter buffers {Format(reduction)}"
            : $"one block's gradients {Format(a.BackwardWorkingSet)}";
        if (!checkpointing)
            return new MemoryItem("loss and backward", bytes, $"max({lossText}; {gradients})");
        var block = $"{(loss.Held > 0 ? $"the loss's logits {Format(loss.Held)} + " : "")}a recomputed block {Format(a.PerBlock)} " +
                    $"+ its input's gradient {Format(a.Stream)} + {gradients}";
        return new MemoryItem("loss and backward", bytes, $"final norm and head {Format(a.FinalStage)} + max({lossText}; {block})");
    }

    // Ranks outermost, then micro-batches, then checkpointing, then the stage: the earlier choices of the
    // documented order vary fastest, so the first plan that fits changes as little as possible.
    private MemorySuggestion? Search(PlanSettings from)
    {
        var global = _run.Data.GlobalBatchSize;
        for (long ranks = from.WorldSize; ranks <= global; ranks *= 2)
            foreach (var micro in MicroBatches(from.MicroBatchSize, (int)ranks, global))
                foreach (var checkpointing in from.ActivationCheckpointing ? [true] : new[] { false, true })
                    for (var zero = from.Zero; zero <= 3; zero++)
                    {
                        var candidate = new PlanSettings((int)ranks, zero, micro, checkpointing);
                        if (candidate == from)
                            continue;
                        var plan = Plan(candidate);
                        if (plan.Fits == true)
                            return new MemorySuggestion(Describe(from, plan), plan);
                    }
        return null;
    }

    // Divisors of the run's micro-batch, largest first, that split the global batch over the ranks.
    private static IEnumerable<int> MicroBatches(int micro, int ranks, int global) =>
        Enumerable.Range(1, micro).Reverse().Where(m => micro % m == 0 && global % ((long)m * ranks) == 0);

    private static string Describe(PlanSettings from, MemoryPlan to)
    {
        var s = to.Settings;
        var changes = new List<string>();
        if (s.Zero != from.Zero)
            changes.Add($"training.distributed.zero {from.Zero} -> {s.Zero}");
        if (s.ActivationCheckpointing != from.ActivationCheckpointing)
            changes.Add("training.activation_checkpointing: true");
        if (s.MicroBatchSize != from.MicroBatchSize)
            changes.Add($"training.micro_batch_size {from.MicroBatchSize} -> {s.MicroBatchSize} (accumulation {to.Accumulation})");
        if (s.WorldSize != from.WorldSize)
            changes.Add($"world size {from.WorldSize} -> {s.WorldSize}");
        return string.Join(", ", changes);
    }
}
