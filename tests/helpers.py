"""Shared test helpers: comparison with PyTorch (tinygrad's `helper_test_op`) and finite
differences written independently of the engine's own `gradcheck`."""
import contextlib
import sys

import numpy as np
import pytest

import autograd_lab as lab

# (forward rtol, atol) per dtype: numpy and PyTorch may round the last bits differently.
TOLERANCE = {"float32": (1e-4, 1e-5), "float64": (1e-10, 1e-12)}


def require_torch():
    """The reference PyTorch module, or skip the test when it is not installed."""
    return pytest.importorskip("torch")


def raised(fn):
    """The name and text of the exception fn() raises (the test fails if it raises none)."""
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__name__, str(info.value)


def outcome(fn):
    """What calling fn() does: ('value', repr of its result) or ('raises', exception type)."""
    try:
        return "value", repr(fn())
    except Exception as e:  # noqa: BLE001 (any exception is an outcome to compare)
        return "raises", type(e).__name__


def repr_or_error(code, names):
    """repr(eval(code, names)), or the exception's type and message."""
    try:
        return repr(eval(code, names))
    except Exception as e:  # noqa: BLE001 (the error is the outcome compared)
        return type(e).__name__, str(e)


def random_arrays(shapes, dtype="float64", low=-2.0, high=2.0, seed=0):
    """One uniform random numpy array per shape (reproducible)."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=s).astype(dtype) for s in shapes]


def leaves(module, arrays, requires_grad=True):
    """The same values as leaf tensors of `module` (autograd_lab or torch)."""
    return [module.tensor(a.copy(), requires_grad=requires_grad) for a in arrays]


def assert_matches_torch(ours, theirs, rtol=0.0, atol=0.0):
    """`ours` (autograd_lab) has torch's shape, dtype and values (NaNs in the same places, and
    zeros with the same sign)."""
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert repr(ours.dtype) == repr(theirs.dtype)
    a = np.asarray(ours.detach()._data, np.float64)
    b = theirs.detach().double().numpy(force=True)  # (force: sgn's gradient is a ZeroTensor)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    zeros = (a == 0) & (b == 0)  # printed `0.` or `-0.`: the sign shows
    np.testing.assert_array_equal(np.signbit(a[zeros]), np.signbit(b[zeros]), "signs of zeros")


def backward_both(ours, theirs, ours_in, theirs_in, g, compare):
    """Backward from both outputs with the same upstream gradient `g` (an array), then
    `compare(our_grad, torch_grad)` for every input (None exactly where torch has None)."""
    torch = require_torch()
    ours.backward(lab.tensor(g))
    theirs.backward(torch.tensor(g))
    for a, b in zip(ours_in, theirs_in):
        if b.grad is None:
            assert a.grad is None
        else:
            assert a.grad is not None
            compare(a.grad, b.grad)


def helper_test_op(fn, shapes, dtype="float32", low=-2.0, high=2.0, seed=0, grad=True,
                   backward=True, arrays=None):
    """Run `fn(module, *leaves)` on autograd_lab and on torch with the same inputs and compare
    the output (values, dtype, grad_fn name, repr) and, if `backward`, every input's gradient
    for a random upstream gradient."""
    torch = require_torch()
    rtol, atol = TOLERANCE[dtype]
    arrays = random_arrays(shapes, dtype, low, high, seed) if arrays is None else arrays
    ours_in, theirs_in = leaves(lab, arrays, grad), leaves(torch, arrays, grad)
    ours, theirs = fn(lab, *ours_in), fn(torch, *theirs_in)
    assert_matches_torch(ours, theirs, rtol, atol)
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__
    if backward and grad and theirs.grad_fn is not None:
        g = np.random.default_rng(seed + 1).uniform(-1, 1, tuple(theirs.shape))
        g = g.astype(str(theirs.dtype).removeprefix("torch."))  # the output's dtype
        backward_both(ours, theirs, ours_in, theirs_in, g,
                      lambda a, b: assert_matches_torch(a, b, 10 * rtol, 10 * atol))
    # repr: where numpy and torch rounded the last bits differently, torch prints our values
    values = np.array(ours.detach()._data)
    if not np.array_equal(values, theirs.detach().numpy(), equal_nan=True):
        theirs.detach().copy_(torch.from_numpy(values))  # (not a view: views compute nothing)
    assert repr(ours) == repr(theirs)


def view_op_matches_torch(fn, arrays, rtol=1e-10):
    """`fn(module, *leaves)`, whose result is a view, matches PyTorch in values, in the chain of
    nodes down the first edges, and in every input's gradient. (Not the repr: helper_test_op
    writes our values into PyTorch's output where sums round differently, and PyTorch then
    gives that view a regenerated history.)"""
    torch = require_torch()
    ours_in, theirs_in = leaves(lab, arrays), leaves(torch, arrays)
    ours, theirs = fn(lab, *ours_in), fn(torch, *theirs_in)
    assert_matches_torch(ours, theirs, rtol)
    chains = []
    for node in (ours.grad_fn, theirs.grad_fn):
        chain = []
        while node is not None:
            chain.append(type(node).__name__)
            node = node.next_functions[0][0] if node.next_functions else None
        chains.append(chain)
    assert chains[0] == chains[1]
    g = random_arrays([tuple(theirs.shape)], seed=1)[0]
    backward_both(ours, theirs, ours_in, theirs_in, g,
                  lambda a, b: assert_matches_torch(a, b, rtol))


def numeric_vjp(f, arrays, weight, eps=1e-6):
    """d sum(weight * f(*arrays)) / d arrays by central differences (float64 numpy arrays)."""
    grads = []
    for arr in arrays:
        g = np.zeros_like(arr)
        flat, gflat = arr.reshape(-1), g.reshape(-1)
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            hi = np.sum(weight * f(*arrays))
            flat[j] = orig - eps
            lo = np.sum(weight * f(*arrays))
            flat[j] = orig
            gflat[j] = (hi - lo) / (2 * eps)
        grads.append(g)
    return grads


def values_of(fn):
    """`fn` on tensors, made a function of numpy arrays returning a numpy array (no graph)."""
    def f(*arrays):
        with lab.no_grad():
            return np.asarray(fn(*[lab.tensor(a) for a in arrays])._data, np.float64)
    return f


@contextlib.contextmanager
def shallow_stack(headroom=60):
    """Allow only `headroom` more Python frames than the caller has: recursion would fail."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + headroom)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
