using PolyGlot.Data.Corpus;

namespace PolyGlot.Data.Tests.Corpus;

public sealed class LanguageCorpusTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-langcorpus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void EachLanguageGathersItsDocumentsFromEverySource_When_SourcesAreRegrouped()
    {
        // Given a German text source, a JSONL source with languages per row, and en-de pairs
        var sources = new List<CorpusSourceConfig>
        {
            new() { Name = "de", Path = Write("de.txt", "Hallo\n"), Lang = "de" },
            new() { Name = "mixed", Path = Write("m.jsonl", "{\"text\":\"Bonjour\",\"lang\":\"fr\"}\n{\"text\":\"Tschüss\",\"lang\":\"de\"}\n"),
                Format = CorpusFormats.Jsonl, LangField = "lang" },
            new() { Name = "pairs", Path = Write("p.tsv", "Hello\tHallo Welt\n"), Format = CorpusFormats.TsvPairs, SrcLang = "en", TgtLang = "de" },
        };

        // When they are grouped by language
        var languages = LanguageCorpus.ByLanguage(sources).ToDictionary(l => l.Language, l => l.OpenDocuments().ToList());

        // Then every language has its documents, both sides of pairs included
        Assert.Equal(["de", "en", "fr"], languages.Keys.Order());
        Assert.Equal(["Hallo", "Tschüss", "Hallo Welt"], languages["de"]);
        Assert.Equal(["Hello"], languages["en"]);
        Assert.Equal(["Bonjour"], languages["fr"]);
    }

    [Fact]
    public void EnglishSideComesFirst_When_EnglishIsTheTargetOfAPair()
    {
        var sources = new List<CorpusSourceConfig>
        {
            new() { Name = "de-en", Path = Write("p.tsv", "Hallo\tHello\n"), Format = CorpusFormats.TsvPairs, SrcLang = "de", TgtLang = "en" },
            new() { Name = "de-fr", Path = Write("q.tsv", "Hallo\tSalut\n"), Format = CorpusFormats.TsvPairs, SrcLang = "de", TgtLang = "fr" },
        };

        var parallel = Assert.Single(LanguageCorpus.EnglishParallel(sources));

        Assert.Equal(("de-en", "de"), (parallel.Set, parallel.Language));
        Assert.Equal(("Hello", "Hallo"), Assert.Single(parallel.Pairs));
    }
}
