using PolyGlot.Data.Shards;
using PolyGlot.Parquet.Reading;

namespace PolyGlot.Data.Tests.Preparation;

/// <summary>Reads every row of a prepared source back with the Parquet reader, in shard order.</summary>
internal static class ShardTestReader
{
    public static List<(int[] Ids, string Lang, string Source)> ReadAll(string directory)
    {
        var rows = new List<(int[], string, string)>();
        foreach (var path in ShardDirectory.ListShards(directory, verifyHashes: true, out _))
            rows.AddRange(ReadShard(path));
        return rows;
    }

    public static List<(int[] Ids, string Lang, string Source)> ReadShard(string path)
    {
        var rows = new List<(int[], string, string)>();
        using var reader = ParquetReader.Open(path);
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            var ids = reader.ReadColumn(group, TokenShardWriter.InputIdsColumn);
            var langs = reader.ReadColumn(group, TokenShardWriter.LangColumn);
            var sources = reader.ReadColumn(group, TokenShardWriter.SourceColumn);
            for (var r = 0; r < ids.RowCount; r++)
                rows.Add((ids.Int32List(r).ToArray(), langs.GetString(r)!, sources.GetString(r)!));
        }
        return rows;
    }
}
