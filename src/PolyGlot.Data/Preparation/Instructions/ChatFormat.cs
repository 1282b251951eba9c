using PolyGlot.Tokenization;

namespace PolyGlot.Data.Preparation.Instructions;

/// <summary>
/// The one home of the chat format: how a conversation becomes tokens and which of them are trained
/// (docs/instruction-tuning.md). ChatML-style: every turn is a header (<c>&lt;|im_start|&gt;</c>, the
/// role and a newline), the content, and an end-of-turn. Only an assistant turn's content and the
/// end-of-turn that closes it are trained (mask 1); headers, system and user turns are context (0).
/// <para>
/// When the tokenizer holds the pieces <c>&lt;|im_start|&gt;</c> and <c>&lt;|im_end|&gt;</c>, each is
/// one token, a newline follows every <c>&lt;|im_end|&gt;</c>, and the conversation ends with EOS
/// (not trained) when the tokenizer has one. Without them the header <c>&lt;|im_start|&gt;role\n</c>
/// is encoded as ordinary text and the EOS id ends every turn (and thereby the conversation).
/// A tokenizer with neither the pieces nor an EOS id is refused.
/// </para>
/// </summary>
public sealed class ChatFormat
{
    /// <summary>The piece that opens a turn.</summary>
    public const string TurnStartPiece = "<|im_start|>";

    /// <summary>The piece that closes a turn.</summary>
    public const string TurnEndPiece = "<|im_end|>";

    private readonly ITokenizer _tokenizer;
    private readonly int _turnStart;
    private readonly int[] _afterTurn;
    private readonly int _conversationEnd;

    /// <summary>Finds the format's pieces in <paramref name="tokenizer"/>.</summary>
    /// <exception cref="TokenizerException">The tokenizer has no end-of-turn piece and no EOS id.</exception>
    public ChatFormat(ITokenizer tokenizer)
    {
        _tokenizer = tokenizer;
        var (start, end) = (-1, -1);
        for (var id = 0; id < tokenizer.VocabSize && (start < 0 || end < 0); id++)
        {
            var piece = tokenizer.IdToPiece(id);
            if (piece == TurnStartPiece)
                start = id;
            else if (piece == TurnEndPiece)
                end = id;
        }
        UsesReservedPieces = start >= 0 && end >= 0;
        var eos = tokenizer.Special.EosId;
        if (!UsesReservedPieces && eos < 0)
            throw new TokenizerException(
                $"tokenizer {tokenizer.ModelPath} has neither the pieces {TurnStartPiece} and {TurnEndPiece} nor an EOS id, so a chat turn " +
                "cannot be closed; use a tokenizer with an EOS piece or add the chat pieces to it.");
        _turnStart = UsesReservedPieces ? start : -1;
        EndOfTurnId = UsesReservedPieces ? end : eos;
        _afterTurn = UsesReservedPieces ? tokenizer.Encode("\n") : [];
        _conversationEnd = UsesReservedPieces ? eos : -1;
    }

    /// <summary>True when turns are delimited by the tokenizer's own <c>&lt;|im_start|&gt;</c> and <c>&lt;|im_end|&gt;</c> pieces; false when EOS closes turns.</summary>
    public bool UsesReservedPieces { get; }

    /// <summary>The id that closes every turn (trained after an assistant turn).</summary>
    public int EndOfTurnId { get; }

    /// <summary>How turns are delimited, for the log.</summary>
    public string Describe() => UsesReservedPieces
        ? $"ChatML with the tokenizer's {TurnStartPiece} (id {_turnStart}) and {TurnEndPiece} (id {EndOfTurnId})"
        : $"ChatML headers as text, EOS (id {EndOfTurnId}) as end-of-turn: the tokenizer has no {TurnStartPiece}/{TurnEndPiece} pieces";

    /// <summary>Renders <paramref name="conversation"/>: its tokens and, per token, 1 when it is trained, else 0.</summary>
    public (int[] Tokens, byte[] Mask) Render(Conversation conversation)
    {
        var tokens = new List<int>();
        var mask = new List<byte>();
        foreach (var message in conversation.Messages)
        {
            var trained = message.Role == ChatRole.Assistant ? (byte)1 : (byte)0;
            Append(tokens, mask, Header(message.Role), 0);
            Append(tokens, mask, _tokenizer.Encode(message.Content), trained);
            Append(tokens, mask, [EndOfTurnId], trained);
            Append(tokens, mask, _afterTurn, 0);
        }
        if (_conversationEnd >= 0)
            Append(tokens, mask, [_conversationEnd], 0);
        return (tokens.ToArray(), mask.ToArray());
    }

    private int[] Header(ChatRole role)
    {
        var name = role switch
        {
            ChatRole.System => "system",
            ChatRole.User => "user",
            _ => "assistant",
        };
        return UsesReservedPieces ? [_turnStart, .. _tokenizer.Encode($"{name}\n")] : _tokenizer.Encode($"{TurnStartPiece}{name}\n");
    }

    private static void Append(List<int> tokens, List<byte> mask, int[] ids, byte trained)
    {
        tokens.AddRange(ids);
        for (var i = 0; i < ids.Length; i++)
            mask.Add(trained);
    }
}
