#!/usr/bin/env bash
# One-time (idempotent) set-up on a Debian 12 machine with the .NET SDK:
# system packages when missing, the native shims (CMake), test tooling (npm), the .NET build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake g++ libtorch-dev libgloo-dev libopenblas0-openmp libsentencepiece-dev sentencepiece
          python3-torch libzstd-dev libsnappy-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "setup: building native shims"
mkdir -p artifacts
cmake -S src/PolyGlot.Native -B artifacts/native-build -DCMAKE_BUILD_TYPE=Release \
      -DPOLYGLOT_OUTPUT_DIR="$PWD/artifacts/native" > artifacts/native-configure.log 2>&1 \
  || { cat artifacts/native-configure.log; exit 1; }
cmake --build artifacts/native-build -j"$(nproc)"

# Test-only tooling from npm (DuckDB as an independent Parquet implementation).
for dir in tests/*/interop; do
  if [[ -f $dir/package.json && ! -d $dir/node_modules ]]; then
    echo "setup: npm install in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

echo "setup: building .NET solution"
dotnet build PolyGlot.sln -c Release -nologo -v quiet -clp:ErrorsOnly
