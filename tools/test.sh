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

phase "unit tests" run_pytest tests --ignore=tests/e2e

shopt -s globstar nullglob
notebooks=(notebooks/**/*.ipynb)
if ((${#notebooks[@]})); then
  phase "notebooks (nbval)" run_pytest --nbval --nbval-current-env notebooks/
else
  printf '\n======== notebooks (nbval): no notebooks/*.ipynb yet, step not run ========\n'
fi

phase "browser tests (JupyterLab + Chromium)" run_pytest tests/e2e
phase_summary
