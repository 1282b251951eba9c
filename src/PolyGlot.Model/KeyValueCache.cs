using PolyGlot.Torch;

namespace PolyGlot.Model;

/// <summary>
/// Keys and values of every attention layer for the positions a model has already seen, so that
/// generation computes one new position per step instead of re-running the whole window
/// (<see cref="TransformerModel.NextTokenLogits"/>). It owns its tensors; dispose it after use.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    private readonly LayerCache[] _layers;

    /// <summary>An empty cache for a model of <paramref name="layers"/> blocks.</summary>
    public KeyValueCache(int layers)
    {
        _layers = Enumerable.Range(0, layers).Select(_ => new LayerCache()).ToArray();
    }

    /// <summary>Positions cached so far.</summary>
    public long Length { get; internal set; }

    internal LayerCache Layer(int index) => _layers[index];

    /// <summary>Frees the cached keys and values.</summary>
    public void Dispose()
    {
        foreach (var layer in _layers)
            layer.Dispose();
    }
}

/// <summary>One attention layer's cached keys and values, (B, KV, positions, D) each.</summary>
internal sealed class LayerCache : IDisposable
{
    public Tensor? Keys { get; private set; }

    public Tensor? Values { get; private set; }

    /// <summary>Appends the new positions' keys and values (B, KV, n, D) along the position axis.</summary>
    public void Append(Tensor keys, Tensor values)
    {
        var (oldKeys, oldValues) = (Keys, Values);
        Keys = (oldKeys is null ? keys.Contiguous() : Tensor.Cat([oldKeys, keys], 2)).Keep();
        Values = (oldValues is null ? values.Contiguous() : Tensor.Cat([oldValues, values], 2)).Keep();
        oldKeys?.Dispose();
        oldValues?.Dispose();
    }

    public void Dispose()
    {
        Keys?.Dispose();
        Values?.Dispose();
    }
}
