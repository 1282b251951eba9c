#!/usr/bin/env bash
# Fault campaign (docs/reliability.md): kill -9 soak, checkpoint corruption, a full disk,
# SIGTERM/SIGINT, hostile corpus inputs. Each part prints one result line per case and a summary;
# the script exits 1 when any case fails.
#
#   scripts/faults.sh                 the short campaign (4 kills), a few minutes on 2 cores
#   scripts/faults.sh --long          20 kills 3-25 s apart, more signal trials
#   scripts/faults.sh --only soak     one part: soak | corrupt | diskfull | signals | inputs (repeatable)
#
# Work files go to artifacts/faults/ (FAULTS_DIR overrides), deleted at the start of each run.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

long=0
parts=()
while (($#)); do
  case $1 in
    --long) long=1 ;;
    --only) parts+=("$2"); shift ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "faults: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
((${#parts[@]})) || parts=(soak corrupt diskfull signals inputs)

dll=$root/src/PolyGlot.Cli/bin/Release/net10.0/polyglot.dll
[[ -f $dll ]] || { echo "faults: $dll is missing; run scripts/setup.sh first" >&2; exit 1; }
polyglot() { dotnet "$dll" "$@"; }

work=${FAULTS_DIR:-$root/artifacts/faults}
rm -rf "$work"
mkdir -p "$work"
summary=$work/summary.txt
failures=0
result() {   # result PASS|FAIL|SKIP part message
  printf '%-4s %-8s %s\n' "$1" "$2" "$3" | tee -a "$summary"
  [[ $1 == FAIL ]] && failures=$((failures + 1))
  return 0
}

if ((long)); then steps=20000; kills=20; kill_min=3; kill_max=25; signal_trials=10
else steps=1000; kills=4; kill_min=2; kill_max=5; signal_trials=4; fi
every=20

# ---------------------------------------------------------------------------------------------
# A small corpus, tokenizer and model: two languages of the demo corpus, 512 pieces, d 32 x 2 layers.
data=$work/data
mkdir -p "$data"
cat > "$data/data.yaml" <<EOF
sources:
  - {name: en, path: $root/data/demo-corpus/mono/gnome/en.txt.gz, lang: en}
  - {name: de, path: $root/data/demo-corpus/mono/gnome/de.txt.gz, lang: de}
tokenizer: {output: $data/tokenizer, vocab_size: 512}
prepare: {tokenizer: $data/tokenizer/tokenizer.model, output: $data/shards}
EOF
polyglot tokenizer train --config "$data/data.yaml" > "$data/build.log" 2>&1 \
  && polyglot prepare --config "$data/data.yaml" >> "$data/build.log" 2>&1 \
  || { cat "$data/build.log"; echo "faults: could not build the campaign's data" >&2; exit 1; }

# run_config FILE RUN_DIR [STEPS]: the campaign's run configuration.
run_config() {
  cat > "$1" <<EOF
name: faults
model: {layout: polylm, vocab_size: 512, d_model: 32, n_layers: 2, n_heads: 4, max_seq_len: 64}
tokenizer: {path: $data/tokenizer/tokenizer.model}
data:
  seq_len: 64
  global_batch_size: 8
  seed: 7
  sources: [{name: all, path: $data/shards}]
schedule: {warmup_steps: 5, total_steps: ${3:-$steps}}
training: {device: cpu, micro_batch_size: 4, seed: 7}
checkpointing: {every_steps: $every, keep_last: 3}
logging: {run_dir: $2, log_every_steps: 20}
EOF
}

train() { polyglot train --threads 1 "$@"; }
final_model() { echo "$1/checkpoints/$(printf 'step-%06d' "$2")/model.safetensors"; }

# same_losses REF_RUN RUN: every step's logged loss equal (exact JSON text), each step once.
same_losses() {
  python3 - "$1/metrics.jsonl" "$2/metrics.jsonl" <<'EOF'
import json, sys
def losses(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        row = json.loads(line)
        if row.get("kind") == "train":
            if row["step"] in out:
                sys.exit(f"{path}: step {row['step']} logged twice")
            out[row["step"]] = repr(row["loss"])
    return out
ref, run = losses(sys.argv[1]), losses(sys.argv[2])
if ref != run:
    diff = [s for s in sorted(set(ref) | set(run)) if ref.get(s) != run.get(s)]
    sys.exit(f"losses differ at {len(diff)} step(s), first {diff[:5]}: {[(ref.get(s), run.get(s)) for s in diff[:3]]}")
print(len(ref))
EOF
}

ref=$work/reference
run_config "$work/reference.yaml" "$ref"
clock=$(date +%s%N)
train --config "$work/reference.yaml" > "$work/reference.log" 2>&1 \
  || { tail -20 "$work/reference.log"; echo "faults: the reference run failed" >&2; exit 1; }
echo "reference: $steps steps, checkpoint every $every, $((($(date +%s%N) - clock) / 1000000)) ms" | tee -a "$summary"
ref_model=$(final_model "$ref" "$steps")

# ---------------------------------------------------------------------------------------------
# leftovers DIR: the names of checkpoint writes cut short in DIR (.tmp-* directories, step-* without COMPLETE).
leftovers() {
  local d
  for d in "$1"/.tmp-* "$1"/step-*; do
    [[ -d $d && ! -f $d/COMPLETE ]] && basename "$d"
  done
  return 0
}

soak() {
  local run=$work/soak cfg=$work/soak.yaml log=$work/soak.log
  run_config "$cfg" "$run"
  local delivered=0 in_write=0 starts=0 rc
  export POLYGLOT_TEST_CHECKPOINT_DELAY_MS=${POLYGLOT_TEST_CHECKPOINT_DELAY_MS:-40}
  while :; do
    starts=$((starts + 1))
    local before; before=$(leftovers "$run/checkpoints")
    # dotnet itself in the background (not a shell function, whose subshell would take the SIGKILL instead).
    dotnet "$dll" train --threads 1 --config "$cfg" >> "$log" 2>&1 &
    local pid=$!
    if ((delivered < kills)); then
      local wait_ms=$((kill_min * 1000 + (RANDOM * 32768 + RANDOM) % ((kill_max - kill_min) * 1000 + 1)))
      sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
      if kill -0 "$pid" 2> /dev/null; then
        kill -9 "$pid"
        wait "$pid" 2> /dev/null
        delivered=$((delivered + 1))
        # A kill inside a checkpoint write leaves a new .tmp- directory or a step- directory without COMPLETE.
        [[ -n $(comm -13 <(echo "$before") <(leftovers "$run/checkpoints")) ]] && in_write=$((in_write + 1))
        echo "--- killed (SIGKILL) after ${wait_ms} ms" >> "$log"
        continue
      fi
    fi
    wait "$pid"; rc=$?
    ((rc == 0)) || { result FAIL soak "a restart exited $rc (see $log)"; unset POLYGLOT_TEST_CHECKPOINT_DELAY_MS; return; }
    break
  done
  unset POLYGLOT_TEST_CHECKPOINT_DELAY_MS
  local model; model=$(final_model "$run" "$steps")
  local stepsok
  if ! cmp -s "$ref_model" "$model"; then
    result FAIL soak "final model.safetensors differs from the reference after $delivered kills"
  elif ! stepsok=$(same_losses "$ref" "$run" 2>&1); then
    result FAIL soak "$stepsok"
  else
    result PASS soak "$delivered SIGKILLs survived ($in_write inside a checkpoint write), $starts starts; model.safetensors byte-identical, $stepsok step losses equal"
  fi
  ((delivered >= kills)) || result FAIL soak "only $delivered of $kills kills landed before the run finished (lengthen the run)"
  soak_sharded
}

# soak_sharded: the same with two ranks at ZeRO-3, each writing its own part of every checkpoint;
# one rank at a time is killed with SIGKILL (the launcher then stops the other), and the rerun
# must end with every rank's file and every step's loss equal to an uninterrupted two-rank run's.
soak_sharded() {
  local zsteps=$((steps / 4)) zkills=$((kills / 2)) ref3=$work/reference-zero3 run=$work/soak-zero3 log=$work/soak-zero3.log
  zero3_config() { run_config "$1" "$2" "$zsteps"; sed -i 's/^training: {/training: {distributed: {zero: 3}, /' "$1"; }
  zero3_config "$work/reference-zero3.yaml" "$ref3"
  zero3_config "$work/soak-zero3.yaml" "$run"
  polyglot launch --nproc-per-node 2 -- train --threads 1 --config "$work/reference-zero3.yaml" > "$work/reference-zero3.log" 2>&1 \
    || { result FAIL soak "the two-rank ZeRO-3 reference run failed (see $work/reference-zero3.log)"; return; }
  local delivered=0 in_write=0 starts=0 rc
  export POLYGLOT_TEST_CHECKPOINT_DELAY_MS=${POLYGLOT_TEST_CHECKPOINT_DELAY_MS:-40}
  while :; do
    starts=$((starts + 1))
    local before; before=$(leftovers "$run/checkpoints")
    dotnet "$dll" launch --nproc-per-node 2 -- train --threads 1 --config "$work/soak-zero3.yaml" >> "$log" 2>&1 &
    local pid=$!
    if ((delivered < zkills)); then
      local wait_ms=$((kill_min * 1000 + (RANDOM * 32768 + RANDOM) % ((kill_max - kill_min) * 1000 + 1)))
      sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
      local ranks; mapfile -t ranks < <(pgrep -P "$pid")
      if ((${#ranks[@]} == 2)); then
        kill -9 "${ranks[RANDOM % 2]}"
        wait "$pid" 2> /dev/null
        delivered=$((delivered + 1))
        [[ -n $(comm -13 <(echo "$before") <(leftovers "$run/checkpoints")) ]] && in_write=$((in_write + 1))
        echo "--- one rank killed (SIGKILL) after ${wait_ms} ms" >> "$log"
        continue
      fi
    fi
    wait "$pid"; rc=$?
    ((rc == 0)) || { result FAIL soak "a two-rank ZeRO-3 restart exited $rc (see $log)"; unset POLYGLOT_TEST_CHECKPOINT_DELAY_MS; return; }
    break
  done
  unset POLYGLOT_TEST_CHECKPOINT_DELAY_MS
  local final stepsok file; final=$(printf 'step-%06d' "$zsteps")
  for file in rank-00000-of-00002.safetensors rank-00001-of-00002.safetensors; do
    cmp -s "$ref3/checkpoints/$final/$file" "$run/checkpoints/$final/$file" \
      || { result FAIL soak "two-rank ZeRO-3: the final $file differs from the uninterrupted run's after $delivered kills"; return; }
  done
  if ! stepsok=$(same_losses "$ref3" "$run" 2>&1); then
    result FAIL soak "two-rank ZeRO-3: $stepsok"
  else
    result PASS soak "two ranks at ZeRO-3: $delivered SIGKILLs of one rank survived ($in_write inside a checkpoint write), $starts starts; both rank files byte-identical, $stepsok step losses equal"
  fi
  ((delivered >= zkills)) || result FAIL soak "two-rank ZeRO-3: only $delivered of $zkills kills landed before the run finished (lengthen the run)"
}

# ---------------------------------------------------------------------------------------------
# corrupt: flip a byte in / truncate / delete each file of the newest checkpoint of a copy of the reference.
corrupt() {
  local newest; newest=$(printf 'step-%06d' "$steps")
  local previous; previous=$(printf 'step-%06d' $((steps - every)))
  local files=(model.safetensors optimizer.safetensors checkpoint.json trainer.json data.json rng.json config.yaml checksums.sha256 COMPLETE)
  local injected=0 detected=0 resumed_ok=0 refused_ok=0
  for file in "${files[@]}"; do
    for how in flip truncate delete; do
      injected=$((injected + 1))
      local case=$work/corrupt/$file-$how
      mkdir -p "$case"
      cp -r "$ref/checkpoints" "$case/checkpoints"
      cp "$ref/metrics.jsonl" "$case/metrics.jsonl"
      local target=$case/checkpoints/$newest/$file
      case $how in
        flip) python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); i=len(b)//2; b[i]^=0x01; open(p,'wb').write(b)" "$target" ;;
        truncate) truncate -s $(($(stat -c %s "$target") / 2)) "$target" ;;
        delete) rm -f "$target" ;;
      esac
      run_config "$case/run.yaml" "$case"
      # --resume PATH on the damaged checkpoint: exit 1, naming it and why.
      local out rc
      out=$(train --config "$case/run.yaml" --resume "$case/checkpoints/$newest" 2>&1); rc=$?
      local reason; reason=$(grep -o "Checkpoint $case/checkpoints/$newest: .*" <<< "$out" | head -1)
      if ((rc == 1)) && [[ -n $reason ]] && ! grep -q "   at " <<< "$out"; then refused_ok=$((refused_ok + 1))
      else result FAIL corrupt "$file/$how: --resume PATH exited $rc: $(tail -1 <<< "$out")"; fi
      # --resume auto: skips it with a warning naming it, resumes from the previous one, same result.
      out=$(train --config "$case/run.yaml" --resume auto 2>&1); rc=$?
      if grep -q "Skipping checkpoint $case/checkpoints/$newest: " <<< "$out"; then detected=$((detected + 1)); fi
      if ((rc == 0)) && grep -q "$previous" <<< "$out" && cmp -s "$ref_model" "$(final_model "$case" "$steps")"; then
        resumed_ok=$((resumed_ok + 1))
      else
        result FAIL corrupt "$file/$how: --resume auto exited $rc or did not reproduce the reference: $(grep -m1 -E 'Skipping|failed' <<< "$out")"
      fi
      echo "$file/$how: ${reason:-no reason given}" >> "$work/corrupt-reasons.txt"
      rm -rf "$case"
    done
  done
  local verdict=PASS
  ((detected == injected && resumed_ok == injected && refused_ok == injected)) || verdict=FAIL
  result $verdict corrupt "$detected of $injected corruptions detected by --resume auto; $resumed_ok resumed from $previous to the reference's model; $refused_ok refused by --resume PATH with exit 1 and the reason (reasons: $work/corrupt-reasons.txt)"
}

# ---------------------------------------------------------------------------------------------
# diskfull: a tmpfs that fills during a checkpoint write.
diskfull() {
  local mnt=$work/diskfull-mnt
  mkdir -p "$mnt"
  # One checkpoint of this model is about 550 KB (model 179 KB, optimizer 358 KB); keep_last is 3, so
  # writing the 4th (step 80) needs 4 x 550 KB: 2,000 KB fills during that write.
  if ! mount -t tmpfs -o size=2000k tmpfs "$mnt" 2> "$work/diskfull-mount.err"; then
    result SKIP diskfull "cannot mount a tmpfs here ($(head -1 "$work/diskfull-mount.err")); run as root in a container with CAP_SYS_ADMIN"
    return
  fi
  local run=$mnt/run
  run_config "$work/diskfull.yaml" "$run"
  local out rc
  out=$(train --config "$work/diskfull.yaml" 2>&1); rc=$?
  echo "$out" > "$work/diskfull-1.log"
  local errline; errline=$(grep -E "failed|ERR" <<< "$out" | head -3)
  local lines; lines=$(grep -cE "ERR|failed" <<< "$out")
  local ok=1 notes=()
  ((rc == 1)) || { ok=0; notes+=("exit $rc, not 1"); }
  grep -q "   at \|Unhandled exception" <<< "$out" && { ok=0; notes+=("a stack trace was printed"); }
  grep -qi "No space left on device\|disk full\|space" <<< "$errline" || { ok=0; notes+=("the error does not say the disk is full"); }
  # The previous checkpoint still verifies (sha256sum of its files, and a resume from it below).
  local newest; newest=$(ls -d "$run"/checkpoints/step-* 2> /dev/null | sort | tail -1)
  local good; good=$(for d in $(ls -d "$run"/checkpoints/step-* 2> /dev/null | sort -r); do [[ -f $d/COMPLETE ]] && (cd "$d" && sha256sum -c --quiet checksums.sha256 > /dev/null 2>&1) && { echo "$d"; break; }; done)
  [[ -n $good ]] || { ok=0; notes+=("no complete checkpoint verifies after the failure"); }
  # Free space (a bigger mount), start again: no .tmp-* litter, resumes, finishes like the reference.
  mount -o remount,size=64m "$mnt"
  out=$(train --config "$work/diskfull.yaml" 2>&1); rc=$?
  echo "$out" > "$work/diskfull-2.log"
  compgen -G "$run/checkpoints/.tmp-*" > /dev/null && { ok=0; notes+=(".tmp-* left after the next start"); }
  ((rc == 0)) || { ok=0; notes+=("the rerun after freeing space exited $rc"); }
  grep -q "$(basename "$good")" <<< "$out" || notes+=("the rerun did not name $(basename "$good")")
  cmp -s "$ref_model" "$(final_model "$run" "$steps")" || { ok=0; notes+=("the resumed run's model differs from the reference"); }
  umount "$mnt"
  local verdict=PASS; ((ok)) || verdict=FAIL
  result $verdict diskfull "error: ${errline//$'\n'/ | }; newest verifying checkpoint $(basename "${good:-none}"); rerun after freeing space: exit $rc${notes:+; ${notes[*]}}"
}

# ---------------------------------------------------------------------------------------------
# signals: SIGTERM or SIGINT at a random moment; exit 0 within 30 s with a checkpoint of the last finished step.
signals() {
  local run=$work/signals cfg=$work/signals.yaml
  run_config "$cfg" "$run" 100000
  local trial worst=0 passed=0
  # Job control on: a non-interactive shell starts background jobs with SIGINT ignored, and .NET keeps it so.
  set -m
  for ((trial = 1; trial <= signal_trials; trial++)); do
    local signal=TERM; ((trial % 2 == 0)) && signal=INT
    local log=$work/signals-$trial.log
    dotnet "$dll" train --threads 1 --config "$cfg" > "$log" 2>&1 &
    local pid=$!
    local wait_ms=$((1500 + (RANDOM * 32768 + RANDOM) % 3000))
    sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
    local sent; sent=$(date +%s%N)
    kill -s "$signal" "$pid"
    local rc=0 waited=0
    while kill -0 "$pid" 2> /dev/null && ((waited < 600)); do sleep 0.05; waited=$((waited + 1)); done
    if kill -0 "$pid" 2> /dev/null; then kill -9 "$pid"; result FAIL signals "SIG$signal: still running 30 s later"; continue; fi
    wait "$pid"; rc=$?
    local ms=$((($(date +%s%N) - sent) / 1000000))
    ((ms > worst)) && worst=$ms
    # metrics.jsonl numbers steps from 1, as the log and the checkpoint names do.
    local last; last=$(python3 -c "import json,sys; print(max(r['step'] for r in map(json.loads, open(sys.argv[1])) if r.get('kind') == 'train'))" "$run/metrics.jsonl")
    local ckpt; ckpt=$(printf '%s/checkpoints/step-%06d' "$run" "$last")
    if ((rc == 0)) && [[ -f $ckpt/COMPLETE ]] && (cd "$ckpt" && sha256sum -c --quiet checksums.sha256 > /dev/null); then
      passed=$((passed + 1))
      echo "SIG$signal after ${wait_ms} ms: exit 0 in $ms ms, checkpoint step $last" >> "$work/signals.txt"
    else
      result FAIL signals "SIG$signal after ${wait_ms} ms: exit $rc in $ms ms; last finished step $last, checkpoint $ckpt complete: $([[ -f $ckpt/COMPLETE ]] && echo yes || echo no)"
    fi
  done
  set +m
  local verdict=PASS; ((passed == signal_trials)) || verdict=FAIL
  result $verdict signals "$passed of $signal_trials SIGTERM/SIGINT trials exited 0 with a verified checkpoint of the last finished step; slowest signal-to-exit $worst ms (details: $work/signals.txt)"
}

# ---------------------------------------------------------------------------------------------
# inputs: hostile corpus files through tokenizer train, prepare and eval; each must end in exit 0
# (skipped or repaired as documented) or exit 1 with one line naming the file; never a crash or a hang.
inputs() {
  local dir=$work/inputs
  mkdir -p "$dir/files"
  local f=$dir/files
  python3 - "$f" <<'EOF'
import gzip, os, sys
d = sys.argv[1]
good = "".join(f"a good line of text number {i} with some words\n" for i in range(200)).encode()
def w(name, data): open(os.path.join(d, name), "wb").write(data)
w("invalid-utf8.txt", good + b"bad \xff\xfe bytes here\n" + good)
w("nul-bytes.txt", good + b"a line with a \x00 NUL byte\n" + good)
w("long-line.txt", good + b"x" * (50 * 1024 * 1024) + b"\n" + good)
w("crlf.txt", good.replace(b"\n", b"\r\n"))
w("lone-cr.txt", good + b"one\rtwo\rthree lines joined by CR\n" + good)
gz = gzip.compress(good * 50)
w("truncated.txt.gz", gz[: len(gz) // 2])
w("empty.txt", b"")
w("zero.parquet", b"")
w("not-json.jsonl", b'{"text": "fine"}\n' * 100 + b"this is not json\n")
w("no-text-field.jsonl", b'{"text": "fine"}\n' * 100 + b'{"body": "wrong field"}\n')
w("one-column.tsv", b"hello\thallo\n" * 100 + b"only one column\n")
EOF
  local cases=("invalid-utf8.txt text" "nul-bytes.txt text" "long-line.txt text" "crlf.txt text" "lone-cr.txt text"
               "truncated.txt.gz text" "empty.txt text" "zero.parquet parquet" "not-json.jsonl jsonl"
               "no-text-field.jsonl jsonl" "one-column.tsv tsv-pairs")
  local total=0 bad=0
  for entry in "${cases[@]}"; do
    local name=${entry% *} format=${entry#* }
    local c=$dir/${name//./-}
    mkdir -p "$c"
    local source="{name: hostile, path: $f/$name, format: $format, lang: en}"
    [[ $format == tsv-pairs ]] && source="{name: hostile, path: $f/$name, format: $format, src_lang: en, tgt_lang: de}"
    cat > "$c/data.yaml" <<EOF
sources:
  - $source
tokenizer: {output: $c/tokenizer, vocab_size: 320}
prepare: {tokenizer: $data/tokenizer/tokenizer.model, output: $c/shards}
EOF
    local command
    for command in "tokenizer train" "prepare" "eval"; do
      [[ $command == eval && $format != text ]] && continue
      total=$((total + 1))
      local args=($command --config "$c/data.yaml")
      [[ $command == eval ]] && args=(eval --checkpoint "$ref/checkpoints" --data "en=$f/$name")
      local start; start=$(date +%s%N)
      local out rc
      out=$(timeout 300 dotnet "$dll" "${args[@]}" 2>&1); rc=$?
      local ms=$((($(date +%s%N) - start) / 1000000))
      local verdict
      if ((rc == 124)); then verdict="HANG (killed after 300 s)"; bad=$((bad + 1))
      elif grep -q "   at \|Unhandled exception" <<< "$out" || ((rc > 1)); then verdict="CRASH (exit $rc)"; bad=$((bad + 1))
      elif ((rc == 1)); then
        verdict="rejected: $(grep -m1 -E 'failed' <<< "$out" | sed -E 's/^[0-9:]+ ERR //' | cut -c1-220)"
        (($(grep -c ' ERR ' <<< "$out") == 1)) || { verdict="$verdict [more than one error line]"; bad=$((bad + 1)); }
        grep -q "$name" <<< "$out" || verdict="$verdict [not about the file's content: names no file]"
      else verdict="accepted (exit 0): $(grep -m1 -iE 'skipp|repair|prepared:|wrote|bits' <<< "$out" | sed -E 's/^[0-9:]+ [A-Z]+ //' | cut -c1-200)"; fi
      echo "$name | ${args[0]}${args[1]:+ ${args[1]}} | ${ms} ms | $verdict" | tee -a "$work/inputs.txt"
    done
    rm -rf "$c"
  done
  rm -f "$f/long-line.txt"
  local verdict=PASS; ((bad == 0)) || verdict=FAIL
  result $verdict inputs "$((total - bad)) of $total hostile-input runs ended cleanly (exit 0, or exit 1 with one line naming the file); details: $work/inputs.txt"
}

for part in "${parts[@]}"; do
  case $part in
    soak|corrupt|diskfull|signals|inputs) start=$(date +%s); "$part"; echo "($part: $(($(date +%s) - start)) s)" ;;
    *) echo "faults: unknown part '$part'" >&2; exit 2 ;;
  esac
done
echo "faults: $failures failure(s); summary in $summary"
((failures == 0))
