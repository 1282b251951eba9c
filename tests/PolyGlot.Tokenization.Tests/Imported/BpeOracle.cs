using System.Diagnostics;
using System.Text.Json;
using PolyGlot.TestSupport;

namespace PolyGlot.Tokenization.Tests.Imported;

/// <summary>
/// Hugging Face tokenizers and gpt-tokenizer (npm, installed by scripts/setup.sh) run through
/// interop/bpe-oracle.mjs: the independent byte-level BPE implementations the loader is held to.
/// </summary>
internal static class BpeOracle
{
    private static readonly string Script = RepositoryPaths.Combine("tests", "PolyGlot.Tokenization.Tests", "interop", "bpe-oracle.mjs");

    /// <summary>Trains a byte-level BPE on <paramref name="corpus"/> and writes the gpt2/, llama3/ and qwen/ tokenizer.json variants under <paramref name="directory"/>.</summary>
    public static void Train(string corpus, string directory) => Run("train", corpus, directory);

    /// <summary>Hugging Face tokenizers' ids of each text (no special tokens added).</summary>
    public static int[][] Encode(string tokenizerJson, IReadOnlyList<string> texts) => WithTexts(texts, file => Ids(Run("encode", tokenizerJson, file)));

    /// <summary>gpt-tokenizer's ids of each text under tiktoken encoding <paramref name="encoding"/>.</summary>
    public static int[][] Tiktoken(string encoding, IReadOnlyList<string> texts) => WithTexts(texts, file => Ids(Run("tiktoken", encoding, file)));

    /// <summary>The rank file gpt-tokenizer ships for <paramref name="encoding"/>.</summary>
    public static string TiktokenFile(string encoding) => Run("tiktoken-file", encoding).Trim();

    private static int[][] Ids(string stdout)
    {
        using var json = JsonDocument.Parse(stdout);
        return json.RootElement.GetProperty("ids").EnumerateArray().Select(a => a.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
    }

    private static int[][] WithTexts(IReadOnlyList<string> texts, Func<string, int[][]> run)
    {
        using var directory = new TempDirectory();
        var path = directory.Write("texts.json", JsonSerializer.Serialize(texts));
        return run(path);
    }

    private static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(300_000))
        {
            process.Kill();
            throw new TimeoutException("bpe-oracle.mjs did not finish within 300 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"bpe-oracle.mjs {arguments[0]} failed: {stderr.Result}");
        return stdout.Result;
    }
}
