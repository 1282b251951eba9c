namespace PolyGlot.Data.Curriculum;

/// <summary>How a stage's weights take over from the previous stage's.</summary>
public enum StageTransition
{
    /// <summary>The stage's weights apply from its first token.</summary>
    Step,

    /// <summary>Weights move linearly from the previous stage's to this stage's, reaching them at the stage's end.</summary>
    Linear,
}
