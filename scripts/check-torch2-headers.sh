#!/usr/bin/env bash
# Compiles every translation unit of the libtorch shim (src/PolyGlot.Native/torch/*.cpp, globbed,
# so new files are checked without editing this script) against the headers of Debian trixie's
# libtorch-dev 2.6, so that a libtorch 2.x API break fails CI on a machine that builds against
# Debian 12's libtorch 1.13.
#
# What it proves: each .cpp parses and type-checks (g++ -std=c++17 -fsyntax-only) against the 2.6
# API in its CPU configuration, with the compile definitions that the package's CMake config gives
# its users (USE_DISTRIBUTED, USE_C10D_GLOO, ...; c10d and Gloo headers included), and every
# libtorch, c10d or Gloo header a file reaches comes from trixie, none from this machine's 1.13.
# What it does not prove: nothing is linked, so a symbol that the 2.6 headers declare but its
# libraries lack goes unseen; code under PG_WITH_CUDA (and the fused AdamW path it enables) is not
# compiled, as Debian's libtorch has no CUDA; nothing runs, so behaviour on 2.x is not tested
# (scripts/gpu-check.sh builds and runs the shim on a PyTorch 2.x CUDA machine).
#
# The packages are fetched with a private apt configuration (own source list, index lists and
# download cache under artifacts/torch2-apt/); the machine's apt sources, indexes and installed
# packages are left untouched. They are unpacked with dpkg -x into artifacts/torch2/ and reused
# on later runs (delete that folder to fetch again). The mirror is the Debian mirror this machine's
# apt sources use, or POLYGLOT_DEBIAN_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

suite=trixie
# libtorch-dev: the ATen, c10, torch and c10d headers; libgloo-dev: the Gloo headers that c10d's
# ProcessGroupGloo.hpp includes. Only headers are used; nothing is installed.
packages=(libtorch-dev libgloo-dev)
root=$repo/artifacts/torch2
apt_dir=$repo/artifacts/torch2-apt
work=$repo/artifacts/torch2-check

fail() { echo "check-torch2-headers: FAILED: $*" >&2; exit 1; }

debian_mirror() {
  if [[ -n ${POLYGLOT_DEBIAN_MIRROR:-} ]]; then echo "$POLYGLOT_DEBIAN_MIRROR"; return; fi
  local uri
  # deb822 sources (Debian 12's default), then one-line sources; the security archive has no trixie
  # main suite, so it is skipped.
  uri=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | grep '/debian/\?$' | head -n1 || true)
  if [[ -z $uri ]]; then
    uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) {print $i; break}}' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep '/debian/\?$' | head -n1 || true)
  fi
  [[ -n $uri ]] || fail "no Debian mirror in /etc/apt/sources.list{,.d}; set POLYGLOT_DEBIAN_MIRROR (e.g. http://deb.debian.org/debian)"
  echo "$uri"
}

fetch() {
  local mirror apt_opts
  mirror=$(debian_mirror)
  rm -rf "$apt_dir" "$root"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts" "$apt_dir/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$apt_dir/sources.list"
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
  if ! apt-get "${apt_opts[@]}" update > "$apt_dir/update.log" 2>&1 \
     || ! compgen -G "$apt_dir/lists/*_dists_${suite}_main_binary-amd64_Packages*" > /dev/null; then
    cat "$apt_dir/update.log" >&2
    fail "could not read the $suite package index from $mirror (mirror unreachable?); nothing was checked"
  fi
  local selectors=()
  for p in "${packages[@]}"; do selectors+=("$p/$suite"); done
  if ! (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" download "${selectors[@]}") > "$apt_dir/download.log" 2>&1; then
    cat "$apt_dir/download.log" >&2
    fail "could not download ${packages[*]} ($suite) from $mirror"
  fi
  mkdir -p "$root.partial"
  for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$root.partial"; done
  (cd "$apt_dir/debs" && ls -- *.deb) > "$root.partial/.packages"
  mv "$root.partial" "$root"
}

if [[ -f $root/.packages ]]; then
  echo "check-torch2-headers: using $(tr '\n' ' ' < "$root/.packages")(cached in artifacts/torch2)"
else
  rm -rf "$root.partial"
  fetch
fi

include=$root/usr/include
version_h=$include/torch/csrc/api/include/torch/version.h
[[ -f $version_h ]] || fail "$version_h missing; delete artifacts/torch2 and rerun"
version=$(awk '/define TORCH_VERSION_(MAJOR|MINOR|PATCH)/ {v = v (v == "" ? "" : ".") $3} END {print v}' "$version_h")
[[ $version == 2.* ]] || fail "artifacts/torch2 holds libtorch '$version', expected 2.x; delete it and rerun"

# The definitions libtorch's CMake config exports on torch_cpu (what a CMake build of the shim gets).
targets=$(find "$root/usr/lib" -name Caffe2Targets.cmake | head -n1)
[[ -n $targets ]] || fail "Caffe2Targets.cmake not found in artifacts/torch2"
defines=$(awk '/add_library\(torch_cpu SHARED IMPORTED\)/ {t = 1} t && /INTERFACE_COMPILE_DEFINITIONS/ {print; exit}' "$targets" \
          | sed 's/.*INTERFACE_COMPILE_DEFINITIONS "\(.*\)"/\1/' | tr ';' ' ')
flags=(-std=c++17 -fsyntax-only -D_GLIBCXX_USE_CXX11_ABI=1)
for d in $defines; do flags+=("-D$d"); done
# What src/PolyGlot.Native/torch/CMakeLists.txt adds when it finds Gloo's headers (libgloo-dev above).
[[ -f $include/gloo/algorithm.h ]] && flags+=(-DPG_WITH_GLOO=1)
flags+=(-I"$include" -I"$include/torch/csrc/api/include" -I"$repo/src/PolyGlot.Native/common")

mapfile -t units < <(find src/PolyGlot.Native/torch -name '*.cpp' | sort)
((${#units[@]})) || fail "no .cpp files under src/PolyGlot.Native/torch"
rm -rf "$work"; mkdir -p "$work"
echo "check-torch2-headers: compiling ${#units[@]} files against libtorch $version headers ($defines)"

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
((${#failed[@]} == 0)) || fail "${failed[*]} do not compile against the libtorch $version API (full output in artifacts/torch2-check/*.log)"

# A header missing from the trixie tree would silently resolve to this machine's /usr/include
# (libtorch 1.13, Debian 12's Gloo): only the C/C++ runtime's headers may come from there.
mapfile -t system_headers < <(cat "$work"/*.d | tr ' \\' '\n\n' | grep '^/usr/include/' | sort -u)
if ((${#system_headers[@]})); then
  foreign=$(dpkg -S "${system_headers[@]}" 2>/dev/null \
    | grep -vE '^(libc6-dev|linux-libc-dev|libstdc\+\+-[0-9]+-dev|libgcc-[0-9]+-dev|libcrypt-dev|libtirpc-dev)(:amd64)?: ' || true)
  [[ -z $foreign ]] || fail "these headers came from this machine, not from trixie (add their trixie packages to 'packages' in this script):
$foreign"
fi
echo "check-torch2-headers: ${#units[@]} files compile against libtorch $version (CPU configuration)"
