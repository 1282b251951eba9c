#!/usr/bin/env bash
# Two machines on one: data-parallel training across two network namespaces joined by veth links,
# the way a two-node cluster runs it (docs/distributed.md, "Multi-node"), and the failures of a
# real cluster: a node killed, the link cut, a node that never comes or comes late, a node lost
# while a checkpoint is written. Each case prints one PASS/FAIL line; the exit code is 1 when any fails.
#
#   scripts/multinode.sh                  the CI cases: equal ifname doctor kill partition
#   scripts/multinode.sh --all            every case (a few minutes on 2 cores)
#   scripts/multinode.sh --only CASE      one case (repeatable): equal torchrun slurm ifname iface
#                                         doctor kill partition blip absent late checkpoint
#   scripts/multinode.sh --clean          remove what a run killed with SIGKILL left behind
#
# The nodes: namespaces polyglot-<pid>-node-1 and -node-2, each with its own host name (a UTS
# namespace: node-1, node-2) and two links to the other, eth0 (198.51.100.1-2/25) and eth1
# (198.51.100.129-130/25), addresses of a documentation range that exist only between the two
# namespaces. Names resolve through /etc/netns/<namespace>/hosts, which `ip netns exec` mounts over
# /etc/hosts for the processes inside: node-1, node-2 (eth0) and node-1-b, node-2-b (eth1). The
# host's interfaces, routes and /etc/hosts are never touched. Every namespace, link, hosts file and
# process created is removed on exit, also when a case fails or the script is interrupted (trap);
# a run killed with SIGKILL leaves them for the next run (or --clean) to remove.
#
# The model: 2 layers, 32 wide, on two languages of the demo corpus, 400 steps, --threads 1 (fp32
# on the CPU is deterministic then), a checkpoint every 50 steps, training.distributed.timeout_s 10
# (60 in the late case). Every run's losses are compared step by step with the uninterrupted
# two-node run (and that one with a single process), within 1e-5 relative.
#
# Needs root (ip netns, unshare), iproute2 and python3. MULTINODE_DIR: work folder (default
# artifacts/multinode, emptied except its data/ at each start); POLYGLOT_DLL: the CLI to run
# (default src/PolyGlot.Cli/bin/Release/net10.0/polyglot.dll, which scripts/setup.sh builds).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

ci_cases=(equal ifname doctor kill partition)
all_cases=(equal torchrun slurm ifname iface doctor kill partition blip absent late checkpoint)
cases=()
clean_only=0
while (($#)); do
  case $1 in
    --all) cases=("${all_cases[@]}") ;;
    --only) [[ " ${all_cases[*]} " == *" ${2:-} "* ]] || { echo "multinode: unknown case '${2:-}' (one of: ${all_cases[*]})" >&2; exit 2; }
            cases+=("$2"); shift ;;
    --clean) clean_only=1 ;;
    -h|--help) sed -n 2,30p "$0"; exit 0 ;;
    *) echo "multinode: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
((${#cases[@]})) || cases=("${ci_cases[@]}")

say() { echo "multinode: $*"; }
fail() { echo "multinode: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || fail "needs root: network namespaces and veth links are created with ip netns (run it with sudo)"
command -v ip > /dev/null || fail "the ip command (iproute2) is missing: apt-get install iproute2"
command -v unshare > /dev/null || fail "unshare (util-linux) is missing"

# ---------------------------------------------------------------------------------------------
# Namespaces: created, and removed whatever happens.
prefix=polyglot-$$
ns() { echo "$prefix-node-$1"; }

remove_nodes() {   # remove_nodes PREFIX: every process inside first, so that the namespaces really go
  local name
  for name in $(ip netns list 2> /dev/null | awk '{print $1}' | grep -E "^$1-node-[0-9]+$"); do
    ip netns pids "$name" 2> /dev/null | xargs -r kill -9 2> /dev/null
    ip netns delete "$name" 2> /dev/null
    rm -rf "/etc/netns/$name"
  done
}

# Namespaces of runs that no longer run (killed with SIGKILL, where no trap runs).
remove_stale() {
  local name pid
  for name in $(ip netns list 2> /dev/null | awk '{print $1}' | grep -E '^polyglot-[0-9]+-node-[0-9]+$'); do
    pid=${name#polyglot-}; pid=${pid%%-*}
    kill -0 "$pid" 2> /dev/null || remove_nodes "polyglot-$pid"
  done
}

if ((clean_only)); then
  remove_stale
  say "removed the namespaces of runs that no longer run"
  exit 0
fi

# /etc/netns itself is removed again when this run created it and nothing else uses it.
[[ -d /etc/netns ]] && made_etc_netns=0 || made_etc_netns=1
cleanup() {
  trap - EXIT INT TERM
  remove_nodes "$prefix"
  ((made_etc_netns)) && rmdir /etc/netns 2> /dev/null
  ip netns list 2> /dev/null | grep -q "^$prefix-" && echo "multinode: could not remove every namespace of $prefix" >&2
}
trap 'cleanup' EXIT
trap 'echo "multinode: interrupted" >&2; cleanup; exit 130' INT
trap 'echo "multinode: terminated" >&2; cleanup; exit 143' TERM

create_nodes() {
  local n
  for n in 1 2; do
    ip netns add "$(ns $n)" || return 1
    mkdir -p "/etc/netns/$(ns $n)"
    printf '127.0.0.1\tlocalhost\n198.51.100.1\tnode-1\n198.51.100.2\tnode-2\n198.51.100.129\tnode-1-b\n198.51.100.130\tnode-2-b\n' \
      > "/etc/netns/$(ns $n)/hosts"
  done
  # Both ends are created inside the namespaces: no interface ever exists in the host's.
  ip link add name eth0 netns "$(ns 1)" type veth peer name eth0 netns "$(ns 2)" || return 1
  ip link add name eth1 netns "$(ns 1)" type veth peer name eth1 netns "$(ns 2)" || return 1
  for n in 1 2; do
    ip -n "$(ns $n)" link set lo up
    ip -n "$(ns $n)" addr add "198.51.100.$n/25" dev eth0
    ip -n "$(ns $n)" addr add "198.51.100.$((128 + n))/25" dev eth1
    ip -n "$(ns $n)" link set eth0 up
    ip -n "$(ns $n)" link set eth1 up
  done
}

# ---------------------------------------------------------------------------------------------
# Processes on the nodes.
dll=${POLYGLOT_DLL:-$root/src/PolyGlot.Cli/bin/Release/net10.0/polyglot.dll}
[[ -f $dll ]] || fail "$dll is missing; run scripts/setup.sh first (or set POLYGLOT_DLL)"
# Launcher variables of whoever runs this script must not reach the nodes.
unset RANK WORLD_SIZE LOCAL_RANK LOCAL_WORLD_SIZE MASTER_ADDR MASTER_PORT GLOO_SOCKET_IFNAME
for name in $(compgen -e | grep '^SLURM_' || true); do unset "$name"; done

# on_node N LOG [VAR=VALUE ...] -- polyglot arguments: runs the CLI on node N in the background,
# as host node-N, its output in LOG; sets $started_pid, a subshell on the host that ends with the
# command's exit status (the shell's own note on a command killed by a signal goes to LOG too).
on_node() {
  local n=$1 log=$2; shift 2
  local vars=()
  while [[ $1 != -- ]]; do vars+=("$1"); shift; done
  shift
  (
    ip netns exec "$(ns "$n")" unshare --uts sh -c 'hostname "$1" && shift && exec env "$@"' sh "node-$n" \
      "${vars[@]}" dotnet "$dll" "$@" > "$log" 2>&1
    exit $?
  ) 2>> "$log" &
  started_pid=$!
}

# launch_node N RUN_DIR CONFIG LOG [VAR=VALUE ...]: `polyglot launch` for node N of 2, master node-1.
launch_node() {
  local n=$1 run=$2 config=$3 log=$4; shift 4
  on_node "$n" "$log" "$@" -- launch --nnodes 2 --node-rank $((n - 1)) --nproc-per-node 1 --master-addr node-1 \
    --kill-timeout 30 -- train --config "$config" --run-dir "$run" --threads 1
}

now_ms() { date +%s%3N; }

# wait_all PID...: waits for every PID and records each exit code in exit_of[PID] and the time it
# was seen gone (within 20 ms) in ended_at[PID]. Polling, because `wait -n` loses a job whose end
# the shell has already reported.
declare -A exit_of ended_at
wait_all() {
  local pending=("$@") p
  while ((${#pending[@]})); do
    local rest=()
    for p in "${pending[@]}"; do
      if kill -0 "$p" 2> /dev/null; then
        rest+=("$p")
      else
        ended_at[$p]=$(now_ms)
        wait "$p"
        exit_of[$p]=$?
      fi
    done
    pending=("${rest[@]}")
    ((${#pending[@]} == 0)) || sleep 0.02
  done
}

# two_nodes RUN_DIR CONFIG LOG_PREFIX [VAR=VALUE ...]: both nodes' launches, to the end; 0 when both exit 0.
two_nodes() {
  local run=$1 config=$2 logs=$3; shift 3
  launch_node 1 "$run" "$config" "$logs-node-1.log" "$@"; local a=$started_pid
  launch_node 2 "$run" "$config" "$logs-node-2.log" "$@"; local b=$started_pid
  wait_all "$a" "$b"
  [[ ${exit_of[$a]} == 0 && ${exit_of[$b]} == 0 ]]
}

# wait_for PATH_GLOB SECONDS PID...: 0 once a path matches, 1 after SECONDS or when a PID ended.
wait_for() {
  local pattern=$1 limit=$(($(now_ms) + $2 * 1000)); shift 2
  while (($(now_ms) < limit)); do
    compgen -G "$pattern" > /dev/null && return 0
    for p in "$@"; do kill -0 "$p" 2> /dev/null || return 1; done
    sleep 0.02
  done
  return 1
}

newest_complete() {   # newest_complete RUN_DIR: the step directory of the newest checkpoint with COMPLETE
  local dir
  dir=$(ls -d "$1"/checkpoints/step-*/COMPLETE 2> /dev/null | sort | tail -n 1)
  [[ -n $dir ]] && basename "$(dirname "$dir")"
}

# compare_losses EXPECTED_RUN ACTUAL_RUN [STEPS]: every step's loss (of the first STEPS) within 1e-5
# relative, each step present; prints "N steps, largest relative difference X".
compare_losses() {
  python3 - "$1/metrics.jsonl" "$2/metrics.jsonl" "${3:-0}" <<'EOF'
import json, sys
def losses(path, upto):
    steps = {}
    for line in open(path):
        entry = json.loads(line)
        if entry.get("kind") == "train" and (upto == 0 or entry["step"] <= upto):
            steps[entry["step"]] = entry["loss"]
    return steps
upto = int(sys.argv[3])
expected, actual = losses(sys.argv[1], upto), losses(sys.argv[2], upto)
if not expected or sorted(expected) != sorted(actual):
    print(f"steps differ: {len(expected)} expected, {len(actual)} logged"); sys.exit(1)
worst = max(abs(actual[s] - expected[s]) / abs(expected[s]) for s in expected)
print(f"{len(expected)} steps, largest relative difference {worst:.1e}")
sys.exit(0 if worst <= 1e-5 else 1)
EOF
}

# The first error line of the ranks in these logs, without the rank prefix and the time.
error_line() { grep -h ' ERR ' "$@" | grep -v 'launch failed' | head -n 1 | sed -E 's/^\[rank [0-9]+\] //; s/^[0-9:]+ ERR //'; }

# ---------------------------------------------------------------------------------------------
# Work folder, data and configs.
work=${MULTINODE_DIR:-$root/artifacts/multinode}
mkdir -p "$work"
find "$work" -mindepth 1 -maxdepth 1 ! -name data -exec rm -rf {} +
summary=$work/summary.txt
failures=0
result() {   # result PASS|FAIL case message
  printf '%-4s %-10s %s\n' "$1" "$2" "$3" | tee -a "$summary"
  [[ $1 == FAIL ]] && failures=$((failures + 1))
  return 0
}

data=$work/data
if [[ ! -f $data/.built ]]; then
  rm -rf "$data"
  mkdir -p "$data"
  cat > "$data/data.yaml" <<YAML
sources:
  - {name: en, path: $root/data/demo-corpus/mono/gnome/en.txt.gz, lang: en}
  - {name: de, path: $root/data/demo-corpus/mono/gnome/de.txt.gz, lang: de}
tokenizer: {output: $data/tokenizer, vocab_size: 512}
prepare: {tokenizer: $data/tokenizer/tokenizer.model, output: $data/shards}
YAML
  { dotnet "$dll" tokenizer train --config "$data/data.yaml" && dotnet "$dll" prepare --config "$data/data.yaml"; } \
    > "$data/build.log" 2>&1 || { tail -n 20 "$data/build.log" >&2; fail "could not build the data (log: $data/build.log)"; }
  touch "$data/.built"
fi

steps=400
timeout_s=10
write_config() {   # write_config FILE TIMEOUT_S
  cat > "$1" <<YAML
name: multinode
model: {layout: polylm, vocab_size: 512, d_model: 32, n_layers: 2, n_heads: 4, max_seq_len: 64}
tokenizer: {path: $data/tokenizer/tokenizer.model}
data:
  seq_len: 64
  global_batch_size: 8
  seed: 7
  sources: [{name: all, path: $data/shards}]
schedule: {warmup_steps: 5, total_steps: $steps}
training: {device: cpu, micro_batch_size: 4, seed: 7, distributed: {timeout_s: $2}}
checkpointing: {every_steps: 50, keep_last: 3}
eval: {every_steps: 0}
logging: {run_dir: $work/unused, log_every_steps: 1}
YAML
}
config=$work/run.yaml
write_config "$config" "$timeout_s"
late_config=$work/late.yaml
write_config "$late_config" 60

remove_stale
create_nodes || fail "could not create the namespaces $(ns 1) and $(ns 2) (ip netns add / ip link add failed: see above)"
say "nodes: namespaces $(ns 1) and $(ns 2) (hosts node-1, node-2; eth0 198.51.100.1-2/25, eth1 198.51.100.129-130/25); work files in $work"

# The uninterrupted two-node run every other run is compared with.
reference=$work/reference
mkdir -p "$reference"
started=$(now_ms)
if ! two_nodes "$reference/run" "$config" "$reference/launch"; then
  error_line "$reference"/launch-node-*.log >&2
  fail "the uninterrupted two-node run failed (logs: $reference/launch-node-*.log)"
fi
say "reference: two nodes, $steps steps in $(($(now_ms) - started)) ms"

# ---------------------------------------------------------------------------------------------
# Cases. Each writes its logs and runs under $work/<case>/ and the figures it reports into
# $work/<case>/result.env (KEY=VALUE), then prints one PASS/FAIL line.
record() { echo "$2" >> "$work/$1/result.env"; }
seconds_of() { awk -v ms="$1" 'BEGIN {printf "%.2f", ms / 1000}'; }

# The same losses as one process, and as two ranks on one node; Gloo on the interface that
# reaches node-1 although each node has two.
case_equal() {
  local dir=$work/equal vs_single vs_local
  dotnet "$dll" train --config "$config" --run-dir "$dir/single" --threads 1 > "$dir/single.log" 2>&1 \
    || { result FAIL equal "one process failed: $(error_line "$dir/single.log")"; return; }
  on_node 1 "$dir/local.log" -- launch --nproc-per-node 2 -- train --config "$config" --run-dir "$dir/local" --threads 1
  wait_all "$started_pid"
  [[ ${exit_of[$started_pid]} == 0 ]] || { result FAIL equal "two ranks on node-1 failed: $(error_line "$dir/local.log")"; return; }
  vs_single=$(compare_losses "$dir/single" "$reference/run") || { result FAIL equal "two nodes vs one process: $vs_single"; return; }
  vs_local=$(compare_losses "$dir/single" "$dir/local") || { result FAIL equal "two ranks on one node vs one process: $vs_local"; return; }
  grep -q 'gloo on eth0 (198.51.100.1)' "$reference/launch-node-1.log" && grep -q 'gloo on eth0 (198.51.100.2)' "$reference/launch-node-2.log" \
    || { result FAIL equal "Gloo did not bind eth0 on both nodes (see $reference/launch-node-*.log)"; return; }
  result PASS equal "two nodes vs one process: $vs_single; two ranks on one node vs one process: $vs_local; Gloo on eth0 of both nodes (of eth0, eth1)"
}

# start_ranks DIR VAR... : train started directly on both nodes, as torchrun or srun would,
# with the variables each rank gets (%R% in a value is replaced by the node's index 0/1).
start_ranks() {
  local dir=$1 n; shift
  local pids=()
  for n in 1 2; do
    local vars=("${@//%R%/$((n - 1))}")
    on_node "$n" "$dir/node-$n.log" "${vars[@]}" -- train --config "$config" --run-dir "$dir/run" --threads 1
    pids+=("$started_pid")
  done
  wait_all "${pids[@]}"
  [[ ${exit_of[${pids[0]}]} == 0 && ${exit_of[${pids[1]}]} == 0 ]]
}

case_torchrun() {
  local dir=$work/torchrun losses
  start_ranks "$dir" RANK=%R% WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 MASTER_ADDR=node-1 MASTER_PORT=29400 \
    || { result FAIL torchrun "$(error_line "$dir"/node-*.log)"; return; }
  losses=$(compare_losses "$reference/run" "$dir/run") || { result FAIL torchrun "$losses"; return; }
  result PASS torchrun "RANK/WORLD_SIZE/MASTER_ADDR=node-1 on each node: $losses"
}

# srun's variables, the node list compressed; no MASTER_ADDR: the first host of the list hosts the rendezvous.
case_slurm() {
  local dir=$work/slurm losses
  start_ranks "$dir" SLURM_PROCID=%R% SLURM_NODEID=%R% SLURM_NTASKS=2 SLURM_LOCALID=0 SLURM_NTASKS_PER_NODE=1 \
    SLURM_JOB_NUM_NODES=2 'SLURM_JOB_NODELIST=node-[1-2]' || { result FAIL slurm "$(error_line "$dir"/node-*.log)"; return; }
  grep -q 'via SLURM, rendezvous at node-1:29500' "$dir/node-2.log" || { result FAIL slurm "node-2 did not take node-1 from node-[1-2]"; return; }
  losses=$(compare_losses "$reference/run" "$dir/run") || { result FAIL slurm "$losses"; return; }
  result PASS slurm "SLURM_PROCID/SLURM_NTASKS, SLURM_JOB_NODELIST=node-[1-2] (rendezvous at node-1:29500): $losses"
}

# GLOO_SOCKET_IFNAME: a name no node has is one line listing the interfaces; eth1 is used when named.
case_ifname() {
  local dir=$work/ifname a b line losses
  launch_node 1 "$dir/wrong" "$config" "$dir/wrong-node-1.log" GLOO_SOCKET_IFNAME=eth9; a=$started_pid
  launch_node 2 "$dir/wrong" "$config" "$dir/wrong-node-2.log" GLOO_SOCKET_IFNAME=eth9; b=$started_pid
  wait_all "$a" "$b"
  line=$(error_line "$dir/wrong-node-2.log")
  [[ ${exit_of[$a]} == 1 && ${exit_of[$b]} == 1 && $line == *"has no interface eth9; it has eth0 (198.51.100.2), eth1 (198.51.100.130), lo (127.0.0.1)"* ]] \
    || { result FAIL ifname "GLOO_SOCKET_IFNAME=eth9: exit ${exit_of[$a]}/${exit_of[$b]}, '$line'"; return; }
  record ifname "wrong_line=$line"
  two_nodes "$dir/eth1" "$config" "$dir/eth1" GLOO_SOCKET_IFNAME=eth1 || { result FAIL ifname "GLOO_SOCKET_IFNAME=eth1: $(error_line "$dir"/eth1-node-*.log)"; return; }
  grep -q 'gloo on eth1 (198.51.100.130), named by GLOO_SOCKET_IFNAME' "$dir/eth1-node-2.log" \
    || { result FAIL ifname "GLOO_SOCKET_IFNAME=eth1 did not bind eth1 on node-2"; return; }
  losses=$(compare_losses "$reference/run" "$dir/eth1") || { result FAIL ifname "GLOO_SOCKET_IFNAME=eth1: $losses"; return; }
  result PASS ifname "GLOO_SOCKET_IFNAME=eth9: both exit 1 with '$line'; GLOO_SOCKET_IFNAME=eth1: bound eth1, $losses"
}

# Without GLOO_SOCKET_IFNAME: MASTER_ADDR=node-1-b is reached over eth1, so Gloo binds eth1; a
# master named by a host name that maps to 127.0.1.1 on itself (Debian's /etc/hosts) binds the
# default route's interface there, or says what to set when there is none.
restore_node_1() {
  sed -i 's/^127\.0\.1\.1\tnode-1$/198.51.100.1\tnode-1/' "/etc/netns/$(ns 1)/hosts"
  ip -n "$(ns 1)" route del default 2> /dev/null
  return 0
}
case_iface() {
  local dir=$work/iface a b line losses hosts=/etc/netns/$(ns 1)/hosts
  on_node 1 "$dir/b-node-1.log" -- launch --nnodes 2 --node-rank 0 --nproc-per-node 1 --master-addr node-1-b -- train --config "$config" --run-dir "$dir/b" --threads 1 --max-steps 50; a=$started_pid
  on_node 2 "$dir/b-node-2.log" -- launch --nnodes 2 --node-rank 1 --nproc-per-node 1 --master-addr node-1-b -- train --config "$config" --run-dir "$dir/b" --threads 1 --max-steps 50; b=$started_pid
  wait_all "$a" "$b"
  [[ ${exit_of[$a]} == 0 && ${exit_of[$b]} == 0 ]] || { result FAIL iface "MASTER_ADDR node-1-b: $(error_line "$dir"/b-node-*.log)"; return; }
  grep -q 'gloo on eth1 (198.51.100.130), reaches MASTER_ADDR node-1-b (198.51.100.129)' "$dir/b-node-2.log" \
    || { result FAIL iface "MASTER_ADDR node-1-b: node-2 did not bind eth1"; return; }
  losses=$(compare_losses "$reference/run" "$dir/b" 50) || { result FAIL iface "MASTER_ADDR node-1-b: $losses"; return; }
  sed -i 's/^198\.51\.100\.1\tnode-1$/127.0.1.1\tnode-1/' "$hosts"
  on_node 1 "$dir/self-node-1.log" -- launch --nnodes 2 --node-rank 0 --nproc-per-node 1 --master-addr node-1 -- train --config "$config" --run-dir "$dir/self" --threads 1
  wait_all "$started_pid"
  line=$(error_line "$dir/self-node-1.log")
  [[ ${exit_of[$started_pid]} == 1 && $line == *"resolves to 127.0.1.1 here, a loopback address the other nodes cannot reach"* ]] \
    || { restore_node_1; result FAIL iface "node-1 named 127.0.1.1, no default route: exit ${exit_of[$started_pid]}, '$line'"; return; }
  ip -n "$(ns 1)" route add default via 198.51.100.2 dev eth0
  two_nodes "$dir/route" "$config" "$dir/route" || { restore_node_1; result FAIL iface "node-1 named 127.0.1.1, default route: $(error_line "$dir"/route-node-*.log)"; return; }
  restore_node_1
  grep -q 'gloo on eth0 (198.51.100.1), MASTER_ADDR node-1 is this host (127.0.1.1, loopback), so the interface of the default route' "$dir/route-node-1.log" \
    || { result FAIL iface "node-1 named 127.0.1.1: rank 0 did not bind eth0 by the default route"; return; }
  result PASS iface "MASTER_ADDR node-1-b: Gloo on eth1, $losses; node-1 = 127.0.1.1 on itself: '$line', with a default route: eth0"
}

# `polyglot doctor --distributed` on both nodes as ranks 0 and 1: each names the interface it would
# use, node-1 finds its port free and node-2 finds node-1 answering; then with the port held on
# node-1, and with node-2's link down, the one that cannot work exits 1 saying why.
doctor_pair() {   # doctor_pair NAME: both nodes' doctors, their exit codes in doctor_exit (node-1 node-2)
  local n pids=()
  for n in 1 2; do
    on_node "$n" "$work/doctor/$1-node-$n.log" RANK=$((n - 1)) WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 MASTER_ADDR=node-1 \
      MASTER_PORT=29500 -- doctor --distributed
    pids+=("$started_pid")
  done
  wait_all "${pids[@]}"
  doctor_exit="${exit_of[${pids[0]}]} ${exit_of[${pids[1]}]}"
}
doctor_says() { grep -qF "$2" "$work/doctor/$1.log" || { result FAIL doctor "$1.log lacks '$2'"; return 1; }; }
case_doctor() {
  doctor_pair free
  [[ $doctor_exit == "0 0" ]] || { result FAIL doctor "exit codes $doctor_exit with nothing wrong (see $work/doctor/free-node-*.log)"; return; }
  doctor_says free-node-1 'gloo device         eth0 (198.51.100.1), reaches MASTER_ADDR node-1 (198.51.100.1)' || return
  doctor_says free-node-1 'is this host; port 29500: free' || return
  doctor_says free-node-2 'gloo device         eth0 (198.51.100.2), reaches MASTER_ADDR node-1 (198.51.100.1)' || return
  doctor_says free-node-2 'node-1 (198.51.100.1): reachable; nothing listens on port 29500 yet' || return
  ip netns exec "$(ns 1)" python3 -c 'import socket, time; s = socket.socket(); s.bind(("0.0.0.0", 29500)); s.listen(); time.sleep(120)' &
  local holder=$!
  local limit=$(($(now_ms) + 10000))
  until ip netns exec "$(ns 1)" ss -ltn | grep -q ':29500 ' || (($(now_ms) > limit)); do sleep 0.05; done
  doctor_pair held
  kill "$holder"; wait "$holder" 2> /dev/null
  [[ $doctor_exit == "1 0" ]] || { result FAIL doctor "port held on node-1: exit codes $doctor_exit"; return; }
  doctor_says held-node-1 'doctor: port 29500 is in use on this host' || return
  doctor_says held-node-2 'reachable; something listens on port 29500' || return
  ip -n "$(ns 2)" link set eth0 down
  doctor_pair down
  ip -n "$(ns 2)" link set eth0 up
  [[ ${doctor_exit#* } == 1 ]] || { result FAIL doctor "node-2's link down: node-2's doctor exited ${doctor_exit#* }"; return; }
  local line
  line=$(grep -h '^doctor: ' "$work/doctor/down-node-2.log" | head -n 1)
  [[ $line == *"no route to MASTER_ADDR node-1"* ]] || { result FAIL doctor "node-2's link down: '$line'"; return; }
  result PASS doctor "each node named its interface (eth0) and address; node-1's port free, node-2 reached it; port held: '$(grep -h '^doctor: port' "$work/doctor/held-node-1.log")'; link down: '$line'"
}

# fault_run CASE FAULT HEAL [VAR=VALUE ...]: both nodes train from scratch; once the step-100
# checkpoint is complete, FAULT runs (a function given the run folder and both launches' PIDs,
# which sets $fault_at when the fault happens); every launch must then end within the timeout;
# HEAL runs, and the same commands run again must resume from the newest complete checkpoint and
# continue the uninterrupted run's losses.
# Sets $fault_line (the first error line of the first launches), $fault_ms, $resumed.
fault_run() {
  local name=$1 fault=$2 heal=$3; shift 3
  local dir=$work/$name run=$work/$name/run a b last newest losses
  launch_node 1 "$run" "$config" "$dir/first-node-1.log" "$@"; a=$started_pid
  launch_node 2 "$run" "$config" "$dir/first-node-2.log" "$@"; b=$started_pid
  if ! wait_for "$run/checkpoints/step-000100/COMPLETE" 180 "$a" "$b"; then
    kill -9 "$a" "$b" 2> /dev/null; result FAIL "$name" "no checkpoint at step 100: $(error_line "$dir"/first-node-*.log)"; return 1
  fi
  "$fault" "$run" "$a" "$b" || { kill -9 "$a" "$b" 2> /dev/null; result FAIL "$name" "the fault could not be set up"; return 1; }
  wait_all "$a" "$b"
  last=$((${ended_at[$a]} > ${ended_at[$b]} ? ${ended_at[$a]} : ${ended_at[$b]}))
  fault_ms=$((last - fault_at))
  fault_line=$(error_line "$dir"/first-node-*.log)
  newest=$(newest_complete "$run")
  record "$name" "fault_to_last_exit_ms=$fault_ms"
  record "$name" "exit_codes=${exit_of[$a]} ${exit_of[$b]}"
  record "$name" "newest_complete=$newest"
  "$heal"
  await_killed
  [[ ${exit_of[$a]} != 0 && ${exit_of[$b]} != 0 ]] \
    || { result FAIL "$name" "a launch exited 0 after the fault (exit codes ${exit_of[$a]}, ${exit_of[$b]})"; return 1; }
  ((fault_ms <= (timeout_s + 2) * 1000)) \
    || { result FAIL "$name" "the last launch ended $(seconds_of $fault_ms) s after the fault (timeout_s $timeout_s)"; return 1; }
  two_nodes "$run" "$config" "$dir/rerun" "$@" || { result FAIL "$name" "the rerun failed: $(error_line "$dir"/rerun-node-*.log)"; return 1; }
  resumed=$(grep -ho 'resuming at step [0-9]* of [0-9]* from .*' "$dir/rerun-node-1.log" | head -n 1)
  [[ $resumed == *"$newest" ]] || { result FAIL "$name" "the rerun did not resume from $newest: '${resumed:-no resume line}'"; return 1; }
  losses=$(compare_losses "$reference/run" "$run") || { result FAIL "$name" "after the rerun: $losses"; return 1; }
  record "$name" "resumed=${resumed%% from *} from $newest"
  record "$name" "losses=$losses"
  resumed="${resumed%% from *} from $newest; $losses"
}

# A node dies: every process in its namespace gets SIGKILL (remembered in $killed_pids).
killed_pids=()
kill_node() {
  local pids
  pids=$(ip netns pids "$(ns "$1")")
  [[ -n $pids ]] || return 1
  kill -9 $pids
  fault_at=$(now_ms)
  killed_pids+=($pids)
}

# Before a rerun the killed processes must be gone, zombies included: a rank whose launcher died
# too is reaped by init, which may take a moment, and until then the rerun's rank 0 on that host
# would find the run directory's lock held by a process that still exists.
await_killed() {
  local limit=$(($(now_ms) + 60000)) p
  for p in "${killed_pids[@]}"; do
    while [[ -e /proc/$p ]] && (($(now_ms) < limit)); do sleep 0.02; done
  done
  killed_pids=()
}
# At a random moment of the steps after the step-100 checkpoint (0-300 ms later).
kill_node_2() {
  sleep "0.$((RANDOM % 300))"
  kill_node 2
}
case_kill() {
  fault_run kill kill_node_2 : || return
  [[ $fault_line == *"lost rank 1 on node-2 (198.51.100.2 on eth0)"* ]] || { result FAIL kill "the survivor's line does not name rank 1 on node-2: '$fault_line'"; return; }
  result PASS kill "node-2 killed (SIGKILL) mid-step: last launch ended $(seconds_of "$fault_ms") s later: '$fault_line'; rerun $resumed"
}

# A partition: node-1's end of the link goes down; after both launches ended it comes up again.
link_down() { ip -n "$(ns 1)" link set eth0 down && fault_at=$(now_ms); }
link_up() { ip -n "$(ns 1)" link set eth0 up; }
case_partition() {
  fault_run partition link_down link_up || return
  [[ $fault_line == *"no answer from rank"*"within $timeout_s s"* ]] || { result FAIL partition "no line names the rank that stopped answering: '$fault_line'"; return; }
  result PASS partition "eth0 of node-1 down mid-step: last launch ended $(seconds_of "$fault_ms") s later: '$fault_line'; link up, rerun $resumed"
}

# A link down for 3 s, shorter than the timeout: TCP delivers what waited and the run goes on.
case_blip() {
  local dir=$work/blip a b losses
  launch_node 1 "$dir/run" "$config" "$dir/node-1.log"; a=$started_pid
  launch_node 2 "$dir/run" "$config" "$dir/node-2.log"; b=$started_pid
  wait_for "$dir/run/checkpoints/step-000100/COMPLETE" 180 "$a" "$b" || { result FAIL blip "no checkpoint at step 100"; return; }
  ip -n "$(ns 1)" link set eth0 down
  sleep 3 & wait $!
  ip -n "$(ns 1)" link set eth0 up
  wait_all "$a" "$b"
  [[ ${exit_of[$a]} == 0 && ${exit_of[$b]} == 0 ]] || { result FAIL blip "the run did not survive 3 s without its link: $(error_line "$dir"/node-*.log)"; return; }
  losses=$(compare_losses "$reference/run" "$dir/run") || { result FAIL blip "$losses"; return; }
  result PASS blip "eth0 of node-1 down for 3 s mid-step (timeout_s $timeout_s): the run went on and ended with exit 0; $losses"
}

# node-2 never starts: node-1 gives up within the timeout, naming rank 1.
case_absent() {
  local dir=$work/absent start line losses
  start=$(now_ms)
  launch_node 1 "$dir/run" "$config" "$dir/first-node-1.log"
  wait_all "$started_pid"
  local took=$((${ended_at[$started_pid]} - start))
  line=$(error_line "$dir/first-node-1.log")
  record absent "start_to_exit_ms=$took"
  [[ ${exit_of[$started_pid]} == 1 && $line == *"but rank 1 did not join within $timeout_s s"* ]] \
    || { result FAIL absent "node-1 alone: exit ${exit_of[$started_pid]}, '$line'"; return; }
  ((took <= (timeout_s + 5) * 1000)) || { result FAIL absent "node-1 alone ended $(seconds_of $took) s after its start"; return; }
  two_nodes "$dir/run" "$config" "$dir/rerun" || { result FAIL absent "the rerun on both nodes failed: $(error_line "$dir"/rerun-node-*.log)"; return; }
  losses=$(compare_losses "$reference/run" "$dir/run") || { result FAIL absent "$losses"; return; }
  result PASS absent "node-2 never started: node-1 ended $(seconds_of $took) s after its start: '$line'; both started again: $losses"
}

# node-2 starts 20 s after node-1; with timeout_s 60 it joins and the run is the uninterrupted one.
case_late() {
  local dir=$work/late a b losses
  launch_node 1 "$dir/run" "$late_config" "$dir/node-1.log"; a=$started_pid
  sleep 20 & wait $!
  launch_node 2 "$dir/run" "$late_config" "$dir/node-2.log"; b=$started_pid
  wait_all "$a" "$b"
  [[ ${exit_of[$a]} == 0 && ${exit_of[$b]} == 0 ]] || { result FAIL late "$(error_line "$dir"/node-*.log)"; return; }
  losses=$(compare_losses "$reference/run" "$dir/run") || { result FAIL late "$losses"; return; }
  result PASS late "node-2 started 20 s after node-1 (timeout_s 60) and joined: $losses"
}

# Rank 0 (node-1) writes checkpoints, slowed to 150 ms per file: node-1 is killed while step 150's is written.
kill_node_1_while_saving() {
  wait_for "$1/checkpoints/.tmp-step-000150*" 60 "$2" "$3" || return 1
  kill_node 1
}
case_checkpoint() {
  fault_run checkpoint kill_node_1_while_saving : POLYGLOT_TEST_CHECKPOINT_DELAY_MS=150 || return
  local run=$work/checkpoint/run
  [[ ! -f $run/checkpoints/step-000150/COMPLETE ]] || { result FAIL checkpoint "step 150's checkpoint completed: the kill came too late"; return; }
  [[ $fault_line == *"lost rank 0 on node-1 (198.51.100.1 on eth0)"* ]] || { result FAIL checkpoint "node-2's line does not name rank 0 on node-1: '$fault_line'"; return; }
  result PASS checkpoint "node-1 killed while writing step 150: step-000100 stayed the newest complete; last launch ended $(seconds_of "$fault_ms") s later: '$fault_line'; rerun $resumed"
}

for name in "${cases[@]}"; do
  mkdir -p "$work/$name"
  started=$(now_ms)
  "case_$name"
  record "$name" "seconds=$(seconds_of $(($(now_ms) - started)))"
done
say "$((${#cases[@]} - failures)) of ${#cases[@]} cases passed in $SECONDS s, set-up and reference run included ($summary)"
((failures == 0))
