using PolyGlot.Evaluation.Tasks;

namespace PolyGlot.Evaluation.Reporting;

/// <summary>
/// Finds task files from what a user types: a path to a YAML file, a directory (every task file
/// in it), or the name of a built-in task, looked up as <c>tasks/**/NAME.yaml</c> in the current
/// directory or the nearest one above it (or above the program) that has a <c>tasks</c> folder.
/// </summary>
public static class TaskCatalog
{
    /// <summary>The task files <paramref name="spec"/> names.</summary>
    /// <exception cref="TaskFileException">Nothing of that name.</exception>
    public static IReadOnlyList<string> Resolve(string spec)
    {
        if (File.Exists(spec))
            return [spec];
        if (Directory.Exists(spec))
            return Yamls(spec);
        foreach (var root in Roots())
        {
            var matches = Yamls(root).Where(f => Path.GetFileNameWithoutExtension(f) == spec).ToList();
            if (matches.Count > 0)
                return matches;
            var group = Path.Combine(root, spec);
            if (Directory.Exists(group))
                return Yamls(group);
        }
        throw new TaskFileException(spec, spec, "--tasks", "no such task file, directory or built-in task (see tasks/ and docs/evaluation.md)");
    }

    private static List<string> Yamls(string directory) =>
        Directory.EnumerateFiles(directory, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    private static IEnumerable<string> Roots()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, "tasks")))
                {
                    yield return Path.Combine(dir.FullName, "tasks");
                    break;
                }
    }
}
