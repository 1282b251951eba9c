using System.CommandLine;
using PolyGlot.Common.IO;
using PolyGlot.Data.Corpus;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Reporting;
using PolyGlot.Tokenization.Training;
using Spectre.Console;

namespace PolyGlot.Cli.Commands;

/// <summary><c>polyglot tokenizer train|report</c>.</summary>
internal static class TokenizerCommand
{
    public static Command Create()
    {
        var command = new Command("tokenizer", "Train a SentencePiece tokenizer and report its fertility per language.");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateReport());
        command.Subcommands.Add(TokenizerExtendCommand.Create());
        return command;
    }

    private static Option<string> ConfigOption() =>
        new("--config") { Description = "Data config (YAML), e.g. configs/demo-data.yaml", Required = true };

    private static Command CreateTrain()
    {
        var config = ConfigOption();
        var vocabSize = new Option<int?>("--vocab-size") { Description = "Override tokenizer.vocab_size" };
        var output = new Option<string?>("--out") { Description = "Override tokenizer.output (directory)" };
        var command = new Command("train", "Train a BPE tokenizer (byte fallback, lossless) on a language-balanced sample of the sources.");
        command.Options.Add(config);
        command.Options.Add(vocabSize);
        command.Options.Add(output);
        command.SetAction(parse => CommandErrors.Run("tokenizer train", () =>
        {
            var data = PrepareCommon.LoadConfig(parse.GetValue(config)!);
            var settings = data.Tokenizer;
            settings.VocabSize = parse.GetValue(vocabSize) ?? settings.VocabSize;
            settings.Output = parse.GetValue(output) ?? settings.Output;
            var errors = new Common.Configuration.ConfigErrors();
            settings.Validate(errors, "tokenizer");
            errors.ThrowIfAny("command line");
            if (File.Exists(settings.Output))
                throw new IOException($"tokenizer.output = {settings.Output}: is a file; pass a directory (--out DIR) for the tokenizer model.");

            var selected = data.Select(settings.Sources);
            CorpusReader.CheckInputs(selected);
            using var outputLock = PrepareCommon.Lock(settings.Output, "polyglot tokenizer train");
            var corpus = LanguageCorpus.ByLanguage(selected);
            var summary = TokenizerTrainer.Train(settings, corpus, settings.Output,
                message => Serilog.Log.Information("tokenizer: {Message}", message));
            foreach (var (language, sampled) in summary.SampledPerLanguage.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                Serilog.Log.Information("tokenizer: {Language} {Sampled} of {Available} sentences (p = {P:F3})",
                    language, sampled, summary.SentencesPerLanguage[language], summary.Probabilities[language]);
            Serilog.Log.Information("tokenizer: wrote {Model} ({Vocab} pieces)", summary.ModelPath, summary.VocabSize);
            return 0;
        }));
        return command;
    }

    private static Command CreateReport()
    {
        var config = ConfigOption();
        var model = new Option<string?>("--tokenizer") { Description = "Tokenizer .model to measure (default: prepare.tokenizer of the config)" };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this file" };
        var compare = new Option<string?>("--compare") { Description = TokenizerComparisonView.OptionDescription };
        var command = new Command("report", "Tokens per byte, character and word per language, and the premium over English on parallel text.");
        command.Options.Add(config);
        command.Options.Add(model);
        command.Options.Add(json);
        command.Options.Add(compare);
        command.SetAction(parse => CommandErrors.Run("tokenizer report", () =>
        {
            var data = PrepareCommon.LoadConfig(parse.GetValue(config)!);
            using var tokenizer = SentencePieceTokenizer.Load(parse.GetValue(model) ?? data.Prepare.Tokenizer);
            var sources = data.Report.Sources.Count > 0 ? data.Report.Sources : data.Sources;
            var monolingual = LanguageCorpus.ByLanguage(sources.Where(s => !s.IsBilingual).ToList());
            var parallel = LanguageCorpus.EnglishParallel(sources);
            var report = FertilityReport.Compute(tokenizer, monolingual, parallel);
            Render(report);
            var comparison = parse.GetValue(compare) is { } reference
                ? TokenizerComparisonView.Show(report, reference, monolingual, parallel, Render)
                : null;
            if (parse.GetValue(json) is { } jsonPath)
            {
                AtomicFile.WriteAllText(jsonPath, comparison?.ToJson() ?? report.ToJson());
                Serilog.Log.Information("tokenizer report: wrote {Path}", jsonPath);
            }
            return 0;
        }));
        return command;
    }

    private static void Render(FertilityReport report)
    {
        var premiumByLanguage = report.Premiums.GroupBy(p => p.Language)
            .ToDictionary(g => g.Key, g => string.Join(" ", g.Select(p => $"{p.Premium:F2}")));
        var table = new Table().Title($"{report.Tokenizer}: {report.VocabSize:N0} pieces");
        foreach (var column in new[] { "lang", "docs", "bytes", "tokens", "tok/byte", "tok/char", "tok/word", "premium" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var row in report.Languages)
            table.AddRow(row.Language, $"{row.Documents:N0}", $"{row.Bytes:N0}", $"{row.Tokens:N0}", $"{row.TokensPerByte:F3}",
                $"{row.TokensPerChar:F3}", $"{row.TokensPerWord:F2}", premiumByLanguage.GetValueOrDefault(row.Language, "-"));
        foreach (var language in premiumByLanguage.Keys.Except(report.Languages.Select(l => l.Language)).Order(StringComparer.Ordinal))
            table.AddRow(language, "-", "-", "-", "-", "-", "-", premiumByLanguage[language]);
        AnsiConsole.Write(table);
        if (report.Premiums.Count > 0)
            AnsiConsole.WriteLine($"premium vs en: tokens for a text / tokens for the same text in English ({report.Premiums.Count} parallel sets)");
    }
}
