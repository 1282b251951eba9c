using PolyGlot.Common.Configuration;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Tokenization.Tests.Training;

public sealed class TokenizerTrainingConfigTests
{
    private static IReadOnlyList<ConfigError> Validate(TokenizerTrainingConfig config)
    {
        var errors = new ConfigErrors();
        config.Validate(errors, "tokenizer");
        return errors.All;
    }

    [Fact]
    public void DefaultsAreValid_When_NothingIsSet() => Assert.Empty(Validate(new TokenizerTrainingConfig()));

    [Fact]
    public void ErrorCountsTheReservedPieces_When_TheVocabularyIsTooSmall()
    {
        var error = Assert.Single(Validate(new TokenizerTrainingConfig { VocabSize = 200, UserDefinedSymbols = ["<2en>"] }));
        Assert.Equal("tokenizer.vocab_size", error.Key);
        Assert.Contains("261 reserved pieces", error.Rule);
    }

    [Fact]
    public void ErrorNamesTheSymbol_When_AUserDefinedSymbolContainsAComma()
    {
        var error = Assert.Single(Validate(new TokenizerTrainingConfig { UserDefinedSymbols = ["<a,b>"] }));
        Assert.Equal("tokenizer.user_defined_symbols[0]", error.Key);
    }

    [Fact]
    public void ErrorNamesTheKey_When_AlphaIsOutsideZeroToOne()
    {
        var error = Assert.Single(Validate(new TokenizerTrainingConfig { Alpha = 1.5 }));
        Assert.Equal("tokenizer.alpha", error.Key);
    }
}
