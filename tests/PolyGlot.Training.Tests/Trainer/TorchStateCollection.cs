namespace PolyGlot.Training.Tests.Trainer;

/// <summary>
/// Tests that seed or draw from libtorch's process-wide generator (model initialisation, dropout)
/// run alone: a test class running in parallel would move the generator under them and break
/// bit-for-bit comparisons. The trainer itself has one training thread per process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchStateCollection
{
    public const string Name = "libtorch global generator";
}
