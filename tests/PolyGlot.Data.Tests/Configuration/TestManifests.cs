using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Tests.Configuration;

/// <summary>Writes prepared-source directories (manifest plus shard files) into a temporary folder.</summary>
internal sealed class TestManifests : IDisposable
{
    public const string Tokenizer = "aa11";

    public TestManifests() => Root = Directory.CreateTempSubdirectory("polyglot-data-config-").FullName;

    public string Root { get; }

    /// <summary>Writes source <paramref name="name"/> with one (empty) shard and the given tokens per language.</summary>
    public string Write(string name, string kind, IReadOnlyDictionary<string, long> tokensPerLanguage, string tokenizer = Tokenizer)
    {
        var directory = Path.Combine(Root, name);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, ShardEntry.FileNameFor(0)), []);
        var tokens = tokensPerLanguage.Values.Sum();
        new ShardManifest
        {
            Source = name,
            Kind = kind,
            Languages = tokensPerLanguage.Keys.ToList(),
            Tokenizer = new TokenizerFingerprint { Sha256 = tokenizer, VocabSize = 100, EosId = 2, BosId = 1, PadId = 0 },
            Documents = 1,
            Tokens = tokens,
            TokensPerLanguage = new(tokensPerLanguage.ToDictionary(), StringComparer.Ordinal),
            Shards = [new ShardEntry { File = ShardEntry.FileNameFor(0), Documents = 1, Tokens = tokens }],
        }.Save(directory);
        return directory;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
