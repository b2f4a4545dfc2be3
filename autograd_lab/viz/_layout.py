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
STRAIGHTEN = 6  # right-left + left-right straightening passes, fewer past WORK node updates
WORK = 20_000
END_WEIGHT = 0.05  # how hard inputs and the output hold their place when a column is crowded


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

    # The proper layered graph: node ids 0..n-1 are real, higher ids are dummy points. The long
    # edges of one source share its dummies (a lane), so a tensor used by many later ops costs
    # one dummy per column, not one per use, and is drawn as one line that branches off.
    preds = [[] for _ in nodes]
    succs = [[] for _ in nodes]
    lanes = {}
    chains = []
    for u, v in graph.edges:
        a, b = index[u], index[v]
        chain = [a]
        for c in range(col[a] + 1, col[b]):
            if (a, c) not in lanes:
                lanes[a, c] = len(col)
                col.append(c)
                height.append(0.0)
                width.append(0.0)
                preds.append([])
                succs.append([])
            chain.append(lanes[a, c])
        chain.append(b)
        for p, q in zip(chain, chain[1:]):
            if q not in succs[p]:
                succs[p].append(q)
                preds[q].append(p)
        chains.append((u, v, chain))

    columns = _order(col, preds, succs, depth + 1)
    xs = _column_x(columns, width)
    ys = _straighten(columns, preds, succs, height)
    top = min((y - h / 2 for y, h in zip(ys, height)), default=0.0)  # lanes count too
    ys = [y + MARGIN - top for y in ys]
    bottom = max((y + h / 2 for y, h in zip(ys, height)), default=0.0)
    pos = {n: (xs[col[i]][0] + xs[col[i]][1] / 2, ys[i]) for i, n in enumerate(nodes)}
    edges = _route(chains, col, xs, ys, width, height, preds, succs, len(nodes))
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

    pos = [0] * len(col)  # each node's index in its column
    for column in columns:
        for p, i in enumerate(column):
            pos[i] = p
    best = [list(c) for c in columns]
    best_cross = _crossings(columns, succs, pos)
    for sweep in range(SWEEPS):
        if best_cross == 0:
            break
        forward = sweep % 2 == 0
        for c in (range(1, ncols) if forward else range(ncols - 2, -1, -1)):
            _reorder(columns[c], preds if forward else succs, pos)
        cross = _crossings(columns, succs, pos)
        if cross < best_cross:
            best, best_cross = [list(c) for c in columns], cross
    return best


def _reorder(column, neighbours, pos):
    """Sort a column by the mean position of each node's neighbours in the adjacent column."""
    keys = {}
    for i in column:
        ns = neighbours[i]
        keys[i] = sum(pos[j] for j in ns) / len(ns) if ns else pos[i]
    column.sort(key=keys.__getitem__)
    for p, i in enumerate(column):
        pos[i] = p


def _crossings(columns, succs, pos):
    """Number of edge crossings between adjacent columns (inversions, counted by insertion)."""
    total = 0
    for column in columns:
        ends = sorted((pos[i], pos[j]) for i in column for j in succs[i])
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


def _straighten(columns, preds, succs, height):
    """Heights of all nodes: stacked, then pulled towards their neighbours, order kept."""
    ys = [0.0] * len(height)
    offsets = []  # per column: each node's least distance below the column's first node
    for column in columns:
        off = [0.0]
        for a, b in zip(column, column[1:]):
            off.append(off[-1] + _gap(a, b, height))
        offsets.append(off)
        for i, o in zip(column, off):
            ys[i] = o - off[-1] / 2
    # A node follows its neighbours inside the flow when it has any, not the graph's inputs or
    # output, and in a crowded column the inputs give way: a long computation stays on one
    # straight line, the leaves it reads sit beside it.
    inner = [bool(p and s) for p, s in zip(preds, succs)]
    pulls = [[[j for j in ns if inner[j]] or ns for ns in side] for side in (preds, succs)]
    order = list(range(len(columns)))
    passes = max(1, min(STRAIGHTEN, WORK // max(1, len(ys))))
    before = ys
    for sweep, (cols, neighbours) in enumerate([(order[::-1], pulls[1]), (order, pulls[0])]
                                               * passes):
        if sweep % 2 == 0:  # a pair of passes is done: stop when it moved nothing
            if sweep and max(abs(a - b) for a, b in zip(ys, before)) < 0.05:
                break
            before = list(ys)
        for c in cols:
            column = columns[c]
            want = [sum(ys[j] for j in neighbours[i]) / len(neighbours[i]) if neighbours[i]
                    else ys[i] for i in column]
            if len(column) == 1:
                ys[column[0]] = want[0]
                continue
            weights = [1.0 if inner[i] else END_WEIGHT for i in column]
            for i, y in zip(column, _isotonic(want, weights, offsets[c])):
                ys[i] = y
    return ys


def _isotonic(want, weights, offset):
    """The heights closest to `want` (weighted least squares) with y[k+1] - y[k] at least
    offset[k+1] - offset[k]: pool adjacent violators on want - offset."""
    blocks = []  # [weighted mean, weight, count] of pooled adjacent violators
    for w, wt, o in zip(want, weights, offset):
        blocks.append([w - o, wt, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m, wt, n = blocks.pop()
            last = blocks[-1]
            last[0] = (last[0] * last[1] + m * wt) / (last[1] + wt)
            last[1] += wt
            last[2] += n
    out = []
    for m, _, n in blocks:
        out.extend([m] * n)
    return [z + o for z, o in zip(out, offset)]


def _ports(node, neighbours, ys, height):
    """Where edges to or from distinct `neighbours` meet a node's side: spread over it, in the
    order of the neighbours' heights."""
    n = len(neighbours)
    if n == 1:
        return {(node, neighbours[0]): ys[node]}
    step = min(12.0, height[node] * 0.6 / (n - 1))
    ordered = sorted(neighbours, key=lambda j: (ys[j], j))
    return {(node, j): ys[node] + (k - (n - 1) / 2) * step for k, j in enumerate(ordered)}


def _route(chains, col, xs, ys, width, height, preds, succs, nreal):
    """Polylines for the edges: horizontal inside columns, curves between them. An edge that
    shares the start of its lane with one drawn before starts where it branches off."""
    port = {}
    for i in range(nreal):
        if succs[i]:
            port.update(_ports(i, succs[i], ys, height))
        if preds[i]:
            port.update(_ports(i, preds[i], ys, height))
    edges, drawn = [], set()
    for u, v, chain in chains:
        a, b = chain[0], chain[-1]
        i = 0  # a lane shared with an edge drawn before is not drawn again: branch off it
        while i < len(chain) - 2 and (chain[i], chain[i + 1]) in drawn:
            i += 1
        drawn.update(zip(chain, chain[1:]))
        left, w = xs[col[chain[i]]]
        if i == 0:
            y0 = port[a, chain[1]]
            points = [(left + w / 2 + width[a] / 2, y0), (left + w, y0)]
        else:
            points = [(left + w, ys[chain[i]])]
        for d in chain[i + 1:-1]:
            left, w = xs[col[d]]
            points += [(left, ys[d]), (left + w, ys[d])]
        left, w = xs[col[b]]
        y1 = port[b, chain[-2]]
        tip = left + w / 2 - width[b] / 2
        points += [(left - ARROW, y1), (tip, y1)]
        kept = []
        for x, y in points:
            p = (round(x, 1), round(y, 1))
            if not kept or p != kept[-1]:
                kept.append(p)
        edges.append((u, v, kept))
    return edges
