using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using PolyGlot.Tokenization.Reporting;
using PolyGlot.TestSupport;

namespace PolyGlot.Tokenization.Tests.Reporting;

public sealed class PublicTokenizerTests
{
    [Fact]
    public async Task O200kIdsEqualGptTokenizer_When_TextOfEveryPolyLmLanguageIsEncoded()
    {
        // Given edge cases (spaces, digits, newlines, emoji) and UDHR articles in PolyLM's 18 languages
        var texts = new List<string> { "Hello world", "  two  spaces\n\nand 12345 digits", "Grüße aus Köln\n", "👋🏽 emoji" };
        foreach (var file in Directory.GetFiles(RepositoryPaths.Combine("data", "polylm-corpus", "udhr"), "*.tsv.gz").Order(StringComparer.Ordinal))
            texts.AddRange(ReadLines(file).Take(2).SelectMany(l => l.Split('\t')));

        // When o200k encodes them here and in gpt-tokenizer (npm)
        using var tokenizer = PublicTokenizer.Load(PublicTokenizer.O200k);
        var ours = tokenizer.EncodeBatch(texts);
        var reference = await EncodeWithGptTokenizerAsync(texts);

        // Then every text has the same ids, hence the same count
        Assert.Equal(texts.Count, reference.Count);
        for (var i = 0; i < texts.Count; i++)
            Assert.True(reference[i].SequenceEqual(ours[i]), $"text {i} differs: {texts[i]}");
        Assert.Equal("Hello world", tokenizer.Decode(ours[0]));
    }

    [Fact]
    public void FileLoadsLikeTheBuiltInEncoding_When_ATiktokenFileIsNamedAfterIt()
    {
        // Given o200k_base.tiktoken written from the data package
        using var directory = new TempDirectory();
        var path = directory.File("o200k_base.tiktoken");
        using (var deflated = Assembly.Load("Microsoft.ML.Tokenizers.Data.O200kBase").GetManifestResourceStream("o200k_base.tiktoken.deflate")!)
        using (var inflated = new DeflateStream(deflated, CompressionMode.Decompress))
        using (var file = File.Create(path))
            inflated.CopyTo(file);

        // When it is loaded as a file and as the built-in name
        using var fromFile = PublicTokenizer.Load(path);
        using var builtIn = PublicTokenizer.Load(PublicTokenizer.O200k);

        // Then both encode alike and have the same vocabulary and hash
        const string text = "Привет, мир! 你好，世界。";
        Assert.Equal(builtIn.Encode(text), fromFile.Encode(text));
        Assert.Equal((builtIn.VocabSize, builtIn.ComputeSha256()), (fromFile.VocabSize, fromFile.ComputeSha256()));
    }

    [Fact]
    public void LoadFailsNamingTheEncodings_When_ATiktokenFileHasAnotherName()
    {
        // Given a tiktoken file whose name says nothing of its pre-tokenizer
        using var directory = new TempDirectory();
        var path = directory.Write("mine.tiktoken", "IQ== 0\n");

        // When it is loaded, then the error says how to name it
        var error = Assert.Throws<TokenizerException>(() => PublicTokenizer.Load(path));
        Assert.Contains("cl100k_base.tiktoken", error.Message);
    }

    [Fact]
    public void BytesMergeAsListed_When_AHuggingFaceBpeDirectoryIsLoaded()
    {
        // Given a byte-level vocabulary (space = 'Ġ') with the merges a+b and Ġ+ab
        using var directory = new TempDirectory();
        directory.Write("vocab.json", """{"a": 0, "b": 1, "Ġ": 2, "ab": 3, "Ġab": 4}""");
        directory.Write("merges.txt", "#version: 0.2\na b\nĠ ab\n");

        // When "ab ab" is encoded
        using var tokenizer = PublicTokenizer.Load(directory.Path);

        // Then the first word is "ab" and the second " ab", by the merges
        Assert.Equal([3, 4], tokenizer.Encode("ab ab"));
        Assert.Equal(5, tokenizer.VocabSize);
    }

    private static IEnumerable<string> ReadLines(string gzipPath)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
            yield return line;
    }

    private static async Task<List<int[]>> EncodeWithGptTokenizerAsync(List<string> texts)
    {
        var script = RepositoryPaths.Combine("tests", "PolyGlot.Tokenization.Tests", "interop", "o200k-encode.mjs");
        var start = new ProcessStartInfo("node", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("node did not start; scripts/setup.sh installs the npm test tooling");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(texts));
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "gpt-tokenizer failed: " + await errors);
        return JsonSerializer.Deserialize<List<int[]>>(await output)!;
    }
}
