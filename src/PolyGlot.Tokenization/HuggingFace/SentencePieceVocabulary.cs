namespace PolyGlot.Tokenization.HuggingFace;

/// <summary>
/// The vocabulary of a SentencePiece model as a Hugging Face <c>tokenizers</c> model needs it:
/// every piece with its id, which pieces are added tokens (control and user-defined), whether
/// byte fallback is on, and for BPE the merge list.
/// </summary>
internal sealed class SentencePieceVocabulary
{
    private SentencePieceVocabulary(IReadOnlyList<Piece> pieces, bool isBpe, bool byteFallback)
    {
        Pieces = pieces;
        IsBpe = isBpe;
        ByteFallback = byteFallback;
    }

    /// <summary>Every piece, in id order.</summary>
    public IReadOnlyList<Piece> Pieces { get; }

    /// <summary>True for a BPE model (scores are minus the merge order), false for unigram (scores are log probabilities).</summary>
    public bool IsBpe { get; }

    /// <summary>The model has the 256 byte pieces, so characters outside the vocabulary become their UTF-8 bytes.</summary>
    public bool ByteFallback { get; }

    /// <summary>Reads the vocabulary of <paramref name="tokenizer"/> and checks that its text handling is one a <c>tokenizer.json</c> reproduces.</summary>
    /// <exception cref="TokenizerException">The model adds a dummy prefix or normalizes text (not a model <c>polyglot tokenizer train</c> writes).</exception>
    public static SentencePieceVocabulary Read(SentencePieceTokenizer tokenizer)
    {
        var pieces = new List<Piece>(tokenizer.VocabSize);
        var inMetaPieces = true;
        for (var id = 0; id < tokenizer.VocabSize; id++)
        {
            var (score, kind) = (tokenizer.ScoreOf(id), tokenizer.KindOf(id));
            // SentencePiece puts its meta pieces first (control, unknown, user-defined, bytes; all
            // scored +0) and the learned pieces after them, the first BPE one scored -0. The
            // user-defined pieces are the ordinary pieces of that leading run.
            inMetaPieces &= kind != PieceKind.Normal || (score == 0 && !float.IsNegative(score));
            pieces.Add(new Piece(id, tokenizer.IdToPiece(id), score, kind, IsUserDefined: inMetaPieces && kind == PieceKind.Normal));
        }
        var byteFallback = pieces.Count(p => p.Kind == PieceKind.Byte) == 256;
        RequireLosslessText(tokenizer, byteFallback);
        return new SentencePieceVocabulary(pieces, HasBpeScores(pieces.Where(p => p.IsLearned).Select(p => p.Score)), byteFallback);
    }

    /// <summary>
    /// Whether learned pieces scored like these come from BPE training, which scores the n-th
    /// learned piece -n; unigram scores are log probabilities.
    /// </summary>
    internal static bool HasBpeScores(IEnumerable<float> learnedScores) => learnedScores.All(s => s <= 0 && s == MathF.Round(s));

    /// <summary>
    /// The BPE merges, best first. SentencePiece's BPE encoder repeatedly joins the adjacent pair
    /// whose concatenation is the highest-scoring piece of the vocabulary; Hugging Face's joins the
    /// adjacent pair of lowest merge rank. So every split of a learned piece into two learned
    /// pieces is a merge, ranked by the score of the piece it makes (as Hugging Face's own
    /// SentencePiece converter does), with the splits of one piece ordered by the ids of their halves.
    /// </summary>
    public IReadOnlyList<(string Left, string Right)> Merges()
    {
        var learned = Pieces.Where(p => p.IsLearned).ToDictionary(p => p.Text, p => p.Id, StringComparer.Ordinal);
        var merges = new List<(float Score, int Id, int LeftId, int RightId, string Left, string Right)>();
        foreach (var piece in Pieces.Where(p => p.IsLearned))
        {
            for (var split = 1; split < piece.Text.Length; split++)
            {
                // A split inside a surrogate pair would make halves that are not text.
                if (char.IsLowSurrogate(piece.Text[split]))
                    continue;
                var left = piece.Text[..split];
                var right = piece.Text[split..];
                if (learned.TryGetValue(left, out var leftId) && learned.TryGetValue(right, out var rightId))
                    merges.Add((piece.Score, piece.Id, leftId, rightId, left, right));
            }
        }
        return merges
            .OrderByDescending(m => m.Score).ThenBy(m => m.Id).ThenBy(m => m.LeftId).ThenBy(m => m.RightId)
            .Select(m => (m.Left, m.Right)).ToList();
    }

    // PolyGlot trains with identity normalization, no dummy prefix and whitespace kept as it is;
    // the tokenizer.json written here encodes exactly that, so a model that differs is refused
    // rather than exported with a tokenizer.json that gives other ids.
    private static void RequireLosslessText(SentencePieceTokenizer tokenizer, bool byteFallback)
    {
        var first = tokenizer.Encode("a");
        if (first.Length > 0 && tokenizer.IdToPiece(first[0]).StartsWith('\u2581'))
            throw new TokenizerException(
                $"{tokenizer.ModelPath} adds a dummy prefix (a space before every text), which the Hugging Face tokenizer.json written here does not; " +
                "export a tokenizer trained by `polyglot tokenizer train` (add_dummy_prefix=false).");
        // Full-width, ligature and circled forms change under NFKC; doubled spaces collapse when
        // extra whitespace is removed. Only with byte fallback does every character come back.
        const string probe = "  a  b\t\uFF71\uFB01\u2460 ";
        if (byteFallback && tokenizer.Decode(tokenizer.Encode(probe)) != probe)
            throw new TokenizerException(
                $"{tokenizer.ModelPath} normalizes text (it does not give back \"{probe}\"), which the Hugging Face tokenizer.json written here does not; " +
                "export a tokenizer trained by `polyglot tokenizer train` (normalization_rule_name=identity, remove_extra_whitespaces=false).");
    }

    /// <summary>One vocabulary entry.</summary>
    /// <param name="Id">Its id.</param>
    /// <param name="Text">Its piece text (spaces appear as U+2581).</param>
    /// <param name="Score">Its SentencePiece score.</param>
    /// <param name="Kind">Its kind.</param>
    /// <param name="IsUserDefined">A user-defined symbol (e.g. a language tag): always one piece, wherever it occurs in text.</param>
    public sealed record Piece(int Id, string Text, float Score, PieceKind Kind, bool IsUserDefined)
    {
        /// <summary>A special token of Hugging Face: control and unknown pieces.</summary>
        public bool IsSpecial => Kind.HasFlag(PieceKind.Control) || Kind.HasFlag(PieceKind.Unknown);

        /// <summary>A piece the BPE merges may produce or combine: learned pieces and single characters.</summary>
        public bool IsLearned => Kind == PieceKind.Normal && !IsUserDefined;
    }
}
