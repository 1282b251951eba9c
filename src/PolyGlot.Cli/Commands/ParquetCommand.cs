using System.CommandLine;
using PolyGlot.Parquet;
using PolyGlot.Parquet.Reading;

namespace PolyGlot.Cli.Commands;

/// <summary><c>polyglot parquet schema|head|stats FILE</c>: inspect Parquet files.</summary>
internal static class ParquetCommand
{
    public static Command Create()
    {
        var command = new Command("parquet", "Inspect Parquet files: schema, first rows as JSON lines, row group and column chunk statistics.");
        command.Subcommands.Add(Schema());
        command.Subcommands.Add(Head());
        command.Subcommands.Add(Stats());
        return command;
    }

    private static Command Schema()
    {
        var file = FileArgument();
        var command = new Command("schema", "Print the columns (name, type, nullability, list layout) and key/value metadata.") { file };
        command.SetAction(parse => Guarded(parse.GetValue(file)!, reader => ParquetInspection.PrintSchema(reader, Console.Out)));
        return command;
    }

    private static Command Head()
    {
        var file = FileArgument();
        var rows = new Option<int>("--rows", "-n") { Description = "Rows to print", DefaultValueFactory = _ => 10 };
        var columns = new Option<string?>("--columns", "-c") { Description = "Comma-separated column names (default: all)" };
        var command = new Command("head", "Print the first rows as JSON lines.") { file, rows, columns };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(rows);
            if (count < 0)
            {
                Serilog.Log.Error("parquet head: --rows must be >= 0 (got {Rows})", count);
                return 1;
            }
            var names = parse.GetValue(columns)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return Guarded(parse.GetValue(file)!, reader => ParquetInspection.PrintHead(reader, count, names, Console.Out));
        });
        return command;
    }

    private static Command Stats()
    {
        var file = FileArgument();
        var command = new Command("stats", "Print row groups, rows, codecs, encodings, sizes and column statistics.") { file };
        command.SetAction(parse => Guarded(parse.GetValue(file)!, reader => ParquetInspection.PrintStats(reader, Console.Out)));
        return command;
    }

    private static Argument<string> FileArgument() => new("file") { Description = "A Parquet file" };

    private static int Guarded(string path, Action<ParquetReader> action)
    {
        if (Directory.Exists(path))
        {
            Serilog.Log.Error("parquet: '{Path}' is a directory; pass one Parquet file inside it", path);
            return 1;
        }
        if (!File.Exists(path))
        {
            Serilog.Log.Error("parquet: file '{Path}' does not exist", path);
            return 1;
        }
        return CommandErrors.Run("parquet", () =>
        {
            using var reader = ParquetReader.Open(path);
            action(reader);
            return 0;
        });
    }
}
