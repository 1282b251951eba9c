#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set-up, build, every test project.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1

log=artifacts/test.log
dotnet test PolyGlot.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One closing line over all test assemblies.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
