using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PolyGlot.Data.Corpus;
using PolyGlot.Training.Evaluation;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot eval --checkpoint DIR --data LANG=FILE ...</c>: loss and bits per byte per language
/// on held-out text, with the trainer's own <see cref="Evaluator"/>, as a table and as JSON.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = ExportCommandSupport.CheckpointOption();
        var data = new Option<string[]>("--data")
        {
            Description = "LANG=FILE, repeatable: monolingual text (.txt/.txt.gz one document a line, .jsonl with a text field, .parquet)",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var seqLen = new Option<int?>("--seq-len") { Description = "Tokens per row (default: the model's max_seq_len, at most 512)" };
        var maxRows = new Option<int>("--max-rows") { Description = "Rows per language at most", DefaultValueFactory = _ => 16 };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file ('-' for standard output only)" };
        var tokenizer = ExportCommandSupport.TokenizerOption();
        var command = new Command("eval", "Per-language loss and bits per byte of a checkpoint on held-out text.");
        foreach (var option in new Option[] { checkpoint, data, seqLen, maxRows, json, tokenizer })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("eval", () => Run(parse.GetValue(checkpoint)!, parse.GetValue(data)!,
            parse.GetValue(seqLen), parse.GetValue(maxRows), parse.GetValue(json), parse.GetValue(tokenizer))));
        return command;
    }

    private static int Run(string checkpoint, string[] data, int? seqLen, int maxRows, string? jsonPath, string? tokenizerPath)
    {
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
