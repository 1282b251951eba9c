using PolyGlot.Training.Checkpointing;

namespace PolyGlot.Training.Tests.Checkpointing;

public sealed class CheckpointFilesTests
{
    [Theory]
    [InlineData(0, "step-000000")]
    [InlineData(123, "step-000123")]
    [InlineData(152_588, "step-152588")]
    [InlineData(12_345_678, "step-12345678")]
    public void PadsToSixDigits_When_Named(long step, string name)
    {
        Assert.Equal(name, CheckpointFiles.DirectoryName(step));
        Assert.Equal(step, CheckpointFiles.StepOf(name));
    }

    [Theory]
    [InlineData(".tmp-step-000001-9-abc")]
    [InlineData("step-")]
    [InlineData("step-12a")]
    [InlineData("latest")]
    public void IsNotCheckpoint_When_NameDiffers(string name)
    {
        Assert.Null(CheckpointFiles.StepOf(name));
    }

    [Theory]
    [InlineData("auto", ResumeMode.Auto, null)]
    [InlineData("NONE", ResumeMode.None, null)]
    [InlineData("runs/x/checkpoints/step-000100", ResumeMode.Path, "runs/x/checkpoints/step-000100")]
    public void ParsesResumeValue_When_Given(string value, ResumeMode mode, string? target)
    {
        Assert.Equal(new ResumeRequest(mode, target), ResumeRequest.Parse(value));
    }
}
