namespace PolyGlot.Training.Export;

/// <summary>What <see cref="HfExporter.Export"/> wrote.</summary>
/// <param name="Directory">The Hugging Face folder (absolute).</param>
/// <param name="Architecture">The architecture config.json names.</param>
/// <param name="Files">File names written inside <paramref name="Directory"/>.</param>
/// <param name="WeightBytes">Bytes of tensor data written.</param>
/// <param name="WeightSeconds">Seconds spent writing the weights (conversion and I/O).</param>
public sealed record HfExportResult(string Directory, string Architecture, IReadOnlyList<string> Files, long WeightBytes, double WeightSeconds);
