using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Tests.Distributed;

public sealed class SlurmNodeListTests
{
    [Theory]
    [InlineData("gpu-[01-02,07]", "gpu-01 gpu-02 gpu-07")]
    [InlineData("node-[1-2]", "node-1 node-2")]
    [InlineData("node[08-10],gpu-a1", "node08 node09 node10 gpu-a1")]
    [InlineData("rack[1-2]-n[1-2]", "rack1-n1 rack1-n2 rack2-n1 rack2-n2")]
    [InlineData("a1, b2", "a1 b2")]
    [InlineData("solo", "solo")]
    public void ExpandsEveryHostInOrder_When_TheListIsCompressed(string list, string hosts)
    {
        Assert.Equal(hosts.Split(' '), SlurmNodeList.Hosts(list));
        Assert.Equal(hosts.Split(' ')[0], SlurmNodeList.FirstHost(list));
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpu-[01-02")]
    [InlineData("gpu-01-02]")]
    [InlineData("gpu-[02-01]")]
    [InlineData("gpu-[a-b]")]
    [InlineData("gpu-[[1-2]]")]
    [InlineData("a,,b")]
    [InlineData("n[1-100000000]")]
    public void SaysWhatToSetInstead_When_TheListIsMalformed(string list)
    {
        var error = Assert.Throws<ArgumentException>(() => SlurmNodeList.Hosts(list));

        Assert.Contains("set MASTER_ADDR to rank 0's host instead", error.Message);
    }
}
