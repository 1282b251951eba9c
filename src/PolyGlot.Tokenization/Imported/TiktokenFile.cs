using System.Security.Cryptography;
using Microsoft.ML.Tokenizers;
using PolyGlot.Common.IO;

namespace PolyGlot.Tokenization.Imported;

/// <summary>
/// A tiktoken rank file (base64 token bytes and rank per line) loaded with Microsoft.ML.Tokenizers.
/// The file holds only ranks: the split pattern and the special tokens belong to the encoding,
/// so the file's name must be the encoding's (<c>o200k_base.tiktoken</c>, <c>cl100k_base.tiktoken</c>, ...);
/// the library supplies those for the model that uses the encoding.
/// </summary>
internal static class TiktokenFile
{
    /// <summary>Encoding name -> a model name the library associates with it.</summary>
    private static readonly Dictionary<string, string> ModelOf = new(StringComparer.Ordinal)
    {
        ["o200k_base"] = "gpt-4o",
        ["cl100k_base"] = "gpt-4",
        ["p50k_base"] = "text-davinci-003",
        ["r50k_base"] = "davinci",
    };

    public static ByteLevelBpeTokenizer Load(string path)
    {
        var encoding = Path.GetFileNameWithoutExtension(path);
        if (!ModelOf.TryGetValue(encoding, out var model))
            throw new TokenizerException(
                $"{path}: a .tiktoken file is named for its encoding, which fixes the split pattern and special tokens; '{encoding}' is not one of " +
                $"{string.Join(", ", ModelOf.Keys.Select(k => k + ".tiktoken"))}. Rename the file to its encoding's name.");
        TiktokenTokenizer tokenizer;
        try
        {
            using var stream = File.OpenRead(path);
            tokenizer = TiktokenTokenizer.CreateForModel(model, stream);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new TokenizerException($"{path} is not a tiktoken rank file ({e.Message}).", e);
        }
        try
        {
            return Wrap(tokenizer, path, () => File.OpenRead(path), () => FileHash.Sha256Hex(path));
        }
        catch (FormatException e)
        {
            throw new TokenizerException($"{path}: a line's rank is not a number ({e.Message}); each line is 'base64-token rank'.", e);
        }
    }

    /// <summary>
    /// A tokenizer of <paramref name="encoding"/> built by the library from data it carries (e.g.
    /// the o200k_base package); <paramref name="openRanks"/> opens that encoding's rank file.
    /// </summary>
    public static ByteLevelBpeTokenizer BuiltIn(string encoding, Func<Stream> openRanks) =>
        Wrap(TiktokenTokenizer.CreateForEncoding(encoding), encoding, openRanks, () =>
        {
            using var stream = openRanks();
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });

    private static ByteLevelBpeTokenizer Wrap(TiktokenTokenizer tokenizer, string name, Func<Stream> openRanks, Func<string> sha256)
    {
        var special = tokenizer.SpecialTokens ?? new Dictionary<string, int>();
        var vocabSize = Math.Max(MaxRank(openRanks), special.Count == 0 ? 0 : special.Values.Max()) + 1;
        var eos = special.TryGetValue("<|endoftext|>", out var id) ? id : -1;
        // The encodings named here split by GPT-2's pattern (r50k, p50k), Llama 3's (cl100k) or o200k's, which like
        // Llama 3's never goes on from a character other than white space into a space.
        var cuts = special.Keys.Any(t => t.Any(char.IsWhiteSpace)) ? TextCuts.None : TextCuts.BeforeSpaceAfterNonWhiteSpace;
        return new ByteLevelBpeTokenizer(tokenizer, i => i >= 0 && i < vocabSize ? tokenizer.Decode([i]) : null, name, vocabSize,
            new SpecialTokens(PadId: -1, BosId: -1, EosId: eos, UnkId: -1), cuts, sha256);
    }

    // The library keeps its rank table to itself; the largest rank is read from the file's second
    // column, or is the line's index where lines hold the token alone (as the data packages ship them).
    private static int MaxRank(Func<Stream> openRanks)
    {
        using var reader = new StreamReader(openRanks());
        int max = -1, index = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
                continue;
            var space = line.LastIndexOf(' ');
            max = Math.Max(max, space < 0 ? index : int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture));
            index++;
        }
        return max;
    }
}
