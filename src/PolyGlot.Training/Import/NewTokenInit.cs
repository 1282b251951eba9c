namespace PolyGlot.Training.Import;

/// <summary>How the embedding and head rows of tokens an extended tokenizer adds are initialised.</summary>
public enum NewTokenInit
{
    /// <summary>
    /// The mean of the rows of the base tokenizer's tokens for the new token's text: the new token
    /// starts where the model already placed the pieces it replaces.
    /// </summary>
    PieceMean,

    /// <summary>The mean of all the base model's rows: every new token starts at the vocabulary's centre.</summary>
    VocabularyMean,
}
