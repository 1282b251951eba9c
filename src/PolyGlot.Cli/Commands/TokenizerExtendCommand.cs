using System.CommandLine;
using PolyGlot.Data.Corpus;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot tokenizer extend --config DATA.yaml --languages ta,hi --add N --out DIR [--base MODEL]</c>:
/// appends up to N pieces learned on the target languages to a SentencePiece tokenizer, every
/// existing id unchanged; <c>polyglot import --tokenizer DIR/tokenizer.model</c> then grows the model.
/// </summary>
internal static class TokenizerExtendCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Data config (YAML) whose sources hold the target languages' text", Required = true };
        var baseModel = new Option<string?>("--base") { Description = "Tokenizer to extend (default: prepare.tokenizer of the config)" };
        var languages = new Option<string>("--languages") { Description = "Target languages, comma-separated (e.g. ta,hi)", Required = true };
        var add = new Option<int>("--add") { Description = "Most pieces to append", Required = true };
        var trainVocab = new Option<int?>("--train-vocab-size") { Description = "Vocabulary of the tokenizer trained on the target text (default: 2 x add + 512)" };
        var output = new Option<string>("--out") { Description = "Output directory for tokenizer.model and extension.json", Required = true };
        var command = new Command("extend", "Append pieces learned on new languages to a tokenizer, keeping every existing id.");
        foreach (var option in new Option[] { config, baseModel, languages, add, trainVocab, output })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("tokenizer extend", () =>
        {
            var data = PrepareCommon.LoadConfig(parse.GetValue(config)!);
            var count = parse.GetValue(add);
            if (count < 1)
                throw new ArgumentException($"--add {count}: must be at least 1.");
            var targets = parse.GetValue(languages)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            var corpus = LanguageCorpus.ByLanguage(data.Sources.Where(s => !s.IsBilingual).ToList()).Where(l => targets.Contains(l.Language)).ToList();
            var missing = targets.Except(corpus.Select(l => l.Language)).ToList();
            if (missing.Count > 0)
                throw new ArgumentException($"--languages: no monolingual source of {string.Join(", ", missing)} in {parse.GetValue(config)}; add one or drop the language.");
            var settings = data.Tokenizer;
            settings.VocabSize = parse.GetValue(trainVocab) ?? 2 * count + 512;
            var summary = VocabularyExtender.Extend(parse.GetValue(baseModel) ?? data.Prepare.Tokenizer, settings, corpus, count,
                parse.GetValue(output)!, message => Serilog.Log.Information("tokenizer extend: {Message}", message));
            Serilog.Log.Information("tokenizer extend: appended {Added} of {Candidates} new pieces after the base's {Base}; wrote {Model}",
                summary.Added.Count, summary.Candidates, summary.BaseVocabSize, summary.ModelPath);
            return 0;
        }));
        return command;
    }
}
