#!/usr/bin/env bash
# Compiles every translation unit of the libtorch shim (src/PolyGlot.Native/torch/*.cpp, globbed,
# so new files are checked without editing this script) against the headers of Debian trixie's
# libtorch 2.6, so that a libtorch 2.x API break is seen on a machine that builds against Debian
# 12's libtorch 1.13 (CPU) and has no CUDA.
#   scripts/check-torch2-headers.sh          # CPU configuration; run by scripts/test.sh, so by CI
#   scripts/check-torch2-headers.sh --cuda   # CUDA configuration; by hand, NOT run in CI (~1 GB download)
#
# CPU (default): libtorch-dev and libgloo-dev, with the compile definitions the package's CMake
# config gives users of torch_cpu (USE_DISTRIBUTED, USE_C10D_GLOO, ...) and PG_WITH_GLOO.
# --cuda: the headers of Debian's CUDA build of the same libtorch 2.6, with CUDA 12.4, NCCL and
# Gloo-with-CUDA headers, and the definitions of torch_cpu plus torch_cuda (USE_C10D_NCCL; the
# config exports no USE_CUDA to its users) plus what src/PolyGlot.Native/torch/CMakeLists.txt adds
# for a CUDA libtorch (PG_WITH_CUDA=1, PG_WITH_NCCL=1, USE_C10D_NCCL=1). It fails unless the code
# behind them was really compiled: the CUDA runtime, caching-allocator and ProcessGroupNCCL
# headers reached, and PG_FUSED_ADAMW_CUDA (fused AdamW on GPUs, from 2.1) defined in pg_optim.cpp.
#
# What it proves: each .cpp parses and type-checks (g++ -std=c++17 -fsyntax-only) against the 2.6
# API in that configuration, and every libtorch, c10d, Gloo, CUDA or NCCL header a file reaches
# comes from trixie, none from this machine (only the C/C++ runtime's headers may).
# What it does not prove: nothing is linked, so a symbol that the 2.6 headers declare but its
# libraries lack goes unseen; no nvcc is involved (the shim has no .cu files: its .cpp files are
# compiled by the host C++ compiler in a CUDA build too); nothing runs, so behaviour on 2.x and on
# a GPU is not tested; other versions (PyTorch 2.11 with CUDA 13 on the GPU machines) may differ
# from 2.6 with CUDA 12.4: scripts/gpu-check.sh builds and runs the shim there.
#
# The packages are fetched with a private apt configuration (own source list, index lists and
# download cache under artifacts/torch2-apt/ or artifacts/torch2-cuda-apt/); the machine's apt
# sources, indexes and installed packages are left untouched. Their headers and CMake files (no
# libraries) are unpacked into artifacts/torch2/ or artifacts/torch2-cuda/, the .debs deleted, and
# the unpacked tree reused on later runs (delete it to fetch again). The two trees are separate
# because the CUDA packages conflict with the CPU ones. The mirror is the Debian mirror this
# machine's apt sources use, or POLYGLOT_DEBIAN_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

suite=trixie
case ${1:-} in
  "") mode=cpu ;;
  --cuda) mode=cuda ;;
  *) echo "usage: scripts/check-torch2-headers.sh [--cuda]" >&2; exit 2 ;;
esac
if [[ $mode == cpu ]]; then
  # libtorch-dev: the ATen, c10, torch and c10d headers; libgloo-dev: the Gloo headers that c10d's
  # ProcessGroupGloo.hpp includes. Only headers are used; nothing is installed.
  tree=torch2
  components=(main)
  packages=(libtorch-dev libgloo-dev)
  targets_used=(torch_cpu)
else
  # libtorch-cuda-dev (contrib; replaces libtorch-dev): ATen/c10/torch headers of the CUDA build,
  # c10/cuda and ProcessGroupNCCL.hpp included. libgloo-cuda-dev (contrib; replaces libgloo-dev):
  # its gloo/config.h sets GLOO_USE_CUDA. libnccl-dev (contrib): nccl.h. nvidia-cuda-dev
  # (non-free, 934 MB; no smaller trixie package has the toolkit headers): ATen/cuda/CUDAContext.h,
  # which ProcessGroupNCCL.hpp includes, needs cuda_runtime_api.h, cublas_v2.h, cusparse.h and
  # cusolverDn.h. libcu++-dev: nv/target, which cuda_fp16.h includes.
  tree=torch2-cuda
  components=(main contrib non-free)
  packages=(libtorch-cuda-dev libgloo-cuda-dev libnccl-dev nvidia-cuda-dev libcu++-dev)
  targets_used=(torch_cpu torch_cuda)
fi
root=$repo/artifacts/$tree
apt_dir=$repo/artifacts/$tree-apt
work=$repo/artifacts/$tree-check

fail() { echo "check-torch2-headers: FAILED: $*" >&2; exit 1; }

# shellcheck source=lib/debian-mirror.sh
source "$repo/scripts/lib/debian-mirror.sh"

fetch() {
  local mirror apt_opts
  mirror=$(debian_mirror) || fail "no Debian mirror to fetch from (see the line above)"
  rm -rf "$apt_dir" "$root"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts" "$apt_dir/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite ${components[*]}" > "$apt_dir/sources.list"
  apt_opts=(-q
    -o "Dir::Etc::SourceList=$apt_dir/sources.list"
    -o "Dir::Etc::SourceParts=$apt_dir/parts"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache::Archives=$apt_dir/archives"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Architectures::=amd64" -o "Acquire::Languages=none"
    -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
    -o "Acquire::Retries=1" -o "Acquire::http::Timeout=30"
    -o "APT::Sandbox::User=$(id -un)")
  echo "check-torch2-headers: fetching ${packages[*]} from $mirror $suite (private apt configuration)"
  local started=$SECONDS component
  if ! apt-get "${apt_opts[@]}" update > "$apt_dir/update.log" 2>&1; then
    cat "$apt_dir/update.log" >&2
    fail "could not read the $suite package index from $mirror (mirror unreachable?); nothing was checked"
  fi
  for component in "${components[@]}"; do
    compgen -G "$apt_dir/lists/*_dists_${suite}_${component}_binary-amd64_Packages*" > /dev/null \
      || fail "no $suite $component package index from $mirror (see artifacts/$tree-apt/update.log); nothing was checked"
  done
  local selectors=()
  for p in "${packages[@]}"; do selectors+=("$p/$suite"); done
  if ! (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" download "${selectors[@]}") > "$apt_dir/download.log" 2>&1; then
    cat "$apt_dir/download.log" >&2
    fail "could not download ${packages[*]} ($suite) from $mirror"
  fi
  echo "check-torch2-headers: downloaded $(cat "$apt_dir"/debs/*.deb | wc -c | awk '{print int($1 / 1e6 + 0.5)}') MB in $((SECONDS - started)) s; unpacking headers"
  # Headers and CMake files only: the libraries (nvidia-cuda-dev's static ones are 2 GB) are never
  # linked here.
  mkdir -p "$root.partial"
  for deb in "$apt_dir"/debs/*.deb; do
    dpkg-deb --fsys-tarfile "$deb" \
      | tar -x -C "$root.partial" --exclude='*.a' --exclude='*.so' --exclude='*.so.*' --exclude=./usr/share/doc \
      || fail "could not unpack $deb"
  done
  (cd "$apt_dir/debs" && ls -l -- *.deb | awk '{print $9 " (" int($5 / 1e6 + 0.5) " MB)"}') > "$root.partial/.packages"
  rm -f "$apt_dir"/debs/*.deb
  mv "$root.partial" "$root"
}

if [[ -f $root/.packages ]]; then
  echo "check-torch2-headers: using $(tr '\n' ' ' < "$root/.packages")(cached in artifacts/$tree)"
else
  rm -rf "$root.partial"
  fetch
fi

include=$root/usr/include
version_h=$include/torch/csrc/api/include/torch/version.h
[[ -f $version_h ]] || fail "$version_h missing; delete artifacts/$tree and rerun"
version=$(awk '/define TORCH_VERSION_(MAJOR|MINOR|PATCH)/ {v = v (v == "" ? "" : ".") $3} END {print v}' "$version_h")
[[ $version == 2.* ]] || fail "artifacts/$tree holds libtorch '$version', expected 2.x; delete it and rerun"
# Headers that only a CUDA libtorch tree has, and that the shim's CUDA and NCCL code includes.
cuda_headers=(c10/cuda/CUDACachingAllocator.h torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp cuda_runtime_api.h nccl.h)
if [[ $mode == cuda ]]; then
  for header in "${cuda_headers[@]}"; do
    [[ -f $include/$header ]] || fail "$header missing from artifacts/$tree (not a CUDA libtorch?); delete it and rerun"
  done
fi

# The definitions libtorch's CMake config exports on the targets a CMake build of the shim links
# (torch_cpu; torch_cuda too with CUDA), read from the set_target_properties block of each.
targets=$(find "$root/usr/lib" -name Caffe2Targets.cmake | head -n1)
[[ -n $targets ]] || fail "Caffe2Targets.cmake not found in artifacts/$tree"
target_defines() {
  awk -v target="$1" '$1 == "set_target_properties(" target {t = 1; next}
                      t && /^\)/ {exit}
                      t && $1 == "INTERFACE_COMPILE_DEFINITIONS" {print; exit}' "$targets" \
    | sed 's/.*INTERFACE_COMPILE_DEFINITIONS "\(.*\)"/\1/' | tr ';' ' '
}
defines=
for target in "${targets_used[@]}"; do
  grep -q "^add_library($target SHARED IMPORTED)" "$targets" || fail "no $target target in $targets"
  defines+=" $(target_defines "$target")"
done
flags=(-std=c++17 -fsyntax-only -D_GLIBCXX_USE_CXX11_ABI=1)
for d in $defines; do flags+=("-D$d"); done
# What src/PolyGlot.Native/torch/CMakeLists.txt adds when it finds Gloo's headers (libgloo-dev
# above), and when the libtorch it found has CUDA (C10_CUDA_LIBRARY set).
[[ -f $include/gloo/algorithm.h ]] && flags+=(-DPG_WITH_GLOO=1)
[[ $mode == cuda ]] && flags+=(-DPG_WITH_CUDA=1 -DPG_WITH_NCCL=1 -DUSE_C10D_NCCL=1)
flags+=(-I"$include" -I"$include/torch/csrc/api/include" -I"$repo/src/PolyGlot.Native/common")

mapfile -t units < <(find src/PolyGlot.Native/torch -name '*.cpp' | sort)
((${#units[@]})) || fail "no .cpp files under src/PolyGlot.Native/torch"
rm -rf "$work"; mkdir -p "$work"
echo "check-torch2-headers: compiling ${#units[@]} files against libtorch $version headers ($mode:${defines})"

compile() {
  local unit=$1 name
  name=$(basename "$unit" .cpp)
  if g++ "${flags[@]}" -MD -MF "$work/$name.d" "$unit" > "$work/$name.log" 2>&1; then
    touch "$work/$name.ok"
  fi
}
running=0
for unit in "${units[@]}"; do
  compile "$unit" &
  if ((++running >= $(nproc))); then wait -n || true; ((running--)); fi
done
wait

failed=()
for unit in "${units[@]}"; do
  name=$(basename "$unit" .cpp)
  if [[ ! -f $work/$name.ok ]]; then
    failed+=("$unit")
    echo "---- $unit" >&2
    grep -E 'error|fatal' "$work/$name.log" | head -n 20 >&2 || cat "$work/$name.log" >&2
  fi
done
((${#failed[@]} == 0)) || fail "${failed[*]} do not compile against the libtorch $version API (full output in artifacts/$tree-check/*.log)"

# A header missing from the trixie tree would silently resolve to this machine's /usr/include
# (libtorch 1.13, Debian 12's Gloo, any CUDA or NCCL headers installed here): only the C/C++
# runtime's headers may come from there.
mapfile -t system_headers < <(cat "$work"/*.d | tr ' \\' '\n\n' | grep '^/usr/include/' | sort -u)
if ((${#system_headers[@]})); then
  foreign=$(dpkg -S "${system_headers[@]}" 2>/dev/null \
    | grep -vE '^(libc6-dev|linux-libc-dev|libstdc\+\+-[0-9]+-dev|libgcc-[0-9]+-dev|libcrypt-dev|libtirpc-dev)(:amd64)?: ' || true)
  [[ -z $foreign ]] || fail "these headers came from this machine, not from trixie (add their trixie packages to 'packages' in this script):
$foreign"
fi

if [[ $mode == cuda ]]; then
  # The CUDA code sits behind #ifdefs: make sure it was compiled, not skipped, and by the CUDA and
  # NCCL headers of the tree above. The fused AdamW path also needs the version guard in
  # pg_optim.cpp to let 2.6 in.
  for header in "${cuda_headers[@]}"; do
    grep -qF "$include/$header" "$work"/*.d || fail "no shim file included $header: the PG_WITH_CUDA / PG_WITH_NCCL code was not compiled"
  done
  optim=src/PolyGlot.Native/torch/pg_optim.cpp
  g++ "${flags[@]/-fsyntax-only/-E}" -dM "$optim" > "$work/pg_optim.macros" || fail "could not preprocess $optim"
  grep -q '^#define PG_FUSED_ADAMW_CUDA ' "$work/pg_optim.macros" \
    || fail "PG_FUSED_ADAMW_CUDA is not defined in $optim against libtorch $version with CUDA: the fused AdamW path for GPUs was not compiled"
  echo "check-torch2-headers: ${#units[@]} files compile against libtorch $version (CUDA configuration: PG_WITH_CUDA, NCCL, fused AdamW)"
else
  echo "check-torch2-headers: ${#units[@]} files compile against libtorch $version (CPU configuration)"
fi
