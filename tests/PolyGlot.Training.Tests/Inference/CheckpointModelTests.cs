using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Inference;
using PolyGlot.Training.Tests.Export;

namespace PolyGlot.Training.Tests.Inference;

[Collection(ExportCollection.Name)]
public sealed class CheckpointModelTests(ExportFixture fixture)
{
    [Fact]
    public void SameLogProbs_When_LoadedFromCheckpoint()
    {
        // Given a checkpoint of a random llama model
        using var model = ExportFixture.RandomModel(fixture.Llama());
        var directory = fixture.SaveCheckpoint(model);
        // When it is loaded for inference
        using var loaded = CheckpointModel.Load(directory);
        // Then it computes exactly what the saved model computes, and knows its tokenizer
        var ids = fixture.TextIds()[1];
        Assert.Equal(TokenScorer.TokenLogProbs(model, ids), TokenScorer.TokenLogProbs(loaded.Model, ids));
        Assert.Equal(fixture.TokenizerPath, loaded.TokenizerPath);
        Assert.False(loaded.Model.Training);
    }

    [Fact]
    public void LoadRefused_When_CheckpointIncomplete()
    {
        // Given a checkpoint whose completion marker is missing (an interrupted write)
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        var directory = fixture.SaveCheckpoint(model);
        File.Delete(Path.Combine(directory, CheckpointFiles.Complete));
        // When it is loaded
        var error = Assert.Throws<CheckpointException>(() => CheckpointModel.Load(directory));
        // Then the error names the checkpoint and says it is incomplete
        Assert.Contains(directory, error.Message);
        Assert.Contains("incomplete", error.Message);
    }

    [Fact]
    public void LoadRefused_When_CheckpointDirectoryMissing()
    {
        // Given a path where no checkpoint exists
        var directory = fixture.NewDirectory("absent");
        // When it is loaded
        var error = Assert.Throws<CheckpointException>(() => CheckpointModel.Load(directory));
        // Then the error names the path
        Assert.Contains(directory, error.Message);
    }

    [Fact]
    public void LoadRefused_When_WeightsFromAnotherArchitecture()
    {
        // Given a checkpoint holding polylm weights while its config describes a llama model
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        var directory = fixture.SaveCheckpoint(model, configured: fixture.Llama());
        // When it is loaded
        var error = Assert.Throws<CheckpointException>(() => CheckpointModel.Load(directory));
        // Then the error says the weights do not fit the described architecture and names a missing tensor
        Assert.Contains("another architecture", error.Message);
        Assert.Contains("layout llama", error.Message);
        Assert.Contains("mlp.gate.weight", error.Message);
    }
}
