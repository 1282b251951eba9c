#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set-up, build, the libtorch 2.x header check of the
# native shim, every test project.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1

# The shim builds here against libtorch 1.13; this keeps it compiling against the 2.x API too.
# Where it was just built against a libtorch 2.x itself (scripts/test-torch2.sh), the check adds nothing.
if grep -q 'polyglot_torch: libtorch 2\.' artifacts/native-configure.log 2> /dev/null; then
  echo "check-torch2-headers: skipped, the shim was built against $(grep -o 'libtorch 2\.[0-9.]*' artifacts/native-configure.log | head -n1)"
  torch2_status=0
else
  scripts/check-torch2-headers.sh
  torch2_status=$?
fi

log=artifacts/test.log
dotnet test PolyGlot.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The short fault campaign (docs/reliability.md): kill -9 soak, corruption, full disk, signals, hostile inputs; about 3 minutes.
scripts/faults.sh > artifacts/faults.log 2>&1; faults_status=$?; grep -E '^(PASS|FAIL|SKIP) ' artifacts/faults.log

# One closing line over all test assemblies.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: $passed passed, $failed failed, $skipped skipped"
((torch2_status == 0)) || echo "tests: the libtorch 2.x header check failed (see above)"
((faults_status == 0)) || echo "tests: the fault campaign failed (artifacts/faults.log)"
((status != 0)) && exit "$status"
((faults_status != 0)) && exit "$faults_status"
exit "$torch2_status"
