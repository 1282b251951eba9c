#!/usr/bin/env bash
# The whole test suite against PyTorch 2.x at run time, on this Debian 12 machine's CPU: Debian 13
# (trixie) ships libtorch 2.6, python3-torch 2.6, Gloo and SentencePiece as ordinary packages, so a
# minimal trixie root (mmdebstrap, from the Debian mirror apt already uses) holds them, and
# scripts/test.sh runs inside it with the native shims built against that libtorch
# (POLYGLOT_TORCH=<its CMake prefix>) and the Python references run by trixie's PyTorch 2.6.
#
#   scripts/test-torch2.sh [dotnet test arguments]   build the root once, then build and test in it
#   scripts/test-torch2.sh --run 'COMMAND'          build, then run COMMAND in the work copy instead
#                                                    (e.g. --run 'scripts/polyglot parity --device cpu')
#
# Why a root and not the host: libtorch 1.13 (Debian 12) and 2.6 cannot be installed side by side,
# and nothing here may change the host's apt sources or packages. The root lives in
# artifacts/torch2-root/ and is built once (a few minutes, about 1 GB); later runs only build and
# test. It is rebuilt from scratch when the package list below changes or when the directory is
# deleted.
#
# Isolation: the host's build (artifacts/native*, src/*/bin, obj) is never touched. The tracked
# (and not ignored untracked) files are copied into /work/polyglot inside the root, with their
# modification times, so that its own bin/, obj/, artifacts/ and node_modules/ stay there between
# runs and the next build is incremental. The host's .NET SDK (/usr/share/dotnet) is bind-mounted
# read-only; nothing .NET is downloaded except NuGet packages. The host's NuGet and npm caches are
# shared (what scripts/test.sh fetched is not fetched again), and the host's certificate bundle is
# trusted inside. Every mount (/proc, /dev, /sys, the SDK, the caches, the bundle) is made in a
# private mount namespace, and everything runs in its own PID namespace (unshare --mount --pid), so
# mounts and processes (MSBuild's and the compiler's servers too) end with the run, also after a failure.
#
# Output: the suite's own lines, and at the end the same closing line as scripts/test.sh
# ("tests: N passed, N failed, N skipped"); the exit status is non-zero on any failure. The full
# output is also in artifacts/test-torch2.log. Needs root (mmdebstrap --mode=root, chroot, mount),
# about 4 GB free, and the Debian mirror (POLYGLOT_DEBIAN_MIRROR overrides the one found in
# /etc/apt/sources.list{,.d}); npm and NuGet registries are reached from inside on a cold run.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export LC_ALL=C   # one collation for the file lists compared below

suite=trixie
root=$repo/artifacts/torch2-root
work_in_root=/work/polyglot
log=$repo/artifacts/test-torch2.log
# What the root holds. libtorch-dev/python3-torch: 2.6; libgloo-dev: c10d's Gloo backend;
# libsentencepiece-dev/sentencepiece: the SentencePiece shim and spm_* reference tools; zstd,
# snappy: Parquet codecs; nodejs/npm: the interop test tooling; libicu76/libssl3t64/ca-certificates:
# what the host's .NET SDK needs at run time; procps, mount: ps and the full-disk tmpfs of the
# fault campaign.
packages=(ca-certificates cmake g++ make pkg-config libtorch-dev libgloo-dev python3-torch libopenblas0-openmp
          libsentencepiece-dev sentencepiece libzstd-dev libsnappy-dev zstd nodejs npm libicu76 libssl3t64
          procps mount gzip)

say() { echo "test-torch2: $*"; }
fail() { echo "test-torch2: FAILED: $*" >&2; exit 1; }

run_command=
case ${1:-} in
  --run) [[ $# -ge 2 ]] || fail "--run needs a command"; run_command=$2; shift 2 ;;
  -h|--help) sed -n 2,30p "$0"; exit 0 ;;
esac

[[ $(id -u) -eq 0 ]] || fail "needs root (mmdebstrap --mode=root, chroot and bind mounts); run it with sudo"
command -v unshare > /dev/null || fail "unshare (util-linux) is missing"
git rev-parse --git-dir > /dev/null 2>&1 || fail "$repo is not a git checkout: the files to test are the ones git lists"
dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")" 2> /dev/null) \
  || fail "dotnet not found on this machine; the root uses the host's .NET SDK (install it as README.md says)"
[[ -x $dotnet_dir/dotnet && -d $dotnet_dir/sdk ]] || fail "$dotnet_dir holds no .NET SDK"
mkdir -p "$repo/artifacts"

# shellcheck source=lib/debian-mirror.sh
source "$repo/scripts/lib/debian-mirror.sh"

started=$SECONDS
stamp=$root/.polyglot-root
want_stamp="$suite ${packages[*]}"
if [[ -f $stamp && $(cat "$stamp") == "$want_stamp" ]]; then
  say "reusing the $suite root in artifacts/torch2-root (delete it to build it again)"
else
  free_kb=$(df -Pk "$repo/artifacts" | awk 'NR == 2 {print $4}')
  ((free_kb > 4 * 1024 * 1024)) || fail "about 4 GB free needed in $repo/artifacts for the $suite root, $((free_kb / 1024)) MB free"
  if ! command -v mmdebstrap > /dev/null; then
    say "installing Debian 12's mmdebstrap on this machine (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap > /dev/null \
      || fail "could not install mmdebstrap with apt-get; install it (apt-get install mmdebstrap) and rerun"
  fi
  mirror=$(debian_mirror) || fail "no Debian mirror to fetch from (see the line above)"
  say "building a $suite root with ${packages[*]} from $mirror into artifacts/torch2-root (once; a few minutes)"
  rm -rf "$root" "$root.partial"
  # Documentation, manual pages and translations are not unpacked (about 150 MB less).
  if ! mmdebstrap --mode=root --variant=apt --format=directory \
         --include="$(IFS=,; echo "${packages[*]}")" \
         --aptopt='Acquire::Retries "3"' \
         --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
         --dpkgopt='path-exclude=/usr/share/locale/*' \
         "$suite" "$root.partial" "$mirror" > "$repo/artifacts/torch2-root.log" 2>&1; then
    tail -n 30 "$repo/artifacts/torch2-root.log" >&2
    rm -rf "$root.partial"
    fail "mmdebstrap could not build the $suite root from $mirror (mirror unreachable, or a package missing from $suite?); full log in artifacts/torch2-root.log"
  fi
  echo "$want_stamp" > "$root.partial/.polyglot-root"
  mv "$root.partial" "$root"
  say "root built in $((SECONDS - started)) s ($(du -sm "$root" | cut -f1) MB)"
fi
root_built=$((SECONDS - started))

# Once per root: name resolution for npm/NuGet and localhost for the TCPStore, the host SDK's
# mount point and the dotnet command.
[[ -s $root/etc/hosts ]] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null || true
mkdir -p "$root/usr/share/dotnet" "$root/nuget" "$root$work_in_root"
ln -sfn /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"

# The work copy: tracked and not-ignored untracked files, modification times kept; files that are
# gone from the repository are removed there too (its bin/, obj/, artifacts/, node_modules/ stay).
say "copying the source tree into the root"
work=$root$work_in_root
git ls-files -z --cached --others --exclude-standard | sort -z -u > "$repo/artifacts/torch2-files"
tar -c --null -T "$repo/artifacts/torch2-files" --ignore-failed-read 2> /dev/null | tar -x -C "$work"
(cd "$work" && find . -type f -not -path '*/bin/*' -not -path '*/obj/*' -not -path './artifacts/*' \
   -not -path '*/node_modules/*' -not -path '*/TestResults/*' -not -path './runs/*' -printf '%P\0' | sort -z) \
  | comm -z -23 - "$repo/artifacts/torch2-files" | (cd "$work" && xargs -0 -r rm -f --)

# npm ci writes node_modules/.package-lock.json last: without it an earlier install was cut short,
# and scripts/setup.sh (which installs only where node_modules is missing) must do it again.
for modules in "$work"/tests/*/interop/node_modules; do
  [[ ! -d $modules || -f $modules/.package-lock.json ]] || rm -rf "$modules"
done

# The libtorch inside: its CMake config, found once.
torch_config=$(find "$root/usr/lib" -name TorchConfig.cmake -path '*cmake/Torch/*' -print -quit)
[[ -n $torch_config ]] || fail "no TorchConfig.cmake in the root (libtorch-dev missing?); delete artifacts/torch2-root and rerun"
torch_prefix=${torch_config#"$root"}
torch_prefix=${torch_prefix%/Torch/TorchConfig.cmake}
torch_version=$(chroot "$root" dpkg-query -W -f='${Version}\n' libtorch-dev python3-torch 2> /dev/null | sort -u | tr '\n' ' ')
say "libtorch CMake prefix $torch_prefix; libtorch-dev, python3-torch $torch_version"

# Package caches shared with the host: what scripts/test.sh already fetched is not fetched again.
nuget_host=${NUGET_PACKAGES:-$HOME/.nuget/packages}
npm_host=${npm_config_cache:-$HOME/.npm}
mkdir -p "$nuget_host" "$npm_host" "$root/root/.npm"
# The root trusts the certificate authorities this machine trusts (its bundle, which may hold a
# local proxy's authority that the npm and NuGet registries are reached through).
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[[ -f $ca_bundle ]] || fail "$ca_bundle missing on this machine (install ca-certificates)"
if [[ -n $run_command ]]; then
  inner="scripts/setup.sh && { $run_command; }"
else
  inner='scripts/test.sh "$@"'
fi

# POLYGLOT_* settings of the caller reach the suite inside (POLYGLOT_TORCH is the root's own).
passed_env=()
for name in $(compgen -e | grep '^POLYGLOT_' | grep -vx 'POLYGLOT_TORCH\|POLYGLOT_DEBIAN_MIRROR' || true); do
  passed_env+=("$name=${!name}")
done

# In private mount and PID namespaces: every mount below ends with the run, and so does every
# process started inside (build servers included), also after a failure.
set +e
unshare --mount --pid --fork --propagation private -- /bin/bash -euo pipefail -c '
  root=$1 dotnet_dir=$2 nuget_host=$3 npm_host=$4 ca_bundle=$5 work=$6 torch_prefix=$7 inner=$8 settings=$9; shift 9
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
  mount --bind "$dotnet_dir" "$root/usr/share/dotnet"
  mount -o remount,bind,ro "$root/usr/share/dotnet"
  mount --bind "$nuget_host" "$root/nuget"
  mount --bind "$npm_host" "$root/root/.npm"
  mount --bind "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
  mount -o remount,bind,ro "$root/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$root/tmp"/* "$root/tmp"/.[!.]* 2> /dev/null || true
  exec chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" NUGET_PACKAGES=/nuget DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1 \
    POLYGLOT_TORCH="$torch_prefix" \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt npm_config_cafile=/etc/ssl/certs/ca-certificates.crt $settings \
    /bin/bash -c "cd $work && $inner" inner "$@"
' test-torch2 "$root" "$dotnet_dir" "$nuget_host" "$npm_host" "$ca_bundle" "$work_in_root" "$torch_prefix" "$inner" "${passed_env[*]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

root_note=reused
((root_built <= 5)) || root_note="built in $root_built s"
say "libtorch $torch_version(Debian $suite) on $(nproc) cores; root $root_note, build and run $((SECONDS - started - root_built)) s"
if [[ -z $run_command ]]; then
  # The closing line(s) of scripts/test.sh inside, last, as on the host.
  if ! grep -E '^tests: ' "$log"; then
    echo "tests: 0 passed, 0 failed, 0 skipped"
    echo "tests: the set-up or build in the $suite root failed (see above, or artifacts/test-torch2.log)"
    ((status != 0)) || status=1
  fi
fi
exit "$status"
