using PolyGlot.Torch.Optim;
using PolyGlot.Torch.Runtime;
using PolyGlot.Torch.Tests.Reference;
using PolyGlot.Torch.Tests.Runtime;
using Xunit.Abstractions;

namespace PolyGlot.Torch.Tests.Optim;

public sealed class AdamWTests(ITestOutputHelper output)
{
    // Same float32 arithmetic as PyTorch's single-tensor AdamW, in a different kernel order (the
    // multi-tensor kernels on 1.13, the fused kernel on 2.4 and later).
    private const double Relative = 1e-5;

    [Fact]
    public void StepsWithTheFusedKernelOnTheCpu_When_LibtorchIs24OrLater()
    {
        // When asking which kernel AdamW.Step runs for CPU parameters
        var fused = AdamW.UsesFusedKernel(DeviceType.Cpu);

        // Then it is libtorch's fused AdamW from 2.4 (its first CPU kernel), the _foreach kernels before
        output.WriteLine($"AdamW path on libtorch {TorchRuntime.Version} (CPU): {(fused ? "fused" : "foreach")}");
        Assert.Equal(Libtorch.AtLeast(2, 4), fused);
    }

    [Fact]
    public void ParametersMatchTorchOptimAdamW_When_SteppingTwoGroupsFiveTimes()
    {
        // Given the reference's initial parameters, in groups with weight decay 0.1 and 0
        using var reference = PyTorchReference.Run("torch_optim.py", "adamw");
        string[] names = ["w0", "w1", "w2"];
        var parameters = names.ToDictionary(n => n, n => reference.Tensor("init_" + n).Keep());
        var groups = new[] { 0.1, 0.0 }
            .Select(decay => new ParameterGroup(names.Where(n => reference.Scalar("decay_" + n) == decay).Select(n => parameters[n]).ToList(), decay))
            .ToList();
        using var optimizer = new AdamW(groups, reference.Scalar("lr"), reference.Scalar("beta1"), reference.Scalar("beta2"), reference.Scalar("eps"));

        // When each step sets the reference's gradients and steps
        for (var step = 1; step <= (int)reference.Scalar("steps"); step++)
        {
            using var scope = DisposeScope.Enter();
            foreach (var n in names)
                parameters[n].Grad = reference.Tensor($"grad{step}_{n}");
            optimizer.Step();

            // Then after every step each parameter matches torch.optim.AdamW
            foreach (var n in names)
                Tolerance.AssertClose(reference.Floats($"after{step}_{n}"), parameters[n].ToArray<float>(), Relative, $"{n} after step {step}");
        }
        Assert.Equal(5, optimizer.StepCount);
        foreach (var p in parameters.Values)
            p.Dispose();
    }

    [Fact]
    public void ParametersWithoutGradientsStayUnchanged_When_Stepping()
    {
        using var scope = DisposeScope.Enter();
        var p = Tensor.Ones([3], requiresGrad: true);
        using var optimizer = new AdamW([p], learningRate: 0.1);

        optimizer.Step();

        Assert.Equal([1f, 1f, 1f], p.ToArray<float>());
    }

    [Fact]
    public void ThrowsNamingTheRule_When_Beta1IsOutOfRange()
    {
        using var scope = DisposeScope.Enter();
        var p = Tensor.Ones([3], requiresGrad: true);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([p], beta1: 1.0));

        Assert.Contains("beta1 must be in [0, 1)", error.Message);
    }
}
