"""torch.distributed (Gloo) all-reduce timing, the peer of `polyglot bench allreduce`.

Usage: dist_allreduce_bench.py HOST PORT RANK WORLD SIZES_MIB ITERATIONS
Each rank all-reduces a float32 buffer of every size (MiB, comma-separated) ITERATIONS times after
one warm-up and prints one JSON line: median seconds per all-reduce and the CPU seconds this
process used while timing, per size.
"""
import json
import os
import statistics
import sys
import time
from datetime import timedelta

import torch
import torch.distributed as dist


def main():
    host, port, rank, world = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sizes = [int(s) for s in sys.argv[5].split(",")]
    iterations = int(sys.argv[6])
    torch.set_num_threads(1)
    # 2.4 and later ask for the libuv store server by default, which Debian's 2.6 lacks; the
    # classic one speaks the same protocol and serves two ranks as well.
    os.environ.setdefault("USE_LIBUV", "0")
    dist.init_process_group("gloo", init_method=f"tcp://{host}:{port}", rank=rank, world_size=world,
                            timeout=timedelta(seconds=300))
    result = {"rank": rank, "seconds": {}, "cpu_seconds": {}}
    for mib in sizes:
        buffer = torch.ones(mib * (1 << 20) // 4, dtype=torch.float32)
        dist.all_reduce(buffer)
        dist.barrier()
        samples = []
        cpu = time.process_time()
        for _ in range(iterations):
            start = time.perf_counter()
            dist.all_reduce(buffer)
            samples.append(time.perf_counter() - start)
        result["cpu_seconds"][str(mib)] = time.process_time() - cpu
        result["seconds"][str(mib)] = statistics.median(samples)
        dist.barrier()
    print(json.dumps(result), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
