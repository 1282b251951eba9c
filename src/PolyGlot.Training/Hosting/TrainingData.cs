using System.Diagnostics;
using System.Globalization;
using PolyGlot.Common.Configuration;
using PolyGlot.Common.IO;
using PolyGlot.Data.Configuration;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;
using PolyGlot.Data.Shards;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Imported;
using PolyGlot.Tokenization.Training;
using PolyGlot.Training.Configuration;

namespace PolyGlot.Training.Hosting;

/// <summary>
/// Makes sure the tokenizer and the prepared shards a run names exist: what is missing is built
/// from the run's <c>preparation:</c> file (tokenizer training, then prepare), with a log line
/// saying so; what exists is reused. Each output directory is locked while it is built, so two
/// processes never build the same data.
/// </summary>
public static class TrainingData
{
    /// <summary>Builds what <paramref name="config"/> needs and is missing; <paramref name="log"/> receives one line per event.</summary>
    /// <exception cref="ConfigException">Something is missing and the run names no <c>preparation:</c> file to build it from.</exception>
    /// <exception cref="IOException">An output directory is locked by another process (the message names it).</exception>
    public static void EnsureBuilt(RunConfig config, Action<string> log)
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
            log($"train: reusing tokenizer {config.Tokenizer.Path} and the prepared shards of {string.Join(", ", config.Data.Sources.Select(s => s.Path))}");
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
            BuildTokenizer(preparation, config.Preparation!, log);
        PrepareShards(preparation, config.Preparation!, missing, log);
    }

    private static bool IsPrepared(string path) =>
        PreparedDirectories.Find(path).All(d => File.Exists(Path.Combine(d.Directory, ShardManifest.FileName)));

    private static void BuildTokenizer(DataPreparationConfig preparation, string file, Action<string> log)
    {
        log($"train: the tokenizer does not exist yet; training it from {file} into {preparation.Tokenizer.Output} (reused next time)");
        var sources = preparation.Select(preparation.Tokenizer.Sources);
        CorpusReader.CheckInputs(sources);
        using var guard = DirectoryLock.Acquire(preparation.Tokenizer.Output, "polyglot train", log);
        var corpus = LanguageCorpus.ByLanguage(sources);
        var summary = TokenizerTrainer.Train(preparation.Tokenizer, corpus, preparation.Tokenizer.Output, message => log("tokenizer: " + message));
        log($"train: wrote tokenizer {summary.ModelPath} ({summary.VocabSize} pieces)");
    }

    private static void PrepareShards(DataPreparationConfig preparation, string file, IReadOnlyList<string> missing, Action<string> log)
    {
        log($"train: prepared shards missing for {(missing.Count == 0 ? "every source (new tokenizer)" : string.Join(", ", missing))}; "
            + $"running prepare from {file} into {preparation.Prepare.Output} (reused next time)");
        CorpusReader.CheckInputs(preparation.Select(preparation.Prepare.Sources));
        using var guard = DirectoryLock.Acquire(preparation.Prepare.Output, "polyglot train", log);
        using var tokenizer = TokenizerLoader.Load(preparation.Prepare.Tokenizer);
        var lastReport = Stopwatch.StartNew();
        var preparer = new ShardPreparer(preparation.Prepare, tokenizer)
        {
            Progress = report =>
            {
                if (lastReport.Elapsed < TimeSpan.FromSeconds(5))
                    return;
                lastReport.Restart();
                log(string.Create(CultureInfo.InvariantCulture,
                    $"prepare: {report.Source}: {report.Documents:N0} documents, {report.Tokens:N0} tokens, {report.Shards} shard(s) done"));
            },
        };
        foreach (var source in preparation.Select(preparation.Prepare.Sources))
        {
            var outcome = preparer.Prepare(source);
            var manifest = ShardManifest.Load(preparer.DirectoryFor(source));
            log(string.Create(CultureInfo.InvariantCulture,
                $"prepare: {source.Name} {(outcome == PrepareOutcome.UpToDate ? "up to date" : "prepared")}: {manifest.Documents:N0} documents, {manifest.Tokens:N0} tokens in {manifest.Shards.Count} shard(s)"));
        }
    }
}
