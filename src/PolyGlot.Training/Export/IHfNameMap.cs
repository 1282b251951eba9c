using System.Text.Json.Nodes;
using PolyGlot.Model.Configuration;

namespace PolyGlot.Training.Export;

/// <summary>
/// One export format: how our parameters become a Hugging Face architecture's state dict and
/// what its <c>config.json</c> says. The only place Hugging Face names appear.
/// </summary>
public interface IHfNameMap
{
    /// <summary>The <c>architectures</c> entry of config.json, e.g. <c>LlamaForCausalLM</c>.</summary>
    string Architecture { get; }

    /// <summary>Every tensor of the exported state dict, in file order.</summary>
    IReadOnlyList<HfTensorSpec> Tensors(ModelConfig config);

    /// <summary>The architecture-specific keys of config.json (shared keys are added by the writer).</summary>
    JsonObject Config(ModelConfig config);
}
