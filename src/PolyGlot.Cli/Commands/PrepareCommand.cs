using System.CommandLine;
using System.Diagnostics;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Imported;

namespace PolyGlot.Cli.Commands;

/// <summary><c>polyglot prepare</c>: sources → token shards + manifest.json per source.</summary>
internal static class PrepareCommand
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Data config (YAML), e.g. configs/demo-data.yaml", Required = true };
        var sources = new Option<string[]>("--source") { Description = "Prepare only these sources (repeatable); default: prepare.sources or all" };
        var threads = new Option<int?>("--threads") { Description = "Override prepare.threads (0 = all cores)" };
        var force = new Option<bool>("--force") { Description = "Redo sources whose existing shards were made with other settings or another tokenizer" };
        var tokenizerPath = new Option<string?>("--tokenizer") { Description = "Override prepare.tokenizer (.model), e.g. one trained with tokenizer train --vocab-size" };
        var output = new Option<string?>("--out") { Description = "Override prepare.output (directory)" };
        var command = new Command("prepare", "Tokenize the sources in parallel into Parquet token shards with a manifest per source (resumable).");
        command.Options.Add(config);
        command.Options.Add(sources);
        command.Options.Add(threads);
        command.Options.Add(force);
        command.Options.Add(tokenizerPath);
        command.Options.Add(output);
        command.SetAction(parse => CommandErrors.Run("prepare", () =>
        {
            var data = PrepareCommon.LoadConfig(parse.GetValue(config)!);
            data.Prepare.Threads = parse.GetValue(threads) ?? data.Prepare.Threads;
            data.Prepare.Tokenizer = parse.GetValue(tokenizerPath) ?? data.Prepare.Tokenizer;
            data.Prepare.Output = parse.GetValue(output) ?? data.Prepare.Output;
            // The overrides skipped the config's validation; check it by the same rule.
            var errors = new Common.Configuration.ConfigErrors();
            data.Prepare.Validate(errors, "prepare");
            errors.ThrowIfAny("command line");
            var names = parse.GetValue(sources) is { Length: > 0 } chosen ? chosen : [.. data.Prepare.Sources];
            var unknown = names.Except(data.Sources.Select(s => s.Name)).ToList();
            if (unknown.Count > 0)
                throw new InvalidDataException($"--source names unknown source(s): {string.Join(", ", unknown)}");
            CorpusReader.CheckInputs(data.Select(names));
            using var tokenizer = TokenizerLoader.Load(data.Prepare.Tokenizer);
            using var outputLock = PrepareCommon.Lock(data.Prepare.Output, "polyglot prepare");
            var lastReport = Stopwatch.StartNew();
            var preparer = new ShardPreparer(data.Prepare, tokenizer)
            {
                Force = parse.GetValue(force),
                Progress = report =>
                {
                    if (lastReport.Elapsed < ProgressInterval)
                        return;
                    lastReport.Restart();
                    LogProgress(report);
                },
            };
            foreach (var source in data.Select(names))
            {
                var clock = Stopwatch.StartNew();
                var outcome = preparer.Prepare(source);
                var manifest = Data.Shards.ShardManifest.Load(preparer.DirectoryFor(source));
                Serilog.Log.Information("prepare: {Source} {Outcome}: {Documents:N0} documents, {Tokens:N0} tokens in {Shards} shard(s), {Seconds:F1} s -> {Directory}",
                    source.Name, Describe(outcome), manifest.Documents, manifest.Tokens, manifest.Shards.Count,
                    clock.Elapsed.TotalSeconds, preparer.DirectoryFor(source));
                if (preparer.ForcedCuts > 0)
                    Serilog.Log.Warning("prepare: {Source}: {Cuts:N0} forced cut(s) in long documents, with no exact place to cut within {Bytes:N0} bytes; the ids next to each may differ from those of the document encoded whole (docs/data-preparation.md)", source.Name, preparer.ForcedCuts, preparer.MaxPieceBytes);
            }
            return 0;
        }));
        return command;
    }

    private static string Describe(PrepareOutcome outcome) => outcome switch
    {
        PrepareOutcome.UpToDate => "up to date",
        PrepareOutcome.Resumed => "resumed and finished",
        _ => "prepared",
    };

    private static void LogProgress(PrepareProgressReport report)
    {
        var seconds = Math.Max(report.Elapsed.TotalSeconds, 1e-9);
        Serilog.Log.Information("prepare: {Source}: {Documents:N0} documents, {MB:F1} MB, {Tokens:N0} tokens, {Shards} shard(s) done, {MBps:F1} MB/s, encoder busy {Busy:P0}",
            report.Source, report.Documents, report.Bytes / 1e6, report.Tokens, report.Shards, report.Bytes / 1e6 / seconds, report.EncoderBusy);
    }
}
