using PolyGlot.Evaluation.Templates;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PolyGlot.Evaluation.Tasks;

/// <summary>
/// Loads task files: parses the YAML, reads the data it names (relative to the file), renders
/// every document, and refuses a file that cannot run with one line naming the file, the task and
/// the field (<see cref="TaskFileException"/>), before any model time is spent.
/// </summary>
public static class TaskLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>Loads and checks the task file at <paramref name="path"/>.</summary>
    /// <exception cref="TaskFileException">The file, its data or a document is unusable.</exception>
    public static EvalTask Load(string path)
    {
        var config = Parse(path);
        var task = config.Task ?? throw new TaskFileException(path, null, "task", "missing; give the task a name");
        if (config.OutputType is null || !TaskNames.OutputTypes.TryGetValue(config.OutputType, out var kind))
            throw new TaskFileException(path, task, "output_type",
                $"'{config.OutputType}' is not one of {string.Join(", ", TaskNames.OutputTypes.Keys)}");
        var splits = Splits(path, task, config);
        var evalSplit = config.TestSplit ?? config.ValidationSplit ?? (splits.Count == 1 ? splits.Keys.First() : null)
            ?? throw new TaskFileException(path, task, "test_split", $"missing; name one of the splits {string.Join(", ", splits.Keys)}");
        var fewshotSplit = config.FewshotSplit ?? config.TrainingSplit ?? (config.ValidationSplit != evalSplit ? config.ValidationSplit : null);
        if (fewshotSplit == evalSplit)
            throw new TaskFileException(path, task, "fewshot_split", $"'{fewshotSplit}' is the evaluated split; few-shot examples must come from another");
        var renderer = new DocumentRenderer(path, task, kind, config);
        return new EvalTask
        {
            Name = task, File = path, Language = config.Language ?? "", Kind = kind,
            Metrics = Metrics(path, task, kind, config),
            Documents = Read(path, task, splits, evalSplit, "test_split", renderer),
            FewshotDocuments = fewshotSplit is null ? [] : Read(path, task, splits, fewshotSplit, "fewshot_split", renderer),
            TargetDelimiter = config.TargetDelimiter, FewshotDelimiter = config.FewshotDelimiter,
            Description = config.Description ?? "", NumFewshot = config.NumFewshot ?? 0, FewshotSeed = config.FewshotSeed,
            Until = Until(path, task, config), MaxGenToks = MaxGenToks(path, task, config),
        };
    }

    private static TaskConfig Parse(string path)
    {
        if (!System.IO.File.Exists(path))
            throw new TaskFileException(path, null, "(file)", "no such task file");
        try
        {
            return Yaml.Deserialize<TaskConfig>(System.IO.File.ReadAllText(path)) ?? new TaskConfig();
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new TaskFileException(path, null, "(yaml)", $"not valid YAML at line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    // Split name -> data file: the harness's dataset_kwargs.data_files, or dataset_path as the one file.
    private static Dictionary<string, string> Splits(string path, string task, TaskConfig config)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var files = config.DatasetKwargs?.GetValueOrDefault("data_files");
        var splits = files switch
        {
            string one => new Dictionary<string, string> { ["train"] = one },
            IDictionary<object, object> map => map.ToDictionary(kv => kv.Key.ToString()!, kv => kv.Value.ToString()!),
            null when config.DatasetPath is not null => new Dictionary<string, string> { [config.TestSplit ?? "test"] = config.DatasetPath },
            _ => throw new TaskFileException(path, task, "dataset_path", "missing; name a .jsonl or .tsv file, or give dataset_kwargs.data_files"),
        };
        foreach (var (split, file) in splits)
        {
            var full = Path.Combine(directory, file);
            if (!System.IO.File.Exists(full))
                throw new TaskFileException(path, task, files is null ? "dataset_path" : "dataset_kwargs.data_files", $"split '{split}': no such file {full}");
            splits[split] = full;
        }
        return splits;
    }

    private static List<TaskDocument> Read(string path, string task, Dictionary<string, string> splits, string split, string key, DocumentRenderer renderer)
    {
        if (!splits.TryGetValue(split, out var file))
            throw new TaskFileException(path, task, key, $"no split '{split}' (the data has {string.Join(", ", splits.Keys)})");
        List<Dictionary<string, object?>> documents;
        try
        {
            documents = DocumentReader.Read(file);
        }
        catch (InvalidDataException e)
        {
            throw new TaskFileException(path, task, key, e.Message, e);
        }
        if (documents.Count == 0)
            throw new TaskFileException(path, task, key, $"split '{split}' ({file}) holds no documents");
        return documents.Select((d, i) => renderer.Render(i, d)).ToList();
    }

    private static List<string> Metrics(string path, string task, TaskKind kind, TaskConfig config)
    {
        var known = TaskNames.Metrics[kind];
        if (config.MetricList is null)
            return [.. known];
        var names = config.MetricList.Select(m => Template.Render(m.GetValueOrDefault("metric"))).ToList();
        foreach (var name in names.Where(n => !known.Contains(n)))
            throw new TaskFileException(path, task, "metric_list", $"'{name}' is not a metric of {config.OutputType} (those are {string.Join(", ", known)})");
        return names;
    }

    private static List<string> Until(string path, string task, TaskConfig config) =>
        config.GenerationKwargs?.GetValueOrDefault("until") switch
        {
            null => [],
            string one => [one],
            IEnumerable<object> many => many.Select(o => o.ToString()!).ToList(),
            _ => throw new TaskFileException(path, task, "generation_kwargs.until", "must be a string or a list of strings"),
        };

    private static int MaxGenToks(string path, string task, TaskConfig config)
    {
        var value = config.GenerationKwargs?.GetValueOrDefault("max_gen_toks");
        if (value is null)
            return 256;
        return int.TryParse(value.ToString(), out var n) && n > 0 ? n
            : throw new TaskFileException(path, task, "generation_kwargs.max_gen_toks", $"'{value}' is not a positive whole number");
    }
}
