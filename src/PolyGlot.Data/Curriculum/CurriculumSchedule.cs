namespace PolyGlot.Data.Curriculum;

/// <summary>
/// Group weights as a function of tokens consumed: a list of stages, each active until its end
/// token count, with a step or linear change at each stage start. After the last stage ends its
/// weights stay in force.
/// </summary>
public sealed class CurriculumSchedule
{
    private readonly CurriculumStage[] _stages;

    /// <summary>Creates the schedule; stages must have increasing ends and equally many weights.</summary>
    /// <exception cref="ArgumentException">The stages are empty, out of order or inconsistent.</exception>
    public CurriculumSchedule(IReadOnlyList<CurriculumStage> stages)
    {
        if (stages.Count == 0)
            throw new ArgumentException("a curriculum needs at least one stage.", nameof(stages));
        for (var i = 0; i < stages.Count; i++)
        {
            if (stages[i].GroupWeights.Count != stages[0].GroupWeights.Count)
                throw new ArgumentException($"stage {i} has {stages[i].GroupWeights.Count} weights, stage 0 has {stages[0].GroupWeights.Count}.");
            if (stages[i].EndTokens <= 0 || (i > 0 && stages[i].EndTokens <= stages[i - 1].EndTokens))
                throw new ArgumentException($"stage {i} ends at {stages[i].EndTokens} tokens; stage ends must be positive and increasing.");
            if (stages[i].Transition == StageTransition.Linear && stages[i].EndTokens == long.MaxValue)
                throw new ArgumentException($"stage {i} has a linear transition but no end to ramp towards.");
        }
        _stages = stages.ToArray();
    }

    /// <summary>The stages in order.</summary>
    public IReadOnlyList<CurriculumStage> Stages => _stages;

    /// <summary>The index of the stage in force after <paramref name="tokensConsumed"/> tokens.</summary>
    public int StageAt(long tokensConsumed)
    {
        for (var i = 0; i < _stages.Length; i++)
            if (tokensConsumed < _stages[i].EndTokens)
                return i;
        return _stages.Length - 1;
    }

    /// <summary>The group weights in force after <paramref name="tokensConsumed"/> tokens.</summary>
    public double[] WeightsAt(long tokensConsumed)
    {
        var index = StageAt(tokensConsumed);
        var stage = _stages[index];
        var target = stage.GroupWeights.ToArray();
        if (stage.Transition != StageTransition.Linear || index == 0 || tokensConsumed >= stage.EndTokens)
            return target;
        var start = _stages[index - 1].EndTokens;
        var progress = (double)(tokensConsumed - start) / (stage.EndTokens - start);
        var from = _stages[index - 1].GroupWeights;
        for (var g = 0; g < target.Length; g++)
            target[g] = from[g] + (target[g] - from[g]) * progress;
        return target;
    }
}
