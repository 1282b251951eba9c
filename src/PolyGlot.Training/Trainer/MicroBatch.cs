using PolyGlot.Data.Loading;
using PolyGlot.Torch;

namespace PolyGlot.Training.Trainer;

/// <summary>
/// Rows of a <see cref="Batch"/> as model inputs: each row of <c>seq_len + 1</c> tokens gives
/// inputs (its first <c>seq_len</c>) and targets (its last <c>seq_len</c>); the language of each
/// target is kept for the per-language loss.
/// </summary>
internal sealed class MicroBatch
{
    private readonly long[] _inputs, _targets, _targetLanguages;
    private readonly int[] _languages;
    private readonly int _rows, _seqLen;

    public MicroBatch(int rows, int seqLen)
    {
        (_rows, _seqLen) = (rows, seqLen);
        _inputs = new long[rows * seqLen];
        _targets = new long[rows * seqLen];
        _languages = new int[rows * seqLen];
        _targetLanguages = new long[rows * seqLen];
    }

    /// <summary>Target language ids of the rows last loaded, row-major.</summary>
    public ReadOnlySpan<int> TargetLanguages => _languages;

    /// <summary>
    /// Loads rows <c>[first, first + rows)</c> of <paramref name="batch"/>; returns (B, T) int64 inputs
    /// and targets and the (B·T) int64 language ids of the targets, on <paramref name="device"/>.
    /// </summary>
    public (Tensor Inputs, Tensor Targets, Tensor TargetLanguages) Load(Batch batch, int first, Device device)
    {
        for (var r = 0; r < _rows; r++)
        {
            var row = batch.Row(first + r);
            var languages = batch.LanguageIds.AsSpan((first + r) * batch.RowLength, batch.RowLength);
            for (var t = 0; t < _seqLen; t++)
            {
                _inputs[r * _seqLen + t] = row[t];
                _targets[r * _seqLen + t] = row[t + 1];
                _languages[r * _seqLen + t] = languages[t + 1];
                _targetLanguages[r * _seqLen + t] = languages[t + 1];
            }
        }
        long[] shape = [_rows, _seqLen];
        // On CUDA through page-locked memory, queued without waiting (the host arrays are reused).
        return (Tensor.FromSpanAsync<long>(_inputs, shape, device), Tensor.FromSpanAsync<long>(_targets, shape, device),
            Tensor.FromSpanAsync<long>(_targetLanguages, [_targetLanguages.Length], device));
    }
}
