using PolyGlot.Model.Reference;
using PolyGlot.Torch;
using PolyGlot.TestSupport;

namespace PolyGlot.Model.Tests.Reference;

/// <summary>
/// Runs scripts/reference/model_reference.py (Debian's PyTorch, /usr/bin/python3 or
/// $POLYGLOT_PYTHON) on parameters and tokens written by the C# side in the exchange format of
/// <see cref="ModelExchange"/>, and reads back its loss, logits and gradients.
/// </summary>
internal sealed class ModelReference : IDisposable
{
    private readonly string _directory;
    private readonly ReferenceOutputs _outputs;

    private ModelReference(string directory)
    {
        _directory = directory;
        _outputs = ModelExchange.ReadOutputs(Path.Combine(directory, "output"));
    }

    /// <summary>Writes the model's parameters and the batch, runs the reference's <c>grads</c> command.</summary>
    public static ModelReference Grads(TransformerModel model, long[] inputIds, long[] targets, long batch, long seqLen)
    {
        var directory = Directory.CreateTempSubdirectory("pg-model-ref-").FullName;
        var input = Path.Combine(directory, "input");
        ModelExchange.WriteInputs(input, model, inputIds, targets, batch, seqLen);
        ReferencePython.Run(RepositoryPaths.Combine("scripts", "reference", "model_reference.py"), ["grads", input, Path.Combine(directory, "output")]);
        return new ModelReference(directory);
    }

    /// <summary>The reference loss.</summary>
    public double Loss => _outputs.Loss;

    /// <summary>The float32 elements of an output tensor (<c>logits</c>, <c>grad.&lt;name&gt;</c>).</summary>
    public float[] Floats(string name) => _outputs.Floats(name);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
