"""`to_networkx`: the graph model every view is drawn from.

Nodes are `t<k>` (tensors), `op<k>` (backward functions) and `g<i>` (summaries of collapsed
parts); edges follow the data, input → op → output. Attributes are plain values; see
`to_networkx` for the list.
"""
import gc
from collections import Counter

import networkx as nx

from .. import _dtypes
from . import _preview
from ._collapse import collapse
from ._trace import Trace

TOP_OPS = 3
MAX_NAME = 24


def build(root, budget, names, highlight=None):
    """The model of `root`'s graph, collapsed to `budget` nodes (None: never); the op node of
    `highlight` (a grad_fn) or its tensor node (a leaf) gets role 'active'."""
    enabled = gc.isenabled()
    gc.disable()  # walking a big graph allocates many small lists; collections would rescan it
    try:
        trace = Trace(root)
        group, groups = collapse(trace, budget)
    finally:
        if enabled:
            gc.enable()
    g = nx.DiGraph(root="t0")
    for k, unit in enumerate(trace.units):
        if group[k] >= 0:
            continue
        if trace.is_op[k]:
            g.add_node(f"op{k}", **_op(unit, trace, k))
            g.add_node(f"t{k}", **_output(unit, root if k == 0 else None, names, 2 * k + 1))
            g.add_edge(f"op{k}", f"t{k}")
        else:
            g.add_node(f"t{k}", **_leaf(unit, unit is root, names, 2 * k))
        if unit is highlight:
            g.nodes[f"op{k}" if trace.is_op[k] else f"t{k}"]["role"] = "active"
    for i, grp in enumerate(groups):
        g.add_node(f"g{i}", **_summary(grp, trace))
    counts = {}  # (source, target) → how many edges of the full graph it stands for
    for k, ins in enumerate(trace.inputs):
        dst = ("g", group[k]) if group[k] >= 0 else ("op", k)
        for j in ins:
            src = ("g", group[j]) if group[j] >= 0 else ("t", j)
            if src != dst:
                counts[src, dst] = counts.get((src, dst), 0) + 1
    for (src, dst), count in counts.items():
        g.add_edge(f"{src[0]}{src[1]}", f"{dst[0]}{dst[1]}", count=count)
    if groups:
        g.graph["summary"] = (f"{trace.size():,} nodes, collapsed to {len(g):,} "
                              f"(budget {budget}); viz.show(t, budget=None) draws all")
    return g


def _short(name):
    return name if name is None or len(name) <= MAX_NAME else name[:MAX_NAME - 1] + "…"


def _array_attrs(array, dtype, grad):
    """value / grad label and tooltip text, shape and dtype of a tensor's value."""
    value = _preview.label(array) if array is not None else None
    return {
        "value": value,
        "grad": _preview.label(grad._data) if grad is not None else None,
        "shape": tuple(array.shape) if array is not None else None,
        "dtype": dtype,
    }


def _tensor(name, role, array, dtype, grad, grad_fn, requires_grad, order, note):
    attrs = {"kind": "tensor", "role": role, "name": _short(name), "label": _short(name) or "",
             "requires_grad": requires_grad, "grad_fn": grad_fn.name() if grad_fn else None,
             "order": order}
    attrs.update(_array_attrs(array, dtype, grad))
    text = _preview.tooltip(array, grad_fn, requires_grad and grad_fn is None) \
        if array is not None else "(value freed)"
    lines = [f"{name} = {text}" if name else text]
    if grad is not None:
        lines.append(f"grad = {_preview.tooltip(grad._data)}")
    if array is not None:
        lines.append(f"shape torch.Size({list(array.shape)}) · dtype {dtype}")
    lines.append(note)
    attrs["tooltip"] = "\n".join(lines)
    return attrs


def _leaf(t, is_root, names, order):
    name = t.name or names.tensor(t)
    if getattr(t, "_is_param", False) or type(t).__name__ == "Parameter":
        role, note = "param", "nn.Parameter: a leaf the optimizer updates"
    elif t.requires_grad:
        role, note = "leaf", "leaf tensor: backward accumulates into its .grad"
    else:
        role, note = "const", "does not require grad: autograd treats it as a constant"
    return _tensor(name, role, t._data, str(t.dtype), t.grad, None, t.requires_grad, order, note)


def _output(node, root, names, order):
    """The tensor `node` produced: the root itself, a named tensor, or only its value."""
    name, t = (root.name or names.tensor(root), root) if root is not None else names.fn(node)
    if t is not None and name is None:
        name = t.name
    grad = t.grad if t is not None and t.retains_grad else None
    array = node._out
    dtype = repr(_dtypes.of_array(array)) if array is not None else None
    role = "output" if root is not None else "tensor"
    return _tensor(name, role, array, dtype, grad, node, True, order,
                   f"made by {node.name()}; backward starts here" if root is not None
                   else f"made by {node.name()}")


def _op(node, trace, k):
    name, symbol = node.name(), node._symbol
    tracked, nconst = len(trace.inputs[k]), trace.consts[k]
    lines = [f"{name}" + (f" ({symbol})" if symbol else ""),
             f"{tracked} input(s) that require grad, {nconst} without"]
    if node._scope is not None:
        lines.append(f"in module {node._scope}")
    return {"kind": "op", "role": "op", "label": symbol or name, "symbol": symbol,
            "grad_fn": name, "scope": node._scope, "seq": node._seq, "inputs": tracked,
            "consts": nconst, "order": 2 * k, "tooltip": "\n".join(lines)}


def _summary(grp, trace):
    ops = [k for k in grp.members if trace.is_op[k]]
    nleaves = len(grp.members) - len(ops)
    counts = sorted(Counter(trace.units[k].name() for k in ops).items(),
                    key=lambda kv: (-kv[1], kv[0]))
    if grp.kind == "scope":
        title = _short(grp.scope)
    elif ops:
        title = f"{len(ops):,} ops"
    else:
        title = f"{nleaves:,} leaf tensors"
    attrs = {"kind": "summary", "role": "summary", "label": title, "group": grp.kind,
             "scope": grp.scope, "count": len(ops), "leaves": nleaves,
             "ops": tuple(counts[:TOP_OPS]), "more_ops": sum(c for _, c in counts[TOP_OPS:]),
             "order": 2 * grp.members[0]}
    if ops:
        last = max(ops, key=lambda k: trace.units[k]._seq)
        array = trace.units[last]._out
        attrs.update(_array_attrs(array, repr(_dtypes.of_array(array)) if array is not None
                                  else None, None))
    lines = [f"{title}: {len(ops):,} ops, {nleaves:,} leaf tensors collapsed"]
    lines += [f"{name} ×{c:,}" for name, c in counts]
    attrs["tooltip"] = "\n".join(lines)
    return attrs
