"""Keep the state that Jupyter, IPython and matplotlib write during tests out of $HOME.

nbval, nbclient and the JupyterLab servers of tests/e2e (which inherit this environment) would
otherwise write the trust db, secrets, runtime files and IPython profile into ~/.jupyter,
~/.local/share/jupyter and ~/.ipython. Variables already set by the caller are kept.
"""
import atexit
import os
import shutil
import tempfile

_state = tempfile.mkdtemp(prefix="autograd_lab-tests-")
atexit.register(shutil.rmtree, _state, ignore_errors=True)
for _var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
             "MPLCONFIGDIR"):
    os.environ.setdefault(_var, os.path.join(_state, _var.lower()))
