using PolyGlot.Torch;
using PolyGlot.Torch.Optim;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// The cases of <c>polyglot bench ops</c>, each mirrored one for one in
/// scripts/reference/torch_bench_ops.py (same names, shapes, iterations and models). The two step
/// cases are written op for op like their Python twins on purpose: they measure what the bridge
/// adds to the same sequence of kernels, not PolyGlot's trainer (that is <c>bench train</c>,
/// which times <c>TrainingStep</c> itself).
/// </summary>
internal static class BenchOpsCases
{
    /// <summary>One benchmark case.</summary>
    /// <param name="Name">Shared with the Python side.</param>
    /// <param name="Iterations">Iterations per timed round (before --scale).</param>
    /// <param name="Goal">Target C#/Python time ratio.</param>
    /// <param name="Create">Builds the inputs and returns a body that runs n iterations.</param>
    public sealed record Case(string Name, int Iterations, double Goal, Func<Action<int>> Create);

    private const double OpGoal = 0.6;
    private const double StepGoal = 0.9;

    public static IEnumerable<Case> All()
    {
        yield return new("add 8x8", 20000, OpGoal, () => PerOp((a, b) => a + b));
        yield return new("mul scalar 8x8", 20000, OpGoal, () => PerOp((a, _) => a * 2.0));
        yield return new("matmul 8x8", 20000, OpGoal, () => PerOp((a, b) => a.MatMul(b)));
        yield return new("transpose (view)", 20000, OpGoal, () => PerOp((a, _) => a.Transpose(0, 1)));
        yield return new("sum 8x8", 20000, OpGoal, () => PerOp((a, _) => a.Sum()));
        yield return new("softmax 8x8", 20000, OpGoal, () => PerOp((a, _) => Functional.Softmax(a, -1)));
        yield return new("linear+gelu 8x8", 10000, OpGoal, () => PerOp((a, b) => Functional.Linear(a, b).Gelu()));
        yield return new("10 adds in a scope", 2000, OpGoal, ChainInScope);
        yield return new("MLP train step", 200, StepGoal, MlpStep);
        yield return new("transformer train step", 50, StepGoal, TransformerStep);
    }

    // Results go to a dispose scope that is renewed every 64 operations, as a training loop's
    // step scope would free them: the measured cost includes registration and disposal.
    private static Action<int> PerOp(Func<Tensor, Tensor, Tensor> op)
    {
        var a = Tensor.Randn([8, 8]).Keep();
        var b = Tensor.Randn([8, 8]).Keep();
        return n =>
        {
            var scope = DisposeScope.Enter();
            for (var i = 0; i < n; i++)
            {
                op(a, b);
                if ((i & 63) == 63)
                {
                    scope.Dispose();
                    scope = DisposeScope.Enter();
                }
            }
            scope.Dispose();
        };
    }

    // A scope entered and ended around every ten operations.
    private static Action<int> ChainInScope()
    {
        var a = Tensor.Randn([8, 8]).Keep();
        var b = Tensor.Randn([8, 8]).Keep();
        return n =>
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = DisposeScope.Enter();
                var x = a;
                for (var j = 0; j < 10; j++)
                    x = x + b;
            }
        };
    }

    // Batch 32, 64 -> 128 -> 10, GELU, cross-entropy, clipping, AdamW.
    private static Action<int> MlpStep()
    {
        Torch.Runtime.Rng.ManualSeed(0);
        var w1 = Parameter(Tensor.Randn([128, 64]) * 0.1);
        var b1 = Parameter(Tensor.Zeros([128]));
        var w2 = Parameter(Tensor.Randn([10, 128]) * 0.1);
        var b2 = Parameter(Tensor.Zeros([10]));
        Tensor[] parameters = [w1, b1, w2, b2];
        var optimizer = new AdamW(parameters, learningRate: 1e-3);
        var x = Tensor.Randn([32, 64]).Keep();
        var y = Tensor.RandInt(0, 10, [32]).Keep();
        return n =>
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = DisposeScope.Enter();
                var loss = Functional.CrossEntropy(Functional.Linear(Functional.Linear(x, w1, b1).Gelu(), w2, b2), y);
                loss.Backward();
                GradientClipping.ClipGradNorm(parameters, 1.0);
                optimizer.Step();
                optimizer.ZeroGrad();
            }
        };
    }

    // One GPT-2-style block: B 4, T 32, C 64, 4 heads, vocabulary 256.
    private static Action<int> TransformerStep()
    {
        const long B = 4, T = 32, C = 64, H = 4, V = 256, D = C / H;
        Torch.Runtime.Rng.ManualSeed(0);
        var wte = Parameter(Tensor.Randn([V, C]) * 0.02);
        var wpe = Parameter(Tensor.Randn([T, C]) * 0.02);
        Tensor Ones() => Parameter(Tensor.Ones([C]));
        Tensor Zeros(long n) => Parameter(Tensor.Zeros([n]));
        var (ln1W, ln1B, ln2W, ln2B, lnfW, lnfB) = (Ones(), Zeros(C), Ones(), Zeros(C), Ones(), Zeros(C));
        var (qkvW, qkvB, projW, projB) = (Parameter(Tensor.Randn([3 * C, C]) * 0.02), Zeros(3 * C), Parameter(Tensor.Randn([C, C]) * 0.02), Zeros(C));
        var (fcW, fcB, fc2W, fc2B) = (Parameter(Tensor.Randn([4 * C, C]) * 0.02), Zeros(4 * C), Parameter(Tensor.Randn([C, 4 * C]) * 0.02), Zeros(C));
        var head = Parameter(Tensor.Randn([V, C]) * 0.02);
        Tensor[] parameters = [wte, wpe, ln1W, ln1B, ln2W, ln2B, lnfW, lnfB, qkvW, qkvB, projW, projB, fcW, fcB, fc2W, fc2B, head];
        var optimizer = new AdamW(parameters, learningRate: 1e-3);
        var ids = Tensor.RandInt(0, V, [B, T]).Keep();
        var targets = Tensor.RandInt(0, V, [B * T]).Keep();
        var positions = Tensor.Arange(T).Keep();

        Tensor Heads(Tensor t) => t.View(B, T, H, D).Transpose(1, 2); // (B, H, T, D)
        return n =>
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = DisposeScope.Enter();
                var x = Functional.Embedding(wte, ids) + Functional.Embedding(wpe, positions); // (B, T, C)
                var qkv = Functional.Linear(Functional.LayerNorm(x, ln1W, ln1B), qkvW, qkvB).Split(C, -1);
                var y = Functional.ScaledDotProductAttention(Heads(qkv[0]), Heads(qkv[1]), Heads(qkv[2]), isCausal: true);
                x = x + Functional.Linear(y.Transpose(1, 2).Reshape(B, T, C), projW, projB);
                var h = Functional.Linear(Functional.LayerNorm(x, ln2W, ln2B), fcW, fcB).Gelu(approximateTanh: true);
                x = x + Functional.Linear(h, fc2W, fc2B);
                var logits = Functional.Linear(Functional.LayerNorm(x, lnfW, lnfB), head); // (B, T, V)
                var loss = Functional.CrossEntropy(logits.View(B * T, V), targets);
                loss.Backward();
                GradientClipping.ClipGradNorm(parameters, 1.0);
                optimizer.Step();
                optimizer.ZeroGrad();
            }
        };
    }

    private static Tensor Parameter(Tensor value)
    {
        value.Keep().RequiresGrad = true;
        return value;
    }
}
