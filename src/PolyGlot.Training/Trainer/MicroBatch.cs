using PolyGlot.Data.Loading;
using PolyGlot.Model;
using PolyGlot.Torch;

namespace PolyGlot.Training.Trainer;

/// <summary>
/// Rows of a <see cref="Batch"/> as model inputs: each row of <c>seq_len + 1</c> tokens gives
/// inputs (its first <c>seq_len</c>) and targets (its last <c>seq_len</c>); the language of each
/// target is kept for the per-language loss. When the batch carries document boundaries
/// (<c>data.document_boundaries</c>), the inputs' positions and document indices go to the model,
/// and a target that starts a new document is not predicted from the previous document: it is
/// ignored (<see cref="TransformerModel.IgnoreIndex"/>), as documents are meant to be independent.
/// When the batch carries a loss mask (instruction tuning), a target the mask leaves out is ignored
/// the same way: only assistant tokens and their end-of-turn are trained.
/// </summary>
internal sealed class MicroBatch
{
    private readonly long[] _inputs, _targets, _targetLanguages, _positions, _segments, _targetsPerLanguage;
    private readonly int _rows, _seqLen;

    public MicroBatch(int rows, int seqLen, int languages)
    {
        (_rows, _seqLen) = (rows, seqLen);
        _inputs = new long[rows * seqLen];
        _targets = new long[rows * seqLen];
        _targetLanguages = new long[rows * seqLen];
        _targetsPerLanguage = new long[languages];
        _positions = new long[rows * seqLen];
        _segments = new long[rows * seqLen];
    }

    /// <summary>Predicted targets of the rows last loaded per language id (ignored targets not counted).</summary>
    public ReadOnlySpan<long> TargetsPerLanguage => _targetsPerLanguage;

    /// <summary>Targets of the rows last loaded that are predicted (not ignored at a document start or by the loss mask).</summary>
    public int PredictedTargets { get; private set; }

    /// <summary>
    /// The targets of <paramref name="batch"/> (every row, every micro-batch) that are trained: not
    /// a document start seen from the previous document, not masked out by the loss mask.
    /// </summary>
    public static long TrainedTargets(Batch batch)
    {
        var boundaries = batch.SegmentIds is not null && batch.PositionIds is not null;
        long trained = 0;
        for (var r = 0; r < batch.Rows; r++)
            for (var t = 1; t < batch.RowLength; t++)
                if (IsTrained(batch, r * batch.RowLength + t, boundaries))
                    trained++;
        return trained;
    }

    /// <summary>
    /// Loads rows <c>[first, first + rows)</c> of <paramref name="batch"/>; returns (B, T) int64 inputs
    /// and targets, the (B·T) int64 language ids of the targets, and the document layout when the
    /// batch has one, on <paramref name="device"/>.
    /// </summary>
    public (Tensor Inputs, Tensor Targets, Tensor TargetLanguages, DocumentLayout? Documents) Load(Batch batch, int first, Device device)
    {
        var boundaries = batch.SegmentIds is not null && batch.PositionIds is not null;
        PredictedTargets = _rows * _seqLen;
        Array.Clear(_targetsPerLanguage);
        for (var r = 0; r < _rows; r++)
        {
            var start = (first + r) * batch.RowLength;
            var row = batch.Row(first + r);
            var languages = batch.LanguageIds.AsSpan(start, batch.RowLength);
            for (var t = 0; t < _seqLen; t++)
            {
                var i = r * _seqLen + t;
                _inputs[i] = row[t];
                _targets[i] = row[t + 1];
                _targetLanguages[i] = languages[t + 1];
                _targetsPerLanguage[languages[t + 1]]++;
                if (boundaries)
                {
                    _positions[i] = batch.PositionIds![start + t];
                    _segments[i] = batch.SegmentIds![start + t];
                }
                if (IsTrained(batch, start + t + 1, boundaries))
                    continue;
                _targets[i] = TransformerModel.IgnoreIndex;
                _targetsPerLanguage[languages[t + 1]]--;
                _targetLanguages[i] = 0;   // any valid id: an ignored target's loss is 0
                PredictedTargets--;
            }
        }
        long[] shape = [_rows, _seqLen];
        // On CUDA through page-locked memory, queued without waiting (the host arrays are reused).
        var documents = boundaries
            ? new DocumentLayout(Tensor.FromSpanAsync<long>(_positions, shape, device), Tensor.FromSpanAsync<long>(_segments, shape, device))
            : null;
        return (Tensor.FromSpanAsync<long>(_inputs, shape, device), Tensor.FromSpanAsync<long>(_targets, shape, device),
            Tensor.FromSpanAsync<long>(_targetLanguages, [_targetLanguages.Length], device), documents);
    }

    // Token `index` of the batch as a target: the first token of the next document, seen from the
    // previous one, is not predicted; nor is a token the loss mask leaves out (a prompt's token).
    private static bool IsTrained(Batch batch, int index, bool boundaries) =>
        !(boundaries && batch.SegmentIds![index] != batch.SegmentIds[index - 1]) && (batch.LossMask is null || batch.LossMask[index] != 0);
}
