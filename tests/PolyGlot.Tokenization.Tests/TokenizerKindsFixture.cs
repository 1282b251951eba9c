using System.Diagnostics;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Tokenization.Tests;

/// <summary>
/// The tokenizer kinds besides <see cref="TrainedTokenizerFixture"/>'s BPE model that the encoder must handle
/// exactly: a unigram model trained here, and a BPE model trained by SentencePiece's own <c>spm_train</c> with
/// the same options except <c>split_by_whitespace=false</c> (pieces may span words), and a BPE model trained here on
/// text indented and spaced with runs of spaces, whose vocabulary has whitespace-only pieces such as <c>▁▁▁▁</c>.
/// </summary>
public sealed class TokenizerKindsFixture : IDisposable
{
    public TokenizerKindsFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "pg-tok-kinds-" + Guid.NewGuid().ToString("N"));
        var config = new TokenizerTrainingConfig
        {
            VocabSize = 4000,
            MaxSentences = 6000,
            UserDefinedSymbols = [.. TrainedTokenizerFixture.LanguageTags],
            Threads = 2,
        };
        var corpus = DemoCorpus.MonoFiles
            .Select(kv => new LanguageText(kv.Key, () => DemoCorpus.ReadLines(kv.Value).Take(2000)))
            .ToList();
        config.ModelType = "unigram";
        Unigram = SentencePieceTokenizer.Load(TokenizerTrainer.Train(config, corpus, Path.Combine(Directory, "unigram")).ModelPath);
        config.ModelType = "bpe";
        var indented = corpus
            .Select(l => new LanguageText(l.Language, () => l.OpenDocuments().Select((d, i) => new string(' ', i % 4 * 2) + d.Replace(". ", ".  "))))
            .ToList();
        Indented = SentencePieceTokenizer.Load(TokenizerTrainer.Train(config, indented, Path.Combine(Directory, "indented")).ModelPath);
        Unsplit = SentencePieceTokenizer.Load(TrainWithSpmTrain(config, corpus, Path.Combine(Directory, "unsplit"), "--split_by_whitespace=false"));
    }

    public string Directory { get; }

    /// <summary>A unigram model.</summary>
    public SentencePieceTokenizer Unigram { get; }

    /// <summary>A BPE model whose vocabulary holds runs of whitespace.</summary>
    public SentencePieceTokenizer Indented { get; }

    /// <summary>A BPE model trained with <c>split_by_whitespace=false</c>.</summary>
    public SentencePieceTokenizer Unsplit { get; }

    public void Dispose()
    {
        Unigram.Dispose();
        Indented.Dispose();
        Unsplit.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static string TrainWithSpmTrain(TokenizerTrainingConfig config, List<LanguageText> corpus, string directory, string extraOption)
    {
        System.IO.Directory.CreateDirectory(directory);
        var input = Path.Combine(directory, "input.txt");
        File.WriteAllLines(input, corpus.SelectMany(l => l.OpenDocuments().Where(d => d.Length > 0).Take(400)));
        var lines = File.ReadAllLines(input).Length;
        var arguments = TokenizerTrainer.BuildOptions(config, lines).Split('\n').Select(o => "--" + o).ToList();
        arguments.AddRange([extraOption, "--input=" + input, "--model_prefix=" + Path.Combine(directory, "tokenizer"), "--minloglevel=2"]);
        var start = new ProcessStartInfo("spm_train", arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("spm_train did not start; scripts/setup.sh installs it (apt package sentencepiece)");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"spm_train failed ({process.ExitCode}): {errors}{output.Result}");
        return Path.Combine(directory, "tokenizer.model");
    }
}
