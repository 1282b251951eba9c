using PolyGlot.Evaluation.Tasks;

namespace PolyGlot.Evaluation.Tests.Tasks;

public sealed class TaskLoaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pg-task-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("doc_to_text: \"{{premise}} {{hypothesis}}\"", "doc_to_text", "hypothesis")]
    [InlineData("output_type: ranking", "output_type", "ranking")]
    [InlineData("doc_to_target: \"{{label + 5}}\"", "doc_to_target", "outside the 2 choices")]
    public void RefusedWithOneLineNamingFileTaskAndField_When_TaskFileBad(string change, string field, string detail)
    {
        // Given a valid task file with one line replaced by a bad one
        File.WriteAllText(Path.Combine(_root, "d.jsonl"), """{"premise": "p", "choice1": "a", "choice2": "b", "label": 1}""" + "\n");
        var lines = new Dictionary<string, string>
        {
            ["task"] = "task: bad_copa", ["dataset_path"] = "dataset_path: d.jsonl", ["output_type"] = "output_type: multiple_choice",
            ["doc_to_text"] = "doc_to_text: \"{{premise}}\"", ["doc_to_target"] = "doc_to_target: label",
            ["doc_to_choice"] = "doc_to_choice: \"{{[choice1, choice2]}}\"",
        };
        lines[change[..change.IndexOf(':')]] = change;
        var path = Path.Combine(_root, "bad.yaml");
        File.WriteAllText(path, string.Join("\n", lines.Values));
        // When it is loaded
        var error = Assert.Throws<TaskFileException>(() => TaskLoader.Load(path));
        // Then one line names the file, the task, the field and what is wrong
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith($"{path}: task bad_copa: {field}: ", error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void Refused_When_FewshotSplitIsTheEvaluatedSplit()
    {
        File.WriteAllText(Path.Combine(_root, "d.jsonl"), """{"q": "p", "a": "x"}""" + "\n");
        var path = Path.Combine(_root, "t.yaml");
        File.WriteAllText(path, "task: t\ndataset_path: d.jsonl\noutput_type: generate_until\ndoc_to_text: q\ndoc_to_target: a\nfewshot_split: test\n");
        var error = Assert.Throws<TaskFileException>(() => TaskLoader.Load(path));
        Assert.Equal("fewshot_split", error.Field);
    }
}
