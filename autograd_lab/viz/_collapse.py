"""Fit a big graph into a node budget by collapsing parts of it into summary nodes.

In order, until the graph fits: (1) `nn.Module` scopes, one summary per scope; (2) chains, i.e.
sets of ops that each feed only the next one (in-trees: every member but the last has a single
user, so contracting one never creates a cycle); (3) leaves with the same users; (4) all other ops;
(5) everything but the output. Leaves whose every user is inside a group go into it. The output and its op are
always shown.
"""


class Group:
    """A summary node: `kind` is 'scope', 'chain', 'leaves' or 'rest'; `members` are unit ids."""

    __slots__ = ("kind", "scope", "members")

    def __init__(self, kind, members, scope=None):
        self.kind, self.members, self.scope = kind, members, scope


def collapse(trace, budget):
    """`(group, groups)`: group id per unit (-1: shown itself) and the Groups; none if it fits."""
    n = len(trace.units)
    group = [-1] * n
    groups = []
    size = trace.size()
    if budget is None or size <= budget:
        return group, groups

    def cost(members):
        return sum(2 if trace.is_op[k] else 1 for k in members)

    def add(kind, members, scope=None):
        nonlocal size
        g = len(groups)
        members = members + _absorbed_leaves(trace, group, members, g)
        for k in members:
            group[k] = g
        groups.append(Group(kind, members, scope))
        size -= cost(members) - 1

    by_scope = {}
    for k in range(1, n):
        if trace.is_op[k] and trace.units[k]._scope is not None:
            by_scope.setdefault(trace.units[k]._scope, []).append(k)
    for scope, members in sorted(by_scope.items(), key=lambda kv: -len(kv[1])):
        if size <= budget:
            break
        add("scope", members, scope)
    if groups and _has_cycle(trace, group):
        group, groups, size = [-1] * n, [], trace.size()

    for kind, candidates in (("chain", _chains), ("leaves", _leaf_sets)):
        for members in candidates(trace, group):
            if size <= budget:
                break
            add(kind, members)
    rest = [k for k in range(1, n) if group[k] < 0 and trace.is_op[k]]
    if size > budget and rest:
        add("rest", rest)
    if size > budget:
        group, groups, size = [-1] * n, [], trace.size()
        add("rest", list(range(1, n)))
    return group, groups


def _absorbed_leaves(trace, group, members, g):
    """Leaves not yet grouped whose every user is in `members`."""
    inside, checked, leaves = set(members), set(), []
    for k in members:
        for j in trace.inputs[k]:
            if trace.is_op[j] or group[j] >= 0 or j in checked or j in inside:
                continue
            checked.add(j)
            if all(u in inside for u in trace.users[j]):
                leaves.append(j)
    return leaves


def _chains(trace, group):
    """Ungrouped ops linked to their single user, as in-trees of two or more ops, biggest first."""
    n = len(trace.units)
    free = [trace.is_op[k] and k != 0 and group[k] < 0 for k in range(n)]
    link = [trace.users[k][0] if free[k] and len(trace.users[k]) == 1 and free[trace.users[k][0]]
            else -1 for k in range(n)]
    sink = [-1] * n
    trees = {}
    for k in range(n):
        if not free[k]:
            continue
        path, j = [], k
        while sink[j] < 0 and link[j] >= 0:
            path.append(j)
            j = link[j]
        if sink[j] < 0:
            sink[j] = j
        for p in path:
            sink[p] = sink[j]
        trees.setdefault(sink[k], []).append(k)
    found = [m for m in trees.values() if len(m) > 1]
    return sorted(found, key=lambda m: (-len(m), m[0]))


def _leaf_sets(trace, group):
    """Ungrouped leaves with the same users (after grouping), two or more, biggest first."""
    sets = {}
    for k in range(len(trace.units)):
        if not trace.is_op[k] and group[k] < 0:
            key = tuple(sorted({group[u] if group[u] >= 0 else -2 - u for u in trace.users[k]}))
            sets.setdefault(key, []).append(k)
    return sorted((m for m in sets.values() if len(m) > 1), key=lambda m: (-len(m), m[0]))


def _has_cycle(trace, group):
    """Whether contracting the groups made the graph cyclic (Kahn's algorithm)."""
    def node(k):
        return ("g", group[k]) if group[k] >= 0 else ("u", k)

    succ, indeg = {}, {}
    for k, ins in enumerate(trace.inputs):
        v = node(k)
        indeg.setdefault(v, 0)
        for j in ins:
            u = node(j)
            if u != v and v not in succ.setdefault(u, set()):
                succ[u].add(v)
                indeg[v] += 1
    ready = [v for v, d in indeg.items() if d == 0]
    seen = 0
    while ready:
        u = ready.pop()
        seen += 1
        for v in succ.get(u, ()):
            indeg[v] -= 1
            if indeg[v] == 0:
                ready.append(v)
    return seen < len(indeg)
