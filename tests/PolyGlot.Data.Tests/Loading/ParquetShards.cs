using PolyGlot.Common.IO;
using PolyGlot.Data.Loading;
using PolyGlot.Data.Shards;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Data.Tests.Loading;

/// <summary>Writes synthetic shards as real Parquet files plus a manifest, as prepare does.</summary>
internal static class ParquetShards
{
    /// <summary>Writes one shard as prepare does; <paramref name="rowGroupTokens"/> tokens per row group.</summary>
    public static void WriteShard(string path, string source, ShardDocuments shard, int rowGroupTokens = TokenShardWriter.RowGroupTokens)
    {
        var tokens = SyntheticCorpus.AllTokens(shard).ToArray();
        TokenShardWriter.Write(path, tokens, shard.Offsets, shard.Languages, source, rowGroupTokens);
    }

    /// <summary>Writes a prepared directory for <paramref name="shards"/> and returns its shard paths.</summary>
    public static IReadOnlyList<string> WriteSource(string directory, string source, string kind, IReadOnlyList<ShardDocuments> shards,
        int rowGroupTokens = TokenShardWriter.RowGroupTokens)
    {
        Directory.CreateDirectory(directory);
        var manifest = new ShardManifest
        {
            Source = source,
            Kind = kind,
            Tokenizer = new TokenizerFingerprint { Sha256 = "aa11", VocabSize = 10_000_000, EosId = SyntheticCorpus.Eos },
        };
        for (var h = 0; h < shards.Count; h++)
        {
            var file = ShardEntry.FileNameFor(h);
            WriteShard(Path.Combine(directory, file), source, shards[h], rowGroupTokens);
            var perLanguage = new SortedDictionary<string, long>(StringComparer.Ordinal);
            for (var d = 0; d < shards[h].Count; d++)
                perLanguage[shards[h].Languages[d]] = perLanguage.GetValueOrDefault(shards[h].Languages[d]) + shards[h].Document(d).Length;
            manifest.Shards.Add(new ShardEntry
            {
                File = file, Documents = shards[h].Count, Tokens = shards[h].Offsets[^1], TokensPerLanguage = perLanguage,
                Sha256 = FileHash.Sha256Hex(Path.Combine(directory, file)),
            });
            foreach (var (language, tokens) in perLanguage)
                manifest.TokensPerLanguage[language] = manifest.TokensPerLanguage.GetValueOrDefault(language) + tokens;
        }
        manifest.Languages = manifest.TokensPerLanguage.Keys.ToList();
        manifest.Documents = manifest.Shards.Sum(s => s.Documents);
        manifest.Tokens = manifest.Shards.Sum(s => s.Tokens);
        manifest.Save(directory);
        return manifest.Shards.Select(s => Path.Combine(directory, s.File)).ToList();
    }
}
