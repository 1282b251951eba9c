using PolyGlot.Evaluation.Running;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Torch;
using PolyGlot.Torch.Optim;

namespace PolyGlot.Evaluation.Tests.Running;

/// <summary>
/// A tiny model trained here on one pattern, "x&gt;y;" where y is the letter after x, over a
/// character tokenizer (printable ASCII, id = code - 29; id 2 ends a document). After training it
/// answers "k&gt;" with "l", so a task built on the pattern has a known right answer.
/// </summary>
public sealed class LearnedModel : IDisposable
{
    public const int Eos = 2;

    public LearnedModel()
    {
        var config = new ModelConfig
        {
            Layout = ModelConfig.PolyLmLayout, VocabSize = 100, DModel = 64, NLayers = 2, NHeads = 4, MaxSeqLen = 32, TiedEmbeddings = true,
        };
        Model = TransformerModel.Create(config, Device.Cpu, seed: 3);
        Train(Model);
        Model.Training = false;
        Lm = new LanguageModel(Model, Encode, Decode, Eos);
    }

    public TransformerModel Model { get; }

    public LanguageModel Lm { get; }

    public static int[] Encode(string text) => text.Select(c => c - 29).ToArray();

    public static string Decode(int[] ids) => new(ids.Where(i => i > 2).Select(i => (char)(i + 29)).ToArray());

    public static char Next(char letter) => (char)(letter + 1);

    public void Dispose() => Model.Dispose();

    private static void Train(TransformerModel model)
    {
        const int Batch = 16, Steps = 300;
        var random = new Random(7);
        using var optimizer = new AdamW(model.Parameters.Select(p => p.Tensor).ToList(), learningRate: 3e-3, weightDecay: 0);
        for (var step = 0; step < Steps; step++)
        {
            var rows = Enumerable.Range(0, Batch).Select(_ => Row(random)).ToArray();
            var input = rows.SelectMany(r => r[..^1]).Select(i => (long)i).ToArray();
            var target = rows.SelectMany(r => r[1..]).Select(i => (long)i).ToArray();
            using var scope = DisposeScope.Enter();
            optimizer.ZeroGrad();
            model.Loss(Tensor.FromSpan<long>(input, [Batch, 32], Device.Cpu), Tensor.FromSpan<long>(target, [Batch, 32], Device.Cpu)).Backward();
            optimizer.Step();
        }
    }

    // The end-of-document token, then eight "x>y;" pairs: 33 tokens, 32 inputs.
    private static int[] Row(Random random)
    {
        var text = string.Concat(Enumerable.Range(0, 8).Select(_ =>
        {
            var letter = (char)('a' + random.Next(24));
            return $"{letter}>{Next(letter)};";
        }));
        return [Eos, .. Encode(text)];
    }
}
