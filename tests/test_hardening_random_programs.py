"""Random programs: compositions of the engine's ops over broadcastable shapes, in float64.

Hypothesis picks the structure (leaf shapes, which op, which operands, dims); the values come
from a seeded numpy generator, so kinks (relu at 0, ties in max) are met only through exact
identities such as `a - a`, and the builder steers around those. Every gradient is checked
against central finite differences; with torch installed the forward values and gradients are
also compared with PyTorch running the very same program. Random `nn` stacks (layers,
activations, a loss) get the same two checks on every parameter.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import autograd_lab
from autograd_lab import autograd

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EPS = 1e-6
MARGIN = 1e-3  # non-smooth ops are only applied this far from their kinks
RUNS = {"first order": 0, "second order": 0, "against torch": 0, "nn stacks": 0}


# ---- ops: (name, applies(values...) -> bool, build(draw, values...) -> step(M, *tensors)) ----

def _pos(M, x):
    """A smooth positive version of x, for ops with a restricted domain."""
    return x * x + 0.5


def _far(v, kink=0.0):
    return np.all(np.abs(v - kink) > MARGIN)


def _domain(fn):
    """log/sqrt/...: applied directly to clearly positive inputs, else to _pos(x)."""
    return lambda draw, v: (lambda M, x: fn(M, x)) if np.all(v > 0.05) else \
        (lambda M, x: fn(M, _pos(M, x)))


def _gap(v, dims):
    """Distance between the largest and second largest value along dims (for max ties)."""
    moved = np.moveaxis(v, dims, range(-len(dims), 0)).reshape(
        v.shape[:0] + tuple(s for i, s in enumerate(v.shape) if i not in dims) + (-1,))
    if moved.shape[-1] < 2:
        return np.inf
    top = np.sort(moved, -1)
    return min(np.min(top[..., -1] - top[..., -2]), np.min(top[..., 1] - top[..., 0]))


def _dims(draw, v):
    if v.ndim == 0:
        return None
    return tuple(sorted(draw(st.sets(st.integers(0, v.ndim - 1), min_size=1))))


UNARY = {
    "neg": (None, lambda draw, v: lambda M, x: -x),
    "exp": (lambda v: np.all(v < 5), lambda draw, v: lambda M, x: M.exp(x)),
    "log": (None, _domain(lambda M, x: M.log(x))),
    "sqrt": (None, _domain(lambda M, x: M.sqrt(x))),
    "rsqrt": (None, _domain(lambda M, x: M.rsqrt(x))),
    "reciprocal": (None, _domain(lambda M, x: M.reciprocal(x))),
    "pow_frac": (None, _domain(lambda M, x: x ** 1.5)),
    "pow_int": (_far, lambda draw, v: (lambda p: lambda M, x: x ** p)(
        draw(st.sampled_from([2, 3, -1])))),
    "rpow": (lambda v: np.all(v < 5), lambda draw, v: lambda M, x: 2.0 ** x),
    "square": (None, lambda draw, v: lambda M, x: M.square(x)),
    "sin": (None, lambda draw, v: lambda M, x: M.sin(x)),
    "cos": (None, lambda draw, v: lambda M, x: M.cos(x)),
    "tanh": (None, lambda draw, v: lambda M, x: M.tanh(x)),
    "sigmoid": (None, lambda draw, v: lambda M, x: M.sigmoid(x)),
    "relu": (_far, lambda draw, v: lambda M, x: M.relu(x)),
    "abs": (_far, lambda draw, v: lambda M, x: M.abs(x)),
    "clamp": (lambda v: _far(v, -0.5) and _far(v, 0.7),
              lambda draw, v: lambda M, x: M.clamp(x, min=-0.5, max=0.7)),
    "clamp_min": (lambda v: _far(v, 0.1), lambda draw, v: lambda M, x: M.clamp(x, min=0.1)),
    "scale": (None, lambda draw, v: (lambda c: lambda M, x: x * c)(
        draw(st.sampled_from([0.5, -2.0, 3])))),
    "rsub": (None, lambda draw, v: lambda M, x: 1 - x),
    "rdiv": (lambda v: _far(v), lambda draw, v: lambda M, x: 2 / x),
    "where": (_far, lambda draw, v: lambda M, x: M.where(x > 0, x * 2, -x)),
    "clone": (None, lambda draw, v: lambda M, x: x.clone()),
    "sum": (None, lambda draw, v: (lambda d, k: lambda M, x: x.sum() if d is None else
                                   M.sum(x, d, keepdim=k))(_dims(draw, v), draw(st.booleans()))),
    "mean": (None, lambda draw, v: (lambda d, k: lambda M, x: x.mean() if d is None else
                                    M.mean(x, d, keepdim=k))(_dims(draw, v), draw(st.booleans()))),
    "var": (lambda v: v.size > 1 and np.var(v) > MARGIN, lambda draw, v: lambda M, x: M.var(x)),
    "std": (lambda v: v.size > 1 and np.std(v) > 0.1, lambda draw, v: lambda M, x: M.std(x)),
    "prod": (lambda v: v.size <= 9, lambda draw, v: (lambda d: lambda M, x: M.prod(x) if d is None
                                                     else M.prod(x, d))(
        None if v.ndim == 0 else draw(st.sampled_from([None] + list(range(v.ndim)))))),
    "amax": (lambda v: v.ndim and _gap(v, tuple(range(v.ndim))) > MARGIN,
             lambda draw, v: lambda M, x: M.amax(x, tuple(range(x.ndim)))),
    "max_dim": (lambda v: v.ndim and _gap(v, (v.ndim - 1,)) > MARGIN,
                lambda draw, v: (lambda k: lambda M, x: M.max(x, -1, keepdim=k).values)(
                    draw(st.booleans()))),
    "min_all": (lambda v: v.ndim and _gap(v, tuple(range(v.ndim))) > MARGIN,
                lambda draw, v: lambda M, x: M.min(x)),
    "norm": (lambda v: _far(v), lambda draw, v: (lambda p: lambda M, x: M.norm(x, p))(
        draw(st.sampled_from([2, 1, 3])))),
    "softmax": (lambda v: v.ndim, lambda draw, v: (lambda d: lambda M, x: M.softmax(x, d))(
        draw(st.integers(-v.ndim, v.ndim - 1)))),
    "log_softmax": (lambda v: v.ndim, lambda draw, v: (lambda d: lambda M, x: M.log_softmax(
        x, d))(draw(st.integers(-v.ndim, v.ndim - 1)))),
    "reshape": (None, lambda draw, v: lambda M, x: x.reshape(-1)),
    "flatten_view": (lambda v: v.ndim >= 2, lambda draw, v: lambda M, x: x.flatten(1).view(-1)),
    "unsqueeze": (lambda v: v.ndim < 4, lambda draw, v: (lambda d: lambda M, x: x.unsqueeze(d))(
        draw(st.integers(0, v.ndim)))),
    "squeeze": (None, lambda draw, v: lambda M, x: x.squeeze()),
    "permute": (lambda v: v.ndim >= 2, lambda draw, v: (lambda p: lambda M, x: x.permute(*p))(
        draw(st.permutations(range(v.ndim))))),
    "transpose": (lambda v: v.ndim >= 2, lambda draw, v: lambda M, x: x.transpose(0, -1)),
    "t": (lambda v: v.ndim == 2, lambda draw, v: lambda M, x: x.t()),
    "T": (None, lambda draw, v: lambda M, x: x.T if x.ndim != 1 else x),
    "expand": (lambda v: v.ndim < 4, lambda draw, v: lambda M, x: x.expand(2, *x.shape)),
    "slice": (lambda v: v.ndim and v.shape[0] >= 2, lambda draw, v: lambda M, x: x[1:]),
    "select": (lambda v: v.ndim, lambda draw, v: lambda M, x: x[-1]),
    "step_slice": (lambda v: v.ndim >= 2, lambda draw, v: lambda M, x: x[..., ::2]),
    "gather": (lambda v: v.ndim, lambda draw, v: (lambda ix: lambda M, x: x[ix])(
        draw(st.lists(st.integers(0, v.shape[0] - 1), min_size=1, max_size=4)))),
    "mask": (lambda v: v.ndim and _far(v), lambda draw, v: lambda M, x: x[x > 0] * 1.0),
    "stack_self": (None, lambda draw, v: lambda M, x: M.stack([x, x * 2], -1 if x.ndim else 0)),
    "cat_self": (lambda v: v.ndim, lambda draw, v: lambda M, x: M.cat([x, -x], 0)),
    "inplace": (None, lambda draw, v: lambda M, x: _inplace(x)),
    "setitem": (lambda v: v.ndim, lambda draw, v: lambda M, x: _setitem(x)),
}


def _inplace(x):
    y = x * 1.0  # a non-leaf that may be changed in place
    y.mul_(2)
    y.add_(x)
    return y


def _setitem(x):
    y = x.clone()
    y[0] = y[0] * 3
    return y


BINARY = {
    "add": lambda M, a, b: a + b,
    "sub": lambda M, a, b: a - b,
    "mul": lambda M, a, b: a * b,
    "div": lambda M, a, b: a / _pos(M, b),
    "add_alpha": lambda M, a, b: M.add(a, b, alpha=-0.5),
    "pow_tensor": lambda M, a, b: _pos(M, a) ** M.tanh(b),
    "maximum": lambda M, a, b: M.maximum(a, b),
    "minimum": lambda M, a, b: M.minimum(a, b),
    "where2": lambda M, a, b: M.where(a > b, a, b * 2),
}
_TIES = {"maximum", "minimum", "where2"}


def _broadcast(va, vb):
    try:
        return np.broadcast_shapes(va.shape, vb.shape)
    except ValueError:
        return None


def _matmul_step(draw, va, vb):
    """a @ b for the 1-D/2-D/batched operand pairs PyTorch accepts, after reshaping."""
    n = va.size
    k = draw(st.sampled_from([d for d in (1, 2, 3) if n % d == 0]))
    kind = draw(st.sampled_from(["mm", "mv", "dot", "bmm"]))
    m = vb.size
    if kind == "dot" and n == m:
        return lambda M, a, b: M.dot(a.reshape(-1), b.reshape(-1))
    if kind == "bmm" and n % 2 == 0 and m % 2 == 0:
        return lambda M, a, b: M.matmul(a.reshape(2, -1, 1), b.reshape(2, 1, -1))
    if kind == "mv" and n % m == 0:
        return lambda M, a, b: M.mv(a.reshape(-1, m), b.reshape(-1))
    return lambda M, a, b: M.matmul(a.reshape(-1, k), b.reshape(1, -1).expand(k, m))


class Program:
    """A straight-line program over a pool of tensors; replayable with any torch-like module."""

    def __init__(self, leaves):
        self.leaves = leaves          # numpy arrays
        self.steps = []               # (step, input indices)
        self.outputs = []             # pool indices summed into the loss
        self.weights = []
        self.names = []

    def __repr__(self):
        shapes = [v.shape for v in self.leaves]
        ops = ", ".join(f"{n}{args}" for n, (_, args) in zip(self.names, self.steps))
        return f"Program(leaves={shapes}, steps=[{ops}], outputs={self.outputs})"

    def run(self, M, leaves):
        pool = list(leaves)
        for step, args in self.steps:
            pool.append(step(M, *(pool[i] for i in args)))
        loss = None
        for i, w in zip(self.outputs, self.weights):
            term = (pool[i] * M.tensor(w, dtype=M.float64)).sum()
            loss = term if loss is None else loss + term
        return pool, loss


def _values(pool):
    return [p._data for p in pool]


@st.composite
def programs(draw, max_steps=7):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    base = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3))
    leaves = []
    for _ in range(draw(st.integers(1, 3))):
        drop = draw(st.integers(0, len(base)))
        shape = [1 if draw(st.booleans()) and draw(st.booleans()) else s for s in base[drop:]]
        positive = draw(st.booleans()) and draw(st.booleans())
        v = rng.uniform(0.2, 2.0, shape) if positive else rng.uniform(-2.0, 2.0, shape)
        leaves.append(np.asarray(v, np.float64))
    prog = Program(leaves)
    pool = [autograd_lab.tensor(v, dtype=autograd_lab.float64) for v in leaves]
    for _ in range(draw(st.integers(2, max_steps))):
        i = draw(st.integers(0, len(pool) - 1))
        vi = pool[i]._data
        if draw(st.booleans()) and draw(st.booleans()):
            j = draw(st.integers(0, len(pool) - 1))
            vj = pool[j]._data
            name = draw(st.sampled_from(sorted(BINARY) + ["matmul"]))
            if name == "matmul":
                step = _matmul_step(draw, vi, vj)
            elif _broadcast(vi, vj) is None or (name in _TIES and not _far(
                    np.broadcast_arrays(vi, vj)[0] - np.broadcast_arrays(vi, vj)[1])):
                continue
            else:
                step = BINARY[name]
            args = (i, j)
        else:
            name = draw(st.sampled_from(sorted(UNARY)))
            applies, build = UNARY[name]
            if applies is not None and not applies(vi):
                continue
            step = build(draw, vi)
            args = (i,)
        out = step(autograd_lab, *(pool[a] for a in args))
        scale = np.max(np.abs(out._data), initial=0.0)
        if scale > 50:  # keep values in a range where finite differences are accurate
            step = (lambda f, c: lambda M, *xs: f(M, *xs) * c)(step, 1.0 / scale)
            out = out * (1.0 / scale)
        prog.steps.append((step, args))
        prog.names.append(name)
        pool.append(out)
    last = len(pool) - 1
    prog.outputs = sorted({last} | set(draw(st.lists(st.integers(0, last), max_size=2))))
    prog.weights = [rng.uniform(-1, 1, pool[i].shape) for i in prog.outputs]
    return prog


def _leaves(M, prog, **kw):
    return [M.tensor(v.copy(), dtype=M.float64, requires_grad=True, **kw) for v in prog.leaves]


def _numeric_grad(leaves, k, fn):
    """d fn / d leaves[k] by central differences, fn evaluated under no_grad."""
    flat = leaves[k]._data.reshape(-1)
    grad = np.zeros(flat.size)
    for j in range(flat.size):
        orig = flat[j]
        vals = []
        for step in (EPS, -EPS):
            flat[j] = orig + step
            with autograd_lab.no_grad():
                vals.append(fn(leaves))
        flat[j] = orig
        grad[j] = (vals[0] - vals[1]) / (2 * EPS)
    return grad.reshape(leaves[k].shape)


def _assert_close(analytic, numeric, what):
    scale = 1.0 + np.max(np.abs(numeric), initial=0.0)
    assert np.allclose(analytic, numeric, rtol=1e-4, atol=1e-5 * scale), (
        f"{what}: analytic {analytic} vs numeric {numeric}")


@settings(max_examples=220, **SETTINGS)
@given(programs())
def test_random_program_gradients_match_finite_differences(prog):
    RUNS["first order"] += 1
    leaves = _leaves(autograd_lab, prog)
    pool, loss = prog.run(autograd_lab, leaves)
    loss.backward()
    grads = autograd.grad(prog.run(autograd_lab, leaves)[1], leaves, allow_unused=True)
    with autograd_lab.no_grad():
        nograd_pool, _ = prog.run(autograd_lab, [t.detach() for t in leaves])
    for a, b in zip(_values(pool), _values(nograd_pool)):
        assert np.array_equal(a, b, equal_nan=True)  # recording never changes values
    kept = [t.grad._data for t in leaves if t.grad is not None]
    for i, g in enumerate(kept):  # a gradient a leaf keeps is its own: it aliases nothing
        others = kept[:i] + kept[i + 1:] + _values(pool)
        assert not any(np.may_share_memory(g, o) for o in others), "a .grad aliases an array"
    for k, t in enumerate(leaves):
        numeric = _numeric_grad(leaves, k, lambda ls: prog.run(autograd_lab, ls)[1].item())
        analytic = np.zeros(t.shape) if t.grad is None else t.grad._data
        _assert_close(analytic, numeric, f"leaf {k}")
        via_grad = np.zeros(t.shape) if grads[k] is None else grads[k]._data
        assert np.array_equal(via_grad, analytic), "autograd.grad differs from backward()"


@settings(max_examples=60, **SETTINGS)
@given(programs(max_steps=4))
def test_random_program_second_derivatives_match_finite_differences(prog):
    """grad(create_graph=True) records the backward pass: its gradient is checked too."""
    RUNS["second order"] += 1
    leaves = _leaves(autograd_lab, prog)
    rng = np.random.default_rng(0)
    dirs = [rng.uniform(-1, 1, v.shape) for v in prog.leaves]

    def directional(ls, create):
        loss = prog.run(autograd_lab, ls)[1]
        with autograd_lab.enable_grad():
            gs = autograd.grad(loss, ls, create_graph=create, allow_unused=True,
                               materialize_grads=True)
        total = gs[0] * autograd_lab.tensor(dirs[0])
        total = total.sum()
        for g, d in zip(gs[1:], dirs[1:]):
            total = total + (g * autograd_lab.tensor(d)).sum()
        return total

    hv = directional(leaves, True)
    if not hv.requires_grad:  # the program is linear in every leaf: nothing more to check
        return
    second = autograd.grad(hv, leaves, allow_unused=True, materialize_grads=True)

    def first_order(ls):
        with autograd_lab.enable_grad():
            return directional(ls, False).item()
    for k, t in enumerate(leaves):
        numeric = _numeric_grad(leaves, k, first_order)
        _assert_close(second[k]._data, numeric, f"second order, leaf {k}")


@settings(max_examples=80, **SETTINGS)
@given(programs())
def test_random_programs_agree_with_pytorch(prog):
    torch = pytest.importorskip("torch")
    RUNS["against torch"] += 1
    ours, theirs = _leaves(autograd_lab, prog), _leaves(torch, prog)
    pool, loss = prog.run(autograd_lab, ours)
    tpool, tloss = prog.run(torch, theirs)
    for k, (a, b) in enumerate(zip(pool, tpool)):
        assert tuple(a.shape) == tuple(b.shape), f"pool[{k}] shape"
        assert np.allclose(a._data, b.detach().numpy(), rtol=1e-10, atol=1e-12), f"pool[{k}]"
    for a, b in zip(pool, tpool):  # every intermediate's gradient, not only the leaves'
        if a.requires_grad and a.grad_fn is not None:
            a.retain_grad()
            b.retain_grad()
    loss.backward()
    tloss.backward()
    _same_grads(pool, tpool, "after backward()")
    loss2, tloss2 = prog.run(autograd_lab, ours)[1], prog.run(torch, theirs)[1]
    loss2.backward(inputs=ours[:1])  # adds to leaf 0's grad only
    tloss2.backward(inputs=theirs[:1])
    _same_grads(ours, theirs, "after backward(inputs=[leaf 0])")


def _same_grads(ours, theirs, when):
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if a.grad_fn is not None and not a.retains_grad:
            continue
        assert (a.grad is None) == (b.grad is None), f"{when}: pool[{k}] grad presence"
        if a.grad is not None:
            assert np.allclose(a.grad._data, b.grad.numpy(), rtol=1e-9, atol=1e-12), (
                f"{when}: pool[{k}] grad {a.grad} vs {b.grad}")


LAYERS = ["tanh", "sigmoid", "relu", "softmax", "log_softmax", "linear", "linear_nobias"]
LOSSES = ["mse", "l1", "cross_entropy", "cross_entropy_smooth", "nll", "bce", "bce_logits",
          "cross_entropy_probs"]


def _stack(M, spec, widths):
    """An nn.Sequential from a spec drawn once; built identically for any torch-like module."""
    layers, width = [], widths[0]
    for kind, out in spec:
        if kind.startswith("linear"):
            layers.append(M.nn.Linear(width, out, bias=kind == "linear", dtype=M.float64))
            width = out
        else:
            layers.append({"tanh": M.nn.Tanh(), "sigmoid": M.nn.Sigmoid(), "relu": M.nn.ReLU(),
                           "softmax": M.nn.Softmax(dim=-1),
                           "log_softmax": M.nn.LogSoftmax(dim=-1)}[kind])
    return M.nn.Sequential(*layers), width


def _loss(M, kind, out, target):
    F = M.nn.functional
    if kind == "mse":
        return F.mse_loss(out, target)
    if kind == "l1":
        return F.l1_loss(out, target, reduction="sum")
    if kind == "bce":
        return F.binary_cross_entropy(M.sigmoid(out), target)
    if kind == "bce_logits":
        return F.binary_cross_entropy_with_logits(out, target)
    if kind == "cross_entropy_probs":
        return F.cross_entropy(out, M.softmax(target, -1))
    labels = M.tensor(np.argmax(target.detach().numpy(), -1))
    if kind == "nll":
        return F.nll_loss(M.log_softmax(out, -1), labels)
    return F.cross_entropy(out, labels, label_smoothing=0.1 if kind.endswith("smooth") else 0.0)


@st.composite
def nn_stacks(draw):
    width = draw(st.integers(1, 4))
    spec = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(LAYERS))
        spec.append((kind, draw(st.integers(1, 4)) if kind.startswith("linear") else None))
    spec.append(("linear", draw(st.integers(2, 4))))
    return (width, spec, draw(st.sampled_from(LOSSES)), draw(st.integers(1, 5)),
            draw(st.integers(0, 2**32 - 1)))


def _params_and_loss(M, width, spec, loss_kind, batch, seed):
    rng = np.random.default_rng(seed)
    model, out_width = _stack(M, spec, [width])
    with M.no_grad():
        for p in model.parameters():
            p.copy_(M.tensor(rng.uniform(-1, 1, tuple(p.shape)), dtype=M.float64))
    x = M.tensor(rng.uniform(-2, 2, (batch, width)), dtype=M.float64, requires_grad=True)
    target = M.tensor(rng.uniform(0.05, 0.95, (batch, out_width)), dtype=M.float64)
    return model, [x] + list(model.parameters()), lambda: _loss(M, loss_kind, model(x), target)


@settings(max_examples=60, **SETTINGS)
@given(nn_stacks())
def test_random_nn_stacks_match_finite_differences_and_pytorch(case):
    RUNS["nn stacks"] += 1
    model, params, loss_fn = _params_and_loss(autograd_lab, *case)
    if "relu" in [k for k, _ in case[1]]:  # keep relu inputs away from its kink
        acts, h = [], params[0]
        with autograd_lab.no_grad():
            for layer in model:
                if isinstance(layer, autograd_lab.nn.ReLU):
                    acts.append(h._data)
                h = layer(h)
        assume(all(_far(a) for a in acts))
    loss = loss_fn()
    loss.backward()
    for k, t in enumerate(params):
        numeric = _numeric_grad(params, k, lambda ls: loss_fn().item())
        _assert_close(t.grad._data, numeric, f"{case}: parameter {k}")
    try:
        import torch
    except ImportError:
        return
    _, tparams, tloss_fn = _params_and_loss(torch, *case)
    tloss = tloss_fn()
    tloss.backward()
    assert np.allclose(loss.item(), tloss.item(), rtol=1e-10), f"loss {loss} vs {tloss}"
    for a, b in zip(params, tparams):
        assert np.allclose(a.grad._data, b.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_enough_random_programs_ran():
    """Runs last in this file: the counts appear in the message if too few ran."""
    total = sum(RUNS.values())
    assert total == 0 or total >= 200, f"random programs run: {RUNS}"
    print(f"random programs run: {RUNS}")
