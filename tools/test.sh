#!/usr/bin/env bash
# All tests, fast to slow: unit, tutorial notebooks (nbval), browser (JupyterLab in Chromium).
# Uses the active venv, else .venv (made by `bash .ci/run`).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.sh
[ -n "${VIRTUAL_ENV:-}" ] || . .venv/bin/activate

run_pytest() {  # pytest, failing with a clear message also when it collects nothing (exit 5)
  local rc=0
  python -m pytest "$@" || rc=$?
  [ "$rc" != 5 ] || echo "FAILED: pytest collected no tests: pytest $*" >&2
  return "$rc"
}

failed=()  # every phase runs (one failure does not hide the others); the script fails at the end
run_phase() {  # run_phase NAME CMD...
  local name=$1; shift
  phase "$name" "$@" || failed+=("$name")
}

run_phase "unit tests" run_pytest tests --ignore=tests/e2e

shopt -s globstar nullglob
notebooks=(notebooks/**/*.ipynb)
if ((${#notebooks[@]})); then
  run_phase "notebooks (nbval)" run_pytest --nbval --nbval-current-env notebooks/
else
  printf '\n======== notebooks (nbval): no notebooks/*.ipynb yet, step not run ========\n'
fi

run_phase "browser tests (JupyterLab + Chromium)" run_pytest tests/e2e
phase_summary
if ((${#failed[@]})); then
  printf 'FAILED phases: %s\n' "${failed[*]}" >&2
  exit 1
fi
