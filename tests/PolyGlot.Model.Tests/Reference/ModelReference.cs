using System.Text.Json;
using System.Text.Json.Nodes;
using PolyGlot.Model.Configuration;
using PolyGlot.Torch;
using PolyGlot.TestSupport;

namespace PolyGlot.Model.Tests.Reference;

/// <summary>
/// Runs scripts/reference/model_reference.py (Debian's PyTorch, /usr/bin/python3 or
/// $POLYGLOT_PYTHON) on parameters and tokens written by the C# side, in the script's exchange
/// format (manifest.json + raw little-endian .bin per tensor), and reads back its loss, logits and
/// gradients.
/// </summary>
internal sealed class ModelReference : IDisposable
{
    private readonly string _directory;
    private readonly JsonObject _outputs;

    private ModelReference(string directory)
    {
        _directory = directory;
        _outputs = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "output", "manifest.json")))!.AsObject();
    }

    /// <summary>Writes the model's parameters and the batch, runs the reference's <c>grads</c> command.</summary>
    public static ModelReference Grads(TransformerModel model, long[] inputIds, long[] targets, long batch, long seqLen)
    {
        var directory = Directory.CreateTempSubdirectory("pg-model-ref-").FullName;
        var input = Path.Combine(directory, "input");
        Directory.CreateDirectory(input);
        var tensors = new JsonObject();
        using (var scope = DisposeScope.Enter())
        {
            foreach (var parameter in model.Parameters)
                Write(input, tensors, parameter.Name, parameter.Tensor.Detach());
            Write(input, tensors, "input_ids", Tensor.FromArray(inputIds, batch, seqLen));
            Write(input, tensors, "targets", Tensor.FromArray(targets, batch, seqLen));
        }
        var manifest = new JsonObject { ["config"] = ConfigJson(model.Config), ["tensors"] = tensors };
        File.WriteAllText(Path.Combine(input, "manifest.json"), manifest.ToJsonString());
        Run("grads", input, Path.Combine(directory, "output"));
        return new ModelReference(directory);
    }

    /// <summary>The model shape as the reference script reads it.</summary>
    public static JsonObject ConfigJson(ModelConfig config) => new()
    {
        ["layout"] = config.Layout,
        ["vocab_size"] = config.VocabSize,
        ["d_model"] = config.DModel,
        ["n_layers"] = config.NLayers,
        ["n_heads"] = config.NHeads,
        ["n_kv_heads"] = config.KvHeads,
        ["ffn_hidden"] = config.FfnHiddenSize,
        ["max_seq_len"] = config.MaxSeqLen,
        ["tied_embeddings"] = config.TiedEmbeddings,
        ["norm_eps"] = config.NormEps,
        ["rope_theta"] = config.RopeTheta,
    };

    /// <summary>The reference loss.</summary>
    public double Loss => _outputs["scalars"]!["loss"]!.GetValue<double>();

    /// <summary>The float32 elements of an output tensor (<c>logits</c>, <c>grad.&lt;name&gt;</c>).</summary>
    public float[] Floats(string name)
    {
        if (_outputs["tensors"]![name] is null)
            throw new KeyNotFoundException($"The reference wrote no tensor '{name}'.");
        var bytes = File.ReadAllBytes(Path.Combine(_directory, "output", name + ".bin"));
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static void Write(string directory, JsonObject tensors, string name, Tensor tensor)
    {
        File.WriteAllBytes(Path.Combine(directory, name + ".bin"), tensor.ToBytes());
        tensors[name] = new JsonObject
        {
            ["shape"] = new JsonArray(tensor.Shape.Select(s => (JsonNode)s).ToArray()),
            ["dtype"] = tensor.DType == DType.Int64 ? "int64" : "float32",
        };
    }

    private static void Run(params string[] arguments) =>
        ReferencePython.Run(RepositoryPaths.Combine("scripts", "reference", "model_reference.py"), arguments);
}
