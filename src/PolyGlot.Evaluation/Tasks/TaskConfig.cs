namespace PolyGlot.Evaluation.Tasks;

/// <summary>
/// A task file as written, in lm-evaluation-harness's field names (snake_case in YAML). Keys the
/// runner does not use (e.g. <c>metadata</c>, <c>should_decontaminate</c>) are accepted and ignored,
/// so that a harness task file loads unchanged.
/// </summary>
public sealed class TaskConfig
{
    /// <summary>The task's name.</summary>
    public string? Task { get; set; }

    /// <summary>A data file (relative to the task file), or the harness's builder name ("json", "csv", ...) with <see cref="DatasetKwargs"/>.</summary>
    public string? DatasetPath { get; set; }

    /// <summary>The harness's <c>dataset_kwargs</c>; only <c>data_files</c> (a path, or split name -> path) is read.</summary>
    public Dictionary<string, object?>? DatasetKwargs { get; set; }

    /// <summary>Split evaluated (preferred over <see cref="ValidationSplit"/>).</summary>
    public string? TestSplit { get; set; }

    /// <summary>Split evaluated when there is no test split.</summary>
    public string? ValidationSplit { get; set; }

    /// <summary>Split of the few-shot examples.</summary>
    public string? FewshotSplit { get; set; }

    /// <summary>Split of the few-shot examples when <see cref="FewshotSplit"/> is not set.</summary>
    public string? TrainingSplit { get; set; }

    /// <summary>multiple_choice, generate_until or loglikelihood_rolling.</summary>
    public string? OutputType { get; set; }

    /// <summary>Template of the context.</summary>
    public string? DocToText { get; set; }

    /// <summary>Template of the target: a choice index, the choice text, or the reference text(s).</summary>
    public string? DocToTarget { get; set; }

    /// <summary>A template giving a list, or a list of templates (one per choice).</summary>
    public object? DocToChoice { get; set; }

    /// <summary>Between context and continuation (" ").</summary>
    public string TargetDelimiter { get; set; } = " ";

    /// <summary>Between few-shot examples ("\n\n").</summary>
    public string FewshotDelimiter { get; set; } = "\n\n";

    /// <summary>Text before the few-shot examples.</summary>
    public string? Description { get; set; }

    /// <summary>Few-shot examples when the command line does not say (0).</summary>
    public int? NumFewshot { get; set; }

    /// <summary>Seed of the few-shot draw (the harness's default 1234).</summary>
    public int FewshotSeed { get; set; } = 1234;

    /// <summary>generate_until's options: <c>until</c> (a string or list) and <c>max_gen_toks</c>.</summary>
    public Dictionary<string, object?>? GenerationKwargs { get; set; }

    /// <summary>The metrics, each <c>{metric: name}</c> (other keys ignored).</summary>
    public List<Dictionary<string, object?>>? MetricList { get; set; }

    /// <summary>The language the task measures (a PolyGlot addition; the table groups by it).</summary>
    public string? Language { get; set; }
}
