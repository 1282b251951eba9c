using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolyGlot.Common.Configuration;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Training;
using PolyGlot.Torch;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.TestSupport;

namespace PolyGlot.Training.Tests.Export;

/// <summary>
/// A small SentencePiece tokenizer trained on demo text in six scripts, tiny random-weight models
/// of both layouts, checkpoints of them, and the Hugging Face reference script.
/// </summary>
public sealed class ExportFixture : IDisposable
{
    /// <summary>Text in Latin, Cyrillic, Japanese, Hangul, Han and Greek script.</summary>
    public static readonly string[] Texts =
    [
        "Open the file and save your changes.",
        "Откройте файл и сохраните изменения.",
        "ファイルを開いて変更を保存します。",
        "파일을 열고 변경 사항을 저장합니다.",
        "打开文件并保存更改。",
        "Άνοιγμα αρχείου και αποθήκευση αλλαγών.",
    ];

    /// <summary>
    /// A norm epsilon comparable to the activations' mean square (~0.06 here), so that an epsilon
    /// lost or misplaced on export changes the log-probabilities well beyond the tolerance.
    /// </summary>
    public const double LargeEps = 0.05;

    private static readonly string[] Languages = ["en", "ru", "ja", "ko", "zh", "el"];

    public ExportFixture()
    {
        Root = Directory.CreateTempSubdirectory("pg-export-").FullName;
        TokenizerPath = TrainTokenizer("bpe");
        Tokenizer = SentencePieceTokenizer.Load(TokenizerPath);
    }

    public string Root { get; }

    public string TokenizerPath { get; }

    public SentencePieceTokenizer Tokenizer { get; }

    public static string RepoRoot => RepositoryPaths.Root;

    public ModelConfig PolyLm() => new()
    {
        Layout = ModelConfig.PolyLmLayout, VocabSize = Tokenizer.VocabSize, DModel = 32, NLayers = 2, NHeads = 4,
        MaxSeqLen = 64, TiedEmbeddings = true, NormEps = LargeEps,
    };

    public ModelConfig Llama() => new()
    {
        Layout = ModelConfig.LlamaLayout, VocabSize = Tokenizer.VocabSize, DModel = 32, NLayers = 2, NHeads = 4, NKvHeads = 2,
        FfnHidden = 48, MaxSeqLen = 64, TiedEmbeddings = false, NormEps = LargeEps, RopeTheta = 500_000,
    };

    /// <summary>
    /// A model whose every parameter, norms and biases included, is random and large enough that
    /// the next-token distributions are far from uniform, so a misplaced tensor changes them.
    /// </summary>
    public static TransformerModel RandomModel(ModelConfig config, ulong seed = 11)
    {
        var model = TransformerModel.Create(config, Device.Cpu, seed);
        using var noGrad = new NoGradScope();
        foreach (var parameter in model.Parameters)
        {
            var isNormGain = parameter.Name.EndsWith("norm.weight", StringComparison.Ordinal);
            parameter.Tensor.NormalInPlace(isNormGain ? 1 : 0, isNormGain ? 0.3 : 0.25);
        }
        model.Training = false;
        return model;
    }

    /// <summary>Token ids of <see cref="Texts"/>, each after the end-of-document token, as scored.</summary>
    public List<int[]> TextIds() => Texts.Select(t => new[] { Tokenizer.Special.EosId }.Concat(Tokenizer.Encode(t)).ToArray()).ToList();

    /// <summary>Trains a 1,500-piece tokenizer of <paramref name="modelType"/> (bpe, unigram) on the six languages; returns its path.</summary>
    public string TrainTokenizer(string modelType)
    {
        var corpus = Languages.Select(l => new LanguageText(l, () => ReadLines(l).Take(300))).ToList();
        var config = new TokenizerTrainingConfig { VocabSize = 1500, CharacterCoverage = 0.98, MaxSentences = 1800, Threads = 2, ModelType = modelType };
        return TokenizerTrainer.Train(config, corpus, NewDirectory("tok-" + modelType)).ModelPath;
    }

    public string NewDirectory(string name) => Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Saves <paramref name="model"/> as a complete checkpoint whose config says <paramref name="configured"/>.</summary>
    public string SaveCheckpoint(TransformerModel model, ModelConfig? configured = null)
    {
        var config = configured ?? model.Config;
        var yaml = YamlConfig.Serialize(new { Name = "export-test", Model = config, Tokenizer = new TokenizerConfig { Path = TokenizerPath } });
        var store = new CheckpointStore(NewDirectory("ckpt"));
        return store.Save(new CheckpointData
        {
            Step = 3,
            ModelTensors = model.Parameters.Select(p => PolyGlot.Torch.Serialization.SafetensorsTensors.Payload(p.Name, p.Tensor)).ToList(),
            OptimizerTensors = [],
            Trainer = new TrainerState { Step = 3 },
            DataStateJson = "{}",
            Rng = new RngState { Seed = 1, TorchCpu = [0] },
            ConfigYaml = yaml,
            Compatibility = CheckpointCompatibility.Of(config, Tokenizer.ComputeSha256()),
        }, keepLast: 1);
    }

    /// <summary>Next-token log-probabilities from scripts/reference/hf_reference.py over the exported folder.</summary>
    public static float[][][] ReferenceLogProbs(string folder, IReadOnlyList<int[]> sequences)
    {
        var stdout = ReferencePython.Run(RepositoryPaths.Combine("scripts", "reference", "hf_reference.py"),
            ["--model", folder, "--ids", JsonSerializer.Serialize(sequences)]);
        var json = JsonNode.Parse(stdout)!;
        return json["log_probs"]!.AsArray()
            .Select(seq => seq!.AsArray().Select(row => row!.AsArray().Select(v => v!.GetValue<float>()).ToArray()).ToArray()).ToArray();
    }

    public void Dispose()
    {
        Tokenizer.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    private static IEnumerable<string> ReadLines(string language)
    {
        var path = Path.Combine(DemoCorpusRoot, "mono", "gnome", language + ".txt.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
            if (line.Length > 0)
                yield return line;
    }

    private static string DemoCorpusRoot => Path.Combine(RepoRoot, "data", "demo-corpus");
}

[CollectionDefinition(Name)]
public sealed class ExportCollection : ICollectionFixture<ExportFixture>
{
    public const string Name = "export";
}
