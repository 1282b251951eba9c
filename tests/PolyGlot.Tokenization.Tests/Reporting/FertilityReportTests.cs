using System.Text.Json;
using PolyGlot.Tokenization.Reporting;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Tokenization.Tests.Reporting;

[Collection(TrainedTokenizerCollection.Name)]
public sealed class FertilityReportTests(TrainedTokenizerFixture trained)
{
    [Fact]
    public void RatiosDivideTokensByBytesCharactersAndWords_When_ALanguageIsMeasured()
    {
        // Given two short German documents
        var text = new LanguageText("de", () => ["Grüße aus Köln", "Hallo Welt"]);

        // When the report measures them
        var row = FertilityReport.Compute(trained.Tokenizer, [text], []).Languages.Single();

        // Then the counts are those of the text and the ratios follow from them
        var tokens = trained.Tokenizer.Encode("Grüße aus Köln").Length + trained.Tokenizer.Encode("Hallo Welt").Length;
        Assert.Equal((2, 27L, 24L, 5L, (long)tokens), (row.Documents, row.Bytes, row.Characters, row.Words, row.Tokens));
        Assert.Equal((double)tokens / 27, row.TokensPerByte, 12);
        Assert.Equal((double)tokens / 5, row.TokensPerWord, 12);
    }

    [Fact]
    public void PremiumIsTranslationTokensOverEnglishTokens_When_ParallelTextIsGiven()
    {
        // Given one aligned pair
        var pair = ("Open the settings", "Öffnen Sie die Einstellungen");

        // When its premium is computed
        var premium = FertilityReport.Compute(trained.Tokenizer, [], [new ParallelText("t", "de", [pair])]).Premiums.Single();

        // Then it is the ratio of the two token counts
        var english = trained.Tokenizer.Encode(pair.Item1).Length;
        var german = trained.Tokenizer.Encode(pair.Item2).Length;
        Assert.Equal((double)german / english, premium.Premium, 12);
    }

    [Fact]
    public void JsonCarriesEveryLanguageWithItsRatios_When_Serialized()
    {
        var report = FertilityReport.Compute(trained.Tokenizer,
            [new LanguageText("en", () => ["a b c"]), new LanguageText("ja", () => ["日本語"])], []);
        using var json = JsonDocument.Parse(report.ToJson());
        var languages = json.RootElement.GetProperty("languages").EnumerateArray().ToList();
        Assert.Equal(["en", "ja"], languages.Select(l => l.GetProperty("language").GetString()));
        Assert.True(languages[1].GetProperty("tokens_per_char").GetDouble() > 0);
    }
}
