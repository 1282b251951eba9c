using System.Globalization;

namespace PolyGlot.Training.Distributed;

/// <summary>
/// SLURM's compressed host lists (<c>gpu-[01-02,07]</c>, <c>node[01-04,07],gpu-a1</c>,
/// <c>rack[1-2]-n[1-2]</c>): the first host is where rank 0 runs, so it hosts the rendezvous when
/// <c>MASTER_ADDR</c> is not set. Ranges keep their zero padding (<c>[08-10]</c> is 08, 09, 10);
/// several bracket groups in one name multiply out, as SLURM's <c>scontrol show hostnames</c> does.
/// </summary>
public static class SlurmNodeList
{
    // A list naming more hosts than this is taken for a typo (node[1-100000000]) rather than expanded.
    private const int MaxHosts = 1_000_000;

    /// <summary>The first host name of <paramref name="nodeList"/>, e.g. <c>node01</c> for <c>node[01-04,07],gpu1</c>.</summary>
    /// <exception cref="ArgumentException">The list is empty or malformed.</exception>
    public static string FirstHost(string nodeList) => Hosts(nodeList)[0];

    /// <summary>Every host of <paramref name="nodeList"/> in order, e.g. <c>gpu-01, gpu-02, gpu-07</c> for <c>gpu-[01-02,07]</c>.</summary>
    /// <exception cref="ArgumentException">The list is empty or malformed.</exception>
    public static IReadOnlyList<string> Hosts(string nodeList)
    {
        var hosts = new List<string>();
        foreach (var item in Items(nodeList))
        {
            hosts.AddRange(Expand(item, nodeList));
            if (hosts.Count > MaxHosts)
                throw new ArgumentException($"SLURM node list '{nodeList}' names more than {MaxHosts:N0} hosts; set MASTER_ADDR to rank 0's host instead.");
        }
        return hosts.Count > 0 ? hosts : throw Malformed(nodeList);
    }

    // The top-level items: commas inside brackets separate ranges, not hosts.
    private static List<string> Items(string nodeList)
    {
        var items = new List<string>();
        var (depth, start) = (0, 0);
        for (var i = 0; i < nodeList.Length; i++)
        {
            depth += nodeList[i] switch { '[' => 1, ']' => -1, _ => 0 };
            if (depth is < 0 or > 1)
                throw Malformed(nodeList);
            if (nodeList[i] == ',' && depth == 0)
            {
                items.Add(nodeList[start..i].Trim());
                start = i + 1;
            }
        }
        if (depth != 0)
            throw Malformed(nodeList);
        items.Add(nodeList[start..].Trim());
        return items.Any(item => item.Length == 0) ? throw Malformed(nodeList) : items;
    }

    private static IEnumerable<string> Expand(string item, string nodeList)
    {
        var open = item.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
            return [item];
        var close = item.IndexOf(']', open);
        var values = Ranges(item[(open + 1)..close], nodeList);
        var tails = Expand(item[(close + 1)..], nodeList).ToList();
        return values.SelectMany(value => tails.Select(tail => item[..open] + value + tail));
    }

    // "01-04,07" -> 01 02 03 04 07: each range keeps the width of its first number.
    private static List<string> Ranges(string ranges, string nodeList)
    {
        var values = new List<string>();
        foreach (var range in ranges.Split(','))
        {
            var bounds = range.Split('-');
            if (bounds.Length > 2 || !bounds.All(IsNumber))
                throw Malformed(nodeList);
            var (first, last) = (Number(bounds[0]), Number(bounds[^1]));
            if (last < first || last - first >= MaxHosts)
                throw Malformed(nodeList);
            for (var n = first; n <= last; n++)
                values.Add(n.ToString(CultureInfo.InvariantCulture).PadLeft(bounds[0].Length, '0'));
        }
        return values;
    }

    private static bool IsNumber(string text) => text.Length is > 0 and <= 9 && text.All(char.IsAsciiDigit);

    private static long Number(string text) => long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static ArgumentException Malformed(string nodeList) =>
        new($"SLURM node list '{nodeList}' is not of the form host1,host2 or prefix[01-04,07]; set MASTER_ADDR to rank 0's host instead.");
}
