#!/usr/bin/env bash
# Set up .venv (package + JupyterLab) and open the tutorials in JupyterLab.
# Usage: bash tools/lab.sh [jupyter lab options, e.g. --no-browser --port 8890]
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.sh
venv -e . jupyterlab
root_flag=()
if [ "$(id -u)" = 0 ]; then
  root_flag=(--allow-root)  # jupyter lab refuses to run as root without it
fi
exec jupyter lab "${root_flag[@]}" "$@" notebooks/
