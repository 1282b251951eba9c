using System.CommandLine;

namespace PolyGlot.Cli.Commands;

/// <summary>The top-level commands, in the order <c>polyglot --help</c> lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return TokenizerCommand.Create();
        yield return ParquetCommand.Create();
        yield return PrepareCommand.Create();
        yield return TrainCommand.Create();
        yield return LaunchCommand.Create();
        yield return ReportCommand.Create();
        yield return BenchCommand.Create();
        yield return ExportCommand.Create();
        yield return ImportCommand.Create();
        yield return GenerateCommand.Create();
        yield return EvalCommand.Create();
        yield return ScoreCommand.Create();
        yield return DoctorCommand.Create();
        yield return ParityCommand.Create();
        yield break;
    }
}
