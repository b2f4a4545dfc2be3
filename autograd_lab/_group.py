"""Functions with several outputs, on nodes that have one: a `Group` of nodes, one per output.

Every node of a group has all of the function's edges. Made together, the nodes run one after
another in a backward pass; the first to run gathers the gradients of all (the engine hands it
the pending ones), calls the function's backward once, and sends its results along the edges;
the others send nothing. PyTorch has one node with several outputs instead: the edges, the
gradients and the calls are the same, only `a.grad_fn is b.grad_fn` differs.
`record_group` records the results of an op of one input this way (var_mean, aminmax,
slogdet, eigh, qr, svd), its backward reading the input as PyTorch's saved self.
"""
import weakref

from ._grad_mode import state as _grad
from ._node import FREED, defnode
from ._ops._record import _Variadic, _edge, _link
from ._tensor import _new


def defgroupnode(name, symbol=""):
    """A node class for the members of groups: edge i gets what the group sends along it."""
    return defnode(name, _Variadic(lambda B, g, ans, i, group: group.sent(i)), symbol)


class Group:
    """`backward(grads, create)` gets one gradient per output (None where none arrived) and
    returns one per edge (None: nothing to send)."""

    def __init__(self, n_outputs, backward):
        self.backward = backward
        self.members = [None] * n_outputs  # weak references to the nodes, per output
        self.pass_ = None  # the pending gradients of the pass the group is running in
        self.out = None  # what the running member sends, per edge (taken once)
        self.hooked = None  # the members' gradients after their hooks, in this pass
        self.waiting = 0  # members still to run in this pass (they had a gradient)

    def add(self, k, node):
        """Make `node` (made with (self,) saved) the member for output k."""
        extra = node._extras()
        extra["group"], extra["group_index"] = self, k
        self.members[k] = weakref.ref(node)

    def nodes(self):
        return [None if m is None else m() for m in self.members]

    def gather(self, fn, g, pending, hooked, create):
        """Called by the engine as member `fn` runs with gradient `g` (`pending`: the engine's
        gradients of the nodes still to run, a new dict in every backward pass); answers fn's
        gradient after `hooked(node, grad)` (its hooks), which runs once per member and pass.
        Nothing of a pass is kept once its last member ran."""
        k = fn._extra["group_index"]
        if self.pass_ is pending:  # another member already sent everything in this pass
            self.out = None
            mine = self.hooked[k]
            self.waiting -= 1
        else:
            self.pass_ = pending
            grads = []
            for n in self.nodes():
                gn = g if n is fn else None if n is None else pending.get(n)
                grads.append(gn if gn is None or n._extra is None else hooked(n, gn))
            self.hooked = grads
            self.out = list(self.backward(grads, create))
            self.waiting = sum(gn is not None for gn in grads) - 1
            mine = grads[k]
        if not self.waiting:
            self.pass_ = self.hooked = None
        return mine

    def sent(self, i):
        """The gradient the running member sends along edge i (once)."""
        if self.out is None:
            return None
        g, self.out[i] = self.out[i], None
        return g


def record_group(member, arrays, x, rule, saved_outputs=()):
    """The results `arrays` of a function of the tensor x with several outputs (PyTorch: one
    node, with an output each): the members (of class `member`) of one Group when recording
    and x requires grad, else plain tensors. The group's backward is `rule(B, grads, ans, a)`:
    B the vocabulary, grads one per output (None where none arrived), ans the outputs with a
    gradient (arrays, or under create_graph the members' tensors; None for the others), a x's
    array (or x under create_graph). x is kept as PyTorch's saved self: a backward without
    retain_graph frees it, an in-place change of it after the call is refused; so is one of
    the outputs numbered in `saved_outputs` (those PyTorch's node saves)."""
    edge = _edge(x) if _grad.enabled else None
    if edge is None:
        return [_new(a) for a in arrays]
    saved, watched = [x], []
    group = Group(len(arrays), lambda grads, create: [
        _run(rule, ref(), saved, watched, member.__name__, grads, create)])
    ref = weakref.ref(group)  # (no cycle: the group goes with its members)
    outs = []
    for k, a in enumerate(arrays):
        out = _link(member, a, (edge,), (group,), None)
        group.add(k, out.grad_fn)
        outs.append(out)
    watched.extend((k, outs[k]._shared_vc(), arrays[k]) for k in saved_outputs)
    return outs


def _run(rule, group, saved, watched, name, grads, create):
    x = saved[0]
    if x is None:
        raise RuntimeError(FREED)
    from ._ops.vocab import NP, TB  # (vocab imports the ops that import this module)
    nodes = group.nodes()
    seq = min(n._seq for n in nodes if n is not None)
    maker = x.grad_fn
    _check_version(x._vc, seq, x._data, maker and maker.name())
    for k, vc, array in watched:
        _check_version(vc, seq, array, name, k)
    ans = [None if g is None else _answer(n, create) for g, n in zip(grads, nodes)]
    out = rule(TB, grads, ans, x) if create else rule(NP, grads, ans, x._data)
    if not _grad.keep_graph:
        saved[0] = None
    return out


def _answer(node, create):
    if not create:
        return node._out
    out = _new(node._out)
    out.grad_fn, out._requires_grad = node, True
    return out


def _check_version(vc, seq, array, made_by, output_nr=0):
    """PyTorch's error when a value the group saved (`array`, output `output_nr` of the op
    named `made_by`, with version counter `vc`) was changed in place after the group's
    function ran."""
    if vc is not None and vc.changed_since(seq):
        from .autograd._engine import modified_error  # (it imports the ops)
        raise modified_error(array, vc.version, vc.version_at(seq), made_by, output_nr)
