namespace PolyGlot.Evaluation.Tasks;

/// <summary>A task file that cannot be used: the message names the file, the task and the field.</summary>
public sealed class TaskFileException : Exception
{
    /// <summary>Builds the one-line message "FILE: task TASK: FIELD: PROBLEM".</summary>
    public TaskFileException(string file, string? task, string field, string problem, Exception? inner = null)
        : base($"{file}: task {task ?? "(unnamed)"}: {field}: {problem}", inner)
    {
        (File, Task, Field) = (file, task, field);
    }

    /// <summary>The task file.</summary>
    public string File { get; }

    /// <summary>The task's name, when the file got that far.</summary>
    public string? Task { get; }

    /// <summary>The field of the task file at fault.</summary>
    public string Field { get; }
}
