namespace PolyGlot.Tokenization;

/// <summary>A tokenizer operation failed (bad model file, training error, id outside the vocabulary).</summary>
public sealed class TokenizerException : Exception
{
    /// <summary>Creates the exception with a message that says what failed and what to do.</summary>
    public TokenizerException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the underlying cause.</summary>
    public TokenizerException(string message, Exception inner) : base(message, inner) { }
}
