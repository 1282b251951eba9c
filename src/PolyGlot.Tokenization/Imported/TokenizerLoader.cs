namespace PolyGlot.Tokenization.Imported;

/// <summary>
/// Loads a tokenizer by its file: a SentencePiece <c>.model</c> through the native binding, a
/// Hugging Face byte-level BPE <c>tokenizer.json</c> (GPT-2, Llama 3, Qwen style) or a
/// <c>.tiktoken</c> rank file through Microsoft.ML.Tokenizers. The one place that decides which
/// implementation serves a tokenizer file.
/// </summary>
public static class TokenizerLoader
{
    /// <summary>The file names a Hugging Face model folder carries its tokenizer in, in the order they are preferred.</summary>
    public static IReadOnlyList<string> FolderFiles { get; } = [Training.TokenizerTrainer.ModelFileName, HuggingFace.HfTokenizerJson.FileName];

    /// <summary>Loads <paramref name="path"/>, choosing the implementation by its name and contents.</summary>
    /// <exception cref="TokenizerException">The file is missing or in none of the supported formats.</exception>
    public static ITokenizer Load(string path)
    {
        if (!File.Exists(path))
            throw new TokenizerException(
                $"Tokenizer {path} does not exist; train one with `polyglot tokenizer train`, or check the path (a SentencePiece .model, tokenizer.json or .tiktoken file).");
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return ByteLevelBpeTokenizer.LoadJson(path);
        if (path.EndsWith(".tiktoken", StringComparison.OrdinalIgnoreCase))
            return ByteLevelBpeTokenizer.LoadTiktoken(path);
        return SentencePieceTokenizer.Load(path);
    }

    /// <summary>The tokenizer file inside a Hugging Face model folder (or a <c>.tiktoken</c> file there), or null.</summary>
    public static string? FindInFolder(string folder)
    {
        foreach (var name in FolderFiles)
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
                return path;
        }
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.tiktoken").Order(StringComparer.Ordinal).FirstOrDefault() : null;
    }
}
