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
#
# Each step prints one line; the full output of every step goes to artifacts/setup.log (the last run's).
# A failed step prints the last 40 lines of its output and the log's path, and set-up exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p artifacts
log=artifacts/setup.log
echo "setup.sh started $(date -u +%Y-%m-%dT%H:%M:%SZ) in $PWD (POLYGLOT_TORCH=${POLYGLOT_TORCH:-})" > "$log"

# step NAME COMMAND...: runs COMMAND with its output appended to the log; on failure shows the end of that output.
step() {
  local name=$1 from status=0
  shift
  echo >> "$log"
  from=$(($(stat -c %s "$log") + 1))
  printf '==== %s: %s\n' "$name" "$*" >> "$log"
  "$@" >> "$log" 2>&1 || status=$?
  ((status == 0)) && return 0
  {
    echo "setup: $name failed (exit $status); the last 40 lines of its output:"
    tail -c "+$from" "$log" | tail -n 40 | sed 's/^/  | /'
    echo "setup: the full log is $PWD/$log"
  } >&2
  exit 1
}
took() { echo "$((SECONDS - $1)) s"; }

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
  started=$SECONDS
  echo "setup: installing apt packages ${missing[*]} (output in $log)"
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  step "apt-get update" "${sudo_cmd[@]}" apt-get update -qq
  step "apt-get install" env DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "setup: apt packages ${missing[*]} installed ($(took "$started"))"
elif [[ -z $torch_choice ]]; then
  echo "setup: apt packages already installed"
fi

started=$SECONDS
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
# The configure output stays in artifacts/native-configure.log too: scripts/test.sh and scripts/gpu-check.sh read
# which libtorch the shim was built against from it.
configure() {
  local rc=0
  cmake -S src/PolyGlot.Native -B artifacts/native-build "${cmake_args[@]}" > artifacts/native-configure.log 2>&1 || rc=$?
  cat artifacts/native-configure.log
  return "$rc"
}
step "native shims: cmake configure" configure
echo "$torch_prefix" > "$choice_file"
[[ -z $torch_choice ]] || grep -h 'polyglot_torch: libtorch' artifacts/native-configure.log || true
step "native shims: cmake build" cmake --build artifacts/native-build -j"$(nproc)"
echo "setup: native shims built in artifacts/native ($(took "$started"))"

if [[ -n $torch_choice ]] && ! command -v dotnet > /dev/null; then
  echo "setup: dotnet not found; skipping the test tooling and the .NET build (use the CLI that scripts/publish.sh made elsewhere)"
  exit 0
fi

# Test-only tooling from npm (DuckDB as an independent Parquet implementation).
started=$SECONDS
installed=()
npm_ci() { (cd "$1" && npm ci --no-audit --no-fund --loglevel=error); }
for dir in tests/*/interop; do
  if [[ -f $dir/package.json && ! -d $dir/node_modules ]]; then
    step "npm ci in $dir" npm_ci "$dir"
    installed+=("$dir")
  fi
done
if ((${#installed[@]})); then
  echo "setup: npm test tooling ready (installed in ${installed[*]}; $(took "$started"))"
else
  echo "setup: npm test tooling ready (already installed)"
fi

started=$SECONDS
step ".NET build" dotnet build PolyGlot.sln -c Release -nologo -v quiet -clp:ErrorsOnly
echo "setup: .NET build done ($(took "$started"))"
