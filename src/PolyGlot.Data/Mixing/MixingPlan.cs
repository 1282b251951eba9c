namespace PolyGlot.Data.Mixing;

/// <summary>
/// Maps group weights (what the curriculum schedules) to per-source shares: a group's weight is
/// split among its sources by temperature sampling (<see cref="TemperatureWeights"/>).
/// </summary>
public sealed class MixingPlan
{
    private readonly int[] _groupOfSource;
    private readonly double[] _shareInGroup;
    private double[]? _lastGroupWeights;
    private long[]? _lastShares;

    /// <summary>
    /// Creates the plan. <paramref name="groupOfSource"/>[i] is the group index of source i,
    /// <paramref name="tokensOfSource"/>[i] its token count and <paramref name="alphaOfGroup"/>[g]
    /// the temperature exponent of group g.
    /// </summary>
    public MixingPlan(IReadOnlyList<int> groupOfSource, IReadOnlyList<long> tokensOfSource, IReadOnlyList<double> alphaOfGroup)
    {
        if (groupOfSource.Count != tokensOfSource.Count)
            throw new ArgumentException("every source needs a group and a token count.");
        _groupOfSource = groupOfSource.ToArray();
        _shareInGroup = new double[_groupOfSource.Length];
        for (var g = 0; g < alphaOfGroup.Count; g++)
        {
            var members = Enumerable.Range(0, _groupOfSource.Length).Where(i => _groupOfSource[i] == g).ToArray();
            if (members.Length == 0)
                continue;
            var weights = TemperatureWeights.Compute(members.Select(i => tokensOfSource[i]).ToArray(), alphaOfGroup[g]);
            for (var k = 0; k < members.Length; k++)
                _shareInGroup[members[k]] = weights[k];
        }
        GroupCount = alphaOfGroup.Count;
    }

    /// <summary>Number of groups.</summary>
    public int GroupCount { get; }

    /// <summary>Real-valued per-source shares for the given group weights (normalized to sum to 1).</summary>
    public double[] SourceWeights(ReadOnlySpan<double> groupWeights)
    {
        if (groupWeights.Length != GroupCount)
            throw new ArgumentException($"expected {GroupCount} group weights, got {groupWeights.Length}.");
        var weights = new double[_groupOfSource.Length];
        for (var i = 0; i < weights.Length; i++)
            weights[i] = groupWeights[_groupOfSource[i]] * _shareInGroup[i];
        var total = weights.Sum();
        if (total <= 0)
            throw new InvalidOperationException("the group weights give no source a share greater than 0.");
        for (var i = 0; i < weights.Length; i++)
            weights[i] /= total;
        return weights;
    }

    /// <summary>
    /// Integer per-source shares (<see cref="FixedShares"/>) for the given group weights; the last
    /// result is cached because weights change only at curriculum transitions.
    /// </summary>
    public ReadOnlySpan<long> SourceShares(ReadOnlySpan<double> groupWeights)
    {
        if (_lastShares is not null && groupWeights.SequenceEqual(_lastGroupWeights))
            return _lastShares;
        _lastGroupWeights = groupWeights.ToArray();
        _lastShares = FixedShares.FromWeights(SourceWeights(groupWeights));
        return _lastShares;
    }
}
