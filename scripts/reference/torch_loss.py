"""Reference for the chunked cross-entropy test (tests/PolyGlot.Torch.Tests/ChunkedCrossEntropyTests.cs).

Per-position cross-entropy of the logits hidden @ weight.T by torch.nn.functional.cross_entropy
(reduction "none", ignore index -100 on a few positions), back-propagated with per-position
weights; writes the inputs, the losses and the gradients w.r.t. hidden and weight.

usage: torch_loss.py OUTPUT_DIR
"""
import sys

import torch
import torch.nn.functional as F

from torch_reference_io import ReferenceWriter

N, C, V, IGNORE = 45, 24, 300, -100


def main():
    torch.set_num_threads(1)
    w = ReferenceWriter(sys.argv[1])
    g = torch.Generator().manual_seed(13)
    hidden = torch.randn(N, C, generator=g).requires_grad_()
    weight = (torch.randn(V, C, generator=g) * 0.3).requires_grad_()
    targets = torch.randint(0, V, (N,), generator=g)
    targets[[0, 17, 44]] = IGNORE
    upstream = torch.rand(N, generator=g) + 0.5
    losses = F.cross_entropy(hidden @ weight.T, targets, ignore_index=IGNORE, reduction="none")
    (losses * upstream).sum().backward()
    for name, value in (("hidden", hidden), ("weight", weight), ("targets", targets), ("upstream", upstream),
                        ("losses", losses), ("grad_hidden", hidden.grad), ("grad_weight", weight.grad)):
        w.tensor(name, value)
    w.close()


if __name__ == "__main__":
    main()
