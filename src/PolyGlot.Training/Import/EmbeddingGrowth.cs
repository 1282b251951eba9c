using PolyGlot.Tokenization;
using PolyGlot.Torch;

namespace PolyGlot.Training.Import;

/// <summary>
/// Initialises the rows a vocabulary matrix (token embedding or LM head, (V, d)) gains when the
/// model moves to an extended tokenizer whose first <c>baseRows</c> ids are the base tokenizer's.
/// With <see cref="NewTokenInit.PieceMean"/> a new token's row is the mean of the base rows of the
/// ids the base tokenizer encodes its text into (the heuristic of vocabulary-extension work such
/// as Chinese-LLaMA); a token whose text the base tokenizer cannot encode falls back to the mean of
/// all base rows, which <see cref="NewTokenInit.VocabularyMean"/> uses for every new token.
/// </summary>
public static class EmbeddingGrowth
{
    /// <summary>The base ids of each new token's text (index 0 is id <paramref name="baseRows"/>); empty where the text is empty.</summary>
    public static IReadOnlyList<int[]> BasePieces(ITokenizer extended, ITokenizer baseTokenizer, int baseRows)
    {
        var pieces = new List<int[]>();
        for (var id = baseRows; id < extended.VocabSize; id++)
        {
            var text = extended.Decode([id]);
            pieces.Add(text.Length == 0 ? [] : baseTokenizer.Encode(text).Where(p => p < baseRows).ToArray());
        }
        return pieces;
    }

    /// <summary>Fills rows <paramref name="baseRows"/>.. of <paramref name="matrix"/> by <paramref name="rule"/>.</summary>
    public static void Fill(Tensor matrix, int baseRows, IReadOnlyList<int[]> basePieces, NewTokenInit rule)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var known = matrix.Narrow(0, 0, baseRows);
        var centre = known.Mean(0);  // (d)
        for (var i = 0; i < basePieces.Count; i++)
        {
            var row = matrix.Select(0, baseRows + i);
            var ids = basePieces[i];
            if (rule == NewTokenInit.VocabularyMean || ids.Length == 0)
            {
                row.CopyFrom(centre);
                continue;
            }
            var index = Tensor.FromArray(ids.Select(v => (long)v).ToArray(), ids.Length);
            row.CopyFrom(known.IndexSelect(0, index).Mean(0));
        }
    }
}
