using System.Diagnostics;
using PolyGlot.Common.Configuration;
using PolyGlot.Data.Configuration;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;
using PolyGlot.Data.Shards;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Training;
using PolyGlot.Training.Configuration;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// Makes sure the tokenizer and the prepared shards a run names exist: what is missing is built
/// from the run's <c>preparation:</c> file (tokenizer training, then prepare), with a log line
/// saying so; what exists is reused.
/// </summary>
internal static class TrainData
{
    public static void EnsureBuilt(RunConfig config)
    {
        var preparation = config.LoadPreparation();
        var tokenizerMissing = !File.Exists(config.Tokenizer.Path);
        var missing = preparation is null
            ? config.Data.Sources.Where(s => !IsPrepared(s.Path)).Select(s => s.Name).ToList()
            : preparation.Select(preparation.Prepare.Sources)
                .Where(s => !File.Exists(Path.Combine(preparation.Prepare.Output, s.Name, ShardManifest.FileName)))
                .Select(s => s.Name).ToList();
        if (!tokenizerMissing && missing.Count == 0)
        {
            Serilog.Log.Information("train: reusing tokenizer {Tokenizer} and the prepared shards of {Sources}",
                config.Tokenizer.Path, string.Join(", ", config.Data.Sources.Select(s => s.Path)));
            return;
        }
        if (preparation is null)
            throw new ConfigException("run configuration",
            [
                new ConfigError(tokenizerMissing ? "tokenizer.path" : "data.sources",
                    tokenizerMissing ? config.Tokenizer.Path : string.Join(", ", missing),
                    "does not exist, and the run names no `preparation:` file to build it from; run `polyglot tokenizer train` and " +
                    "`polyglot prepare` first, or add `preparation: <data config>`"),
            ]);
        if (tokenizerMissing)
            BuildTokenizer(preparation, config.Preparation!);
        PrepareShards(preparation, config.Preparation!, missing);
    }

    private static bool IsPrepared(string path) =>
        PreparedDirectories.Find(path).All(d => File.Exists(Path.Combine(d.Directory, ShardManifest.FileName)));

    private static void BuildTokenizer(DataPreparationConfig preparation, string file)
    {
        Serilog.Log.Information("train: the tokenizer does not exist yet; training it from {File} into {Output} (reused next time)",
            file, preparation.Tokenizer.Output);
        var sources = preparation.Select(preparation.Tokenizer.Sources);
        PrepareCommon.CheckInputs(sources);
        using var guard = PrepareCommon.Lock(preparation.Tokenizer.Output, "polyglot train");
        var corpus = LanguageCorpus.ByLanguage(sources);
        var summary = TokenizerTrainer.Train(preparation.Tokenizer, corpus, preparation.Tokenizer.Output,
            message => Serilog.Log.Information("tokenizer: {Message}", message));
        Serilog.Log.Information("train: wrote tokenizer {Model} ({Vocab} pieces)", summary.ModelPath, summary.VocabSize);
    }

    private static void PrepareShards(DataPreparationConfig preparation, string file, IReadOnlyList<string> missing)
    {
        Serilog.Log.Information("train: prepared shards missing for {Sources}; running prepare from {File} into {Output} (reused next time)",
            missing.Count == 0 ? "every source (new tokenizer)" : string.Join(", ", missing), file, preparation.Prepare.Output);
        PrepareCommon.CheckInputs(preparation.Select(preparation.Prepare.Sources));
        using var guard = PrepareCommon.Lock(preparation.Prepare.Output, "polyglot train");
        using var tokenizer = SentencePieceTokenizer.Load(preparation.Prepare.Tokenizer);
        var lastReport = Stopwatch.StartNew();
        var preparer = new ShardPreparer(preparation.Prepare, tokenizer)
        {
            Progress = report =>
            {
                if (lastReport.Elapsed < TimeSpan.FromSeconds(5))
                    return;
                lastReport.Restart();
                Serilog.Log.Information("prepare: {Source}: {Documents:N0} documents, {Tokens:N0} tokens, {Shards} shard(s) done",
                    report.Source, report.Documents, report.Tokens, report.Shards);
            },
        };
        foreach (var source in preparation.Select(preparation.Prepare.Sources))
        {
            var outcome = preparer.Prepare(source);
            var manifest = ShardManifest.Load(preparer.DirectoryFor(source));
            Serilog.Log.Information("prepare: {Source} {Outcome}: {Documents:N0} documents, {Tokens:N0} tokens in {Shards} shard(s)",
                source.Name, outcome == PrepareOutcome.UpToDate ? "up to date" : "prepared", manifest.Documents, manifest.Tokens,
                manifest.Shards.Count);
        }
    }
}
