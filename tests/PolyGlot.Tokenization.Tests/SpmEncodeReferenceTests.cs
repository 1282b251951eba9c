using System.Diagnostics;

namespace PolyGlot.Tokenization.Tests;

/// <summary>Checks our encoder against SentencePiece's own command-line encoder (Debian package <c>sentencepiece</c>, installed by scripts/setup.sh).</summary>
[Collection(TrainedTokenizerCollection.Name)]
public sealed class SpmEncodeReferenceTests(TrainedTokenizerFixture trained)
{
    [Fact]
    public void IdsEqualSpmEncode_When_HeldOutTextOfEveryDemoLanguageIsEncoded()
    {
        // Given held-out paragraphs of every demo language
        var lines = DemoCorpus.MonoFiles.Keys.Order(StringComparer.Ordinal)
            .SelectMany(l => DemoCorpus.ReadLines(DemoCorpus.HeldOutFile(l)).Take(30)).ToList();

        // When both encoders encode them
        var ours = trained.Tokenizer.EncodeBatch(lines);
        var reference = RunSpmEncode(trained.Summary.ModelPath, lines);

        // Then the ids are the same, line by line
        Assert.Equal(lines.Count, reference.Count);
        for (var i = 0; i < lines.Count; i++)
            Assert.True(reference[i].SequenceEqual(ours[i]), $"line {i} differs: {lines[i]}");
    }

    private static List<int[]> RunSpmEncode(string model, List<string> lines)
    {
        var start = new ProcessStartInfo("spm_encode", ["--model", model, "--output_format=id"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("spm_encode did not start; scripts/setup.sh installs it (apt package sentencepiece)");
        var output = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Write(string.Join("\n", lines) + "\n");
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Result.Split('\n', StringSplitOptions.None).SkipLast(1)
            .Select(l => l.Length == 0 ? [] : l.Split(' ').Select(int.Parse).ToArray()).ToList();
    }
}
