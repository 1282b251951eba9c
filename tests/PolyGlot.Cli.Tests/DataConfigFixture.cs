namespace PolyGlot.Cli.Tests;

/// <summary>
/// A small English text source and a data configuration for <c>polyglot tokenizer</c> and
/// <c>polyglot prepare</c>, written into a working directory; optionally with a second source
/// whose file does not exist.
/// </summary>
internal static class DataConfigFixture
{
    private static readonly string[] Words =
        "the quick brown fox jumps over a lazy dog while every model reads long text in many languages before training ends".Split(' ');

    public const int Lines = 300;

    public static void Write(TempDirectory dir, bool withMissingSource)
    {
        var random = new Random(1234);
        dir.Write("corpus/en.txt", string.Join('\n', Enumerable.Range(0, Lines)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 12).Select(_ => Words[random.Next(Words.Length)])))) + "\n");
        var ghost = withMissingSource
            ? """
                - name: ghost
                  path: corpus/ghost.txt
                  lang: de
              """
            : "";
        dir.Write("data.yaml", $"""
            sources:
              - name: english
                path: corpus/en.txt
                lang: en
            {ghost}
            tokenizer:
              output: out/tokenizer
              vocab_size: 320
            prepare:
              tokenizer: out/tokenizer/tokenizer.model
              output: out/shards
            """);
    }
}
