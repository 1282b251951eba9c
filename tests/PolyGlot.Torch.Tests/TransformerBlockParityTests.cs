using PolyGlot.Torch.Tests.Reference;

namespace PolyGlot.Torch.Tests;

/// <summary>
/// A one-block decoder-only language model built on the managed API matches PyTorch
/// (scripts/reference/torch_block.py) in loss, logits and every parameter gradient.
/// </summary>
public sealed class TransformerBlockParityTests
{
    // fp32 with the same kernels on both sides; differences come from summation order only.
    private const double Relative = 1e-5;
    private const long B = 2, T = 8, V = 32, C = 16, H = 4, D = C / H;

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    public void LossLogitsAndEveryGradientMatchPyTorch_When_OneBlockRunsForwardAndBackward(string layout)
    {
        // Given the reference's parameters and batch
        using var reference = PyTorchReference.Run("torch_block.py", layout);
        using var scope = DisposeScope.Enter();
        var parameters = reference.TensorNames
            .Where(n => n is not ("ids" or "targets" or "logits") && !n.StartsWith("grad_", StringComparison.Ordinal))
            .ToDictionary(n => n, n => reference.Tensor(n));
        foreach (var p in parameters.Values)
            p.RequiresGrad = true;

        // When the model runs forward, cross-entropy with ignored targets, and backward
        var logits = Forward(parameters, reference.Tensor("ids"), layout);
        var loss = Functional.CrossEntropy(logits.View(B * T, V), reference.Tensor("targets").View(B * T), ignoreIndex: -100);
        loss.Backward();

        // Then loss, logits and all gradients match PyTorch
        Tolerance.AssertClose([(float)reference.Scalar("loss")], [loss.ToSingle()], Relative, "loss");
        Tolerance.AssertClose(reference.Floats("logits"), logits.ToArray<float>(), Relative, "logits");
        foreach (var (name, p) in parameters)
            Tolerance.AssertClose(reference.Floats("grad_" + name), p.Grad!.ToArray<float>(), Relative, "gradient of " + name);
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    public void BFloat16LossStaysNearFloat32_When_TheBlockRunsInBFloat16(string layout)
    {
        // Given the reference's parameters converted to bfloat16 leaves
        using var reference = PyTorchReference.Run("torch_block.py", layout);
        using var scope = DisposeScope.Enter();
        var parameters = reference.TensorNames
            .Where(n => n is not ("ids" or "targets" or "logits") && !n.StartsWith("grad_", StringComparison.Ordinal))
            .ToDictionary(n => n, n => reference.Tensor(n).To(DType.BFloat16));
        foreach (var p in parameters.Values)
            p.RequiresGrad = true;

        // When forward (loss in float32, as mixed precision computes it) and backward run
        var logits = Forward(parameters, reference.Tensor("ids"), layout).To(DType.Float32);
        var loss = Functional.CrossEntropy(logits.View(B * T, V), reference.Tensor("targets").View(B * T));
        loss.Backward();

        // Then the loss is within bfloat16's precision (8 significant bits, compounded over the block)
        // of PyTorch's float32 loss, and every gradient exists in bfloat16
        Assert.Equal(reference.Scalar("loss"), loss.ToDouble(), 0.05 * reference.Scalar("loss"));
        foreach (var p in parameters.Values)
            Assert.Equal(DType.BFloat16, p.Grad!.DType);
    }

    private static Tensor Forward(Dictionary<string, Tensor> p, Tensor ids, string layout)
    {
        var x = Functional.Embedding(p["wte"], ids); // (B, T, C)
        if (layout == "gpt2")
        {
            x = x + Functional.Embedding(p["wpe"], Tensor.Arange(T));
            x = x + Attention(Functional.LayerNorm(x, p["ln1_w"], p["ln1_b"]), p, layout);
            var h = Functional.Linear(Functional.LayerNorm(x, p["ln2_w"], p["ln2_b"]), p["fc_w"], p["fc_b"]).Gelu(approximateTanh: true);
            x = x + Functional.Linear(h, p["fc2_w"], p["fc2_b"]);
            x = Functional.LayerNorm(x, p["lnf_w"], p["lnf_b"]);
        }
        else
        {
            x = x + Attention(Functional.RmsNorm(x, p["norm1_w"]), p, layout);
            var n = Functional.RmsNorm(x, p["norm2_w"]);
            x = x + Functional.Linear(Functional.Linear(n, p["gate_w"]).Silu() * Functional.Linear(n, p["up_w"]), p["down_w"]);
            x = Functional.RmsNorm(x, p["normf_w"]);
        }
        return Functional.Linear(x, p["lm_head_w"]); // (B, T, V)
    }

    private static Tensor Attention(Tensor x, Dictionary<string, Tensor> p, string layout)
    {
        var qkv = Functional.Linear(x, p["attn_qkv_w"], p.GetValueOrDefault("attn_qkv_b")); // (B, T, 3C)
        var parts = qkv.Split(C, dim: -1);
        var (q, k, v) = (Heads(parts[0]), Heads(parts[1]), Heads(parts[2])); // (B, H, T, D)
        if (layout == "llama")
        {
            var (cos, sin) = Functional.RotaryTables(T, D, dtype: x.DType);
            q = Functional.ApplyRotary(q, cos, sin);
            k = Functional.ApplyRotary(k, cos, sin);
        }
        var y = Functional.ScaledDotProductAttention(q, k, v, isCausal: true); // (B, H, T, D)
        y = y.Transpose(1, 2).Reshape(B, T, C);
        return Functional.Linear(y, p["attn_proj_w"], p.GetValueOrDefault("attn_proj_b"));
    }

    private static Tensor Heads(Tensor t) => t.View(B, T, H, D).Transpose(1, 2); // (B, H, T, D)
}
