#!/usr/bin/env bash
# The README's main command: set this machine up (idempotent), train the built-in demo, then
# export the newest checkpoint as a Hugging Face folder (GPT2LMHeadModel + tokenizer). `train` keeps
# RUN_DIR/report.html (charts of the run) up to date.
# `polyglot train` builds the demo tokenizer and token shards on the first run and reuses them
# afterwards; running this script again resumes the run, or reports that it is complete.
# Extra arguments go to `polyglot train` (e.g. --resume none --run-dir runs/demo-2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/polyglot train --config configs/demo.yaml "$@"

run_dir=runs/demo
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ ${args[i]} == --run-dir ]]; then run_dir=${args[i + 1]:-$run_dir}; fi
  if [[ ${args[i]} == --run-dir=* ]]; then run_dir=${args[i]#--run-dir=}; fi
done
scripts/polyglot export --checkpoint "$run_dir/checkpoints" --out "$run_dir/hf" --force
echo "The demo model as a Hugging Face folder: $run_dir/hf (transformers: AutoModelForCausalLM.from_pretrained(\"$run_dir/hf\"))"
echo "The run's report (charts, offline HTML): $run_dir/report.html"
