"""A torch.distributed (Gloo) rank that runs the same collectives as ProcessGroupTests' C# rank.

Usage: dist_peer.py HOST PORT RANK WORLD
Joins the default group through init_process_group("gloo" on 1.13, "cpu:gloo" on 2.x,
"tcp://HOST:PORT"), runs a fixed
sequence of collectives on inputs that depend only on the rank, and prints the results as JSON.
"""
import json
import os
import sys
from datetime import timedelta

import torch
import torch.distributed as dist

from torch_version import TORCH_VERSION


def rank_input(rank, n):
    # The same formula as the C# test: rank r contributes (r + 1) * [1, 2, ..., n] / 8.
    return (torch.arange(1, n + 1, dtype=torch.float32) * (rank + 1)) / 8


def main():
    host, port, rank, world = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    # From 2.0, "gloo" alone gives a group one Gloo backend per device type (CPU and CUDA), each
    # with its own rendezvous; a PolyGlot rank forms only the CPU one, so the Python rank asks for
    # exactly that ("cpu:gloo", which 1.13 does not know).
    backend = "gloo" if TORCH_VERSION < (2, 0) else "cpu:gloo"
    # 2.4 and later ask for the libuv store server by default, which Debian's 2.6 lacks; the
    # classic one speaks the same protocol.
    os.environ.setdefault("USE_LIBUV", "0")
    dist.init_process_group(backend, init_method=f"tcp://{host}:{port}", rank=rank, world_size=world,
                            timeout=timedelta(seconds=60))
    out = {}
    x = rank_input(rank, 6)
    dist.all_reduce(x)
    out["all_reduce_sum"] = x.tolist()
    y = rank_input(rank, 4)
    dist.all_reduce(y, op=dist.ReduceOp.MAX)
    out["all_reduce_max"] = y.tolist()
    b = rank_input(rank, 5)
    dist.broadcast(b, src=0)
    out["broadcast"] = b.tolist()
    parts = [torch.empty(3) for _ in range(world)]
    dist.all_gather(parts, rank_input(rank, 3))
    out["all_gather"] = torch.cat(parts).tolist()
    dist.barrier()
    print(json.dumps(out))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
