"""A drawing, backend-neutral: shapes with their text, edge polylines, a legend. SVG and
matplotlib both render a Scene, so they draw the same picture from the same numbers."""
from . import _style
from ._layout import ARROW, MARGIN, layout

SWATCH_W, SWATCH_H = 20.0, 12.0
LEGEND_ROW = 20.0
MIN_WIDTH = 160.0


class Text:
    """One line of text: baseline position, `anchor` 'start' or 'middle', style key."""

    __slots__ = ("x", "y", "text", "style", "anchor")

    def __init__(self, x, y, text, style, anchor="start"):
        self.x, self.y, self.text, self.style, self.anchor = x, y, text, style, anchor


class Shape:
    """A rounded rectangle in a role's colours, with its text lines and an optional tooltip."""

    __slots__ = ("role", "x", "y", "w", "h", "r", "texts", "tooltip")

    def __init__(self, role, x, y, w, h, r, texts, tooltip=None):
        self.role, self.x, self.y, self.w, self.h, self.r = role, x, y, w, h, r
        self.texts, self.tooltip = texts, tooltip


class Edge:
    """`path`: a start point and segments, ('H', x) straight or ('C', x1, y1, x2, y2, x, y)
    curved; `arrow`: the arrowhead's three corners; `label`: a Text or None."""

    __slots__ = ("start", "path", "arrow", "label")

    def __init__(self, points, label):
        (x0, y0), (tx, ty) = points[0], points[-1]
        self.start, self.path, self.label = (x0, y0), [], label
        px, py = x0, y0
        for x, y in points[1:-1] + [(tx - ARROW, ty)]:
            if (x, y) == (px, py):
                continue
            if y == py and self.path and self.path[-1][0] == "H":
                self.path[-1] = ("H", x)
            elif y == py:
                self.path.append(("H", x))
            else:
                mx = round((px + x) / 2, 1)
                self.path.append(("C", mx, py, mx, y, x, y))
            px, py = x, y
        self.arrow = ((tx - ARROW, ty - ARROW / 2), (tx, ty), (tx - ARROW, ty + ARROW / 2))


class Scene:
    """`shapes` (nodes, then legend swatches), `edges` [Edge], `notes` [Text]."""

    __slots__ = ("shapes", "edges", "notes", "width", "height")

    def __init__(self, shapes, edges, notes, width, height):
        self.shapes, self.edges, self.notes = shapes, edges, notes
        self.width, self.height = width, height


def build(graph, values=True, grads=True, legend=True):
    """The Scene of a graph model (see `to_networkx`)."""
    boxes = {n: _style.node_box(graph.nodes[n], values, grads) for n in graph}
    lay = layout(graph, boxes)
    shapes = [_node(boxes[n], *lay.pos[n], graph.nodes[n]["tooltip"]) for n in graph]
    edges = []
    for u, v, points in lay.edges:
        count = graph.edges[u, v].get("count", 1)
        x0, y0 = points[0]
        edges.append(Edge(points, Text(x0 + 3, y0 - 3, f"×{count:,}", "count") if count > 1
                          else None))
    width = max(lay.width, MIN_WIDTH)
    y = lay.height - MARGIN / 2
    if legend:
        roles = [r for r in _style.ROLES if any(b.role == r for b in boxes.values())]
        swatches, y = _legend(roles, width, y)
        shapes += swatches
    notes = []
    summary = graph.graph.get("summary")
    if summary:
        notes.append(Text(MARGIN, y + LEGEND_ROW * 0.7, summary, "legend"))
        width = max(width, _style.text_width(summary, "legend") + 2 * MARGIN)
        y += LEGEND_ROW
    return Scene(shapes, edges, notes, round(width, 1), round(y + MARGIN / 2, 1))


def _node(box, cx, cy, tooltip):
    x, y = cx - box.w / 2, cy - box.h / 2
    texts, ty = [], y + _style.PAD_Y
    for line, style in box.lines:
        lh = _style.line_height(style)
        base = ty + lh / 2 + _style.TEXT_STYLES[style][0] * 0.36
        if box.shape == "pill":
            texts.append(Text(cx, base, line, style, "middle"))
        else:
            texts.append(Text(x + _style.PAD_X, base, line, style))
        ty += lh
    r = box.h / 2 if box.shape == "pill" else 6.0
    return Shape(box.role, x, y, box.w, box.h, r, texts, tooltip)


def _legend(roles, width, y):
    """Legend swatches in rows that fit `width`, and the height below them."""
    shapes, x = [], MARGIN
    y += 4
    for role in roles:
        label = _style.ROLES[role][4]
        advance = SWATCH_W + 6 + _style.text_width(label, "legend") + 14
        if x > MARGIN and x + advance > width - MARGIN:
            x, y = MARGIN, y + LEGEND_ROW
        sy = y + (LEGEND_ROW - SWATCH_H) / 2
        text = Text(x + SWATCH_W + 6, sy + SWATCH_H - 2, label, "legend")
        shapes.append(Shape(role, x, sy, SWATCH_W, SWATCH_H,
                            SWATCH_H / 2 if role == "op" else 3.0, [text]))
        x += advance
    return shapes, y + LEGEND_ROW
