namespace PolyGlot.Cli.Tests;

public sealed class ProgramTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ListsEveryCommand_When_HelpIsAsked()
    {
        var result = PolyglotProcess.Run(_dir.Path, "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "tokenizer", "parquet", "prepare", "train", "bench", "export", "generate", "eval", "score" })
            Assert.Contains($"  {command} ", result.StdOut);
    }

    [Fact]
    public void FailsNamingArgument_When_CommandIsUnknown()
    {
        var result = PolyglotProcess.Run(_dir.Path, "trian");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Unrecognized command or argument 'trian'", result.StdErr + result.StdOut);
    }

    [Fact]
    public void ParsesSubcommandAndOptions_When_RootIsBuiltInProcess()
    {
        var parse = Program.BuildRoot().Parse(["parquet", "head", "file.parquet", "--rows", "3", "--columns", "a,b"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("head", parse.CommandResult.Command.Name);
    }
}
