#!/usr/bin/env bash
# The unattended check of the CUDA engine on a machine with one H100/H200, PyTorch 2.x with CUDA,
# CMake and nvcc, and neither dotnet nor internet. Run it from a copy of the repository that holds
# artifacts/publish/ (made by scripts/publish.sh on a machine with the .NET SDK):
#   scripts/gpu-check.sh                       # PYTHON=/path/to/python when python3 is not PyTorch's
# Stages, the ones that must pass first, each named on failure (with its log). Stages marked (*) are
# measurements whose failure says nothing about the others: it is recorded and the check goes on,
# then fails at the end naming them. Any other failure stops the check at once.
#   preflight  the published CLI, PyTorch, CUDA, cmake, nvcc are there
#   build      libpolyglot_torch.so against PyTorch's libtorch (POLYGLOT_TORCH=python scripts/setup.sh); must have CUDA
#   doctor     polyglot doctor --config <demo on CUDA>: devices, float64 self-test on every device, config check
#   data       the demo tokenizer and token shards, made by the published CLI (no dotnet needed)
#   train      the demo on CUDA for GPU_CHECK_STEPS steps straight, and again with a stop and resume at half
#              way; the losses after the resume are compared with the straight run's
#   nccl (*)   the demo launched on one rank per GPU over NCCL, gradients all-reduced during backward
#   zero3 (*)  the demo over NCCL on 2 ranks (1 on a single GPU, which still gathers and frees every unit's
#              parameters): bench train at ZeRO 0 and 3 (tokens/s, what each rank held, peak RSS) and
#              bench checkpoint at ZeRO 3 against one process (save and load time, memory growth per rank)
#   parity (*) polyglot parity: both layouts, forward and every gradient, against PyTorch on the same GPU
#              (float32 within 1e-4, bf16 against autocast within 3e-2)
#   bench (*)  polyglot bench train against PyTorch eager (SDPA, fused AdamW) on the same GPU: the demo,
#              configs/llama-1b.yaml and configs/polylm-1.7b.yaml (bf16, seq 2048): tokens/s, MFU, ratio
#   tokenize (*) polyglot bench tokenize on 1 .. all of the machine's cores (CPU only): how the encoder
#              and prepare scale with cores, which a 2-core build machine cannot show
# Every figure goes into one JSON ($OUT or artifacts/gpu-check/results.json) with a short summary.txt;
# the whole check stops after GPU_CHECK_BUDGET_S (8 minutes).
#
# Knobs: PYTHON (default python3), GPU_CHECK_STEPS (training steps, default 200; even),
# GPU_CHECK_BENCH_STEPS (timed bench steps per round, default 10), GPU_CHECK_BUDGET_S (default 480),
# GPU_CHECK_DEVICE (default cuda; cpu
# rehearses the script on a CPU machine: POLYGLOT_TORCH=/usr PYTHON=/usr/bin/python3 GPU_CHECK_DEVICE=cpu
# GPU_CHECK_STEPS=4 GPU_CHECK_BENCH_STEPS=2 on Debian 12 after scripts/setup.sh and scripts/publish.sh).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

out=${OUT:-$repo/artifacts/gpu-check}
mkdir -p "$out"
out=$(cd "$out" && pwd)
python=${PYTHON:-python3}
device=${GPU_CHECK_DEVICE:-cuda}
steps=${GPU_CHECK_STEPS:-200}
bench_steps=${GPU_CHECK_BENCH_STEPS:-10}
budget_s=${GPU_CHECK_BUDGET_S:-480}
polyglot=$repo/artifacts/publish/polyglot
figures=$out/figures.tsv   # key <TAB> JSON value, assembled into results.json at the end
: > "$figures"

stage=start
fail() {
  if [[ ${measuring:-} ]]; then echo "gpu-check: measurement '$stage' failed, the check goes on: $*" >&2; else echo "gpu-check: FAILED in stage '$stage': $*" >&2; fi
  exit 1
}
record() { printf '%s\t%s\n' "$1" "$2" >> "$figures"; }
record_text() { record "$1" "$("$python" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$2")"; }

# results.json and summary.txt are written however the script ends, naming the stage that failed.
finish() {
  local status=$?
  record_text status "$([[ $status -eq 0 ]] && echo passed || echo "failed in stage $stage")"
  record elapsed_seconds "$SECONDS"
  "$python" - "$figures" "$out/results.json" "$out/summary.txt" <<'EOF' || echo "gpu-check: could not write results.json" >&2
import json, sys
figures, results_path, summary_path = sys.argv[1:4]
results = {}
for line in open(figures, encoding="utf-8"):
    key, value = line.rstrip("\n").split("\t", 1)
    node = results
    *parents, leaf = key.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = json.loads(value)
json.dump(results, open(results_path, "w", encoding="utf-8"), indent=2)
flat = []
def walk(prefix, node):
    for key, value in node.items():
        if isinstance(value, dict):
            walk(prefix + key + ".", value)
        else:
            flat.append(f"{prefix}{key}: {value}")
walk("", results)
open(summary_path, "w", encoding="utf-8").write("\n".join(flat) + "\n")
EOF
  [[ -f $out/summary.txt ]] && cat "$out/summary.txt"
  echo "gpu-check: $([[ $status -eq 0 ]] && echo passed || echo "FAILED in stage '$stage'") after ${SECONDS}s; results in $out/results.json"
}
trap finish EXIT
trap 'echo "gpu-check: FAILED in stage '"'"'$stage'"'"' (command: $BASH_COMMAND; log: $out/$stage.log)" >&2' ERR

# Runs the rest of the line as stage $1 with its output in $out/$1.log, within the time left (and
# within stage_limit_s seconds when that is set, so that a hang leaves time for the stages after it).
run_stage() {
  stage=$1; shift
  local left=$((budget_s - SECONDS))
  ((left > 0)) || fail "the ${budget_s} s budget is spent"
  local limit=$left
  if [[ ${stage_limit_s:-} ]] && ((stage_limit_s < left)); then limit=$stage_limit_s; fi
  echo "gpu-check: $stage ($left s left)"
  local started=$SECONDS
  if ! timeout "$limit" "$@" > "$out/$stage.log" 2>&1; then
    tail -n 30 "$out/$stage.log" >&2
    fail "'$*' failed or ran out of time (log: $out/$stage.log)"
  fi
  record "seconds.$stage" "$((SECONDS - started))"
}

# A measurement that failed: named at the end (the check then fails) and in results.json (failed.<stage>).
failed_stages=()
measurement_failed() {
  failed_stages+=("$1")
  record_text "failed.$1" "$2"
}
stage_failed() { [[ " ${failed_stages[*]:-} " == *" $1 "* ]]; }

# As run_stage, for a measurement: a failure is recorded and the check goes on.
try_stage() {
  if (measuring=1 run_stage "$@"); then
    stage=$1
    return 0
  fi
  stage=$1
  measurement_failed "$1" "see $out/$1.log"
}

# ---- preflight ---------------------------------------------------------------------------------
stage=preflight
[[ -x $polyglot ]] || fail "$polyglot missing: run scripts/publish.sh on a machine with the .NET SDK and copy artifacts/publish/ here"
command -v "$python" > /dev/null || fail "'$python' not found; set PYTHON to PyTorch's python"
# One interpreter start answers every question about PyTorch (importing it with CUDA takes seconds):
# version, CUDA version, device count, first device's name and compute capability, one per line.
torch_probe=$("$python" -c 'import torch; n = torch.cuda.device_count() if torch.cuda.is_available() else 0
print(torch.__version__, torch.version.cuda, n, torch.cuda.get_device_name(0) if n else "-",
      "%d.%d" % torch.cuda.get_device_capability(0) if n else "-", sep="\n")' 2> /dev/null) \
  || fail "'$python' cannot import torch; set PYTHON to PyTorch's python"
{ read -r torch_version; read -r torch_cuda; read -r gpus; read -r gpu_name; read -r gpu_capability; } <<< "$torch_probe"
[[ $device == cuda || $device == cpu ]] || fail "GPU_CHECK_DEVICE=$device: use cuda (default) or cpu (rehearsal)"
[[ $steps =~ ^[0-9]+$ ]] && ((steps >= 2 && steps % 2 == 0)) || fail "GPU_CHECK_STEPS=$steps: use an even number >= 2"
[[ $bench_steps =~ ^[0-9]+$ ]] && ((bench_steps >= 1)) || fail "GPU_CHECK_BENCH_STEPS=$bench_steps: use a number >= 1"
for tool in cmake c++; do command -v "$tool" > /dev/null || fail "$tool not found"; done
record_text machine.pytorch "$torch_version"
record_text machine.pytorch_cuda "$torch_cuda"
record_text machine.cmake "$(cmake --version | head -n1)"
# A CUDA libtorch's CMake config looks for the CUDA toolkit, which it finds through nvcc.
if ! command -v nvcc > /dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then export PATH=/usr/local/cuda/bin:$PATH; fi
if command -v nvcc > /dev/null; then record_text machine.nvcc "$(nvcc --version | tail -n1)"; else record_text machine.nvcc "not found"; fi
if [[ $device == cuda ]]; then
  ((gpus > 0)) || fail "PyTorch sees no CUDA device (torch.cuda.is_available() is False)"
  record_text machine.gpu "$gpu_name"
  record_text machine.gpu_capability "$gpu_capability"
  # The shim has no CUDA kernels of its own; naming the architecture spares the CMake config from
  # compiling and running a probe program to find it.
  export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-$gpu_capability}
  command -v nvidia-smi > /dev/null && record_text machine.driver "$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -n1)"
fi

# ---- build -------------------------------------------------------------------------------------
run_stage build env POLYGLOT_TORCH="${POLYGLOT_TORCH:-python}" PYTHON="$python" scripts/setup.sh
libtorch_line=$(grep -h 'polyglot_torch: libtorch' artifacts/native-configure.log || true)
record_text build.libtorch "${libtorch_line#*polyglot_torch: }"
if nccl_line=$(grep -h -o 'c10d NCCL backend enabled.*' artifacts/native-configure.log); then
  record_text build.nccl "$nccl_line"
elif grep -q 'no nccl.h found' artifacts/native-configure.log; then
  record_text build.nccl "no nccl.h found: built without NCCL (see artifacts/native-configure.log)"
else
  record_text build.nccl "not a CUDA build"
fi
if [[ $device == cuda && $libtorch_line != *"with CUDA"* ]]; then
  fail "libpolyglot_torch.so was built without CUDA ($libtorch_line); PyTorch's libtorch must be a CUDA build"
fi
# The published CLI loads the shim just built, not the one beside it; SentencePiece for the bundled
# libpolyglot_spm.so comes from the publish folder when the machine lacks it.
export POLYGLOT_NATIVE_DIR=$repo/artifacts/native
export LD_LIBRARY_PATH=$repo/artifacts/publish${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

# ---- configs -----------------------------------------------------------------------------------
stage=configs
# The demo on the chosen device (bf16 on CUDA); the large benches use the repository's configs as they are.
demo=$out/demo-$device.yaml
precision=$([[ $device == cuda ]] && echo bf16 || echo fp32)
sed -E -e "s/^  device: cpu( .*)?$/  device: $device/" -e "s/^  compute: fp32( .*)?$/  compute: $precision/" configs/demo.yaml > "$demo"
grep -q "^  device: $device$" "$demo" && grep -q "^  compute: $precision$" "$demo" \
  || fail "could not set training.device/precision.compute in a copy of configs/demo.yaml (its lines changed?)"

# ---- doctor ------------------------------------------------------------------------------------
run_stage doctor "$polyglot" doctor --config "$demo"
"$python" - "$out/doctor.log" > "$out/doctor.tsv" <<'EOF'
import json, re, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if m := re.match(r"libtorch +(.*)", line):
        print(f"doctor.libtorch\t{json.dumps(m[1].strip())}")
    elif m := re.match(r"(cuda:\d+) +(.*)", line):
        print(f"doctor.devices.{m[1].replace(':', '')}\t{json.dumps(m[2].strip())}")
    elif m := re.match(r"self-test +(\S+) (\S+) (\S+): max relative error (\S+) \((.*)\) vs float64 on cpu, limit (\S+): (\S+)", line):
        key = f"doctor.self_test.{m[1].replace(':', '')}_{m[2]}_{m[3]}"
        print(f"{key}.max_relative_error\t{float(m[4])}")
        print(f"{key}.worst\t{json.dumps(m[5])}")
        print(f"{key}.result\t{json.dumps(m[7])}")
EOF
cat "$out/doctor.tsv" >> "$figures"

# ---- data --------------------------------------------------------------------------------------
# Made here by the published CLI from data/demo-corpus, to show that a machine without dotnet can.
rm -rf artifacts/demo
run_stage data-tokenizer "$polyglot" tokenizer train --config configs/demo-data.yaml
run_stage data-prepare "$polyglot" prepare --config configs/demo-data.yaml
record data.shards "$(find artifacts/demo/shards -name '*.parquet' | wc -l)"

# ---- train and resume --------------------------------------------------------------------------
half=$((steps / 2))
runs=$out/runs
rm -rf "$runs"
run_stage train-straight "$polyglot" train --config "$demo" --run-dir "$runs/straight" --resume none --max-steps "$steps"
run_stage train-first-half "$polyglot" train --config "$demo" --run-dir "$runs/resumed" --resume none --max-steps "$half"
run_stage train-resume "$polyglot" train --config "$demo" --run-dir "$runs/resumed" --max-steps "$steps"
grep -q "resuming at step $((half + 1)) " "$out/train-resume.log" \
  || fail "the second half did not resume at step $((half + 1)) (see $out/train-resume.log)"
stage=train-compare
"$python" - "$runs/straight/metrics.jsonl" "$runs/resumed/metrics.jsonl" "$half" "$steps" >> "$figures" <<'EOF'
import json, statistics, sys
straight_path, resumed_path, half, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def train_rows(path):
    rows = {}
    for line in open(path, encoding="utf-8"):
        row = json.loads(line)
        if row.get("kind") == "train":
            rows[row["step"]] = row  # metrics count steps from 1, as the log does
    return rows
straight, resumed = train_rows(straight_path), train_rows(resumed_path)
after = range(half + 1, steps + 1)
missing = [s for s in after if s not in straight or s not in resumed]
if missing:
    sys.exit(f"train-compare: no loss for steps {missing[:5]}... in metrics.jsonl")
diffs = [abs(straight[s]["loss"] - resumed[s]["loss"]) for s in after]
# Bit-exact resume is the goal on the CPU; CUDA kernels with atomics (embedding backward) need not
# repeat bit for bit, so the check allows small drift and reports exactness separately.
tolerance = 2e-2
speeds = [straight[s]["tokens_per_second"] for s in range(2, steps + 1)]
mfus = [straight[s]["mfu"] for s in range(2, steps + 1) if straight[s].get("mfu") is not None]
print(f"train.steps\t{steps}")
print(f"train.resumed_at\t{half + 1}")
print(f"train.loss_first\t{straight[1]['loss']}")
print(f"train.loss_last\t{straight[steps]['loss']}")
print(f"train.resume_max_abs_loss_diff\t{max(diffs)}")
print(f"train.resume_bit_exact\t{json.dumps(max(diffs) == 0.0)}")
print(f"train.resume_tolerance\t{tolerance}")
print(f"train.median_tokens_per_second\t{statistics.median(speeds)}")
print(f"train.median_mfu\t{statistics.median(mfus) if mfus else 'null'}")
print(f"train.resume_result\t{json.dumps('pass' if max(diffs) <= tolerance else 'FAIL')}")
EOF
grep -q $'^train.resume_result\t"pass"$' "$figures" || fail "losses after the resume differ from the straight run by more than the tolerance (see results.json)"

# ---- data parallel over NCCL --------------------------------------------------------------------
# One rank per visible GPU through polyglot launch (a world of one on a single-GPU machine still
# forms an NCCL group and runs every collective of the step), 20 steps. Not in a CPU rehearsal.
if [[ $device != cuda ]]; then
  record_text train_nccl.skipped "not on the CPU rehearsal"
else
  stage_limit_s=240 try_stage train-nccl "$polyglot" launch --nproc-per-node "$gpus" -- train --config "$demo" --run-dir "$runs/nccl" --resume none --max-steps 20
  if stage_failed train-nccl; then
    :  # recorded by try_stage
  elif ! grep -q "data parallel over $gpus ranks (nccl" "$out/train-nccl.log"; then
    measurement_failed train-nccl "the launched run did not form an NCCL group (see $out/train-nccl.log)"
  else
    record "train_nccl.ranks" "$gpus"
    "$python" - "$runs/nccl/metrics.jsonl" >> "$figures" <<'EOF' || measurement_failed train-nccl "no training rows in $runs/nccl/metrics.jsonl"
import json, sys
rows = [row for row in map(json.loads, open(sys.argv[1], encoding="utf-8")) if row.get("kind") == "train"]
last = rows[-1]
print(f"train_nccl.loss_last\t{last['loss']}")
print(f"train_nccl.grad_buckets\t{json.dumps(last.get('grad_buckets'))}")
print(f"train_nccl.grad_buckets_during_backward\t{json.dumps(last.get('grad_buckets_during_backward'))}")
EOF
  fi
fi

# ---- ZeRO-3 over NCCL ---------------------------------------------------------------------------
# Two ranks where there are two GPUs, else one (a world of one at ZeRO-3 still gathers each unit's
# parameters for its forward and backward and frees them after); bench train runs stage 0 too, as
# the reference of its ratios, and bench checkpoint the one process. Not in a CPU rehearsal.
if [[ $device != cuda ]]; then
  record_text zero3.skipped "not on the CPU rehearsal"
else
  zero3_ranks=$((gpus >= 2 ? 2 : 1))
  record zero3.ranks "$zero3_ranks"
  stage_limit_s=150 try_stage zero3-train "$polyglot" bench train --config "$demo" --nproc-per-node "$zero3_ranks" --zero 3 \
    --steps 10 --warmup 3
  if ! stage_failed zero3-train; then
    "$python" - "$out/zero3-train.log" >> "$figures" <<'EOF' || measurement_failed zero3-train "no ZeRO rows in $out/zero3-train.log"
import json, re, sys
rows = 0
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"\d+ ranks?, ZeRO-(\d) +([\d,]+) +([\d.]+) +[\d.]+ +([\d.]+) +[\d.]+ +([\d.]+) +([\d. /]+?) \(([\d.]+)\) +([\d. /]+?) \(([\d.]+)\)", line)
    if not m:
        continue
    rows += 1
    key = f"zero3.train.zero{m[1]}"
    print(f"{key}.tokens_per_second\t{float(m[2].replace(',', ''))}")
    print(f"{key}.tokens_per_second_vs_zero0\t{float(m[3])}")
    print(f"{key}.step_ms\t{float(m[4])}")
    print(f"{key}.cpu_seconds\t{float(m[5])}")
    print(f"{key}.held_mb_per_rank\t{json.dumps([float(v) for v in m[6].split(' / ')])}")
    print(f"{key}.held_vs_zero0\t{float(m[7])}")
    print(f"{key}.peak_rss_mb_per_rank\t{json.dumps([float(v) for v in m[8].split(' / ')])}")
    print(f"{key}.peak_rss_vs_zero0\t{float(m[9])}")
sys.exit(0 if rows == 2 else 1)
EOF
  fi
  stage_limit_s=150 try_stage zero3-checkpoint "$polyglot" bench checkpoint --config "$demo" --nproc-per-node "$zero3_ranks" --zero 3 \
    --repeats 3 --json "$out/zero3-checkpoint.json"
  if ! stage_failed zero3-checkpoint; then
    "$python" - "$out/zero3-checkpoint.json" >> "$figures" <<'EOF' || measurement_failed zero3-checkpoint "unreadable $out/zero3-checkpoint.json"
import json, sys
for case in json.load(open(sys.argv[1], encoding="utf-8")):
    key = "zero3.checkpoint." + ("one_process" if case["zero"] is None else f"ranks{case['ranks']}_zero{case['zero']}")
    for field in ("save_seconds", "save_vs_one_process", "save_cpu_seconds", "load_seconds", "load_vs_one_process", "checkpoint_bytes"):
        print(f"{key}.{field}\t{case[field]}")
    print(f"{key}.within_part_plus_one_tensor\t{json.dumps(case['within_part_plus_one_tensor'])}")
    ranks = case["per_rank"]
    print(f"{key}.written_mb_per_rank\t{json.dumps([r['written_bytes'] / 1e6 for r in ranks])}")
    print(f"{key}.save_growth_mb_per_rank\t{json.dumps([max(r['save_growth_bytes']) / 1e6 for r in ranks])}")
    print(f"{key}.memory_method\t{json.dumps(ranks[0]['memory_method'])}")
EOF
  fi
fi

# ---- parity ------------------------------------------------------------------------------------
try_stage parity "$polyglot" parity --device "$device" --python "$python" --json "$out/parity.json"
if [[ -f $out/parity.json ]]; then
  "$python" - "$out/parity.json" >> "$figures" <<'EOF'
import json, sys
for row in json.load(open(sys.argv[1], encoding="utf-8")):
    key = f"parity.{row['layout'].replace('-', '_')}.{row['precision']}"
    for field in ("loss_error", "logits_error", "worst_grad_error", "limit"):
        print(f"{key}.{field}\t{row[field]}")
    print(f"{key}.worst_grad\t{json.dumps(row['worst_grad'])}")
    print(f"{key}.result\t{json.dumps('pass' if row['passed'] else 'FAIL')}")
EOF
fi

# ---- bench -------------------------------------------------------------------------------------
bench() {  # name config rounds
  # Expandable segments let the C# process and the PyTorch peer share the card's memory without
  # fragmenting it (the large models need most of it on each side, one after the other).
  try_stage "bench-$1" env PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True \
    "$polyglot" bench train --config "$2" --python "$python" --steps "$bench_steps" --warmup 3 --rounds "$3"
  [[ -f $out/bench-$1.log ]] || return 0
  "$python" - "$out/bench-$1.log" "$1" >> "$figures" <<'EOF'
import re, sys
text, name = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
patterns = {
    "csharp_step_ms": r"C#\s+step\s+([\d.]+) ms", "csharp_tokens_per_second": r"C#\s+step\s+[\d.]+ ms\s+([\d,]+) tokens/s",
    "mfu_percent": r"C#\s+MFU ([\d.]+)%", "pytorch_step_ms": r"PyTorch step\s+([\d.]+) ms",
    "csharp_over_pytorch": r"C#/PyTorch step time ([\d.]+)",
}
for key, pattern in patterns.items():
    if m := re.search(pattern, text):
        print(f"bench.{name}.{key}\t{float(m[1].replace(',', ''))}")
if m := re.search(r"MFU not reported: (.*)", text):
    print(f'bench.{name}.mfu_percent\t"not reported: {m[1].strip()}"')
EOF
}
bench demo "$demo" 2
if [[ $device == cuda ]]; then
  bench llama-1b configs/llama-1b.yaml 1
  bench polylm-1_7b configs/polylm-1.7b.yaml 1
fi

# ---- tokenize (CPU) ----------------------------------------------------------------------------
# The encoder and prepare on 1 thread and on up to all cores (spm_encode as the peer where it is
# installed, otherwise the encoder without its cache).
cores=$(nproc)
threads=(1)
for n in 2 4 8 16 32 64; do ((n <= cores)) && threads+=("$n"); done
((cores > ${threads[-1]})) && threads+=("$cores")
peer=()
command -v spm_encode > /dev/null || peer=(--no-spm-encode)
try_stage tokenize "$polyglot" bench tokenize --megabytes 32 --repeat 2 --threads "${threads[@]}" "${peer[@]}" --json "$out/tokenize.json"
if [[ -f $out/tokenize.json ]]; then
  "$python" - "$out/tokenize.json" >> "$figures" <<'EOF'
import json, sys
for row in json.load(open(sys.argv[1], encoding="utf-8")):
    key = f"tokenize.{row['tool'].replace(' ', '_').replace(',', '')}.t{row['threads']}"
    print(f"{key}.mb_per_s\t{row['mb_per_s']}")
    print(f"{key}.vs_one_thread_wall\t{row['vs_one_thread_wall']}")
    print(f"{key}.vs_one_thread_per_cpu_s\t{row['vs_one_thread_per_cpu_s']}")
    print(f"{key}.vs_reference_per_cpu_s\t{row['vs_reference_per_cpu_s']}")
    print(f"{key}.reference\t{json.dumps(row['reference'])}")
    if row.get("encoder_busy") is not None:
        print(f"{key}.encoder_busy\t{row['encoder_busy']}")
EOF
fi

stage=summary
((${#failed_stages[@]} == 0)) || fail "these measurements failed: ${failed_stages[*]} (logs in $out)"
stage=done
