using PolyGlot.Data.Loading;
using PolyGlot.Model;
using PolyGlot.Torch;
using PolyGlot.Training.Distributed;
using PolyGlot.Training.Guards;
using PolyGlot.Training.Optimization;

namespace PolyGlot.Training.Trainer;

/// <summary>
/// One optimizer step over a global batch: forward and backward of each micro-batch (gradients
/// accumulate), global-norm clipping, the loss guard, then the AdamW update. The loss that is
/// back-propagated is each micro-batch's summed token loss divided by the tokens of the whole
/// batch, so the accumulated gradient is that of the mean over the global batch whatever the split.
/// With several ranks each one runs its slice of the global batch; gradients are averaged over
/// ranks (every slice holds as many tokens) as the optimizer's strategy does it (whole or by
/// shard, during or after backward: <see cref="TrainingOptimizer"/>), and the loss sum is summed,
/// so that clipping, the guard and the logs see the global batch on every rank alike.
/// With a loss mask (instruction tuning, docs/instruction-tuning.md) only the trained targets count:
/// the divisor is their number over the global batch, summed over ranks before backward.
/// The step waits for the device once: it reads the loss, the gradient norm and the stop flag
/// together (the guard needs the first two). Per-language loss sums stay on the device in a
/// <see cref="LanguageLossWindow"/> until a logging step asks for them.
/// Public so that a benchmark (<c>polyglot bench train</c>) or a program times the very step the
/// trainer runs.
/// </summary>
public sealed class TrainingStep : IDisposable
{
    private readonly TransformerModel _model;
    private readonly TrainingOptimizer _optimizer;
    private readonly LossGuard _guard;
    private readonly DataParallel? _parallel;
    private readonly MicroBatch _micro;
    private readonly LanguageLossWindow _window;
    private readonly int _microRows, _accumulation;

    /// <summary>
    /// A step for <paramref name="model"/> over batches of <paramref name="microRows"/> x
    /// <paramref name="accumulation"/> rows of <paramref name="seqLen"/> + 1 tokens in up to
    /// <paramref name="languages"/> languages; with <paramref name="parallel"/>, one rank's step.
    /// </summary>
    public TrainingStep(TransformerModel model, TrainingOptimizer optimizer, LossGuard guard, int microRows, int accumulation, int seqLen,
        int languages, DataParallel? parallel = null)
    {
        (_model, _optimizer, _guard, _microRows, _accumulation, _parallel) = (model, optimizer, guard, microRows, accumulation, parallel);
        _micro = new MicroBatch(microRows, seqLen, languages);
        _window = new LanguageLossWindow(languages, model.Device);
    }

    /// <summary>
    /// Trains on <paramref name="batch"/>. <paramref name="stopRequested"/> is this process's stop
    /// request, agreed over ranks in the result; with <paramref name="readLanguages"/> (a logging
    /// step) the per-language losses since the previous logging step are read and returned.
    /// </summary>
    public StepResult Run(Batch batch, double learningRate, bool stopRequested = false, bool readLanguages = false, bool injectNonFinite = false)
    {
        if (batch.Rows != _microRows * _accumulation)
            throw new InvalidOperationException(
                $"The batch holds {batch.Rows} rows; micro_batch_size x accumulation = {_microRows} x {_accumulation} were expected.");
        using var step = DisposeScope.Enter();
        _model.Training = true;
        _optimizer.ZeroGrad();
        // The gradient is that of the summed loss over this rank's targets divided by all target
        // positions of the global batch (a constant, known to every rank before backward); the
        // reported loss divides by the targets actually predicted (all of them, unless document
        // boundaries ignore some), summed over ranks.
        var batchTokens = GradientDivisor(batch);
        long predicted = 0;
        var lossSum = Tensor.Zeros([1], DType.Float64, _model.Device);
        for (var m = 0; m < _accumulation; m++)
        {
            using var micro = DisposeScope.Enter();
            var (inputs, targets, languages, documents) = _micro.Load(batch, m * _microRows, _model.Device);
            _optimizer.BeginMicroBatch(last: m == _accumulation - 1);
            // An injected fault makes the loss and every gradient NaN, as a diverging step would.
            var detached = _model.BackwardTokenLosses(inputs, targets, injectNonFinite ? double.NaN : batchTokens, documents);  // (B·T)
            using var noGrad = new NoGradScope();
            if (injectNonFinite)
                detached = detached.Mul(double.NaN);
            lossSum.AddInPlace(detached.To(DType.Float64).Sum());
            _window.Add(detached, languages, _micro.TargetsPerLanguage);
            predicted += _micro.PredictedTargets;
        }
        // (loss sum, stop votes, predicted targets) of this rank, then of all ranks.
        var shared = Tensor.Cat([lossSum, Tensor.FromArray([stopRequested ? 1.0 : 0.0, predicted], 2).To(_model.Device)]);
        var held = _optimizer.HeldBytes;
        _optimizer.SynchronizeGradients();
        _parallel?.SumInPlace(shared, "loss sum");
        var gradNorm = _optimizer.ClipGradientsOnDevice();
        var values = Tensor.Cat([shared, gradNorm.To(DType.Float64).Reshape([1])]).ToArray<double>();  // the step's one read
        // A global batch without a trained target (every token masked out) has no loss to report: 0, not 0/0.
        var (loss, stop, norm) = (values[2] > 0 ? values[0] / values[2] : 0, values[1] > 0, values[3]);
        var verdict = _guard.Judge(loss, norm);
        if (verdict == GuardVerdict.Accept)
        {
            _optimizer.LearningRate = learningRate;
            _optimizer.Step();
        }
        _optimizer.ZeroGrad();
        var perLanguage = readLanguages ? _window.Take(_parallel) : null;
        var buckets = _optimizer.BucketStats;
        return new StepResult(loss, perLanguage, norm, learningRate, verdict, stop)
        {
            GradientBuckets = buckets?.Buckets,
            GradientBucketsDuringBackward = (int?)buckets?.DuringBackward,
            HeldBytes = held,
        };
    }

    // What this rank divides its summed token loss by before backward. Without a loss mask: the
    // target positions of the global batch over the world size (a constant; ranks average their
    // gradients, so the sum of all ranks' losses ends up divided by all target positions). With a
    // loss mask (instruction tuning) the trained targets differ from slice to slice, so they are
    // counted and summed over ranks first (one small all-reduce, read on the host before backward):
    // the averaged gradient is then that of the mean loss over the global batch's trained targets,
    // whatever the micro-batch split and the world size.
    private double GradientDivisor(Batch batch)
    {
        if (batch.LossMask is null)
            return (double)batch.Rows * (batch.RowLength - 1);
        using var scope = DisposeScope.Enter();
        var trained = Tensor.FromArray([(double)MicroBatch.TrainedTargets(batch)], 1).To(_model.Device);
        _parallel?.SumInPlace(trained, "trained target count");
        var global = trained.ToArray<double>()[0];
        // No trained target anywhere: every token loss is 0, any positive divisor keeps the gradient 0.
        return Math.Max(global, 1) / (_parallel?.WorldSize ?? 1);
    }

    /// <summary>Frees the per-language sums kept on the device.</summary>
    public void Dispose() => _window.Dispose();
}
