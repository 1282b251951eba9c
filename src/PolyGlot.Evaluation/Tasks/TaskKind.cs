namespace PolyGlot.Evaluation.Tasks;

/// <summary>The harness's <c>output_type</c>: what is asked of the model.</summary>
public enum TaskKind
{
    /// <summary>Log-likelihood of each choice after the context; the most likely is the answer.</summary>
    MultipleChoice,

    /// <summary>Greedy generation until a stop sequence or the token limit, scored against references.</summary>
    GenerateUntil,

    /// <summary>Log-likelihood of a whole text over windows of the model's context.</summary>
    LoglikelihoodRolling,
}

/// <summary>Names of output types and metrics as task files write them.</summary>
public static class TaskNames
{
    /// <summary>output_type value -> kind.</summary>
    public static readonly IReadOnlyDictionary<string, TaskKind> OutputTypes = new Dictionary<string, TaskKind>
    {
        ["multiple_choice"] = TaskKind.MultipleChoice,
        ["generate_until"] = TaskKind.GenerateUntil,
        ["loglikelihood_rolling"] = TaskKind.LoglikelihoodRolling,
    };

    /// <summary>The metrics each kind can compute; the first ones are its default list.</summary>
    public static readonly IReadOnlyDictionary<TaskKind, string[]> Metrics = new Dictionary<TaskKind, string[]>
    {
        [TaskKind.MultipleChoice] = ["acc", "acc_norm", "acc_bytes"],
        [TaskKind.GenerateUntil] = ["exact_match", "bleu", "chrf"],
        [TaskKind.LoglikelihoodRolling] = ["word_perplexity", "byte_perplexity", "bits_per_byte"],
    };
}
