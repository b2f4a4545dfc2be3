"""Fit a big graph into a node budget by collapsing parts of it into summary nodes.

In order, until the graph fits: (1) `nn.Module` scopes, one summary per scope, at the finest
level of nesting that fits (`model.0`, else `model`); (2) chains, i.e. sets of ops that each
feed only the next one (in-trees: every member but the last has a single user, so contracting
one never creates a cycle), only as much of each as needed, from the inputs side; (3) leaves
with the same users; (4) all other ops; (5) everything. Leaves whose every user is inside a
group go into it. The output and its op are always shown.
"""


class Group:
    """A summary node: `kind` is 'scope', 'chain', 'leaves' or 'rest'; `members` are unit ids."""

    __slots__ = ("kind", "scope", "members")

    def __init__(self, kind, members, scope=None):
        self.kind, self.members, self.scope = kind, members, scope


class _Grouping:
    """The groups chosen so far: `group[k]` (-1: unit k is shown itself) and the node count."""

    def __init__(self, trace):
        self.trace = trace
        self.reset()

    def reset(self):
        self.group, self.groups, self.size = [-1] * len(self.trace.units), [], self.trace.size()

    def add(self, kind, members, scope=None):
        trace, g = self.trace, len(self.groups)
        members = members + _absorbed_leaves(trace, self.group, members)
        for k in members:
            self.group[k] = g
        self.groups.append(Group(kind, members, scope))
        self.size -= sum(2 if trace.is_op[k] else 1 for k in members) - 1


def collapse(trace, budget):
    """`(group, groups)`: group id per unit (-1: shown itself) and the Groups; none if it fits."""
    state = _Grouping(trace)
    if budget is None or state.size <= budget:
        return state.group, state.groups
    _scopes(state, budget)
    for members in _chains(trace, state.group):
        if state.size <= budget:
            break
        state.add("chain", _enough_of(trace, state.group, members, state.size - budget))
    for members in _leaf_sets(trace, state.group):
        if state.size <= budget:
            break
        state.add("leaves", members)
    rest = [k for k in range(1, len(trace.units)) if state.group[k] < 0 and trace.is_op[k]]
    cyclic = False
    if state.size > budget and rest:
        state.add("rest", rest)
        cyclic = _has_cycle(trace, state.group)  # rest ops before and after a chain summary
    if state.size > budget or cyclic:
        state.reset()
        state.add("rest", list(range(1, len(trace.units))))
    return state.group, state.groups


def _scopes(state, budget):
    """Collapse module scopes, biggest first, at the finest nesting level that fits the budget
    (`model.0.fc`, then `model.0`, then `model`) and does not make the graph cyclic."""
    trace = state.trace
    scoped = [(k, trace.units[k]._scope.split(".")) for k in range(1, len(trace.units))
              if trace.is_op[k] and trace.units[k]._scope is not None]
    for depth in range(max((len(parts) for _, parts in scoped), default=0), 0, -1):
        by_scope = {}
        for k, parts in scoped:
            by_scope.setdefault(".".join(parts[:depth]), []).append(k)
        for scope, members in sorted(by_scope.items(), key=lambda kv: -len(kv[1])):
            if state.size <= budget:
                break
            state.add("scope", members, scope)
        if not _has_cycle(trace, state.group) and (state.size <= budget or depth == 1):
            return
        state.reset()


def _absorbed_leaves(trace, group, members):
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
    """Ungrouped ops linked to their single user, as in-trees of two or more ops, biggest first.
    A single user comes before its input in the trace's order, so its tree is already known."""
    n = len(trace.units)
    users, is_op = trace.users, trace.is_op
    free = [is_op[k] and k != 0 and group[k] < 0 for k in range(n)]
    sink = list(range(n))
    trees = {}
    for k in range(n):
        if free[k]:
            if len(users[k]) == 1 and free[users[k][0]]:
                sink[k] = sink[users[k][0]]
            trees.setdefault(sink[k], []).append(k)
    found = [m for m in trees.values() if len(m) > 1]
    return sorted(found, key=lambda m: (-len(m), m[0]))


def _enough_of(trace, group, tree, need):
    """The smallest part of an in-tree (two ops or more) that saves `need` nodes when collapsed,
    keeping the ops nearest the output visible: a member with everything upstream of it (an
    in-tree too), or the whole tree."""
    users, is_op = trace.users, trace.is_op
    cost, ops = {}, dict.fromkeys(tree, 1)
    for k in tree:  # the op, its output, and the leaves only it uses
        c = 2
        for j in trace.inputs[k]:
            if not is_op[j] and group[j] < 0 and len(users[j]) == 1:
                c += 1
        cost[k] = c
    for k in reversed(tree):  # inputs before their user
        user = users[k][0]
        if user in cost:
            cost[user] += cost[k]
            ops[user] += ops[k]
    fits = [k for k in tree if cost[k] - 1 >= need and ops[k] > 1]
    top = min(fits, key=lambda k: (cost[k], k)) if fits else max(tree, key=lambda k: (cost[k], -k))
    part = {top}
    for k in tree:
        if k != top and users[k][0] in part:
            part.add(k)
    return [k for k in tree if k in part]


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
