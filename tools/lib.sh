# Sourced by .ci/run and tools/*.sh: titled, timed phases and the project's .venv.

PHASE_TIMES=()

phase() {  # phase TITLE COMMAND...: print a header, run COMMAND, record its wall time;
           # returns COMMAND's exit status
  local title=$1 start=$SECONDS rc=0
  shift
  printf '\n======== %s ========\n' "$title"
  "$@" || rc=$?
  PHASE_TIMES+=("$(printf '%5ss  %s' $((SECONDS - start)) "$title")")
  return "$rc"
}

phase_summary() {
  printf '\n======== times ========\n'
  printf '%s\n' "${PHASE_TIMES[@]}"
}

venv() {  # venv PIP_ARGS...: create .venv if missing, activate it, pip install PIP_ARGS into it
  [ -x .venv/bin/python ] || python3 -m venv .venv
  . .venv/bin/activate
  python -m pip install -q -U pip
  python -m pip install -q "$@"
}
