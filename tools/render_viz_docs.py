"""Render the seed graphs for the docs: matplotlib PNGs and the inline SVG as Chromium draws it.

    python tools/render_viz_docs.py [outdir]     (default: docs/)

Writes graph_<seed>.png (viz.save) and graph_<seed>_browser.png (the SVG in headless Chromium on
a dark page, as a dark-themed notebook shows it). Look at both after changing the drawing.
"""
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from PIL import Image  # noqa: E402  (matplotlib's dependency)

from autograd_lab import viz  # noqa: E402
from viz_seeds import SEEDS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def screenshot(svg, png, background="#1e1e1e"):
    """Render an SVG inside an HTML page with headless Chromium."""
    width, height = map(float, re.search(r'width="([\d.]+)" height="([\d.]+)"', svg).groups())
    size = (int(width) + 24, int(height) + 24)
    with tempfile.TemporaryDirectory() as tmp:
        page = pathlib.Path(tmp, "graph.html")
        page.write_text(f'<html><body style="margin:0;padding:12px;background:{background}">'
                        f'<div class="ag-graph">{svg}</div></body></html>', encoding="utf-8")
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--user-data-dir={tmp}/profile",
                        f"--screenshot={png}", f"--window-size={size[0]},{size[1] + 200}",
                        page.as_uri()], check=True, capture_output=True)
    with Image.open(png) as shot:  # the window is taller than the page shows: crop to the graph
        shot.crop((0, 0) + size).save(png, optimize=True)


def main(outdir):
    outdir.mkdir(parents=True, exist_ok=True)
    for name, make in SEEDS.items():
        t, ns = make()
        viz.save(t, outdir / f"graph_{name}.png", dpi=150, names=ns)
        screenshot(viz.to_svg(t, names=ns), outdir / f"graph_{name}_browser.png")
        print("wrote", outdir / f"graph_{name}.png", outdir / f"graph_{name}_browser.png")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
