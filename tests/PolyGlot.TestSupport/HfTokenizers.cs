using System.Diagnostics;
using System.Text.Json;

namespace PolyGlot.TestSupport;

/// <summary>
/// Hugging Face's <c>tokenizers</c> (the npm package, the Rust core's Node binding, installed by
/// scripts/setup.sh) run through tests/PolyGlot.Tokenization.Tests/interop/hf-tokenizers-encode.mjs
/// on a tokenizer.json.
/// </summary>
public static class HfTokenizers
{
    private static readonly string Interop = RepositoryPaths.Combine("tests", "PolyGlot.Tokenization.Tests", "interop");

    /// <summary>What the library made of each text.</summary>
    /// <param name="Ids">Ids without special tokens.</param>
    /// <param name="IdsWithSpecialTokens">Ids as <c>encode</c> gives them by default (special tokens added).</param>
    /// <param name="Decoded">The decoding of <paramref name="Ids"/>.</param>
    public sealed record Result(int[][] Ids, int[][] IdsWithSpecialTokens, string[] Decoded);

    /// <summary>Encodes and decodes <paramref name="texts"/> with the tokenizer.json at <paramref name="tokenizerJson"/>.</summary>
    public static async Task<Result> EncodeAsync(string tokenizerJson, IReadOnlyList<string> texts)
    {
        if (!Directory.Exists(Path.Combine(Interop, "node_modules", "tokenizers")))
            throw new InvalidOperationException($"Hugging Face tokenizers is not installed in {Interop}; run scripts/setup.sh (npm ci there)");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Interop,
        };
        start.ArgumentList.Add(Path.Combine(Interop, "hf-tokenizers-encode.mjs"));
        start.ArgumentList.Add(tokenizerJson);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(texts));
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"hf-tokenizers-encode.mjs failed: {await stderr}");
        using var document = JsonDocument.Parse(await stdout);
        var root = document.RootElement;
        return new Result(IdLists(root.GetProperty("ids")), IdLists(root.GetProperty("ids_with_special_tokens")),
            root.GetProperty("decoded").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    private static int[][] IdLists(JsonElement lists) =>
        lists.EnumerateArray().Select(list => list.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();
}
