using PolyGlot.Common.Configuration;
using PolyGlot.Data.Preparation;

namespace PolyGlot.Data.Tests.Preparation;

public sealed class BilingualTemplateTests
{
    [Fact]
    public void PlaceholdersAreFilled_When_APairIsFormatted()
    {
        var template = new BilingualTemplate("<2{tgt_lang}> {src_text}\n{tgt_text}");
        Assert.Equal("<2de> Open\nÖffnen", template.Format("Open", "en", "Öffnen", "de"));
    }

    [Fact]
    public void PlaceholderTextInsideAPairIsCopiedLiterally_When_Formatted()
    {
        var template = new BilingualTemplate("{src_text}|{tgt_text}");
        Assert.Equal("use {tgt_text} here|{src_lang}", template.Format("use {tgt_text} here", "en", "{src_lang}", "de"));
    }

    [Fact]
    public void UnknownBracesStayLiteral_When_TheyAreNotPlaceholders()
    {
        var template = new BilingualTemplate("{x} {src_text}{ {tgt_text}");
        Assert.Equal("{x} a{ b", template.Format("a", "en", "b", "de"));
    }

    [Fact]
    public void ConfigRejectsTheTemplate_When_ItLacksTheTargetText()
    {
        var errors = new ConfigErrors();
        new ShardPreparationConfig { Template = "{src_text} {src_lang}" }.Validate(errors, "prepare");
        Assert.Contains(errors.All, e => e.Key == "prepare.template" && e.Rule.Contains("{tgt_text}"));
    }

    [Fact]
    public void ConfigRejectsTheTemplate_When_ItUsesAnUnknownPlaceholder()
    {
        var errors = new ConfigErrors();
        new ShardPreparationConfig { Template = "{src_text} {tgt_txt} {tgt_text}" }.Validate(errors, "prepare");
        Assert.Contains(errors.All, e => e.Key == "prepare.template" && e.Rule.Contains("{tgt_txt}"));
    }
}
