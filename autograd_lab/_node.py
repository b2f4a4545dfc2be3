"""Graph nodes: one `Node` subclass per backward rule, named as PyTorch names it (`MulBackward0`).

A node records what backward needs: `_edges` (one per differentiable input: the input's own
node, the leaf tensor to accumulate into, or None), `_saved` (values the rule reads), `_out`
(the value it produced, kept for the graph display), `_meta` (input shapes/dtypes when
broadcasting or type promotion must be undone), `_seq` (its place in the order of events:
creations and in-place changes), `_scope` (the `nn.Module` it ran in) and `_extra` (hooks and
other rarely used state).

The edges of a node whose class has one or two inputs (`_nin`: nearly all nodes) are in its
slots `_e0`, `_e1`, else in the tuple `_eall`; two saved values (the binary ops) are in `_s0`,
`_s1`, with `_saved` set to `PAIR`. The slots a node does not use stay unset. The garbage
collector scans every node of a growing graph again and again: a node holds no tuple of its
own and sets no slot it does not need.
"""
import itertools
import threading
import weakref

import numpy as np

_seq = itertools.count()  # orders events: node creations and in-place changes
FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
         "after they have already been freed). Saved intermediate values of the graph are freed "
         "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
         "backward through the graph a second time or if you need to access saved tensors after "
         "calling backward.")
PAIR = object()  # a node's `_saved` when its two saved values are in `_s0`, `_s1`


class _Scope(threading.local):
    """Recording state. `current`, the nn.Module scope new nodes are tagged with (set by
    `nn.Module.__call__`), is per thread. The class attributes are shared by all threads:
    assign them on the class (`_Scope.epoch = ...`), read them anywhere."""

    current = None
    epoch = -1  # `_seq` of the last in-place change: nodes made after it need no version check
    on_record = None  # called with every new node while anomaly mode is on (autograd.anomaly)


scope = _Scope()


class Node:
    """A backward function in the graph; `grad_fn` of every non-leaf tensor."""

    __slots__ = ("_e0", "_e1", "_eall", "_saved", "_s0", "_s1", "_out", "_meta", "_seq", "_scope",
                 "_extra", "__weakref__")
    _nin = None          # the number of inputs of every node of the class (None: any)
    _vjps = ()           # one rule per input: rule(B, g, ans, *saved) -> gradient for that input
    _saves = False       # True when _saved holds tensors (freed by backward) or the rule reads ans
    _uses_ans = False    # True when the rules read the op's output
    _symbol = ""         # the operator shown in the graph display
    _sweep = (None, (), False)  # (_nin, _vjps, _saves): backward reads them in one lookup
    _saved_names = ()    # PyTorch's names of the saved values: grad_fn._saved_self, ...
    _saved_constants = {}  # saved values fixed for the class (a plain add's `_saved_alpha`: 1)
    _is_view = False     # True when the node's output shares memory with its input
    _wraps = None        # CopySlices of an in-place op on a view: the op's node class
    inplace_error = None  # or a method giving the node's own text for an in-place change of it
    _output_nr = 0       # which output of PyTorch's node the class's nodes stand for

    def name(self):
        """PyTorch's name of this backward function, e.g. 'AddBackward0' (its C++ classes carry
        their namespace: 'torch::autograd::CopySlices'). Displays show the class name."""
        n = type(self).__name__
        return "torch::autograd::" + n if n in ("CopySlices", "NotImplemented", "Error") else n

    def __getattr__(self, name):
        """`grad_fn._saved_self`, `._saved_other`, `._saved_result`, ...: the values this node
        saved for backward, under PyTorch's names (PyTorch's error once backward freed them)."""
        key = name[7:] if name.startswith("_saved_") else None
        cls = type(self)
        if key in cls._saved_constants:
            return cls._saved_constants[key]
        if key is None or (key not in cls._saved_names and not (key == "result" and
                                                                cls._uses_ans)):
            raise AttributeError(f"'{cls.__name__}' object has no attribute '{name}'")
        if self._saved is None:
            raise RuntimeError(FREED)
        from ._tensor import _new  # (it imports this module)
        if key == "result":
            out = _new(self._out)
            out.grad_fn, out._requires_grad = self, True
            return out
        value = self._saved_values()[cls._saved_names.index(key)]
        return _new(value) if isinstance(value, np.ndarray) else value

    @property
    def _edges(self):
        """The edges, one per input."""
        n = self._nin
        return (self._e0,) if n == 1 else (self._e0, self._e1) if n == 2 else self._eall

    def _saved_values(self):
        """The saved values as a tuple (None once backward freed them)."""
        saved = self._saved
        return (self._s0, self._s1) if saved is PAIR else saved

    @property
    def next_functions(self):
        """((node or AccumulateGrad or None, output number), ...) for each input, as in PyTorch
        (the output number of a node standing for one output of a `Group`, else its class's)."""
        return tuple((_accumulator(e), 0) if _is_tensor(e) else (e, 0) if e is None else
                     (e, e._output_nr if e._extra is None else
                      e._extra.get("group_index", e._output_nr)) for e in self._edges)

    @property
    def metadata(self):
        """A dict for user annotations (PyTorch's `grad_fn.metadata`)."""
        return self._extras().setdefault("metadata", {})

    def register_hook(self, hook):
        """`hook(grad_inputs, grad_outputs)` runs after this node computed its input grads."""
        return _Handle(self._extras().setdefault("post_hooks", []), hook)

    def register_prehook(self, hook):
        """`hook(grad_outputs)` runs before this node; it may return replacement grads."""
        return _Handle(self._extras().setdefault("pre_hooks", []), hook)

    def _extras(self):
        if self._extra is None:
            self._extra = {}
        return self._extra

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"


class AccumulateGrad:
    """The sink of a leaf tensor: backward adds into `variable.grad` here."""

    __slots__ = ("variable", "__weakref__")

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    next_functions = ()

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


def _is_tensor(e):
    return e is not None and not isinstance(e, Node)


def _accumulator(t):
    """The leaf's AccumulateGrad, made once and cached on the tensor, as PyTorch does."""
    acc = t._extras().get("acc")
    acc = acc() if acc is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._extras()["acc"] = weakref.ref(acc)
    return acc


class _Handle:
    """What `register_hook` returns; `.remove()` (or leaving a `with` block) unregisters it."""

    def __init__(self, hooks, hook, prepend=False):
        self._hooks, self._hook = hooks, hook
        if prepend:
            hooks.insert(0, hook)
        else:
            hooks.append(hook)

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def defnode(name, vjps, symbol="", saves=False, uses_ans=False):
    """Declare a backward rule: a Node subclass called `name` with one vjp per input."""
    fixed = isinstance(vjps, (list, tuple))  # else rules indexed by input (cat, Function)
    vjps = tuple(vjps) if fixed else vjps
    nin = len(vjps) if fixed else None
    saves = saves or uses_ans
    return type(name, (Node,), {"__slots__": (), "_vjps": vjps, "_nin": nin, "_saves": saves,
                                "_uses_ans": uses_ans, "_symbol": symbol,
                                "_sweep": (nin, vjps, saves)})
