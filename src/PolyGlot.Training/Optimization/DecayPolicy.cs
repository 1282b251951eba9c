using PolyGlot.Model.Parameters;
using PolyGlot.Torch.Optim;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// Which parameters get weight decay: only the matrices of the attention and MLP projections (and
/// an untied head). Biases and norm gains are excluded, as in GPT-2/nanoGPT and Megatron-LM: decaying
/// them pulls norms towards zero and shifts activations without regularising capacity. Embeddings
/// are excluded too (Megatron-LM's and many Llama recipes' choice; a tied token table doubles as the
/// head and stays undecayed with it).
/// </summary>
public static class DecayPolicy
{
    /// <summary>True when parameters of this kind are decayed.</summary>
    public static bool Decays(ParameterKind kind) => kind == ParameterKind.Matrix;

    /// <summary>
    /// The two AdamW groups, decayed parameters first, each in model order; returns the parameters
    /// in the same order as the groups (the order of the optimizer's state tensors).
    /// </summary>
    public static (IReadOnlyList<ParameterGroup> Groups, IReadOnlyList<ModelParameter> Ordered) Groups(
        IReadOnlyList<ModelParameter> parameters, double weightDecay)
    {
        var decayed = parameters.Where(p => Decays(p.Kind)).ToList();
        var undecayed = parameters.Where(p => !Decays(p.Kind)).ToList();
        var groups = new List<ParameterGroup>();
        if (decayed.Count > 0)
            groups.Add(new ParameterGroup(decayed.Select(p => p.Tensor).ToList(), weightDecay));
        if (undecayed.Count > 0)
            groups.Add(new ParameterGroup(undecayed.Select(p => p.Tensor).ToList(), 0));
        return (groups, decayed.Concat(undecayed).ToList());
    }
}
