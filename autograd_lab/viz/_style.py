"""What a node looks like: palette per role, text lines per node, and the box size they need.

Shared by the SVG writer and the matplotlib drawer, so both draw the same picture. Sizes are in
CSS pixels; text is monospace so widths can be estimated without font metrics.
"""
from ._model import plural

MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
SANS = "DejaVu Sans, Helvetica, Arial, sans-serif"
CHAR_W = {MONO: 0.61, SANS: 0.56}  # mean advance per font-size unit (DejaVu Sans Mono: 0.602)

BACKGROUND = "#ffffff"
FRAME = "#d0d7de"
EDGE = "#6e7781"
TEXT = "#1f2328"
MUTED = "#57606a"
GRAD = "#b42318"

# role: (fill, stroke, stroke width, dashed, legend text)
ROLES = {
    "leaf": ("#ddeafc", "#1f6feb", 1.5, False, "leaf, requires grad"),
    "param": ("#ece3fb", "#8250df", 1.5, False, "parameter"),
    "output": ("#fff1d6", "#bc4c00", 2.5, False, "output"),
    "tensor": ("#f6f8fa", "#8c959f", 1.0, False, "intermediate"),
    "const": ("#ffffff", "#8c959f", 1.0, True, "no grad"),
    "op": ("#fbf0c4", "#9a6700", 1.0, False, "op (backward fn)"),
    "summary": ("#eef1f4", "#57606a", 1.5, True, "collapsed"),
    "active": ("#b2f2bb", "#2f9e44", 3.5, False, "active (backward step)"),
    "anomaly": ("#ffd8d3", "#cf222e", 3.5, False, "backward failed here (anomaly mode)"),
}

# text style: (font size, bold, colour, family)
TEXT_STYLES = {
    "name": (13.0, True, TEXT, MONO),
    "value": (12.0, False, TEXT, MONO),
    "grad": (12.0, False, GRAD, MONO),
    "meta": (10.5, False, MUTED, MONO),
    "sym": (15.0, True, TEXT, MONO),
    "fn": (10.5, False, MUTED, MONO),
    "count": (10.0, False, MUTED, MONO),
    "legend": (11.0, False, MUTED, SANS),
}
LINE_GAP = 1.3
PAD_X, PAD_Y = 9.0, 6.0
OP_PAD_X = 12.0


class Box:
    """A node's picture: its text lines [(text, style)], role, shape ('box' or 'pill'), size."""

    __slots__ = ("lines", "role", "shape", "w", "h")

    def __init__(self, lines, role, shape):
        self.lines, self.role, self.shape = lines, role, shape
        pad_x = OP_PAD_X if shape == "pill" else PAD_X
        self.w = round(max((text_width(t, s) for t, s in lines), default=24.0) + 2 * pad_x, 1)
        self.h = round(sum(line_height(s) for _, s in lines) + 2 * PAD_Y, 1)


def text_width(text, style):
    """Estimated advance width of one line of text."""
    size, bold, _, family = TEXT_STYLES[style]
    return len(text) * size * (CHAR_W[family] + (0.04 if bold else 0.0))


def line_height(style):
    return TEXT_STYLES[style][0] * LINE_GAP


def _prefixed(prefix, text):
    """Prefix the first line; indent the others to match."""
    lines = text.split("\n")
    return [prefix + lines[0]] + [" " * len(prefix) + ln for ln in lines[1:]]


def shape_text(shape, dtype):
    """`[2, 3] · float32`, or `scalar · float32` for 0-d."""
    dims = "scalar" if len(shape) == 0 else "[" + ", ".join(str(d) for d in shape) + "]"
    return f"{dims} · {dtype.removeprefix('torch.')}"


def node_box(attrs, values=True, grads=True):
    """The Box for one node of the graph model."""
    kind = attrs["kind"]
    if kind == "op":
        sym = [(attrs["symbol"], "sym")] if attrs["symbol"] else []
        return Box(sym + [(attrs["grad_fn"], "fn")], attrs["role"], "pill")
    lines = []
    if kind == "summary":
        lines.append((attrs["label"], "name"))
        lines.extend((f"{name} ×{count:,}", "fn") for name, count in attrs["ops"])
        if attrs["more_ops"]:
            lines.append(("… " + plural(attrs["more_ops"], "other op"), "fn"))
        if attrs["count"] and attrs["leaves"]:
            lines.append(("+ " + plural(attrs["leaves"], "leaf tensor"), "fn"))
    elif attrs["name"]:
        lines.append((attrs["name"], "name"))
    if values and attrs.get("value") is not None:
        lines.extend((ln, "value") for ln in attrs["value"].split("\n"))
    if grads and attrs.get("grad") is not None:
        lines.extend((ln, "grad") for ln in _prefixed("grad ", attrs["grad"]))
    if attrs.get("shape") is not None:
        lines.append((shape_text(attrs["shape"], attrs["dtype"]), "meta"))
    return Box(lines, attrs["role"], "box")
