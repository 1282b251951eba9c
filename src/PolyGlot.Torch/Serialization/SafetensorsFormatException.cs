namespace PolyGlot.Torch.Serialization;

/// <summary>
/// A safetensors file (or sharded index) that cannot be read: names the file, the tensor when one
/// is at fault, and what is wrong.
/// </summary>
public sealed class SafetensorsFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public SafetensorsFormatException(string path, string? tensor, string problem)
        : base(Format(path, tensor, problem))
    {
        FilePath = path;
        Tensor = tensor;
        Problem = problem;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The tensor at fault, or null when the problem is with the file as a whole.</summary>
    public string? Tensor { get; }

    /// <summary>What is wrong, without the file and tensor.</summary>
    public string Problem { get; }

    private static string Format(string path, string? tensor, string problem)
    {
        var where = tensor is null ? path : $"{path}, tensor '{tensor}'";
        return $"Invalid safetensors file {where}: {problem}. "
               + "HINT: the file is truncated, corrupt or not safetensors; write it again from its source.";
    }
}
