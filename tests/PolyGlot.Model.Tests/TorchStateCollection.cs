namespace PolyGlot.Model.Tests;

/// <summary>
/// Tests that seed libtorch's process-wide generator and then initialise a model run alone, so
/// that another test class cannot draw from the generator in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchStateCollection
{
    public const string Name = "libtorch global generator";
}
