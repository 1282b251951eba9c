using System.CommandLine;

namespace PolyGlot.Cli.Commands;

/// <summary><c>polyglot bench &lt;area&gt;</c>: performance measurements that print their figures.</summary>
internal static class BenchCommand
{
    /// <summary>The bench subcommands; each area adds one line here.</summary>
    private static IEnumerable<Command> Subcommands()
    {
        yield return BenchOpsCommand.Create();
        yield return BenchParquetCommand.Create();
        yield return BenchLoaderCommand.Create();
        yield return BenchTrainCommand.Create();
        yield return BenchTrainScaling.CreateRankCommand();
        yield return BenchTokenizeCommand.Create();
        yield return BenchExportCommand.Create();
        yield return BenchAllReduceCommand.Create();
        yield return BenchGenerateCommand.Create();
        yield return BenchCheckpointCommand.Create();
    }

    public static Command Create()
    {
        var command = new Command("bench", "Measure performance (per-op overhead, data paths, training) and print the figures.");
        foreach (var subcommand in Subcommands())
            command.Subcommands.Add(subcommand);
        return command;
    }
}
