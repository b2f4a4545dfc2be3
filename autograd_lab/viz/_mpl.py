"""Matplotlib rendering of a Scene (imported only when drawing or saving PNG/PDF)."""
import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon
from matplotlib.path import Path
from matplotlib.patheffects import withStroke

from . import _style

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

    def text(t, halo=False):
        size, bold, colour, family = _style.TEXT_STYLES[t.style]
        effects = [withStroke(linewidth=3 * pt, foreground=_style.BACKGROUND)] if halo else []
        ax.text(t.x, t.y, t.text, fontsize=size * pt, fontweight="bold" if bold else "normal",
                color=colour, family=family.split(", ")[0], va="baseline",
                ha="center" if t.anchor == "middle" else "left", parse_math=False, zorder=4,
                path_effects=effects)

    rect(0.5, 0.5, scene.width - 1, scene.height - 1, 6, _style.BACKGROUND, _style.FRAME, 1.0,
         False, 0)
    for e in scene.edges:
        _edge(ax, e, pt)
    for s in scene.shapes:
        fill, stroke, lw, dashed, _ = _style.ROLES[s.role]
        rect(s.x, s.y, s.w, s.h, s.r, fill, stroke, lw, dashed, 3)
        for t in s.texts:
            text(t)
    for e in scene.edges:
        if e.label:
            text(e.label, halo=True)
    for t in scene.notes:
        text(t)


def _edge(ax, e, pt):
    verts, codes = [e.start], [Path.MOVETO]
    x, y = e.start
    for seg in e.path:
        if seg[0] == "H":
            x = seg[1]
            verts.append((x, y))
            codes.append(Path.LINETO)
        else:
            x, y = seg[5], seg[6]
            verts += [seg[1:3], seg[3:5], (x, y)]
            codes += [Path.CURVE4] * 3
    ax.add_patch(PathPatch(Path(verts, codes), facecolor="none", edgecolor=_style.EDGE,
                           linewidth=1.4 * pt, zorder=2))
    ax.add_patch(Polygon(e.arrow, closed=True, facecolor=_style.EDGE, edgecolor="none", zorder=2))
