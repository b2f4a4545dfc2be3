"""Fixtures for browser tests: `lab_server` (JupyterLab on a copy of notebooks) and
`browser_page` (headless Debian Chromium via Playwright; screenshot into e2e-artifacts/ after
each test). Without /usr/bin/chromium the tests skip, but fail when CI is set."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from lab_harness import LabServer, copy_notebooks

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "e2e-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

expect.set_options(timeout=15_000)  # a kernel start on 2 cores takes longer than the 5 s default


@pytest.fixture
def lab_server(tmp_path):
    """Factory: lab_server({name: notebook} or folder) -> a running LabServer on a copy of it."""
    servers = []

    def start(notebooks):
        run_dir = tmp_path / f"lab{len(servers)}"
        servers.append(LabServer(copy_notebooks(notebooks, run_dir / "notebooks"), run_dir))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def browser_page(request, tmp_path):
    if not CHROMIUM.exists():
        message = f"browser tests need {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message + "; CI is set, so this is a failure, not a skip")
        pytest.skip(message)
    # Debian's chromium wrapper writes ~/.config/chromium and ~/.cache/dconf: keep them in tmp.
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
           "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile", executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, env=env, viewport={"width": 1280, "height": 900})
        page = context.pages[0] if context.pages else context.new_page()
        try:
            yield page
        finally:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"{request.node.name}.png")
            context.close()
