namespace PolyGlot.Data.Preparation.Instructions;

/// <summary>Who speaks a turn of a conversation.</summary>
public enum ChatRole
{
    /// <summary>Instructions that frame the conversation; context only.</summary>
    System,

    /// <summary>The user's turn (an instruction and its input); context only.</summary>
    User,

    /// <summary>The assistant's answer: the only turns that are trained.</summary>
    Assistant,
}

/// <summary>One turn of a conversation.</summary>
public sealed record ChatMessage(ChatRole Role, string Content);

/// <summary>
/// One instruction record as a conversation: an Alpaca/MultiAlpaca record becomes a user turn and
/// an assistant turn; a chat record keeps its turns. <see cref="Lang"/> is the record's own
/// <c>lang</c> field, or null to use the source's language; <see cref="Position"/> names where the
/// record is in its file (e.g. <c>line 12</c>) for messages about it.
/// </summary>
public sealed record Conversation(IReadOnlyList<ChatMessage> Messages, string? Lang, string Position);
