using System.Text.Json;
using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Tests.Shards;

public sealed class ShardManifestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-manifest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ShardManifest Sample() => new()
    {
        Source = "gnome-en-de",
        Kind = SourceKinds.Bilingual,
        Languages = ["de-en", "en-de"],
        Template = "{src_text}\n{tgt_text}",
        Tokenizer = new TokenizerFingerprint { Sha256 = "ab12", VocabSize = 8000, EosId = 2, BosId = 1, PadId = 0 },
        Documents = 3,
        Tokens = 30,
        TokensPerLanguage = new(StringComparer.Ordinal) { ["de-en"] = 14, ["en-de"] = 16 },
        BytesPerLanguage = new(StringComparer.Ordinal) { ["de-en"] = 50, ["en-de"] = 50 },
        Shards = [new ShardEntry { File = ShardEntry.FileNameFor(0), Documents = 3, Tokens = 30, Sha256 = "cd34" }],
    };

    [Fact]
    public void JsonUsesTheSnakeCaseNamesOfTheContract_When_Saved()
    {
        Sample().Save(_dir);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_dir, ShardManifest.FileName)));
        var root = json.RootElement;
        Assert.Equal("polyglot-token-shards", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal(2, root.GetProperty("tokenizer").GetProperty("eos_id").GetInt32());
        Assert.Equal(16, root.GetProperty("tokens_per_language").GetProperty("en-de").GetInt64());
        Assert.Equal("shard-00000.parquet", root.GetProperty("shards")[0].GetProperty("file").GetString());
    }

    [Fact]
    public void LoadReturnsWhatWasSaved_When_RoundTripped()
    {
        Sample().Save(_dir);
        var loaded = ShardManifest.Load(_dir);
        Assert.Equal(("gnome-en-de", SourceKinds.Bilingual, 30L, 8000), (loaded.Source, loaded.Kind, loaded.Tokens, loaded.Tokenizer.VocabSize));
        Assert.Equal(["de-en", "en-de"], loaded.Languages);
        Assert.Equal("cd34", Assert.Single(loaded.Shards).Sha256);
    }

    [Fact]
    public void LoadThrowsNamingThePath_When_TheManifestIsMissing()
    {
        var error = Assert.Throws<InvalidDataException>(() => ShardManifest.Load(_dir));
        Assert.Contains(Path.Combine(_dir, ShardManifest.FileName), error.Message);
        Assert.Contains("polyglot prepare", error.Message);
    }

    [Fact]
    public void LoadThrows_When_TheJsonIsAnotherFormat()
    {
        File.WriteAllText(Path.Combine(_dir, ShardManifest.FileName), "{\"format\":\"something-else\",\"version\":1}");
        var error = Assert.Throws<InvalidDataException>(() => ShardManifest.Load(_dir));
        Assert.Contains("not a token shard manifest", error.Message);
    }

    [Fact]
    public void LoadThrows_When_TheVersionIsNewer()
    {
        File.WriteAllText(Path.Combine(_dir, ShardManifest.FileName), "{\"format\":\"polyglot-token-shards\",\"version\":2}");
        var error = Assert.Throws<InvalidDataException>(() => ShardManifest.Load(_dir));
        Assert.Contains("version 2", error.Message);
    }
}
