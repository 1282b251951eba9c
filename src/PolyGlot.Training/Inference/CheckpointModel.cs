using PolyGlot.Common.Configuration;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PolyGlot.Training.Inference;

/// <summary>
/// A model rebuilt from a training checkpoint for inference and export: the shape from the
/// checkpoint's resolved <c>config.yaml</c>, the weights from its <c>model.safetensors</c>, checked
/// name by name and shape by shape so that a checkpoint of another architecture is refused
/// instead of silently half-loaded.
/// </summary>
public sealed class CheckpointModel : IDisposable
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    private CheckpointModel(Checkpoint checkpoint, TransformerModel model, string tokenizerPath)
    {
        (Checkpoint, Model, TokenizerPath) = (checkpoint, model, tokenizerPath);
    }

    /// <summary>The verified checkpoint the weights came from.</summary>
    public Checkpoint Checkpoint { get; }

    /// <summary>The model, in evaluation mode (no dropout).</summary>
    public TransformerModel Model { get; }

    /// <summary>The tokenizer model file the run trained with (from the run config, relative paths as written).</summary>
    public string TokenizerPath { get; }

    /// <summary>
    /// Verifies <paramref name="directory"/> (complete, checksums match), builds the model its
    /// config describes on <paramref name="device"/> and loads every parameter.
    /// </summary>
    /// <exception cref="CheckpointException">Incomplete, corrupt, or its tensors do not match its config.</exception>
    public static CheckpointModel Load(string directory, Device? device = null)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new CheckpointException(directory, "no such directory; pass a checkpoint directory such as runs/demo/checkpoints/step-000100");
        var checkpoint = Checkpoint.Load(directory);
        var view = ParseConfig(checkpoint);
        var model = TransformerModel.Create(view.Model, device ?? Device.Cpu, seed: 0);
        try
        {
            LoadWeights(checkpoint, model);
            model.Training = false;
            return new CheckpointModel(checkpoint, model, view.Tokenizer.Path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Frees the model.</summary>
    public void Dispose() => Model.Dispose();

    private static RunView ParseConfig(Checkpoint checkpoint)
    {
        var source = Path.Combine(checkpoint.Directory, CheckpointFiles.Config);
        RunView view;
        try
        {
            view = Yaml.Deserialize<RunView>(checkpoint.ConfigYaml) ?? new RunView();
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new CheckpointException(checkpoint.Directory, $"{CheckpointFiles.Config} is not valid YAML: {e.Message}", e);
        }
        var errors = new ConfigErrors();
        view.Model.Validate(errors, "model");
        errors.ThrowIfAny(source);
        return view;
    }

    private static void LoadWeights(Checkpoint checkpoint, TransformerModel model)
    {
        using var weights = checkpoint.OpenModel();
        var expected = model.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var unexpected = weights.Names.Where(n => !expected.ContainsKey(n)).ToList();
        var missing = expected.Keys.Where(n => !weights.Contains(n)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw Mismatch(checkpoint, model.Config,
                $"missing [{string.Join(", ", missing.Take(5))}], unexpected [{string.Join(", ", unexpected.Take(5))}]");
        using var noGrad = new NoGradScope();
        foreach (var parameter in model.Parameters)
        {
            var shape = weights.Shape(parameter.Name);
            if (!shape.SequenceEqual(parameter.Shape))
                throw Mismatch(checkpoint, model.Config,
                    $"'{parameter.Name}' has shape [{string.Join(", ", shape)}], the config needs [{string.Join(", ", parameter.Shape)}]");
            weights.CopyInto(parameter.Name, parameter.Tensor);
        }
    }

    private static CheckpointException Mismatch(Checkpoint checkpoint, ModelConfig config, string detail) =>
        new(checkpoint.Directory,
            $"{CheckpointFiles.Model} does not hold the parameters of the model its {CheckpointFiles.Config} describes " +
            $"(layout {config.Layout}, {config.NLayers} layers, d_model {config.DModel}): {detail}. " +
            "The checkpoint is from another architecture or its config was edited; use the config it was trained with.");

    /// <summary>The parts of a run configuration inference needs; the rest of the file is ignored.</summary>
    private sealed class RunView
    {
        public ModelConfig Model { get; set; } = new();

        public Configuration.TokenizerConfig Tokenizer { get; set; } = new();
    }
}
