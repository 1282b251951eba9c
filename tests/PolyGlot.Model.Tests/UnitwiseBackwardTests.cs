using PolyGlot.Model.Configuration;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;

namespace PolyGlot.Model.Tests;

/// <summary>
/// The training pass run unit by unit for sharded training (<see cref="TransformerModel.Units"/>):
/// hooks that make every unit's parameters unreadable (NaN) outside Acquire .. Release, as ZeRO-3
/// frees them, must not change a single loss or gradient, and each unit's gradients must be final
/// when the pass says so.
/// </summary>
[Collection(TorchStateCollection.Name)]
public sealed class UnitwiseBackwardTests
{
    [Theory]
    [InlineData("polylm", false, false)]
    [InlineData("polylm", true, false)]
    [InlineData("llama", false, true)]
    [InlineData("llama", true, true)]
    [InlineData("polylm", false, true)]  // learned positions, untied head
    public void LossesAndGradientsEqualOneBackward_When_UnitsHoldTheirValuesOnlyWhileAcquired(string layout, bool checkpointing, bool untied)
    {
        // Given a model and a batch with ignored targets
        using var model = TransformerModel.Create(Config(layout, untied), Device.Cpu, seed: 5);
        using var scope = DisposeScope.Enter();
        var tokens = Tensor.RandInt(0, model.Config.VocabSize, [2, 11]);
        var (inputs, targets) = (tokens.Narrow(1, 0, 10), tokens.Narrow(1, 1, 10).Contiguous());
        targets.Narrow(1, 0, 2).Fill(TransformerModel.IgnoreIndex);
        model.ActivationCheckpointing = checkpointing;

        // When the pass runs once over the whole graph, and once unit by unit with every unit
        // poisoned outside its use
        var whole = Pass(model, inputs, targets);
        var units = new PoisoningUnits(model);
        model.Units = units;
        var unitwise = Pass(model, inputs, targets);
        model.Units = null;
        units.Restore();

        // Then the losses and every gradient are the same bits, and each unit's gradients were
        // final when reported complete, once per unit, last block first and the embeddings last
        Assert.Equal(whole.Losses, unitwise.Losses);
        foreach (var parameter in model.Parameters)
        {
            Assert.Equal(whole.Gradients[parameter.Name], unitwise.Gradients[parameter.Name]);
            Assert.Equal(whole.Gradients[parameter.Name], units.GradientsWhenComplete[parameter.Name]);
        }
        Assert.Equal([.. Enumerable.Range(1, model.Config.NLayers).Reverse(), 0], units.CompletedOrder);
    }

    private static (float[] Losses, Dictionary<string, float[]> Gradients) Pass(TransformerModel model, Tensor inputs, Tensor targets)
    {
        Tensor.ZeroGrads(model.Parameters.Select(p => p.Tensor).ToList(), setToNone: true);
        var losses = model.BackwardTokenLosses(inputs, targets, lossDivisor: 17.0);
        return (losses.ToArray<float>(), model.Parameters.ToDictionary(p => p.Name, p => p.Tensor.Grad!.ToArray<float>()));
    }

    private static ModelConfig Config(string layout, bool untied) => new()
    {
        Layout = layout, VocabSize = 48, DModel = 16, NLayers = 3, NHeads = 2, NKvHeads = layout == "llama" ? 1 : null,
        FfnHidden = 32, MaxSeqLen = 12, InitStd = 0.1, TiedEmbeddings = !untied,
    };

    // Keeps each unit's true values aside and shows NaN in its parameters except between Acquire
    // and Release; writes go through untracked aliases, as ZeRO-3's gathers do, so that autograd
    // accepts the refilled values in backward.
    private sealed class PoisoningUnits : IParameterUnits
    {
        private readonly TransformerModel _model;
        private readonly Dictionary<ModelParameter, float[]> _values;

        public PoisoningUnits(TransformerModel model)
        {
            _model = model;
            _values = model.Parameters.ToDictionary(p => p, p => p.Tensor.ToArray<float>());
            for (var unit = 0; unit < model.UnitParameters.Count; unit++)
                Release(unit);
        }

        public List<int> CompletedOrder { get; } = [];

        public Dictionary<string, float[]> GradientsWhenComplete { get; } = [];

        public void Acquire(int unit)
        {
            foreach (var parameter in _model.UnitParameters[unit])
                Write(parameter, Tensor.FromSpan<float>(_values[parameter], parameter.Shape));
        }

        public void Release(int unit)
        {
            foreach (var parameter in _model.UnitParameters[unit])
                Write(parameter, Tensor.Full(parameter.Shape, float.NaN));
        }

        public void GradientsComplete(int unit)
        {
            CompletedOrder.Add(unit);
            foreach (var parameter in _model.UnitParameters[unit])
                GradientsWhenComplete[parameter.Name] = parameter.Tensor.Grad!.ToArray<float>();
        }

        public void Restore()
        {
            for (var unit = 0; unit < _model.UnitParameters.Count; unit++)
                Acquire(unit);
        }

        private static void Write(ModelParameter parameter, Tensor values)
        {
            using var scope = DisposeScope.Enter();
            using var noGrad = new NoGradScope();
            parameter.Tensor.UntrackedAlias().CopyFrom(values);
        }
    }
}
