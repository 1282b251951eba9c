namespace PolyGlot.Training.Distributed;

/// <summary>
/// SLURM's compressed host lists (<c>node[01-04,07],gpu-a1</c>): the first host is where rank 0
/// runs, so it hosts the rendezvous when <c>MASTER_ADDR</c> is not set.
/// </summary>
public static class SlurmNodeList
{
    /// <summary>The first host name of <paramref name="nodeList"/>, e.g. <c>node01</c> for <c>node[01-04,07],gpu1</c>.</summary>
    /// <exception cref="ArgumentException">The list is empty or malformed.</exception>
    public static string FirstHost(string nodeList)
    {
        var list = nodeList.Trim();
        var bracket = list.IndexOf('[');
        var comma = list.IndexOf(',');
        if (bracket < 0 || (comma >= 0 && comma < bracket))
        {
            var host = comma < 0 ? list : list[..comma];
            return host.Length > 0 ? host : throw Malformed(nodeList);
        }
        var close = list.IndexOf(']', bracket);
        if (close < 0)
            throw Malformed(nodeList);
        var first = list[(bracket + 1)..close].Split(',')[0].Split('-')[0];
        if (first.Length == 0)
            throw Malformed(nodeList);
        return list[..bracket] + first;
    }

    private static ArgumentException Malformed(string nodeList) =>
        new($"SLURM node list '{nodeList}' is not of the form host1,host2 or prefix[01-04,07]; set MASTER_ADDR to rank 0's host instead.");
}
