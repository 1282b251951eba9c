using PolyGlot.Model.Configuration;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;

namespace PolyGlot.Training.Tests.Checkpointing;

/// <summary>A temporary checkpoint root and small, step-dependent checkpoint contents.</summary>
internal sealed class CheckpointFixture : IDisposable
{
    public const string TokenizerSha = "aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11";

    public CheckpointFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "pg-ckpt-" + Guid.NewGuid().ToString("N"));
        Store = new CheckpointStore(Root, Warnings.Add);
    }

    public string Root { get; }

    public List<string> Warnings { get; } = [];

    public CheckpointStore Store { get; }

    public static ModelConfig Model() => new() { VocabSize = 64, DModel = 16, NLayers = 2, NHeads = 2, MaxSeqLen = 32 };

    public static byte[] WeightBytes(long step) => Enumerable.Range(0, 16 * 4).Select(i => (byte)(i + step)).ToArray();

    public static CheckpointData Data(long step, Action<SafetensorsWriter>? modelWriter = null) => new()
    {
        Step = step,
        ModelTensors =
        [
            modelWriter is null
                ? SafetensorsPayload.FromBytes("wte.weight", SafetensorsDType.F32, [4, 4], WeightBytes(step))
                : new SafetensorsPayload(new SafetensorsTensorInfo("wte.weight", SafetensorsDType.F32, [4, 4]), modelWriter),
        ],
        OptimizerTensors = [SafetensorsPayload.FromBytes("exp_avg.wte.weight", SafetensorsDType.F32, [2], new byte[8])],
        Trainer = new TrainerState
        {
            Step = step, TokensConsumed = step * 1000, SkippedSteps = 1, LossWindow = [Math.PI, 1.0 / 3, 2.5e-300],
            TokensPerLanguage = new(StringComparer.Ordinal) { ["de"] = step * 400, ["en"] = step * 600 },
        },
        DataStateJson = $$"""{"version": 1, "step": {{step}}, "sources": [{"name": "mono", "shard": 3}]}""",
        Rng = new RngState { Seed = 7, TorchCpu = [1, 2, 3, (byte)step] },
        ConfigYaml = "name: test\nmodel:\n  d_model: 16\n",
        Compatibility = CheckpointCompatibility.Of(Model(), TokenizerSha),
    };

    public string Save(long step, int keepLast = 10) => Store.Save(Data(step), keepLast);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
