using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;

namespace PolyGlot.Model;

public sealed partial class TransformerModel
{
    /// <summary>
    /// Keep only each block's input in the forward pass and recompute the block during backward
    /// (activation checkpointing per block): activation memory falls from every block's
    /// intermediates to one (B, T, C) float32 tensor per block plus one block's intermediates, for
    /// about one more forward pass of compute. Gradients are those of the plain backward.
    /// </summary>
    public bool ActivationCheckpointing { get; set; }

    /// <summary>
    /// The training pass: per-position float32 losses (B·T) of <paramref name="targets"/> (0 where
    /// the target is <see cref="IgnoreIndex"/>), with the gradient of their sum divided by
    /// <paramref name="lossDivisor"/> accumulated into the parameters. The returned losses are cut
    /// from the graph. With <see cref="ActivationCheckpointing"/> the blocks are recomputed in backward;
    /// with <see cref="Units"/> backward runs unit by unit, calling the hooks around each.
    /// </summary>
    /// <exception cref="ArgumentException">T exceeds <c>max_seq_len</c>.</exception>
    public Tensor BackwardTokenLosses(Tensor inputIds, Tensor targets, double lossDivisor, DocumentLayout? documents = null)
    {
        if (ActivationCheckpointing)
            return CheckpointedBackward(inputIds, targets, lossDivisor, documents, Units ?? WholeUnits.Instance);
        if (Units is { } units)
            return UnitwiseBackward(inputIds, targets, lossDivisor, documents, units);
        var losses = TokenLosses(inputIds, targets, documents);  // (B·T)
        losses.Sum().Div(lossDivisor).Backward();
        return losses.Detach();
    }

    // As one backward over the whole graph, with each block's graph cut from the next at its input
    // so that backward can run block by block: the unit hooks gather a unit's parameters around
    // its forward and its backward, and learn when its gradients are final. The embedding's
    // backward reads no parameter values (a scatter-add of the gradient, an addition), so unit 0
    // is released before it.
    private Tensor UnitwiseBackward(Tensor inputIds, Tensor targets, double lossDivisor, DocumentLayout? documents, IParameterUnits units)
    {
        units.Acquire(0);
        var (embedded, rotary, mask) = Embed(inputIds, documents);  // (B, T, C)
        units.Release(0);
        var blockInputs = new Tensor[_layers.Length];
        var blockOutputs = new Tensor[_layers.Length];
        var x = embedded;
        for (var i = 0; i < _layers.Length; i++)
        {
            units.Acquire(i + 1);
            blockInputs[i] = x.Detach();
            blockInputs[i].RequiresGrad = true;
            x = blockOutputs[i] = _layers[i].Forward(blockInputs[i], rotary, mask, Precision, Training);  // (B, T, C)
            units.Release(i + 1);
        }
        var (losses, gradient) = HeadBackward(x, targets, lossDivisor, units);
        for (var i = _layers.Length - 1; i >= 0; i--)
        {
            units.Acquire(i + 1);
            blockOutputs[i].Backward(gradient);
            units.Release(i + 1);
            units.GradientsComplete(i + 1);
            gradient = blockInputs[i].Grad!;  // (B, T, C)
        }
        embedded.Backward(gradient);
        units.GradientsComplete(0);
        return losses;
    }

    // The loss of the last block's output and its backward through the final norm and the head:
    // the detached per-position losses (B·T) and the gradient of that output (B, T, C).
    private (Tensor Losses, Tensor Gradient) HeadBackward(Tensor lastBlockOutput, Tensor targets, double lossDivisor, IParameterUnits units)
    {
        units.Acquire(0);
        var last = lastBlockOutput.Detach();
        last.RequiresGrad = true;
        var losses = CrossEntropyOfHidden(FinalHidden(last), targets, Reduction.None);  // (B·T)
        losses.Sum().Div(lossDivisor).Backward();
        units.Release(0);
        return (losses.Detach(), last.Grad!);
    }

    // Forward: the embedding stage keeps its graph; each block runs without one, in its own
    // dispose scope, and only its input is kept. Backward: the head's gradient is computed from
    // the last block's output, then each block, last first, is run again with a graph from its
    // saved input and back-propagated with the gradient of its output; its input's gradient feeds
    // the block before, and finally the embedding stage. Parameters accumulate their gradients as
    // in one backward, block by block (PyTorch's reentrant torch.utils.checkpoint does the same).
    private Tensor CheckpointedBackward(Tensor inputIds, Tensor targets, double lossDivisor, DocumentLayout? documents, IParameterUnits units)
    {
        units.Acquire(0);
        var (embedded, rotary, mask) = Embed(inputIds, documents);  // (B, T, C)
        units.Release(0);
        // Dropout draws from the generator: each block's recomputation must see the state its
        // forward saw, and the run must continue from the state after the forward pass.
        var replayRandom = Training && Config.Dropout > 0;
        var blockInputs = new Tensor[_layers.Length];
        var randomStates = new byte[_layers.Length][];
        var x = embedded.Detach();
        using (new NoGradScope())
        {
            for (var i = 0; i < _layers.Length; i++)
            {
                blockInputs[i] = x;
                if (replayRandom)
                    randomStates[i] = Rng.GetState(Device);
                using var block = DisposeScope.Enter();
                units.Acquire(i + 1);
                x = _layers[i].Forward(x, rotary, mask, Precision, Training).MoveToOuter();  // (B, T, C)
                units.Release(i + 1);
            }
        }
        var afterForward = replayRandom ? Rng.GetState(Device) : null;

        var (losses, gradient) = HeadBackward(x, targets, lossDivisor, units);  // (B·T), (B, T, C)
        for (var i = _layers.Length - 1; i >= 0; i--)
        {
            using var block = DisposeScope.Enter();
            if (replayRandom)
                Rng.SetState(randomStates[i], Device);
            var input = blockInputs[i].Detach();
            input.RequiresGrad = true;
            units.Acquire(i + 1);
            _layers[i].Forward(input, rotary, mask, Precision, Training).Backward(gradient);
            units.Release(i + 1);
            units.GradientsComplete(i + 1);
            // Free what this block no longer needs now, not at the end of the micro-batch.
            gradient.Dispose();
            blockInputs[i].Dispose();
            gradient = input.Grad!.MoveToOuter();  // (B, T, C)
        }
        embedded.Backward(gradient);
        units.GradientsComplete(0);
        if (afterForward is not null)
            Rng.SetState(afterForward, Device);
        return losses;
    }

    // The hooks of a model whose parameters are all present: nothing to do.
    private sealed class WholeUnits : IParameterUnits
    {
        public static readonly WholeUnits Instance = new();

        public void Acquire(int unit) { }

        public void Release(int unit) { }

        public void GradientsComplete(int unit) { }
    }
}
