"""JupyterLab on a temporary copy of notebooks, driven from Playwright (sync API).

The server inherits the hermetic JUPYTER_*/IPYTHONDIR dirs set by the repo-root conftest.py and
keeps its own settings, workspaces and log in `state`. Page helpers for tests:
open_notebook(page, server, name), run_all(page), output_texts(page).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat

TOKEN = "e2e-token"

# The toolbar indicator says "idle" before a kernel exists; clicking Run All then executes
# nothing. Ready = the status bar names a real kernel and the indicator is idle.
KERNEL_READY_JS = """() => {
  const name = document.querySelector('.jp-KernelName');
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return !!name && !!ind && /ipykernel/.test(name.textContent) && ind.dataset.status === 'idle';
}"""

# Run All marks every queued cell [*] at once; done = none left and the kernel is idle.
RUN_DONE_JS = """() => {
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const queued = [...document.querySelectorAll('.jp-InputPrompt')]
    .some(p => p.textContent.includes('*'));
  return !!ind && ind.dataset.status === 'idle' && !queued;
}"""


def make_notebook(*sources):
    """Unexecuted code cells, with the python3 kernelspec (else JupyterLab asks for a kernel)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                              "language": "python"}
    return nb


def copy_notebooks(notebooks, dest):
    """Write {name: NotebookNode} or copy a folder to the new folder `dest`; return `dest`."""
    if isinstance(notebooks, dict):
        dest.mkdir(parents=True)
        for name, nb in notebooks.items():
            nbformat.write(nb, dest / name)
    else:
        shutil.copytree(notebooks, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """JupyterLab serving `root` on 127.0.0.1:<free port> with a token; started on creation."""

    def __init__(self, root, state, timeout=60):
        self.port = free_port()
        settings = Path(state) / "lab-settings"
        news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        news.parent.mkdir(parents=True)
        news.write_text('{"fetchNews": "false"}')  # no "get Jupyter news?" toast
        self.log = Path(state) / "lab.log"
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
               f"--LabServerApp.user_settings_dir={settings}",
               f"--LabServerApp.workspaces_dir={Path(state) / 'workspaces'}",
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        # JupyterLab runs `npm prefix --global` at start; npm logs into its cache, so move it.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "npm_config_cache": str(Path(state) / "npm")}
        with open(self.log, "wb") as log:  # own process group: stop() can kill it as a whole
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, env=env)
        self._wait_ready(timeout)

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}/{path}?token={TOKEN}"

    def _request(self, method, path):
        with urllib.request.urlopen(urllib.request.Request(self.url(path), method=method),
                                    timeout=5) as response:
            return response.status

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({self.proc.returncode}):\n"
                                   + self.log.read_text()[-3000:])
            try:
                if self._request("GET", "api/status") == 200:
                    return
            except OSError:  # not listening yet (URLError and socket errors are OSErrors)
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"JupyterLab not up after {timeout}s:\n" + self.log.read_text()[-3000:])

    def stop(self):
        """POST /api/shutdown (stops kernels too), then SIGTERM/SIGKILL its process group."""
        if self.proc.poll() is None:
            try:
                self._request("POST", "api/shutdown")
                self.proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()


def open_notebook(page, server, name):
    """Open notebook `name` (relative to the served folder) and wait for its kernel."""
    page.goto(server.url(f"lab/tree/{name}") + "&reset")  # reset: no tabs from earlier runs
    page.wait_for_function(KERNEL_READY_JS, timeout=60_000)


def run_all(page, timeout=60_000):
    """Run > Run All Cells, then wait until no cell is queued or running."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(RUN_DONE_JS, timeout=timeout)


def output_texts(page):
    """Text of every cell output on the page, in order (text_content also works for SVG)."""
    return page.locator(".jp-OutputArea-output").all_text_contents()
