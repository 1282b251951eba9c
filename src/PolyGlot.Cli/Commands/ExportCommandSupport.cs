using System.CommandLine;
using PolyGlot.Common.Configuration;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Imported;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Export;
using PolyGlot.Training.Inference;

namespace PolyGlot.Cli.Commands;

/// <summary>What <c>export</c>, <c>generate</c>, <c>eval</c> and <c>score</c> share: the checkpoint and tokenizer options.</summary>
internal static class ExportCommandSupport
{
    public static Option<string> CheckpointOption() => new("--checkpoint")
    {
        Description = "A checkpoint directory (step-000100), or a directory of checkpoints (its newest complete one is used)",
        Required = true,
    };

    public static Option<string?> TokenizerOption() => new("--tokenizer")
    {
        Description = "Tokenizer file: SentencePiece .model, tokenizer.json or .tiktoken (default: tokenizer.path of the checkpoint's config)",
    };

    /// <summary>
    /// <paramref name="path"/> itself when it is a checkpoint, else the newest complete checkpoint
    /// inside it (a run's <c>checkpoints/</c> directory).
    /// </summary>
    public static string ResolveCheckpoint(string path)
    {
        if (File.Exists(Path.Combine(path, CheckpointFiles.Manifest)) || !Directory.Exists(path))
            return path;
        var store = new CheckpointStore(path, warning => Serilog.Log.Warning("{Warning}", warning));
        if (store.List().Count == 0)
            return path;
        return store.FindNewestValid()?.Directory
               ?? throw new CheckpointException(path, "no complete checkpoint in this directory; train further or pass one checkpoint directory");
    }

    public static CheckpointModel LoadModel(string checkpoint)
    {
        var directory = ResolveCheckpoint(checkpoint);
        Serilog.Log.Information("Loading checkpoint {Directory}", directory);
        return CheckpointModel.Load(directory);
    }

    public static ITokenizer LoadTokenizer(CheckpointModel model, string? overridePath)
    {
        var path = overridePath ?? model.TokenizerPath;
        if (!File.Exists(path))
            throw new ArgumentException(
                $"The tokenizer model {path} does not exist (from {(overridePath is null ? "the checkpoint's config, tokenizer.path" : "--tokenizer")}); " +
                "run from the directory training ran in, or pass --tokenizer FILE.");
        var tokenizer = TokenizerLoader.Load(path);
        if (tokenizer.VocabSize > model.Model.Config.VocabSize)
        {
            tokenizer.Dispose();
            throw new ArgumentException($"The tokenizer {path} has {tokenizer.VocabSize} ids but the model's vocab_size is only {model.Model.Config.VocabSize}; pass the tokenizer it was trained with.");
        }
        return tokenizer;
    }
}
