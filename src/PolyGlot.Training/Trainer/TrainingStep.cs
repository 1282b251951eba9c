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
/// With several ranks each one runs its slice of the global batch; gradients are then averaged
/// over ranks (every slice holds as many tokens), and loss sums and token counts are summed, so
/// that clipping, the guard and the logs see the global batch on every rank alike.
/// </summary>
internal sealed class TrainingStep
{
    private readonly TransformerModel _model;
    private readonly TrainingOptimizer _optimizer;
    private readonly LossGuard _guard;
    private readonly DataParallel? _parallel;
    private readonly MicroBatch _micro;
    private readonly int _microRows, _accumulation;

    public TrainingStep(TransformerModel model, TrainingOptimizer optimizer, LossGuard guard, int microRows, int accumulation, int seqLen,
        DataParallel? parallel = null)
    {
        (_model, _optimizer, _guard, _microRows, _accumulation, _parallel) = (model, optimizer, guard, microRows, accumulation, parallel);
        _micro = new MicroBatch(microRows, seqLen);
    }

    public StepResult Run(Batch batch, double learningRate)
    {
        if (batch.Rows != _microRows * _accumulation)
            throw new InvalidOperationException(
                $"The batch holds {batch.Rows} rows; micro_batch_size x accumulation = {_microRows} x {_accumulation} were expected.");
        using var step = DisposeScope.Enter();
        _model.Training = true;
        _optimizer.ZeroGrad();
        var losses = new LanguageLosses(batch.Languages.Count);
        double batchTokens = (double)batch.Rows * (batch.RowLength - 1);
        for (var m = 0; m < _accumulation; m++)
        {
            using var micro = DisposeScope.Enter();
            var (inputs, targets) = _micro.Load(batch, m * _microRows, _model.Device);
            var tokenLosses = _model.TokenLosses(inputs, targets);  // (B·T)
            tokenLosses.Sum().Div(batchTokens).Backward();
            losses.Add(tokenLosses.Detach().ToArray<float>(), _micro.TargetLanguages);
        }
        if (_parallel is not null)
            AverageOverRanks(_parallel, losses);
        var gradNorm = _optimizer.ClipGradients();
        var verdict = _guard.Judge(losses.Mean, gradNorm);
        if (verdict == GuardVerdict.Accept)
        {
            _optimizer.LearningRate = learningRate;
            _optimizer.Step();
        }
        _optimizer.ZeroGrad();
        return new StepResult(losses.Mean, losses, gradNorm, learningRate, verdict);
    }

    private void AverageOverRanks(DataParallel parallel, LanguageLosses losses)
    {
        _optimizer.AverageGradients(parallel);
        var sums = losses.ToVector();
        parallel.Sum(sums);
        losses.SetFromVector(sums);
    }
}
