using System.Text.Json.Nodes;
using PolyGlot.Model.Configuration;
using PolyGlot.Torch;

namespace PolyGlot.Model.Reference;

/// <summary>
/// The exchange format of the independent PyTorch implementation (scripts/reference/model_reference.py):
/// a directory holding <c>manifest.json</c> (<c>{"config": {...}, "tensors": {name: {"shape", "dtype"}},
/// "scalars": {...}}</c>) and one raw little-endian, row-major <c>&lt;name&gt;.bin</c> per tensor
/// (float32 or int64). Parameter names are the model's. One home for the format on the C# side:
/// the numerics tests, <c>polyglot parity</c> and <c>polyglot bench train</c> use it.
/// </summary>
public static class ModelExchange
{
    /// <summary>The model shape as the reference reads it.</summary>
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

    /// <summary>
    /// Writes <paramref name="model"/>'s parameters (as float32 on the host) and a batch
    /// (<c>input_ids</c>, <c>targets</c>: int64, batch x seq_len) to <paramref name="directory"/>,
    /// with <paramref name="scalars"/> (e.g. the device and precision the reference should use).
    /// </summary>
    public static void WriteInputs(string directory, TransformerModel model, long[] inputIds, long[] targets, long batch, long seqLen,
        JsonObject? scalars = null)
    {
        Directory.CreateDirectory(directory);
        var tensors = new JsonObject();
        using (DisposeScope.Enter())
        {
            foreach (var parameter in model.Parameters)
                Write(directory, tensors, parameter.Name, parameter.Tensor.Detach().To(Device.Cpu).To(DType.Float32));
            Write(directory, tensors, "input_ids", Tensor.FromArray(inputIds, batch, seqLen));
            Write(directory, tensors, "targets", Tensor.FromArray(targets, batch, seqLen));
        }
        var manifest = new JsonObject { ["config"] = ConfigJson(model.Config), ["tensors"] = tensors, ["scalars"] = scalars ?? new JsonObject() };
        File.WriteAllText(Path.Combine(directory, "manifest.json"), manifest.ToJsonString());
    }

    /// <summary>The outputs the reference wrote to <paramref name="directory"/> (its <c>grads</c> command).</summary>
    public static ReferenceOutputs ReadOutputs(string directory) => new(directory);

    private static void Write(string directory, JsonObject tensors, string name, Tensor tensor)
    {
        File.WriteAllBytes(Path.Combine(directory, name + ".bin"), tensor.ToBytes());
        tensors[name] = new JsonObject
        {
            ["shape"] = new JsonArray(tensor.Shape.Select(s => (JsonNode)s).ToArray()),
            ["dtype"] = tensor.DType == DType.Int64 ? "int64" : "float32",
        };
    }
}

/// <summary>What the reference computed: the loss, the logits and every parameter's gradient.</summary>
public sealed class ReferenceOutputs
{
    private readonly string _directory;
    private readonly JsonObject _manifest;

    internal ReferenceOutputs(string directory)
    {
        _directory = directory;
        _manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")))!.AsObject();
    }

    /// <summary>The reference loss.</summary>
    public double Loss => _manifest["scalars"]!["loss"]!.GetValue<double>();

    /// <summary>The float32 elements of an output tensor (<c>logits</c>, <c>grad.&lt;name&gt;</c>).</summary>
    /// <exception cref="KeyNotFoundException">The reference wrote no such tensor.</exception>
    public float[] Floats(string name)
    {
        if (_manifest["tensors"]![name] is null)
            throw new KeyNotFoundException($"The reference wrote no tensor '{name}'.");
        var bytes = File.ReadAllBytes(Path.Combine(_directory, name + ".bin"));
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
