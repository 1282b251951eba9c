#!/usr/bin/env bash
# The README's main command: set this machine up (idempotent), then train the built-in demo.
# `polyglot train` builds the demo tokenizer and token shards on the first run and reuses them
# afterwards; running this script again resumes the run, or reports that it is complete.
# Extra arguments go to `polyglot train` (e.g. --resume none --run-dir runs/demo-2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec scripts/polyglot train --config configs/demo.yaml "$@"
