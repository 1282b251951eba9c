using PolyGlot.Evaluation.Running;
using PolyGlot.Evaluation.Tasks;
using PolyGlot.TestSupport;

namespace PolyGlot.Evaluation.Tests.Running;

public sealed class TaskRunnerTests(LearnedModel learned) : IClassFixture<LearnedModel>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pg-eval-").FullName;

    // A COPA task file in lm-evaluation-harness's field layout, unchanged but for the templates being Jinja strings
    // and the delimiters being ones the character model knows.
    private const string CopaYaml = """
        task: copa_letters
        dataset_path: json
        dataset_kwargs:
          data_files:
            train: train.jsonl
            validation: val.jsonl
        output_type: multiple_choice
        training_split: train
        validation_split: validation
        doc_to_text: "{{premise}}{{question}}"
        doc_to_target: label
        doc_to_choice: "{{[choice1, choice2]}}"
        target_delimiter: ""
        fewshot_delimiter: ";"
        metric_list:
          - metric: acc
            aggregation: mean
            higher_is_better: true
        metadata:
          version: 1.0
        language: en
        """;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void CopaStyleTaskScoresPerfectly_When_ModelKnowsTheAnswers()
    {
        // Given a COPA-layout task whose right choice is the letter after the premise, in either position
        var task = WriteCopa(seed: 1);
        // When it runs, with two-shot contexts too
        var zero = new TaskRunner(learned.Lm, new RunOptions(BatchSize: 4)).Run(task);
        var twoShot = new TaskRunner(learned.Lm, new RunOptions(NumFewshot: 2, BatchSize: 4)).Run(task);
        // Then every answer is right
        Assert.Equal(1.0, zero.Metrics.Single(m => m.Name == "acc").Value);
        Assert.Equal(1.0, twoShot.Metrics.Single(m => m.Name == "acc").Value);
        Assert.Equal(24, zero.Samples);
    }

    [Fact]
    public void FourWayAccuracyIsOne_When_LabelsRight_AndNearChance_When_Shuffled()
    {
        // Given a four-choice task on the learned pattern, and the same with labels drawn at random
        var right = Load(WriteFourWay("right", shuffle: false));
        var shuffled = Load(WriteFourWay("shuffled", shuffle: true));
        var runner = new TaskRunner(learned.Lm, new RunOptions(BatchSize: 8));
        // When both run
        var acc = runner.Run(right).Metrics.ToDictionary(m => m.Name);
        var chance = runner.Run(shuffled).Metrics.Single(m => m.Name == "acc").Value;
        // Then the right labels score 1 (and acc_norm, acc_bytes with them), the shuffled ones near 1/4
        Assert.Equal(1.0, acc["acc"].Value);
        Assert.Equal(1.0, acc["acc_norm"].Value);
        Assert.Equal(1.0, acc["acc_bytes"].Value);
        Assert.InRange(chance, 0.05, 0.5);
    }

    [Fact]
    public void GreedyGenerationStopsAtStopSequence_When_PatternLearned()
    {
        // Given the context "c>" and the stop sequence ";"
        var text = Generator.GenerateUntil(learned.Lm, "c>", [";"], maxGenToks: 6);
        // Then the model writes the next letter and stops before the ';'
        Assert.Equal("d", text);
    }

    [Fact]
    public void BatchedLogLikelihoodsEqualOneAtATime_When_LengthsDiffer()
    {
        // Given requests of different lengths, one longer than the window
        var requests = new[] { "a>b;c>", "k>", string.Concat(Enumerable.Repeat("a>b;", 10)) + "x>" }
            .Select(c => learned.Lm.EncodePair(c, "d")).ToList();
        // When scored in one padded batch and one at a time
        var batched = learned.Lm.LogLikelihoods(requests, batchSize: 3);
        var single = requests.Select(r => learned.Lm.LogLikelihoods([r], 1)[0]).ToList();
        // Then the values agree to float precision
        for (var i = 0; i < requests.Count; i++)
            Assert.Equal(single[i].Value, batched[i].Value, 1e-5);
    }

    private EvalTask WriteCopa(int seed)
    {
        var random = new Random(seed);
        string Docs(IEnumerable<char> letters) => string.Join("\n", letters.Select((l, i) =>
        {
            var wrong = (char)('a' + (l - 'a' + 5) % 24);
            var label = random.Next(2);
            var (c1, c2) = label == 0 ? (LearnedModel.Next(l), wrong) : (wrong, LearnedModel.Next(l));
            return $$"""{"premise": "{{l}}", "choice1": "{{c1}}", "choice2": "{{c2}}", "question": ">", "label": {{label}}, "idx": {{i}}}""";
        }));
        File.WriteAllText(Path.Combine(_root, "train.jsonl"), Docs("abcdef"));
        File.WriteAllText(Path.Combine(_root, "val.jsonl"), Docs(Enumerable.Range(0, 24).Select(i => (char)('a' + i))));
        File.WriteAllText(Path.Combine(_root, "copa.yaml"), CopaYaml);
        return TaskLoader.Load(Path.Combine(_root, "copa.yaml"));
    }

    private string WriteFourWay(string name, bool shuffle)
    {
        var random = new Random(11);
        var lines = new List<string> { "letter\tA\tB\tC\tD\tanswer" };
        for (var i = 0; i < 46; i++)
        {
            var letter = (char)('a' + i % 23);
            var choices = Enumerable.Range(0, 4).Select(k => (char)('a' + (letter - 'a' + 1 + 6 * k) % 24)).OrderBy(_ => random.Next()).ToList();
            var gold = shuffle ? random.Next(4) : choices.IndexOf(LearnedModel.Next(letter));
            lines.Add($"{letter}\t{string.Join('\t', choices)}\t{gold}");
        }
        File.WriteAllLines(Path.Combine(_root, name + ".tsv"), lines);
        File.WriteAllText(Path.Combine(_root, name + ".yaml"), $"""
            task: four_{name}
            dataset_path: {name}.tsv
            output_type: multiple_choice
            doc_to_text: "{"{{letter}}"}>"
            doc_to_choice: ["{"{{A}}"}", "{"{{B}}"}", "{"{{C}}"}", "{"{{D}}"}"]
            doc_to_target: answer
            target_delimiter: ""
            language: en
            """);
        return Path.Combine(_root, name + ".yaml");
    }

    private static EvalTask Load(string path) => TaskLoader.Load(path);
}
