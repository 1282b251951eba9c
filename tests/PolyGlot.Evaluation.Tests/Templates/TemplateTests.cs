using PolyGlot.Evaluation.Templates;

namespace PolyGlot.Evaluation.Tests.Templates;

public sealed class TemplateTests
{
    private static readonly Dictionary<string, object?> Doc = new()
    {
        ["premise"] = " The man fell. ", ["choice1"] = "He slipped.", ["choice2"] = "He flew.", ["label"] = 1L,
        ["answer_right_ending"] = 2L, ["correct"] = "3",
    };

    [Theory]
    [InlineData("{{premise|trim}} Why?", "The man fell. Why?")]
    [InlineData("{{ premise.strip() }} because", "The man fell. because")]
    [InlineData("Q: {{premise | trim | lower}}", "Q: the man fell.")]
    [InlineData("{{[choice1, choice2][label]}}", "He flew.")]
    [InlineData("{{choice1 + ' ' + choice2}}", "He slipped. He flew.")]
    public void Rendered_When_HarnessExpressionUsed(string template, string expected)
    {
        Assert.Equal(expected, Template.Parse(template).Render(Doc));
    }

    [Fact]
    public void ValueKept_When_TemplateIsOnePlaceholder()
    {
        Assert.Equal(1L, Template.Parse("{{answer_right_ending-1}}").Evaluate(Doc));
        Assert.Equal(new List<object?> { "He slipped.", "He flew." }, Template.Parse("{{[choice1, choice2]}}").Evaluate(Doc));
        Assert.Equal(2L, Template.Parse("{{['1', '2', '3', '4'].index(correct)}}").Evaluate(Doc));
    }

    [Fact]
    public void FieldNamed_When_DocumentLacksIt()
    {
        var error = Assert.Throws<TemplateException>(() => Template.Parse("{{hypothesis}}").Evaluate(Doc));
        Assert.Equal("hypothesis", error.Field);
    }
}
