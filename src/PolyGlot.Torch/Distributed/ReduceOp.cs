namespace PolyGlot.Torch.Distributed;

/// <summary>How a collective combines the ranks' values (the codes pg_distributed.cpp takes).</summary>
public enum ReduceOp
{
    /// <summary>Element-wise sum.</summary>
    Sum = 0,

    /// <summary>Element-wise maximum.</summary>
    Max = 1,

    /// <summary>Element-wise minimum.</summary>
    Min = 2,
}
