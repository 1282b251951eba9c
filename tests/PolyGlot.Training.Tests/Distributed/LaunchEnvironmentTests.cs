using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Tests.Distributed;

public sealed class LaunchEnvironmentTests
{
    [Fact]
    public void IsNull_When_NoLauncherVariablesAreSet()
    {
        Assert.Null(LaunchEnvironment.From(Variables()));
    }

    [Fact]
    public void ReadsTorchrunVariables_When_RankAndWorldSizeAreSet()
    {
        var launch = LaunchEnvironment.From(Variables(("RANK", "5"), ("WORLD_SIZE", "16"), ("LOCAL_RANK", "5"), ("LOCAL_WORLD_SIZE", "8"),
            ("MASTER_ADDR", "node01"), ("MASTER_PORT", "29400")));

        Assert.Equal(new LaunchEnvironment(5, 16, 5, 8, "node01", 29400, "torchrun"), launch);
    }

    [Fact]
    public void ReadsSlurmVariables_When_SrunStartsTheTask()
    {
        // Given the variables srun sets for task 9 of 2 nodes x 8 tasks
        var launch = LaunchEnvironment.From(Variables(("SLURM_PROCID", "9"), ("SLURM_NTASKS", "16"), ("SLURM_LOCALID", "1"),
            ("SLURM_NTASKS_PER_NODE", "8(x2)"), ("SLURM_JOB_NODELIST", "gpu-[07-08]")));

        // Then the first node hosts the rendezvous on the default port
        Assert.Equal(new LaunchEnvironment(9, 16, 1, 8, "gpu-07", LaunchEnvironment.DefaultPort, "SLURM"), launch);
    }

    [Fact]
    public void PrefersTorchrunAndMasterVariables_When_BothLaunchersAreVisible()
    {
        var launch = LaunchEnvironment.From(Variables(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "1"), ("SLURM_NODELIST", "a"),
            ("RANK", "1"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", "b"), ("MASTER_PORT", "1234")));

        Assert.Equal("torchrun", launch!.Launcher);
        Assert.Equal(("b", 1234, 1, 2), (launch.MasterAddress, launch.MasterPort, launch.Rank, launch.WorldSize));
    }

    [Fact]
    public void SlurmUsesMasterAddrAndPort_When_TheJobScriptSetsThem()
    {
        var launch = LaunchEnvironment.From(Variables(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "2"), ("SLURM_NODELIST", "n[1-2]"),
            ("MASTER_ADDR", "10.0.0.5"), ("MASTER_PORT", "6000")));

        Assert.Equal(("10.0.0.5", 6000), (launch!.MasterAddress, launch.MasterPort));
    }

    [Theory]
    [InlineData("MASTER_ADDR", "MASTER_ADDR is not set")]
    [InlineData("MASTER_PORT", "MASTER_PORT is not set")]
    public void NamesTheMissingVariable_When_TorchrunVariablesAreIncomplete(string missing, string message)
    {
        var all = new Dictionary<string, string> { ["RANK"] = "0", ["WORLD_SIZE"] = "2", ["MASTER_ADDR"] = "h", ["MASTER_PORT"] = "29500" };
        all.Remove(missing);

        var error = Assert.Throws<ArgumentException>(() => LaunchEnvironment.From(name => all.GetValueOrDefault(name)));

        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("2", "2", "the torchrun rank 2 is not below the world size 2")]
    [InlineData("x", "2", "RANK = 'x' (set by torchrun): must be an integer >= 0")]
    [InlineData("0", "0", "WORLD_SIZE = '0' (set by torchrun): must be an integer >= 1")]
    public void RejectsTheValue_When_RankOrWorldSizeIsOutOfRange(string rank, string world, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => LaunchEnvironment.From(Variables(("RANK", rank), ("WORLD_SIZE", world),
            ("MASTER_ADDR", "h"), ("MASTER_PORT", "1"))));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void RejectsThePort_When_ItIsNotAPortNumber()
    {
        var error = Assert.Throws<ArgumentException>(() => LaunchEnvironment.From(Variables(("RANK", "0"), ("WORLD_SIZE", "1"),
            ("MASTER_ADDR", "h"), ("MASTER_PORT", "70000"))));

        Assert.Contains("MASTER_PORT = '70000' (torchrun): must be a port number in 1..65535", error.Message);
    }

    [Theory]
    [InlineData("node01", "node01")]
    [InlineData("node01,node02", "node01")]
    [InlineData("node[01-04,07]", "node01")]
    [InlineData("gpu-a[3,5-6],gpu-b1", "gpu-a3")]
    [InlineData("cpu1,gpu[2-3]", "cpu1")]
    public void FirstHostIsTheFirstNodeOfTheList_When_SlurmCompressesIt(string list, string first)
    {
        Assert.Equal(first, SlurmNodeList.FirstHost(list));
    }

    [Theory]
    [InlineData("")]
    [InlineData("node[01-04")]
    [InlineData("node[]")]
    public void FirstHostSaysToSetMasterAddr_When_TheListIsMalformed(string list)
    {
        var error = Assert.Throws<ArgumentException>(() => SlurmNodeList.FirstHost(list));

        Assert.Contains("set MASTER_ADDR", error.Message);
    }

    private static Func<string, string?> Variables(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }
}
