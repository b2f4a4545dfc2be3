"""Matplotlib rendering of a Scene (imported only when drawing or saving PNG/PDF)."""
import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon
from matplotlib.path import Path

from . import _style
from ._layout import ARROW

DPI = 100  # one scene pixel is one figure pixel at this dpi


def draw(scene, ax=None):
    """Draw `scene` on `ax` (a new pyplot figure when None); returns the Axes."""
    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(scene.width / DPI, scene.height / DPI), dpi=DPI)
        ax = fig.add_axes((0, 0, 1, 1))
    _render(scene, ax)
    return ax


def save(scene, path, dpi):
    """Write `scene` as PNG or PDF (matplotlib picks the format from the file name)."""
    fig = Figure(figsize=(scene.width / DPI, scene.height / DPI), dpi=DPI)
    _render(scene, fig.add_axes((0, 0, 1, 1)))
    meta = ({"Software": None} if path.lower().endswith(".png")
            else {"Creator": None, "Producer": None, "CreationDate": None})
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(path, dpi=dpi, metadata=meta)


def _render(scene, ax):
    ax.set_xlim(0, scene.width)
    ax.set_ylim(scene.height, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    pt = min(box.width * fig_w / scene.width, box.height * fig_h / scene.height) * 72  # per px

    def rect(x, y, w, h, r, fill, stroke, lw, dashed, z):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={r}",
                                    facecolor=fill, edgecolor=stroke, linewidth=lw * pt,
                                    linestyle=(0, (5, 3)) if dashed else "-", zorder=z))

    def text(t):
        size, bold, colour, family = _style.TEXT_STYLES[t.style]
        ax.text(t.x, t.y, t.text, fontsize=size * pt, fontweight="bold" if bold else "normal",
                color=colour, family=family.split(", ")[0], va="baseline",
                ha="center" if t.anchor == "middle" else "left", parse_math=False, zorder=4)

    rect(0.5, 0.5, scene.width - 1, scene.height - 1, 6, _style.BACKGROUND, _style.FRAME, 1.0,
         False, 0)
    for points, label in scene.edges:
        _edge(ax, points, pt)
        if label:
            text(label)
    for s in scene.shapes:
        fill, stroke, lw, dashed, _ = _style.ROLES[s.role]
        rect(s.x, s.y, s.w, s.h, s.r, fill, stroke, lw, dashed, 3)
        for t in s.texts:
            text(t)
    for t in scene.notes:
        text(t)


def _edge(ax, points, pt):
    (x0, y0), (tx, ty) = points[0], points[-1]
    verts, codes = [(x0, y0)], [Path.MOVETO]
    px, py = x0, y0
    for x, y in points[1:-1] + [(tx - ARROW, ty)]:
        mx = (px + x) / 2
        verts += [(mx, py), (mx, y), (x, y)]
        codes += [Path.CURVE4] * 3
        px, py = x, y
    ax.add_patch(PathPatch(Path(verts, codes), facecolor="none", edgecolor=_style.EDGE,
                           linewidth=1.4 * pt, zorder=2))
    ax.add_patch(Polygon([(tx - ARROW, ty - ARROW / 2), (tx, ty), (tx - ARROW, ty + ARROW / 2)],
                         closed=True, facecolor=_style.EDGE, edgecolor="none", zorder=2))
