using PolyGlot.Model.Configuration;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Imported;

namespace PolyGlot.Training.Import;

/// <summary>
/// The tokenizers of one import: the folder's own (the base) and, when given, an extension of it
/// that the imported model will use. Checks that the extension keeps every base id and that the
/// model has a row for every id the tokenizer produces.
/// </summary>
internal sealed class ImportTokenizers : IDisposable
{
    /// <summary>Hugging Face files that carry the special tokens of a <c>tokenizer.json</c>; copied beside it.</summary>
    private static readonly string[] Companions = ["tokenizer_config.json", "special_tokens_map.json"];

    private ImportTokenizers(ITokenizer? baseTokenizer, ITokenizer used)
    {
        Base = baseTokenizer;
        Used = used;
    }

    /// <summary>The folder's tokenizer; null when the folder carries none.</summary>
    public ITokenizer? Base { get; }

    /// <summary>The tokenizer the imported checkpoint is trained and scored with.</summary>
    public ITokenizer Used { get; }

    public static ImportTokenizers Open(string folder, HfImportOptions options, ModelConfig config)
    {
        var basePath = TokenizerLoader.FindInFolder(folder);
        if (basePath is null && options.Tokenizer is null)
            throw new ImportException(folder,
                $"the folder carries no tokenizer ({string.Join(", ", TokenizerLoader.FolderFiles)} or a .tiktoken file); pass one with --tokenizer");
        var baseTokenizer = basePath is null ? null : Load(basePath);
        try
        {
            var used = options.Tokenizer is null ? baseTokenizer! : Load(options.Tokenizer);
            var result = new ImportTokenizers(baseTokenizer, used);
            result.Check(config, options);
            return result;
        }
        catch
        {
            baseTokenizer?.Dispose();
            throw;
        }
    }

    /// <summary>Copies the used tokenizer (and the special-token files beside a tokenizer.json) into <paramref name="directory"/>; returns its file name.</summary>
    public string CopyInto(string directory)
    {
        var name = Path.GetFileName(Used.ModelPath);
        File.Copy(Used.ModelPath, Path.Combine(directory, name));
        var source = Path.GetDirectoryName(Used.ModelPath)!;
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            foreach (var companion in Companions.Where(c => File.Exists(Path.Combine(source, c))))
                File.Copy(Path.Combine(source, companion), Path.Combine(directory, companion));
        return name;
    }

    /// <summary>For each id from <paramref name="baseRows"/> on, the base ids of its text (see <see cref="EmbeddingGrowth.BasePieces"/>).</summary>
    public IReadOnlyList<int[]> NewTokenPieces(int baseRows) => Base is null
        ? throw new ImportException(Used.ModelPath,
            "new tokens start from the base tokenizer's pieces, but the folder carries no tokenizer; use --new-token-init vocabulary-mean")
        : EmbeddingGrowth.BasePieces(Used, Base, baseRows);

    public void Dispose()
    {
        if (!ReferenceEquals(Used, Base))
            Used.Dispose();
        Base?.Dispose();
    }

    private void Check(ModelConfig config, HfImportOptions options)
    {
        if (options.Tokenizer is null)
        {
            if (Used.VocabSize > config.VocabSize)
                throw new ImportException(Used.ModelPath,
                    $"the tokenizer has {Used.VocabSize} ids but config.json's vocab_size is {config.VocabSize}; the model has no row for the rest");
            return;
        }
        if (Base is null)
            return;
        var shared = Math.Min(Base.VocabSize, Used.VocabSize);
        for (var id = 0; id < shared; id++)
        {
            if (Base.Decode([id]) != Used.Decode([id]))
                throw new ImportException(Used.ModelPath,
                    $"--tokenizer does not extend the model's tokenizer: id {id} is '{Used.Decode([id])}' there but '{Base.Decode([id])}' in the model's; "
                    + "make it with `polyglot tokenizer extend --base` from the model's tokenizer");
        }
        if (Used.VocabSize < Base.VocabSize)
            throw new ImportException(Used.ModelPath,
                $"--tokenizer has {Used.VocabSize} ids, fewer than the model's tokenizer ({Base.VocabSize}); an extension only adds ids");
        // New ids must get new rows; on a vocabulary padded beyond its tokenizer they would land on
        // the padding rows, which hold no trained meaning.
        if (Used.VocabSize > Base.VocabSize && config.VocabSize != Base.VocabSize)
            throw new ImportException(Used.ModelPath,
                $"config.json's vocab_size {config.VocabSize} differs from the model's tokenizer ({Base.VocabSize} ids); "
                + "extending a vocabulary with padding rows is not supported");
    }

    private static ITokenizer Load(string path)
    {
        try
        {
            return TokenizerLoader.Load(path);
        }
        catch (TokenizerException e)
        {
            throw new ImportException(path, e.Message, e);
        }
    }
}
