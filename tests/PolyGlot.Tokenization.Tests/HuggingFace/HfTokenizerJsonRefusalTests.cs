using System.Diagnostics;
using PolyGlot.TestSupport;
using PolyGlot.Tokenization.HuggingFace;

namespace PolyGlot.Tokenization.Tests.HuggingFace;

/// <summary>
/// SentencePiece models that a tokenizer.json written here would not reproduce, trained by
/// SentencePiece's own <c>spm_train</c> (Debian package <c>sentencepiece</c>) with other settings.
/// </summary>
public sealed class HfTokenizerJsonRefusalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("--add_dummy_prefix=true", "dummy prefix")]
    [InlineData("--normalization_rule_name=nmt_nfkc", "normalizes text")]
    [InlineData("--remove_extra_whitespaces=true", "normalizes text")]
    [InlineData("--model_type=unigram", "unigram")]
    public async Task WriteRefused_When_ModelHandlesTextOtherwise(string setting, string reason)
    {
        // Given a model trained with a setting PolyGlot does not use
        using var tokenizer = SentencePieceTokenizer.Load(await TrainAsync(setting));
        var path = _dir.File("tokenizer.json");

        // When its tokenizer.json is written
        var error = Assert.Throws<TokenizerException>(() => HfTokenizerJson.Write(tokenizer, path));

        // Then the error names the model and the reason, and no file is left
        Assert.Contains(tokenizer.ModelPath, error.Message);
        Assert.Contains(reason, error.Message);
        Assert.False(File.Exists(path));
    }

    public void Dispose() => _dir.Dispose();

    private async Task<string> TrainAsync(string setting)
    {
        var text = _dir.Write("text.txt", string.Join("\n", DemoCorpus.ReadLines(DemoCorpus.MonoFiles["en"]).Take(400)) + "\n");
        var prefix = _dir.File("m" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new Dictionary<string, string>
        {
            ["--model_type"] = "bpe", ["--normalization_rule_name"] = "identity", ["--add_dummy_prefix"] = "false",
            ["--remove_extra_whitespaces"] = "false",
        };
        var (key, value) = (setting.Split('=')[0], setting.Split('=')[1]);
        settings[key] = value;
        var start = new ProcessStartInfo("spm_train") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { $"--input={text}", $"--model_prefix={prefix}", "--vocab_size=400", "--byte_fallback=true", "--num_threads=1" }
                     .Concat(settings.Select(kv => $"{kv.Key}={kv.Value}")))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("spm_train did not start; scripts/setup.sh installs it (apt package sentencepiece)");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"spm_train failed: {await stderr}");
        return prefix + ".model";
    }
}
