using System.CommandLine;
using PolyGlot.Cli.Commands;
using PolyGlot.Cli.Logging;
using Spectre.Console;

namespace PolyGlot.Cli;

/// <summary>Entry point of the <c>polyglot</c> command.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command.</summary>
    public static int Main(string[] args)
    {
        Log.ConfigureConsole();
        // Tables written to a file or a pipe (CI logs, the GPU check's log) would otherwise wrap at 80 columns, cell by
        // cell; COLUMNS, where set, still decides.
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : 200;
        try
        {
            return BuildRoot().Parse(args).Invoke();
        }
        finally
        {
            Serilog.Log.CloseAndFlush();
        }
    }

    /// <summary>The command tree; each area of the product contributes one command.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("PolyGlot: pretrain multilingual decoder-only language models.");
        foreach (var command in CommandCatalog.All())
            root.Subcommands.Add(command);
        return root;
    }
}
