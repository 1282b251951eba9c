using System.Text.Json;
using PolyGlot.TestSupport;

namespace PolyGlot.Torch.Tests.Reference;

/// <summary>
/// Runs a reference script from scripts/reference with Debian's PyTorch (/usr/bin/python3, or
/// $POLYGLOT_PYTHON) into a fresh temporary directory and reads what it wrote
/// (format: scripts/reference/torch_reference_io.py).
/// </summary>
internal sealed class PyTorchReference : IDisposable
{
    private readonly string _directory;
    private readonly Dictionary<string, (long[] Shape, string DType)> _tensors = new();
    private readonly Dictionary<string, double> _scalars = new();

    private PyTorchReference(string directory)
    {
        _directory = directory;
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")));
        foreach (var entry in manifest.RootElement.GetProperty("tensors").EnumerateObject())
        {
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            _tensors[entry.Name] = (shape, entry.Value.GetProperty("dtype").GetString()!);
        }
        foreach (var entry in manifest.RootElement.GetProperty("scalars").EnumerateObject())
            _scalars[entry.Name] = entry.Value.GetDouble();
    }

    /// <summary>Runs scripts/reference/<paramref name="script"/> with the output directory and <paramref name="arguments"/>.</summary>
    public static PyTorchReference Run(string script, params string[] arguments)
    {
        var directory = Directory.CreateTempSubdirectory("pg-torch-ref-").FullName;
        var scripts = RepositoryPaths.Combine("scripts", "reference");
        ReferencePython.Run(Path.Combine(scripts, script), [directory, .. arguments], workingDirectory: scripts);
        return new PyTorchReference(directory);
    }

    /// <summary>Names of the tensors the script wrote.</summary>
    public IEnumerable<string> TensorNames => _tensors.Keys;

    /// <summary>A scalar result.</summary>
    public double Scalar(string name) => _scalars.TryGetValue(name, out var value)
        ? value
        : throw new KeyNotFoundException($"The reference wrote no scalar '{name}'.");

    /// <summary>A tensor the script wrote, loaded through <see cref="Tensor.FromBytes"/>.</summary>
    public Tensor Tensor(string name)
    {
        if (!_tensors.TryGetValue(name, out var info))
            throw new KeyNotFoundException($"The reference wrote no tensor '{name}'.");
        var dtype = DTypes.Parse(info.DType);
        return Torch.Tensor.FromBytes(File.ReadAllBytes(Path.Combine(_directory, name + ".bin")), dtype, info.Shape);
    }

    /// <summary>The float32 elements of a tensor the script wrote.</summary>
    public float[] Floats(string name)
    {
        using var scope = DisposeScope.Enter();
        return Tensor(name).ToArray<float>();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
