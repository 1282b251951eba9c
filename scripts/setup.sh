#!/usr/bin/env bash
# One-time (idempotent) set-up on a Debian 12 machine with the .NET SDK:
# system packages when missing, the native shims (CMake), test tooling (npm), the .NET build.
#
# The libtorch that libpolyglot_torch.so is built against (docs/torch.md):
#   POLYGLOT_TORCH unset          Debian's libtorch 1.13 from apt: what CI builds and tests
#   POLYGLOT_TORCH=python         the libtorch inside the PyTorch of ${PYTHON:-python3} (e.g. 2.x with CUDA)
#   POLYGLOT_TORCH=/cmake/prefix  a libtorch whose CMake config (TorchConfig.cmake) lies under that prefix
# With POLYGLOT_TORCH set nothing is installed with apt (such machines, e.g. a GPU box with a PyTorch
# install, often have no Debian mirror): cmake and a C++ compiler must be there; SentencePiece is
# optional (without it only libpolyglot_torch.so is built; scripts/publish.sh's folder carries a
# libpolyglot_spm.so), and the .NET build is skipped when dotnet is absent (run the published CLI).
set -euo pipefail
cd "$(dirname "$0")/.."

torch_choice=${POLYGLOT_TORCH:-}
torch_prefix=
case $torch_choice in
  "") ;;
  python)
    python=${PYTHON:-python3}
    torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null) \
      || { echo "setup: POLYGLOT_TORCH=python, but '$python' cannot import torch; install PyTorch or set PYTHON" >&2; exit 1; }
    echo "setup: libtorch of $("$python" -c 'import torch; print("PyTorch", torch.__version__, "(CUDA", str(torch.version.cuda) + ")")') under $torch_prefix"
    ;;
  *)
    [[ -d $torch_choice ]] \
      || { echo "setup: POLYGLOT_TORCH=$torch_choice is neither 'python' nor a directory (a CMake prefix holding libtorch)" >&2; exit 1; }
    torch_prefix=$(cd "$torch_choice" && pwd)
    echo "setup: libtorch under $torch_prefix"
    ;;
esac
if [[ -n $torch_prefix && -z $(find "$torch_prefix" -maxdepth 5 -name TorchConfig.cmake -print -quit 2>/dev/null) ]]; then
  echo "setup: no TorchConfig.cmake under $torch_prefix; POLYGLOT_TORCH needs a libtorch with its CMake config" >&2
  exit 1
fi

packages=(cmake g++ libtorch-dev libgloo-dev libopenblas0-openmp libsentencepiece-dev sentencepiece
          python3-torch libzstd-dev libsnappy-dev)
missing=()
if [[ -n $torch_choice ]]; then
  for tool in cmake c++; do
    command -v "$tool" > /dev/null || { echo "setup: POLYGLOT_TORCH is set, so nothing is installed; '$tool' is missing" >&2; exit 1; }
  done
else
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "setup: building native shims"
mkdir -p artifacts
# CMake caches the libtorch it found, and make keeps a newer library from another libtorch as up to
# date: a changed choice starts the native build afresh. (No record: the default built it.)
choice_file=artifacts/native-build/polyglot-torch-prefix
if [[ $(cat "$choice_file" 2>/dev/null || true) != "$torch_prefix" ]]; then
  echo "setup: libtorch choice changed; reconfiguring the native build"
  rm -rf artifacts/native-build artifacts/native
fi
cmake_args=(-DCMAKE_BUILD_TYPE=Release -DPOLYGLOT_OUTPUT_DIR="$PWD/artifacts/native")
if [[ -n $torch_choice ]]; then
  cmake_args+=(-DCMAKE_PREFIX_PATH="$torch_prefix")
  if ! pkg-config --exists sentencepiece 2> /dev/null && [[ ! -f /usr/include/sentencepiece_processor.h ]]; then
    echo "setup: SentencePiece not found; building libpolyglot_torch.so only (scripts/publish.sh's folder has libpolyglot_spm.so)"
    cmake_args+=(-DPOLYGLOT_BUILD_SPM=OFF)
  fi
fi
cmake -S src/PolyGlot.Native -B artifacts/native-build "${cmake_args[@]}" > artifacts/native-configure.log 2>&1 \
  || { cat artifacts/native-configure.log; exit 1; }
echo "$torch_prefix" > "$choice_file"
[[ -z $torch_choice ]] || grep -h 'polyglot_torch: libtorch' artifacts/native-configure.log || true
cmake --build artifacts/native-build -j"$(nproc)"

if [[ -n $torch_choice ]] && ! command -v dotnet > /dev/null; then
  echo "setup: dotnet not found; skipping the test tooling and the .NET build (use the CLI that scripts/publish.sh made elsewhere)"
  exit 0
fi

# Test-only tooling from npm (DuckDB as an independent Parquet implementation).
for dir in tests/*/interop; do
  if [[ -f $dir/package.json && ! -d $dir/node_modules ]]; then
    echo "setup: npm install in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

echo "setup: building .NET solution"
dotnet build PolyGlot.sln -c Release -nologo -v quiet -clp:ErrorsOnly
