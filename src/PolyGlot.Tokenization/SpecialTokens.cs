namespace PolyGlot.Tokenization;

/// <summary>
/// The reserved ids every PolyGlot tokenizer has at fixed positions, so that shards, the
/// loader and exported models agree without looking them up: pad 0, bos 1, eos 2, unk 3.
/// User-defined symbols (e.g. language tags) follow from id 4 in the order configured.
/// </summary>
public sealed record SpecialTokens(int PadId, int BosId, int EosId, int UnkId)
{
    /// <summary>The ids PolyGlot trains with.</summary>
    public static SpecialTokens Default { get; } = new(PadId: 0, BosId: 1, EosId: 2, UnkId: 3);

    /// <summary>Piece text of the padding token.</summary>
    public const string PadPiece = "<pad>";

    /// <summary>Piece text of the beginning-of-document token.</summary>
    public const string BosPiece = "<s>";

    /// <summary>Piece text of the end-of-document token.</summary>
    public const string EosPiece = "</s>";

    /// <summary>Piece text of the unknown token (never produced with byte fallback on valid UTF-8).</summary>
    public const string UnkPiece = "<unk>";
}
