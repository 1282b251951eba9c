using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PolyGlot.Data.Corpus;
using PolyGlot.Evaluation.Reporting;
using PolyGlot.Evaluation.Running;
using PolyGlot.Evaluation.Tasks;
using PolyGlot.Training.Evaluation;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot eval --checkpoint DIR --data LANG=FILE ...</c>: loss and bits per byte per language
/// on held-out text, with the trainer's own <see cref="Evaluator"/>, as a table and as JSON; and
/// <c>polyglot eval --checkpoint DIR --tasks T1,T2</c>: downstream tasks from task files
/// (docs/evaluation.md), a table of every task, language and metric with its standard error.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = ExportCommandSupport.CheckpointOption();
        var data = new Option<string[]>("--data")
        {
            Description = "LANG=FILE, repeatable: monolingual text (.txt/.txt.gz one document a line, .jsonl with a text field, .parquet)",
            AllowMultipleArgumentsPerToken = true,
        };
        var tasks = new Option<string?>("--tasks") { Description = "Comma-separated task names (tasks/), task files or directories of task files" };
        var fewshot = new Option<int?>("--num-fewshot") { Description = "Few-shot examples per context (default: each task's num_fewshot)" };
        var limit = new Option<int?>("--limit") { Description = "Documents per task at most" };
        var batch = new Option<int>("--batch-size") { Description = "Sequences per forward pass", DefaultValueFactory = _ => 8 };
        var logSamples = new Option<bool>("--log-samples") { Description = "Put every document's context, answers and scores in the JSON" };
        var seqLen = new Option<int?>("--seq-len") { Description = "Tokens per row (default: the model's max_seq_len, at most 512)" };
        var maxRows = new Option<int>("--max-rows") { Description = "Rows per language at most", DefaultValueFactory = _ => 16 };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file ('-' for standard output only)" };
        var tokenizer = ExportCommandSupport.TokenizerOption();
        var command = new Command("eval", "Downstream tasks (--tasks), or per-language loss and bits per byte on held-out text (--data), of a checkpoint.");
        foreach (var option in new Option[] { checkpoint, data, tasks, fewshot, limit, batch, logSamples, seqLen, maxRows, json, tokenizer })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("eval", () => parse.GetValue(tasks) is { } names
            ? RunTasksReportingBadFiles(parse.GetValue(checkpoint)!, names, new RunOptions(parse.GetValue(fewshot), parse.GetValue(limit),
                parse.GetValue(batch), parse.GetValue(logSamples)), parse.GetValue(json), parse.GetValue(tokenizer))
            : Run(parse.GetValue(checkpoint)!, parse.GetValue(data) ?? [], parse.GetValue(seqLen), parse.GetValue(maxRows),
                parse.GetValue(json), parse.GetValue(tokenizer))));
        return command;
    }

    // A bad task file is the user's to fix: one line naming file, task and field, no stack trace.
    private static int RunTasksReportingBadFiles(string checkpoint, string names, RunOptions options, string? jsonPath, string? tokenizerPath)
    {
        try
        {
            return RunTasks(checkpoint, names, options, jsonPath, tokenizerPath);
        }
        catch (TaskFileException e)
        {
            Serilog.Log.Error("eval failed: {Message}", e.Message);
            return 1;
        }
    }

    private static int RunTasks(string checkpoint, string names, RunOptions options, string? jsonPath, string? tokenizerPath)
    {
        if (options.BatchSize < 1 || options.Limit < 1 || options.NumFewshot < 0)
            throw new ArgumentException("--batch-size and --limit must be at least 1, --num-fewshot at least 0.");
        // Every task file is loaded and checked before the model is.
        var tasks = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(TaskCatalog.Resolve).Distinct().Select(TaskLoader.Load).ToList();
        using var loaded = ExportCommandSupport.LoadModel(checkpoint);
        using var tokenizer = ExportCommandSupport.LoadTokenizer(loaded, tokenizerPath);
        var runner = new TaskRunner(LanguageModel.Of(loaded.Model, tokenizer), options);
        var results = tasks.Select(t => runner.Run(t, new ProgressBar(t.Name).Report)).ToList();
        var report = ResultTable.Json(loaded.Checkpoint.Directory, results);
        if (jsonPath == "-")
        {
            Console.WriteLine(report);
            return 0;
        }
        Console.Write(ResultTable.Text(results));
        if (jsonPath is not null)
        {
            PolyGlot.Common.IO.AtomicFile.WriteAllText(jsonPath, report + "\n");
            Console.WriteLine($"JSON: {jsonPath}");
        }
        return 0;
    }

    private static int Run(string checkpoint, string[] data, int? seqLen, int maxRows, string? jsonPath, string? tokenizerPath)
    {
        if (data.Length == 0)
            throw new ArgumentException("eval needs --tasks T1,T2 (downstream tasks) or --data LANG=FILE (held-out loss).");
        var sources = data.Select(ParseSource).ToList();
        if (maxRows < 1)
            throw new ArgumentException($"--max-rows {maxRows}: must be at least 1.");
        using var loaded = ExportCommandSupport.LoadModel(checkpoint);
        using var tokenizer = ExportCommandSupport.LoadTokenizer(loaded, tokenizerPath);
        var rowLength = seqLen ?? Math.Min(512, loaded.Model.Config.MaxSeqLen);
        if (rowLength < 1 || rowLength > loaded.Model.Config.MaxSeqLen)
            throw new ArgumentException($"--seq-len {rowLength}: must be between 1 and the model's max_seq_len {loaded.Model.Config.MaxSeqLen}.");
        var set = HeldOutSet.FromSources(sources, tokenizer, rowLength, maxRows);
        var metrics = new Evaluator(set, microRows: 4).Evaluate(loaded.Model, loaded.Checkpoint.Step);
        var report = JsonSerializer.Serialize(new
        {
            checkpoint = loaded.Checkpoint.Directory,
            step = metrics.Step,
            loss = metrics.Loss,
            loss_per_language = metrics.LossPerLanguage,
            bits_per_byte_per_language = metrics.BitsPerBytePerLanguage,
        }, new JsonSerializerOptions { WriteIndented = true });
        if (jsonPath == "-")
        {
            Console.WriteLine(report);
            return 0;
        }
        Console.WriteLine($"{"language",-10} {"loss",10} {"bits/byte",10}");
        foreach (var (language, loss) in metrics.LossPerLanguage)
            Console.WriteLine($"{language,-10} {F(loss),10} {F(metrics.BitsPerBytePerLanguage[language]),10}");
        Console.WriteLine($"{"all",-10} {F(metrics.Loss),10}");
        if (jsonPath is not null)
        {
            PolyGlot.Common.IO.AtomicFile.WriteAllText(jsonPath, report + "\n");
            Console.WriteLine($"JSON: {jsonPath}");
        }
        return 0;
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static CorpusSourceConfig ParseSource(string spec)
    {
        var equals = spec.IndexOf('=');
        if (equals <= 0 || equals == spec.Length - 1)
            throw new ArgumentException($"--data {spec}: expected LANG=FILE, e.g. --data de=data/demo-corpus/mono/gnome/de.txt.gz");
        var (language, path) = (spec[..equals], spec[(equals + 1)..]);
        if (!File.Exists(path))
            throw new ArgumentException($"--data {spec}: the file {path} does not exist.");
        var format = path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? CorpusFormats.Parquet
            : path.Contains(".jsonl", StringComparison.OrdinalIgnoreCase) ? CorpusFormats.Jsonl
            : CorpusFormats.Text;
        return new CorpusSourceConfig { Name = language, Path = path, Format = format, Lang = language };
    }
}
