using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Training.Export;

/// <summary>Settings of <see cref="HfExporter.Export"/>.</summary>
public sealed record HfExportOptions
{
    /// <summary>Replace an output directory that exists and is not empty.</summary>
    public bool Force { get; init; }

    /// <summary>dtype of the exported weights: Float32 (as trained), BFloat16 or Float16.</summary>
    public DType DType { get; init; } = DType.Float32;

    /// <summary>Above this many bytes of weights, shards plus <c>model.safetensors.index.json</c> are written.</summary>
    public long MaxShardBytes { get; init; } = SafetensorsShards.DefaultMaxShardBytes;

    /// <summary>The <c>torch_dtype</c> name of <see cref="DType"/> in config.json.</summary>
    public string TorchDTypeName => DType switch
    {
        DType.Float32 => "float32",
        DType.BFloat16 => "bfloat16",
        DType.Float16 => "float16",
        _ => throw new ArgumentException($"Export dtype {DType} is not supported; use float32, bfloat16 or float16."),
    };
}
