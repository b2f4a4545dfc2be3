"""Layered left-to-right layout: longest-path layers, barycentre sweeps, straightened rows.

The steps are Sugiyama's: (1) each node gets a column from its longest path to the output, so
data flows left to right and every input sits just left of its first use; (2) edges that skip
columns get dummy points, one per column; (3) the order inside each column is swept by the
barycentre of the neighbours, keeping the order with the fewest crossings; (4) rows are
straightened: sweeping right-to-left then left-to-right, each node moves towards the mean
height of its neighbours on the side the sweep comes from, subject to keeping order and
spacing (an isotonic regression, solved exactly by pool-adjacent-violators). Edges then run
straight across columns and curve only in the gaps between them. All walks are iterative.
"""
from bisect import bisect_right, insort

import networkx as nx

MARGIN = 14.0
COL_GAP = 46.0  # horizontal room between columns, where edges curve
ROW_GAP = 14.0  # vertical room between nodes of one column
LANE_GAP = 8.0  # vertical room next to an edge passing through a column
ARROW = 7.0  # arrowhead length
SWEEPS = 8
STRAIGHTEN = 6


class Layout:
    """Node centres `pos`, edge polylines `edges` [(u, v, points)], and the drawing's size."""

    __slots__ = ("pos", "edges", "width", "height")

    def __init__(self, pos, edges, width, height):
        self.pos, self.edges, self.width, self.height = pos, edges, width, height


def layout(graph, boxes):
    """Place the nodes of `graph` (a DAG with an int `order` attribute) given their `boxes`."""
    nodes = list(nx.lexicographical_topological_sort(graph, key=lambda n: graph.nodes[n]["order"]))
    index = {n: i for i, n in enumerate(nodes)}
    rank = [0] * len(nodes)
    for i in range(len(nodes) - 1, -1, -1):
        rank[i] = max((rank[index[s]] + 1 for s in graph.succ[nodes[i]]), default=0)
    depth = max(rank, default=0)
    col = [depth - r for r in rank]
    height = [boxes[n].h for n in nodes]
    width = [boxes[n].w for n in nodes]

    # The proper layered graph: node ids 0..n-1 are real, higher ids are dummy points.
    preds = [[] for _ in nodes]
    succs = [[] for _ in nodes]
    chains = []
    for u, v in graph.edges:
        chain = [index[u]]
        for c in range(col[index[u]] + 1, col[index[v]]):
            col.append(c)
            height.append(0.0)
            width.append(0.0)
            preds.append([])
            succs.append([])
            chain.append(len(col) - 1)
        chain.append(index[v])
        for a, b in zip(chain, chain[1:]):
            succs[a].append(b)
            preds[b].append(a)
        chains.append((u, v, chain))

    columns = _order(col, preds, succs, depth + 1)
    xs = _column_x(columns, width)
    ys = _straighten(columns, preds, succs, height, len(nodes))
    top = min((ys[i] - height[i] / 2 for i in range(len(nodes))), default=0.0)
    shift = MARGIN - top
    ys = [y + shift for y in ys]
    bottom = max((ys[i] + height[i] / 2 for i in range(len(nodes))), default=0.0)
    pos = {n: (xs[col[i]][0] + xs[col[i]][1] / 2, ys[i]) for i, n in enumerate(nodes)}
    edges = _route(chains, col, xs, ys, width, height, len(nodes))
    right = xs[-1][0] + xs[-1][1] if xs else 0.0
    return Layout(pos, edges, round(right + MARGIN, 1), round(bottom + MARGIN, 1))


def _order(col, preds, succs, ncols):
    """Columns as lists of ids, ordered to reduce crossings."""
    seen = [-1] * len(col)  # DFS preorder from the sinks, inputs in argument order
    stack = [i for i in range(len(col) - 1, -1, -1) if not succs[i]]
    k = 0
    while stack:
        i = stack.pop()
        if seen[i] >= 0:
            continue
        seen[i] = k
        k += 1
        stack.extend(reversed(preds[i]))
    columns = [[] for _ in range(ncols)]
    for i in sorted(range(len(col)), key=seen.__getitem__):
        columns[col[i]].append(i)

    best = [list(c) for c in columns]
    best_cross = _crossings(columns, succs)
    for sweep in range(SWEEPS):
        if best_cross == 0:
            break
        forward = sweep % 2 == 0
        for c in (range(1, ncols) if forward else range(ncols - 2, -1, -1)):
            _reorder(columns, c, preds if forward else succs)
        cross = _crossings(columns, succs)
        if cross < best_cross:
            best, best_cross = [list(c) for c in columns], cross
    return best


def _reorder(columns, c, neighbours):
    """Sort column c by the mean position of each node's neighbours in the adjacent column."""
    where = {}
    for c2 in (c - 1, c + 1):
        if 0 <= c2 < len(columns):
            where.update((i, p) for p, i in enumerate(columns[c2]))
    keys = {}
    for p, i in enumerate(columns[c]):
        ns = neighbours[i]
        keys[i] = sum(where[j] for j in ns) / len(ns) if ns else p
    columns[c].sort(key=keys.__getitem__)


def _crossings(columns, succs):
    """Number of edge crossings between adjacent columns (inversions, counted by insertion)."""
    total = 0
    for c in range(len(columns) - 1):
        where = {i: p for p, i in enumerate(columns[c + 1])}
        ends = sorted((p, where[j]) for p, i in enumerate(columns[c]) for j in succs[i])
        seen = []
        for _, q in ends:
            total += len(seen) - bisect_right(seen, q)
            insort(seen, q)
    return total


def _column_x(columns, width):
    """(left, width) of each column."""
    xs, x = [], MARGIN
    for column in columns:
        w = max((width[i] for i in column), default=0.0)
        xs.append((x, w))
        x += w + COL_GAP
    return xs


def _gap(a, b, height):
    real = height[a] > 0 and height[b] > 0
    return (height[a] + height[b]) / 2 + (ROW_GAP if real else LANE_GAP)


def _straighten(columns, preds, succs, height, nreal):
    """Heights of all nodes: stacked, then pulled towards their neighbours, order kept."""
    ys = [0.0] * len(height)
    for column in columns:
        y = 0.0
        for a, b in zip(column, column[1:]):
            y += _gap(a, b, height)
            ys[b] = y
        for i in column:
            ys[i] -= y / 2
    order = list(range(len(columns)))
    for cols, neighbours in [(order[::-1], succs), (order, preds)] * STRAIGHTEN:
        for c in cols:
            column = columns[c]
            want = [sum(ys[j] for j in neighbours[i]) / len(neighbours[i]) if neighbours[i] else ys[i]
                    for i in column]
            seps = [_gap(a, b, height) for a, b in zip(column, column[1:])]
            for i, y in zip(column, _isotonic(want, seps)):
                ys[i] = y
    return ys


def _isotonic(want, seps):
    """The heights closest to `want` (least squares) with y[k+1] - y[k] >= seps[k]."""
    offset = [0.0]
    for s in seps:
        offset.append(offset[-1] + s)
    blocks = []  # [mean, count] of pooled adjacent violators
    for w, o in zip(want, offset):
        blocks.append([w - o, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m, n = blocks.pop()
            blocks[-1][0] = (blocks[-1][0] * blocks[-1][1] + m * n) / (blocks[-1][1] + n)
            blocks[-1][1] += n
    out = []
    for m, n in blocks:
        out.extend([m] * n)
    return [z + o for z, o in zip(out, offset)]


def _ports(ends, ys, centre, h):
    """Spread several edge ends over a node's side, in the order of the far ends' heights."""
    n = len(ends)
    if n == 1:
        return {ends[0]: centre}
    step = min(12.0, h * 0.6 / (n - 1))
    ordered = sorted(ends, key=lambda e: (ys[e[1]], e[0]))
    return {e: centre + (k - (n - 1) / 2) * step for k, e in enumerate(ordered)}


def _route(chains, col, xs, ys, width, height, nreal):
    """Polylines for the edges: horizontal inside columns, curves between them."""
    outs = [[] for _ in range(nreal)]
    ins = [[] for _ in range(nreal)]
    for k, (_, _, chain) in enumerate(chains):
        outs[chain[0]].append((k, chain[1]))
        ins[chain[-1]].append((k, chain[-2]))
    out_y, in_y = {}, {}
    for i in range(nreal):
        if outs[i]:
            out_y.update(_ports(outs[i], ys, ys[i], height[i]))
        if ins[i]:
            in_y.update(_ports(ins[i], ys, ys[i], height[i]))
    edges = []
    for k, (u, v, chain) in enumerate(chains):
        a, b = chain[0], chain[-1]
        left, w = xs[col[a]]
        y0 = out_y[(k, chain[1])]
        points = [(left + w / 2 + width[a] / 2, y0), (left + w, y0)]
        for d in chain[1:-1]:
            left, w = xs[col[d]]
            points += [(left, ys[d]), (left + w, ys[d])]
        left, w = xs[col[b]]
        y1 = in_y[(k, chain[-2])]
        tip = left + w / 2 - width[b] / 2
        points += [(left - ARROW, y1), (tip, y1)]
        kept = []
        for x, y in points:
            p = (round(x, 1), round(y, 1))
            if not kept or p != kept[-1]:
                kept.append(p)
        edges.append((u, v, kept))
    return edges
