using PolyGlot.Model.Configuration;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Metrics;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Training.Tests.Trainer;

/// <summary>A tiny PolyLM run over <see cref="LearnableCorpus"/> in a temporary run directory.</summary>
internal sealed class TrainerHarness : IDisposable
{
    public const string TokenizerSha = "0123456789abcdef";

    public TrainerHarness(int totalSteps = 12, double dropout = 0.1, bool documentBoundaries = false)
    {
        RunDirectory = Directory.CreateTempSubdirectory("pg-trainer-").FullName;
        Config = new RunConfig
        {
            Name = "test",
            Model = new ModelConfig
            {
                Layout = "polylm", VocabSize = LearnableCorpus.Vocab, DModel = 32, NLayers = 2, NHeads = 2, FfnHidden = 64,
                MaxSeqLen = 16, InitStd = 0.02, Dropout = dropout,
            },
            Data = { SeqLen = 16, GlobalBatchSize = 8, Seed = 5, PrefetchBatches = 2 },
            Optimizer = { Lr = 1e-2, WeightDecay = 0.01 },
            Schedule = { WarmupSteps = 3, MinLr = 1e-3, TotalSteps = totalSteps },
            Training = { Device = "cpu", MicroBatchSize = 4, Seed = 11 },
            Checkpointing = { EverySteps = 4, KeepLast = 3 },
            Logging = { RunDir = RunDirectory },
        };
        Config.Data.DocumentBoundaries = documentBoundaries;
        Corpus = new LearnableCorpus(Config.Data.SeqLen, Config.Data.GlobalBatchSize, documentBoundaries);
    }

    public RunConfig Config { get; }

    public LearnableCorpus Corpus { get; }

    public string RunDirectory { get; }

    public string CheckpointDirectory => Config.Checkpointing.ResolveDir(RunDirectory);

    public RecordingObserver Observer { get; } = new();

    /// <summary>1-based steps whose loss the trainer makes NaN (its fault-test option).</summary>
    public HashSet<long> NonFiniteSteps { get; } = [];

    public TrainingOutcome Train(long? maxSteps = null, ResumeRequest? resume = null, CancellationToken stop = default)
    {
        var options = new TrainerOptions
        {
            RunDirectory = RunDirectory,
            MaxSteps = maxSteps,
            Resume = resume ?? new ResumeRequest(ResumeMode.Auto),
            TokenizerSha256 = TokenizerSha,
            InjectNonFiniteAtSteps = NonFiniteSteps,
        };
        return TrainingThread.Run(() =>
        {
            using var trainer = TrainingRun.Open(Config, Corpus.Plan, Corpus, options, Observer);
            return trainer.Run(stop);
        });
    }

    public void Dispose() => Directory.Delete(RunDirectory, recursive: true);
}

internal sealed class RecordingObserver : ITrainingObserver
{
    public List<string> Warnings { get; } = [];

    public List<StepReport> Steps { get; } = [];

    public List<TrainingStart> Starts { get; } = [];

    public void OnStart(TrainingStart start) => Starts.Add(start);

    /// <summary>Called after each step is recorded (e.g. to sample a counter between steps).</summary>
    public Action<StepReport>? AfterStep { get; set; }

    public void OnStep(StepReport report)
    {
        Steps.Add(report);
        AfterStep?.Invoke(report);
    }

    public void OnEval(EvalMetrics metrics)
    {
    }

    public void OnCheckpoint(long step, string directory)
    {
    }

    public void OnWarning(string message) => Warnings.Add(message);
}
