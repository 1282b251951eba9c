using PolyGlot.Tokenization.Reporting;
using PolyGlot.Tokenization.Training;
using Spectre.Console;

namespace PolyGlot.Cli.Commands;

/// <summary><c>polyglot tokenizer report --compare</c>: a public tokenizer measured on the same text, beside ours.</summary>
internal static class TokenizerComparisonView
{
    public const string OptionDescription =
        "Also measure a public tokenizer on the same text and compare premiums: 'o200k' (built in), " +
        "a .tiktoken file named after its encoding (cl100k_base.tiktoken ...), or a directory with a Hugging Face vocab.json + merges.txt";

    /// <summary>Measures <paramref name="reference"/>, renders its report with <paramref name="render"/> and the premium comparison.</summary>
    public static FertilityComparison Show(FertilityReport ours, string reference, IReadOnlyList<LanguageText> monolingual,
        IReadOnlyList<ParallelText> parallel, Action<FertilityReport> render)
    {
        using var tokenizer = PublicTokenizer.Load(reference);
        var comparison = new FertilityComparison(ours, FertilityReport.Compute(tokenizer, monolingual, parallel));
        render(comparison.Reference);
        RenderPremiums(comparison);
        return comparison;
    }

    private static void RenderPremiums(FertilityComparison comparison)
    {
        var (ours, reference) = (comparison.Ours.Tokenizer, comparison.Reference.Tokenizer);
        var bytes = comparison.Ours.Languages.ToDictionary(l => l.Language);
        var theirBytes = comparison.Reference.Languages.ToDictionary(l => l.Language);
        var table = new Table().Title($"premium vs en: {ours} against {reference}");
        foreach (var column in new[] { "set", "lang", "ours", reference, "ours/ref", "tok/byte ours", $"tok/byte {reference}" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var p in comparison.Premiums)
            table.AddRow(p.Set, p.Language, $"{p.Ours:F2}", $"{p.Reference:F2}",
                p.Ratio > 1 + FertilityComparison.Tolerance ? $"[red]{p.Ratio:F2}[/]" : $"{p.Ratio:F2}",
                bytes.TryGetValue(p.Language, out var o) ? $"{o.TokensPerByte:F3}" : "-",
                theirBytes.TryGetValue(p.Language, out var t) ? $"{t.TokensPerByte:F3}" : "-");
        AnsiConsole.Write(table);
        if (comparison.Summary() is not { } summary)
            return;
        var worse = summary.WorseThanReference.Count == 0 ? "none"
            : string.Join(", ", summary.WorseThanReference.Select(p => $"{p.Language} on {p.Set} ({p.Ratio:F2}x)"));
        AnsiConsole.WriteLine(
            $"over the {summary.Languages.Count} languages with held-out text: worst premium {ours} {summary.OursWorst.Ours:F2} " +
            $"({summary.OursWorst.Language}, {summary.OursWorst.Set}), {reference} {summary.ReferenceWorst.Reference:F2} " +
            $"({summary.ReferenceWorst.Language}, {summary.ReferenceWorst.Set}); more than {FertilityComparison.Tolerance:P0} above {reference}: {worse}; " +
            (summary.AsFairAsReference ? $"as fair as {reference}" : $"less fair than {reference}"));
    }
}
