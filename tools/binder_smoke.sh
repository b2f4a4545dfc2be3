#!/usr/bin/env bash
# Emulate a Binder build without Docker: a fresh venv with the Python of binder/runtime.txt and
# the JupyterLab stack of repo2docker's base env, then binder/requirements.txt and binder/postBuild
# as repo2docker runs them (from the repo root), then execute every notebook (= "Run All").
set -euo pipefail
cd "$(dirname "$0")/.."
python=python$(sed 's/^python-//' binder/runtime.txt)
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export JUPYTER_CONFIG_DIR=$state/cfg JUPYTER_DATA_DIR=$state/data JUPYTER_RUNTIME_DIR=$state/run \
       IPYTHONDIR=$state/ipython MPLCONFIGDIR=$state/mpl

rm -rf .binder-venv
"$python" -m venv .binder-venv
export PATH=$PWD/.binder-venv/bin:$PATH
pip install -q -U pip
# repo2docker's base env (py3.11 lock, checked 2026-11)
pip install -q jupyterlab==4.4.9 notebook==7.4.7 ipywidgets==8.1.7 jupyter_server==2.17.0 ipykernel
pip install -q --no-cache-dir -r binder/requirements.txt
bash binder/postBuild

shopt -s globstar nullglob
notebooks=(notebooks/**/*.ipynb)
if ((${#notebooks[@]})); then
  # one run per folder, each writing to its own folder: notebooks/zh/01_… must not overwrite 01_…
  for dir in $(printf '%s\n' "${notebooks[@]}" | xargs -n1 dirname | sort -u); do
    jupyter nbconvert --to notebook --execute --output-dir "$state/executed/$dir" "$dir"/*.ipynb
  done
else
  echo "binder smoke: no notebooks yet, nothing to execute"
fi
echo "binder smoke: OK"
