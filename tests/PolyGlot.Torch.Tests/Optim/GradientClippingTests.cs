using PolyGlot.Torch.Optim;
using PolyGlot.Torch.Tests.Reference;

namespace PolyGlot.Torch.Tests.Optim;

public sealed class GradientClippingTests
{
    private const double Relative = 1e-5;

    [Theory]
    [InlineData("clipped")]
    [InlineData("unclipped")]
    public void NormAndGradientsMatchClipGradNorm_When_Clipping(string scenario)
    {
        // Given three parameters with the reference's gradients
        using var reference = PyTorchReference.Run("torch_optim.py", "clip");
        using var scope = DisposeScope.Enter();
        var parameters = Enumerable.Range(0, 3).Select(i =>
        {
            var grad = reference.Tensor($"{scenario}_before{i}");
            var p = grad.ZerosLike();
            p.RequiresGrad = true;
            p.Grad = grad;
            return p;
        }).ToList();

        // When clipped to the reference's maximum norm in one call
        var total = GradientClipping.ClipGradNorm(parameters, reference.Scalar($"{scenario}_max_norm"));

        // Then the total norm and every clipped gradient match torch.nn.utils.clip_grad_norm_
        Tolerance.AssertClose([(float)reference.Scalar($"{scenario}_total")], [(float)total], Relative, "total norm");
        for (var i = 0; i < parameters.Count; i++)
            Tolerance.AssertClose(reference.Floats($"{scenario}_after{i}"), parameters[i].Grad!.ToArray<float>(), Relative, $"gradient {i}");
    }
}
