using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PolyGlot.Training.Inference;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot score --checkpoint DIR --text ... [--json]</c>: the text's token ids and the
/// model's log-probability of each (after the end-of-document token), to compare with another
/// implementation of the same weights.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var checkpoint = ExportCommandSupport.CheckpointOption();
        var text = new Option<string>("--text") { Description = "Text to score", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON: token_ids, pieces, log_probs, total_log_prob, bits_per_byte" };
        var tokenizer = ExportCommandSupport.TokenizerOption();
        var command = new Command("score", "Per-token log-probabilities of a text under a checkpoint.");
        foreach (var option in new Option[] { checkpoint, text, json, tokenizer })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("score", () =>
            Run(parse.GetValue(checkpoint)!, parse.GetValue(text)!, parse.GetValue(json), parse.GetValue(tokenizer))));
        return command;
    }

    private static int Run(string checkpoint, string text, bool asJson, string? tokenizerPath)
    {
        if (string.IsNullOrEmpty(text))
            throw new ArgumentException("--text is empty; pass the text to score.");
        using var loaded = ExportCommandSupport.LoadModel(checkpoint);
        using var tokenizer = ExportCommandSupport.LoadTokenizer(loaded, tokenizerPath);
        var score = TextScore.Of(loaded.Model, tokenizer, text);
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                token_ids = score.TokenIds,
                pieces = score.Pieces,
                log_probs = score.LogProbs,
                total_log_prob = score.TotalLogProb,
                bits_per_byte = score.BitsPerByte,
            }));
            return 0;
        }
        for (var i = 0; i < score.TokenIds.Count; i++)
            Console.WriteLine($"{score.TokenIds[i],8}  {score.LogProbs[i].ToString("F4", CultureInfo.InvariantCulture),10}  {score.Pieces[i]}");
        Console.WriteLine($"total {score.TotalLogProb.ToString("F4", CultureInfo.InvariantCulture)} nats, " +
                          $"{score.LossPerToken.ToString("F4", CultureInfo.InvariantCulture)} per token, " +
                          $"{score.BitsPerByte.ToString("F4", CultureInfo.InvariantCulture)} bits per byte");
        return 0;
    }
}
