#!/usr/bin/env bash
# Peak CPU memory and time of the loss's forward + backward with V = 256,000, plain and chunked
# (Functional.ChunkedCrossEntropy), measured by libtorch's CPU allocator counter in
# tests/PolyGlot.Torch.Tests (ChunkedCrossEntropyTests, which also asserts the chunked peak is below
# a quarter of the plain one). Each shape is "positions,width,chunk"; the plain loss of N positions
# needs about 4 x N x 1 MB, e.g. 8.4 GB for N = 2,048.
#   scripts/bench-loss.sh                       # 512,64,64 and 1024,256,128
#   scripts/bench-loss.sh 2048,256,256
set -euo pipefail
cd "$(dirname "$0")/.."
shapes=("$@")
((${#shapes[@]})) || shapes=(512,64,64 1024,256,128)
dotnet build tests/PolyGlot.Torch.Tests -c Release -nologo -v quiet -clp:ErrorsOnly
for shape in "${shapes[@]}"; do
  POLYGLOT_BENCH_LOSS=$shape dotnet test tests/PolyGlot.Torch.Tests -c Release --no-build -nologo \
    --filter "FullyQualifiedName~ChunkedCrossEntropyTests.PeakMemoryIsFarBelowThePlainLoss" \
    --logger "console;verbosity=detailed" | grep -E '^ *(N [0-9]|plain:|chunked:)|Failed|error' | sed 's/^ *//'
done
