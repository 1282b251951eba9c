using PolyGlot.Cli.Progress;
using PolyGlot.Training.Metrics;
using Spectre.Console;

namespace PolyGlot.Cli.Tests.Progress;

public sealed class TrainingProgressTests
{
    private static readonly TrainingProgressOptions Options = new("demo", TotalSteps: 30, StartStep: 0, LogEverySteps: 10);

    private static StepMetrics Step(long step, bool skipped = false) => new()
    {
        Step = step, Loss = 4.123456, Lr = 0.0029, GradNorm = 0.8412, TokensPerSecond = 12345.6, Skipped = skipped,
        CurriculumShares = new Dictionary<string, double> { ["english"] = 0.4, ["non-english"] = 0.48, ["bilingual"] = 0.12 },
    };

    [Fact]
    public void ShowsEveryFigure_When_LineFormatted()
    {
        var line = ProgressLine.Format(Step(120), 300);

        Assert.Equal("step 120/300 | loss 4.1235 | lr 2.90e-03 | grad 0.84 | 12,346 tok/s | english 40% non-english 48% bilingual 12%", line);
    }

    [Fact]
    public void AddsMfu_When_Known()
    {
        var metrics = new StepMetrics { Step = 1, Mfu = 0.4123 };

        Assert.Contains("| MFU 41.2%", ProgressLine.Format(metrics, 10));
    }

    [Fact]
    public void WritesEveryNthFirstLastAndSkipped_When_Plain()
    {
        // Given a plain display logging every 10 steps of 30
        var lines = new List<string>();
        var progress = new PlainTrainingProgress(Options, lines.Add);

        // When all 30 steps report, step 15 skipped
        for (var s = 1; s <= 30; s++)
            progress.Report(Step(s, skipped: s == 15));

        // Then the first, 10th, 15th (skipped), 20th and 30th are written
        Assert.Equal(["step 1/30", "step 10/30", "step 15/30", "step 20/30", "step 30/30"], lines.Select(l => l[..l.IndexOf(" |", StringComparison.Ordinal)]));
        Assert.EndsWith("skipped by the loss guard", lines[2]);
    }

    [Fact]
    public void WritesTheFirstStepRun_When_Resumed()
    {
        // Given a plain display of a run resumed after step 12 of 30
        var lines = new List<string>();
        var progress = new PlainTrainingProgress(Options with { StartStep = 12 }, lines.Add);

        // When steps 13..30 report
        for (var s = 13; s <= 30; s++)
            progress.Report(Step(s));

        // Then the first step of this process, every 10th and the last are written
        Assert.Equal(["step 13/30", "step 20/30", "step 30/30"], lines.Select(l => l[..l.IndexOf(" |", StringComparison.Ordinal)]));
    }

    [Fact]
    public void UsesPlainLines_When_TerminalNotInteractive()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(new StringWriter()),
        });
        var lines = new List<string>();

        var result = TrainingProgress.Run(Options, p => { p.Report(Step(1)); return 7; }, lines.Add, console);

        Assert.Equal(7, result);
        Assert.StartsWith("step 1/30 | loss 4.1235", Assert.Single(lines));
    }

    [Fact]
    public void RendersLiveBar_When_TerminalInteractive()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Interactive = InteractionSupport.Yes, Ansi = AnsiSupport.Yes, Out = new AnsiConsoleOutput(output),
        });
        var lines = new List<string>();

        TrainingProgress.Run(Options, p => { p.Report(Step(30)); return 0; }, lines.Add, console);

        Assert.Empty(lines);
        Assert.Contains("step 30/30", output.ToString());
    }
}
