using PolyGlot.Torch;

namespace PolyGlot.Model.Parameters;

/// <summary>
/// Creates and owns a model's parameters in a fixed order: each is allocated in float32 on the CPU,
/// initialised from the default generator (so the same seed gives the same weights on any device),
/// then moved to the target device (and dtype, float32 unless asked otherwise) and marked as
/// requiring gradients.
/// </summary>
public sealed class ParameterTable : IDisposable
{
    private readonly List<ModelParameter> _parameters = [];
    private readonly Dictionary<string, ModelParameter> _byName = new(StringComparer.Ordinal);
    private readonly Device _device;
    private readonly DType _dtype;

    /// <summary>
    /// Creates an empty table whose parameters will live on <paramref name="device"/> in
    /// <paramref name="dtype"/>; float64 holds exactly the float32 draws (numerical references).
    /// </summary>
    public ParameterTable(Device device, DType dtype = DType.Float32) => (_device, _dtype) = (device, dtype);

    /// <summary>The parameters in creation order (the order of the optimizer state and of checkpoints).</summary>
    public IReadOnlyList<ModelParameter> All => _parameters;

    /// <summary>The parameter called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name; the message lists a few that exist.</exception>
    public ModelParameter this[string name] => _byName.TryGetValue(name, out var parameter)
        ? parameter
        : throw new KeyNotFoundException(
            $"The model has no parameter '{name}'; it has {_parameters.Count}, e.g. {string.Join(", ", _parameters.Take(4).Select(p => p.Name))}.");

    /// <summary>Adds a parameter drawn from N(0, <paramref name="std"/>²).</summary>
    public Tensor Normal(string name, ParameterKind kind, double std, params long[] shape) =>
        Add(name, kind, shape, t => t.NormalInPlace(0, std));

    /// <summary>Adds a parameter filled with <paramref name="value"/> (0 for biases, 1 for norm gains).</summary>
    public Tensor Constant(string name, ParameterKind kind, double value, params long[] shape) =>
        Add(name, kind, shape, t => t.Fill(value));

    /// <summary>Frees every parameter tensor.</summary>
    public void Dispose()
    {
        foreach (var parameter in _parameters)
            parameter.Tensor.Dispose();
        _parameters.Clear();
        _byName.Clear();
    }

    private Tensor Add(string name, ParameterKind kind, long[] shape, Action<Tensor> initialise)
    {
        if (_byName.ContainsKey(name))
            throw new InvalidOperationException($"The parameter '{name}' was defined twice.");
        Tensor tensor;
        using (new NoGradScope())
        {
            using var host = Tensor.Empty(shape).Keep();
            initialise(host);
            tensor = (_device.IsCuda || _dtype != host.DType ? host.To(_dtype, _device) : host.Clone()).Keep();
        }
        tensor.RequiresGrad = true;
        var parameter = new ModelParameter(name, tensor, kind);
        _parameters.Add(parameter);
        _byName.Add(name, parameter);
        return tensor;
    }
}
