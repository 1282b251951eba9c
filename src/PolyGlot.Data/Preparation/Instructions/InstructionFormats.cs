namespace PolyGlot.Data.Preparation.Instructions;

/// <summary>Values of a source's <c>format</c> that hold instruction data (docs/instruction-tuning.md).</summary>
public static class InstructionFormats
{
    /// <summary>Alpaca/MultiAlpaca records (<c>instruction</c>, <c>input</c>, <c>output</c>, optional <c>lang</c>) as a JSON array or JSONL.</summary>
    public const string Alpaca = "alpaca";

    /// <summary>Chat records (<c>messages</c> of <c>role</c> system/user/assistant and <c>content</c>, optional <c>lang</c>) as JSONL.</summary>
    public const string Chat = "chat";

    /// <summary>True when <paramref name="format"/> is an instruction format.</summary>
    public static bool IsInstruction(string format) => format is Alpaca or Chat;
}
