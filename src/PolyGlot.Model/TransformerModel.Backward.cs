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
    /// from the graph. With <see cref="ActivationCheckpointing"/> the blocks are recomputed in backward.
    /// </summary>
    /// <exception cref="ArgumentException">T exceeds <c>max_seq_len</c>.</exception>
    public Tensor BackwardTokenLosses(Tensor inputIds, Tensor targets, double lossDivisor, DocumentLayout? documents = null)
    {
        if (!ActivationCheckpointing)
        {
            var losses = TokenLosses(inputIds, targets, documents);  // (B·T)
            losses.Sum().Div(lossDivisor).Backward();
            return losses.Detach();
        }
        return CheckpointedBackward(inputIds, targets, lossDivisor, documents);
    }

    // Forward: the embedding stage keeps its graph; each block runs without one, in its own
    // dispose scope, and only its input is kept. Backward: the head's gradient is computed from
    // the last block's output, then each block, last first, is run again with a graph from its
    // saved input and back-propagated with the gradient of its output; its input's gradient feeds
    // the block before, and finally the embedding stage. Parameters accumulate their gradients as
    // in one backward, block by block (PyTorch's reentrant torch.utils.checkpoint does the same).
    private Tensor CheckpointedBackward(Tensor inputIds, Tensor targets, double lossDivisor, DocumentLayout? documents)
    {
        var (embedded, rotary, mask) = Embed(inputIds, documents);  // (B, T, C)
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
                x = _layers[i].Forward(x, rotary, mask, Precision, Training).MoveToOuter();  // (B, T, C)
            }
        }
        var afterForward = replayRandom ? Rng.GetState(Device) : null;

        var last = x.Detach();
        last.RequiresGrad = true;
        var losses = CrossEntropyOfHidden(FinalHidden(last), targets, Reduction.None);  // (B·T)
        losses.Sum().Div(lossDivisor).Backward();
        var gradient = last.Grad!;  // (B, T, C)
        for (var i = _layers.Length - 1; i >= 0; i--)
        {
            using var block = DisposeScope.Enter();
            if (replayRandom)
                Rng.SetState(randomStates[i], Device);
            var input = blockInputs[i].Detach();
            input.RequiresGrad = true;
            _layers[i].Forward(input, rotary, mask, Precision, Training).Backward(gradient);
            // Free what this block no longer needs now, not at the end of the micro-batch.
            gradient.Dispose();
            blockInputs[i].Dispose();
            gradient = input.Grad!.MoveToOuter();  // (B, T, C)
        }
        embedded.Backward(gradient);
        if (afterForward is not null)
            Rng.SetState(afterForward, Device);
        return losses.Detach();
    }
}
