namespace PolyGlot.Model.Parameters;

/// <summary>
/// What a sharding strategy does around each unit of a model while
/// <see cref="TransformerModel.BackwardTokenLosses"/> runs (<see cref="TransformerModel.Units"/>):
/// unit 0 holds the parameters outside the blocks (embeddings, final norm, head), unit i + 1 those
/// of block i (<see cref="TransformerModel.UnitParameters"/>). The calls come in the order the pass
/// uses the units, alike on every rank, so an implementation may run collectives in them.
/// </summary>
public interface IParameterUnits
{
    /// <summary>The unit's parameters must hold their values from now on (ZeRO-3 gathers them).</summary>
    void Acquire(int unit);

    /// <summary>The unit's values are not read again before the next <see cref="Acquire"/> (ZeRO-3 frees them).</summary>
    void Release(int unit);

    /// <summary>The pass has added its last contribution to the unit's gradients (ZeRO-2 and -3 reduce-scatter them now).</summary>
    void GradientsComplete(int unit);
}
