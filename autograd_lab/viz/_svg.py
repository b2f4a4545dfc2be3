"""SVG text of a Scene: self-contained and portable.

No ids, no url(#...) references, no href, no <style>/<script>: arrowheads are polygons and all
styling is in attributes, so graphs can share a page and survive sanitisers. A background
rectangle keeps it readable on dark themes. Numbers are rounded, so output is byte-stable.
"""
import re

from . import _style

NBSP = "\u00a0"
_RUN_SPACE = re.compile(r"^ | (?= )")  # spaces SVG would collapse: leading, or before another
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text):
    """Text safe inside XML content and double-quoted attributes."""
    text = _BAD_XML.sub("\ufffd", str(text))
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def num(x):
    """A coordinate with at most one decimal, no trailing `.0`."""
    s = f"{x:.1f}"
    if s[-1] == "0":
        s = s[:-2]
    return "0" if s == "-0" else s


def render(scene):
    """The SVG document of `scene`."""
    w, h = num(scene.width), num(scene.height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="autograd graph" '
        f'font-family="{_style.MONO}">',
        f'<rect x="0.5" y="0.5" width="{num(scene.width - 1)}" height="{num(scene.height - 1)}" '
        f'rx="6" fill="{_style.BACKGROUND}" stroke="{_style.FRAME}"/>',
    ]
    out.extend(_edge(e) for e in scene.edges)
    out.extend(_shape(s) for s in scene.shapes)
    out.extend(_text(e.label, halo=True) for e in scene.edges if e.label)
    out.extend(_text(t) for t in scene.notes)
    out.append("</svg>")
    return "\n".join(out)


def _edge(e):
    d = f"M{num(e.start[0])} {num(e.start[1])} " + " ".join(
        seg[0] + " ".join(num(v) for v in seg[1:]) for seg in e.path)
    arrow = " ".join(f"{num(x)},{num(y)}" for x, y in e.arrow)
    return (f'<path d="{d}" fill="none" stroke="{_style.EDGE}" stroke-width="1.4"/>'
            f'<polygon points="{arrow}" fill="{_style.EDGE}"/>')


def _shape(s):
    fill, stroke, sw, dashed, _ = _style.ROLES[s.role]
    dash = ' stroke-dasharray="5 3"' if dashed else ""
    rect = (f'<rect x="{num(s.x)}" y="{num(s.y)}" width="{num(s.w)}" height="{num(s.h)}" '
            f'rx="{num(s.r)}" fill="{fill}" stroke="{stroke}" stroke-width="{num(sw)}"{dash}/>')
    title = f"<title>{escape(s.tooltip)}</title>" if s.tooltip else ""
    return f"<g>{title}{rect}{''.join(_text(t) for t in s.texts)}</g>"


def _text(t, halo=False):
    size, bold, colour, family = _style.TEXT_STYLES[t.style]
    attrs = f'x="{num(t.x)}" y="{num(t.y)}" font-size="{num(size)}"'
    if halo:  # a background-coloured outline keeps it readable over lines
        attrs += f' stroke="{_style.BACKGROUND}" stroke-width="3" paint-order="stroke"'
    if t.anchor != "start":
        attrs += f' text-anchor="{t.anchor}"'
    if bold:
        attrs += ' font-weight="bold"'
    if family != _style.MONO:
        attrs += f' font-family="{family}"'
    return f'<text {attrs} fill="{colour}">{_RUN_SPACE.sub(NBSP, escape(t.text))}</text>'
