using PolyGlot.Training.Checkpointing;

namespace PolyGlot.Training.Tests.Checkpointing;

public sealed class CheckpointCompatibilityTests : IDisposable
{
    private readonly CheckpointFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Resumes_When_ShapeAndTokenizerMatch()
    {
        _fixture.Save(10);
        var checkpoint = _fixture.Store.FindNewestValid()!;

        var error = Record.Exception(() =>
            checkpoint.EnsureResumableBy(CheckpointCompatibility.Of(CheckpointFixture.Model(), CheckpointFixture.TokenizerSha.ToUpperInvariant())));

        Assert.Null(error);
    }

    [Fact]
    public void NamesEachDifference_When_ModelShapeAndTokenizerChanged()
    {
        // Given a checkpoint of d_model 16 and a run with d_model 32 and another tokenizer
        _fixture.Save(10);
        var checkpoint = _fixture.Store.FindNewestValid()!;
        var model = CheckpointFixture.Model();
        model.DModel = 32;

        // When
        var e = Assert.Throws<CheckpointException>(() =>
            checkpoint.EnsureResumableBy(CheckpointCompatibility.Of(model, new string('b', 64))));

        // Then both differences are named with their values
        Assert.Contains("model.d_model: the checkpoint has 16, the run has 32", e.Message);
        Assert.Contains($"tokenizer: the checkpoint was trained with sha256 {CheckpointFixture.TokenizerSha}", e.Message);
        Assert.DoesNotContain("model.n_layers", e.Message);
    }

    [Fact]
    public void IgnoresTrainingSettings_When_OnlyHyperParametersDiffer()
    {
        var model = CheckpointFixture.Model();
        model.InitStd = 0.5;
        model.Dropout = 0.1;

        Assert.Empty(CheckpointCompatibility.Of(CheckpointFixture.Model(), "x").Differences(CheckpointCompatibility.Of(model, "x")));
    }
}
