"""`to_networkx`: the graph model every view is drawn from.

Nodes are `t<k>` (tensors), `op<k>` (backward functions) and `g<i>` (summaries of collapsed
parts); edges follow the data, input → op → output. Attributes are plain values; see
`to_networkx` for the list.
"""
import contextlib
import gc
from collections import Counter

import networkx as nx
import numpy as np

from .. import _dtypes
from .._tensor import Tensor
from . import _preview
from ._collapse import collapse
from ._trace import Trace

TOP_OPS = 3
MAX_NAME = 24


@contextlib.contextmanager
def _gc_paused():
    """Walking a big graph allocates many small lists; collections would rescan it each time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(root, budget, names, highlight=None, grads=None):
    """The model of `root`'s graph, collapsed to `budget` nodes (None: never); the op node of
    `highlight` (a grad_fn) or its tensor node (a leaf) gets role 'active'. `grads`, a mapping
    {grad_fn or leaf: gradient}, gives the gradients shown instead of the tensors' `.grad`."""
    with _gc_paused():
        return _build(root, budget, names, highlight, grads)


def _build(root, budget, names, highlight, grads):
    trace = Trace(root)
    group, groups = collapse(trace, budget)
    g = nx.DiGraph(root="t0")
    for k, unit in enumerate(trace.units):
        if group[k] >= 0:
            continue
        if trace.is_op[k]:
            g.add_node(f"op{k}", **_op(unit, trace, k))
            g.add_node(f"t{k}", **_output(unit, root if k == 0 else None, names, 2 * k + 1,
                                          grads))
            g.add_edge(f"op{k}", f"t{k}")
        else:
            g.add_node(f"t{k}", **_leaf(unit, names, 2 * k, grads))
        if unit is highlight:
            g.nodes[f"op{k}" if trace.is_op[k] else f"t{k}"]["role"] = "active"
    for i, grp in enumerate(groups):
        g.add_node(f"g{i}", **_summary(grp, trace))
    counts = {}  # (source, target) → how many edges of the full graph it stands for
    for k, ins in enumerate(trace.inputs):
        gk = group[k]
        for j in ins:
            if gk >= 0 and group[j] == gk:
                continue  # inside a summary
            src = ("g", group[j]) if group[j] >= 0 else ("t", j)
            dst = ("g", gk) if gk >= 0 else ("op", k)
            counts[src, dst] = counts.get((src, dst), 0) + 1
    for (src, dst), count in counts.items():
        g.add_edge(f"{src[0]}{src[1]}", f"{dst[0]}{dst[1]}", count=count)
    if groups:
        g.graph["summary"] = (f"{trace.size():,} nodes, collapsed to {len(g):,} "
                              f"(budget {budget}); viz.show(t, budget=None) draws all")
    return g


def plural(n, word):
    """`1 op`, `2 ops`, `100,000 ops`."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _short(name):
    return name if name is None or len(name) <= MAX_NAME else name[:MAX_NAME - 1] + "…"


def _array_attrs(array, grad=None, dtype=None):
    """Value and grad labels, shape and dtype (by default the array's) of a tensor's value."""
    if array is None:
        return {"value": None, "grad": None, "shape": None, "dtype": dtype}
    return {
        "value": _preview.label(array),
        "grad": _preview.label(grad) if grad is not None else None,
        "shape": tuple(array.shape),
        "dtype": dtype or repr(_dtypes.of_array(array)),
    }


def _tensor(name, role, array, dtype, grad, grad_fn, requires_grad, order, note):
    attrs = {"kind": "tensor", "role": role, "name": _short(name), "label": _short(name) or "",
             "requires_grad": requires_grad, "grad_fn": type(grad_fn).__name__ if grad_fn else None,
             "order": order}
    attrs.update(_array_attrs(array, grad, dtype))
    dtype = attrs["dtype"]
    text = _preview.tooltip(array, grad_fn, requires_grad and grad_fn is None) \
        if array is not None else "(value freed)"
    lines = [f"{name} = {text}" if name else text]
    if grad is not None:
        lines.append(f"grad = {_preview.tooltip(grad)}")
    if array is not None:
        lines.append(f"shape torch.Size({list(array.shape)}) · dtype {dtype}")
    lines.append(note)
    attrs["tooltip"] = "\n".join(lines)
    return attrs


def _grad(unit, t, grads):
    """The gradient array shown for `unit`: from `grads` when given, else tensor `t`'s `.grad`
    (None: none to show)."""
    grad = grads.get(unit) if grads is not None else t.grad if t is not None else None
    return None if grad is None else np.asarray(grad._data if isinstance(grad, Tensor) else grad)


def _leaf(t, names, order, grads):
    name = t.name or names.tensor(t)
    if getattr(t, "_is_param", False) or type(t).__name__ == "Parameter":
        role, note = "param", "nn.Parameter: a leaf the optimizer updates"
    elif t.requires_grad:
        role, note = "leaf", "leaf tensor: backward accumulates into its .grad"
    else:
        role, note = "const", "does not require grad: autograd treats it as a constant"
    return _tensor(name, role, t._data, str(t.dtype), _grad(t, t, grads), None, t.requires_grad,
                   order, note)


def _output(node, root, names, order, grads):
    """The tensor `node` produced: the root itself, a named tensor, or only its value."""
    name, t = (root.name or names.tensor(root), root) if root is not None else names.fn(node)
    if t is not None and name is None:
        name = t.name
    retained = t if t is not None and t.retains_grad else None
    role = "output" if root is not None else "tensor"
    return _tensor(name, role, node._out, None, _grad(node, retained, grads), node, True, order,
                   f"made by {type(node).__name__}; backward starts here" if root is not None
                   else f"made by {type(node).__name__}")


def _op(node, trace, k):
    name, symbol = type(node).__name__, node._symbol
    tracked, nconst = len(trace.inputs[k]), trace.consts[k]
    lines = [f"{name}" + (f" ({symbol})" if symbol else ""),
             f"inputs that require grad: {tracked}"
             + (f"; constant inputs (not drawn): {nconst}" if nconst else "")]
    if node._scope is not None:
        lines.append(f"in module {node._scope}")
    anomaly = node._extra.get("anomaly") if node._extra is not None else None
    failed = anomaly is not None and anomaly.get("error") is not None
    if failed:  # recorded by autograd.detect_anomaly: the node whose backward failed
        lines += [f"backward failed: {anomaly['error']}",
                  f"forward at {anomaly['file']}:{anomaly['line']}: {anomaly['code']}"]
    return {"kind": "op", "role": "anomaly" if failed else "op", "label": symbol or name,
            "symbol": symbol,
            "grad_fn": name, "scope": node._scope, "seq": node._seq, "inputs": tracked,
            "consts": nconst, "order": 2 * k, "tooltip": "\n".join(lines)}


def _summary(grp, trace):
    ops = [k for k in grp.members if trace.is_op[k]]
    nleaves = len(grp.members) - len(ops)
    by_class = Counter(type(trace.units[k]) for k in ops)
    counts = sorted(((cls.__name__, c) for cls, c in by_class.items()),
                    key=lambda kv: (-kv[1], kv[0]))
    if grp.kind == "scope":
        title = _short(grp.scope)
    elif ops:
        title = plural(len(ops), "op")
    else:
        title = plural(nleaves, "leaf tensor")
    attrs = {"kind": "summary", "role": "summary", "label": title, "group": grp.kind,
             "scope": grp.scope, "count": len(ops), "leaves": nleaves,
             "ops": tuple(counts[:TOP_OPS]), "more_ops": sum(c for _, c in counts[TOP_OPS:]),
             "order": 2 * grp.members[0]}
    if ops:
        last = max(ops, key=lambda k: trace.units[k]._seq)
        attrs.update(_array_attrs(trace.units[last]._out))
    lines = [f"{title}: {plural(len(ops), 'op')}, {plural(nleaves, 'leaf tensor')} collapsed"]
    lines += [f"{name} ×{c:,}" for name, c in counts]
    attrs["tooltip"] = "\n".join(lines)
    return attrs
