using System.IO.Compression;
using System.Text;
using PolyGlot.TestSupport;

namespace PolyGlot.Data.Tests.Preparation;

/// <summary>
/// data/polylm-corpus/make-polylm-corpus.py run on a small made-up extraction: held-out text is the
/// contiguous tail of each file, interface catalogs are deduplicated across sources and lose their
/// mostly-placeholder lines, no held-out text is trained on, and a rebuild is byte-identical.
/// </summary>
public sealed class PolyLmCorpusBuildTests : IClassFixture<PolyLmCorpusBuildTests.Build>
{
    private readonly Build _build;

    public PolyLmCorpusBuildTests(Build build) => _build = build;

    [Fact]
    public void HeldOutIsTheLastFivePercentOfTheKeptLines_When_AnInterfaceCatalogIsBuilt()
    {
        // Given Firefox's Thai catalog: 40 lines, one already in LibreOffice's, one mostly placeholders
        var kept = Build.FirefoxThai.Where(l => l != Build.SharedThai && l != Build.PlaceholderThai).ToList();

        // When built
        var training = _build.Lines("mono/firefox/th.txt.gz");
        var heldOut = _build.Lines("heldout/mono/firefox/th.txt.gz");

        // Then the held-out text is the last 5% of the 38 kept lines (1), and training is the rest, in order
        Assert.Equal(kept.TakeLast(1), heldOut);
        Assert.Equal(kept.SkipLast(1), training);
    }

    [Fact]
    public void ASentenceIsKeptInTheFirstCatalogOnly_When_TwoInterfaceSourcesHaveIt()
    {
        // Given a Thai sentence in LibreOffice's catalog and in Firefox's, and a Thai translation in both pair files
        // When built
        var loui = _build.Lines("mono/loui/th.txt.gz");
        var firefox = _build.Lines("mono/firefox/th.txt.gz").Concat(_build.Lines("heldout/mono/firefox/th.txt.gz"));
        var firefoxPairs = _build.Lines("pairs/firefox.en-th.tsv.gz").Concat(_build.Lines("heldout/pairs/firefox.en-th.tsv.gz"));

        // Then LibreOffice keeps them and Firefox's files do not repeat them
        Assert.Contains(Build.SharedThai, loui);
        Assert.DoesNotContain(Build.SharedThai, firefox);
        Assert.Contains(Build.Pair("loui", "th", 0), _build.Lines("pairs/loui.en-th.tsv.gz"));
        Assert.DoesNotContain(firefoxPairs, p => p.Split('\t')[1] == Build.Pair("loui", "th", 0).Split('\t')[1]);
    }

    [Fact]
    public void MostlyPlaceholderLinesAreDropped_When_AnInterfaceCatalogIsBuilt()
    {
        // Given a Firefox line that is mostly placeholders, one sentence with a placeholder, and a pair whose English side is "%s: %s"
        // When built
        var firefox = _build.Lines("mono/firefox/th.txt.gz").Concat(_build.Lines("heldout/mono/firefox/th.txt.gz")).ToList();
        var pairs = _build.Lines("pairs/l10n.en-th.tsv.gz").Concat(_build.Lines("heldout/pairs/l10n.en-th.tsv.gz")).ToList();

        // Then the first and the pair are gone, the sentence stays
        Assert.DoesNotContain(Build.PlaceholderThai, firefox);
        Assert.Contains(Build.SentenceWithPlaceholder, firefox);
        Assert.DoesNotContain(Build.PlaceholderPair, pairs);
        Assert.Equal(Build.PairCount - 1, pairs.Count);
    }

    [Fact]
    public void NoHeldOutTextIsTrainedOn_When_AHeldOutPairRepeatsAMonolingualLine()
    {
        // Given LibreOffice's last Thai pair (held out) whose Thai side is also an early line of its monolingual catalog
        var heldOutSide = Build.Pair("loui", "th", Build.PairCount - 1).Split('\t')[1];

        // When built
        var heldOutPairs = _build.Lines("heldout/pairs/loui.en-th.tsv.gz");
        var training = _build.Lines("mono/loui/th.txt.gz");

        // Then the pair is held out and the line is not trained on, while the rest of the catalog's head is
        Assert.Contains(Build.Pair("loui", "th", Build.PairCount - 1), heldOutPairs);
        Assert.DoesNotContain(heldOutSide, training);
        Assert.Equal(Build.LouiThai.Take(Build.LouiThai.Count - 2).Where(l => l != heldOutSide), training);
    }

    [Fact]
    public void EveryFileIsByteIdentical_When_BuiltTwice()
    {
        // Given two builds of the same extraction into two folders
        var first = _build.Files(_build.Out);
        var second = _build.Files(_build.SecondOut);

        // When their files are compared
        // Then the same files, with the same bytes, for all 18 languages
        Assert.Equal(first.Keys.Order(StringComparer.Ordinal), second.Keys.Order(StringComparer.Ordinal));
        Assert.All(first, f => Assert.Equal(f.Value, second[f.Key]));
        Assert.Contains("mono/l10n/he.txt.gz", first.Keys);
        Assert.Contains("udhr/udhr.en-th.tsv.gz", first.Keys);
    }

    /// <summary>A made-up extraction in the layout of the real one, built twice by the corpus script.</summary>
    public sealed class Build : IDisposable
    {
        internal const int PairCount = 40;
        internal const string SharedThai = "ข้อความที่ซ้ำกันในสองแคตตาล็อก";
        internal const string PlaceholderThai = "%s: %s {$name}";
        internal const string SentenceWithPlaceholder = "ไม่พบไฟล์ %s ในโฟลเดอร์ที่เลือก";
        internal const string PlaceholderPair = "%s: %s (%d)\tข้อผิดพลาด %s";

        private static readonly string[] Gnome = ["en", "zh", "es", "fr", "pt", "ru", "de", "it", "ja", "ko", "vi", "id", "nl", "pl"];
        private static readonly string[] Handbook = ["en", "zh", "es", "fr", "pt", "ru", "de", "it", "ar", "ja", "ko", "vi", "id", "nl", "pl", "tr"];
        private static readonly string[] Interface = ["loui", "firefox", "l10n"];
        private static readonly string[] InterfaceLanguages = ["ar", "he", "th"];
        private static readonly Dictionary<string, string[]> DocumentPairs = new()
        {
            ["gnome"] = ["de", "ja", "ko", "ru", "zh"], ["handbook"] = ["ar", "de", "ja", "ko", "ru", "zh"],
        };
        private static readonly string[] UdhrCodes =
            ["eng", "cmn_hans", "spa", "fra", "por_BR", "rus", "deu_1996", "ita", "arb", "jpn", "kor", "tha", "vie", "ind", "nld", "pol", "tur", "heb"];

        private readonly TempDirectory _temp = new();

        internal static List<string> LouiThai { get; } = Lines("loui", "th", 40, (3, SharedThai), (7, Pair("loui", "th", PairCount - 1).Split('\t')[1]));

        internal static List<string> FirefoxThai { get; } =
            Lines("firefox", "th", 40, (5, SharedThai), (9, PlaceholderThai), (11, SentenceWithPlaceholder));

        internal string Out => _temp.File("out");

        internal string SecondOut => _temp.File("out2");

        public Build()
        {
            var source = _temp.File("extraction");
            foreach (var lang in Gnome)
                Write(source, $"mono/gnome/{lang}.txt.gz", Lines("gnome", lang, 40));
            foreach (var lang in Handbook)
                Write(source, $"mono/handbook/{lang}.txt.gz", Lines("handbook", lang, 40));
            foreach (var origin in Interface)
                foreach (var lang in InterfaceLanguages)
                    Write(source, $"mono/{origin}/{lang}.txt.gz", (origin, lang) switch
                    {
                        ("loui", "th") => LouiThai,
                        ("firefox", "th") => FirefoxThai,
                        _ => Lines(origin, lang, 40),
                    });
            foreach (var (origin, langs) in DocumentPairs)
                foreach (var lang in langs)
                    Write(source, $"pairs/{origin}.en-{lang}.tsv.gz", Pairs(origin, lang));
            foreach (var origin in Interface)
                foreach (var lang in InterfaceLanguages)
                {
                    var pairs = Pairs(origin, lang);
                    if ((origin, lang) == ("firefox", "th"))
                        pairs[0] = "Another English source string\t" + Pair("loui", "th", 0).Split('\t')[1];
                    if ((origin, lang) == ("l10n", "th"))
                        pairs[4] = PlaceholderPair;
                    Write(source, $"pairs/{origin}.en-{lang}.tsv.gz", pairs);
                }
            Write(source, "udhr/articles.tsv.gz",
                UdhrCodes.SelectMany(code => Enumerable.Range(0, 31).Select(a => $"{code}\t{a}\tudhr {code} article {a}")));

            var script = RepositoryPaths.Combine("data", "polylm-corpus", "make-polylm-corpus.py");
            ReferencePython.Run(script, [source, Out]);
            ReferencePython.Run(script, [source, SecondOut]);
        }

        internal static string Pair(string origin, string lang, int i) => $"English {origin} string {i} for {lang}\t{lang} {origin} แปล {i}";

        internal List<string> Lines(string relativePath)
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(Out, relativePath)), CompressionMode.Decompress), Encoding.UTF8);
            var lines = new List<string>();
            while (reader.ReadLine() is { } line)
                lines.Add(line);
            return lines;
        }

        internal Dictionary<string, byte[]> Files(string root) => Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes);

        public void Dispose() => _temp.Dispose();

        private static List<string> Lines(string origin, string lang, int count, params (int Index, string Text)[] replaced)
        {
            var lines = Enumerable.Range(0, count).Select(i => $"{lang} {origin} paragraph {i} ข้อความ").ToList();
            foreach (var (index, text) in replaced)
                lines[index] = text;
            return lines;
        }

        private static List<string> Pairs(string origin, string lang) => Enumerable.Range(0, PairCount).Select(i => Pair(origin, lang, i)).ToList();

        private static void Write(string root, string relativePath, IEnumerable<string> lines)
        {
            var path = Path.Combine(root, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
            var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
            gzip.Write(bytes);
        }
    }
}
