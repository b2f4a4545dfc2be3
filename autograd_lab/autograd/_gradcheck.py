"""Check analytic gradients against central finite differences (float64), as PyTorch's gradcheck."""
import numpy as np

from .._tensor import Tensor, _new
from .._grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytic and numeric Jacobians disagree."""


def _tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _numeric_jacobians(fn, inputs, eps):
    """J[k][i] is d(output k)/d(input i) by central differences, shape (out.numel, in.numel)."""
    with no_grad():
        outs = _tuple(fn(*inputs))
    jac = [[np.zeros((o.numel(), t.numel())) for t in inputs] for o in outs]
    for i, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t.requires_grad):
            continue
        a = t._data
        for j, ix in enumerate(np.ndindex(a.shape)):  # (in place: also a non-contiguous input)
            orig = a[ix]
            vals = []
            for step in (eps, -eps):
                a[ix] = orig + step
                with no_grad():
                    vals.append([o._data.astype(np.float64).reshape(-1).copy()
                                 for o in _tuple(fn(*inputs))])
            a[ix] = orig
            for k in range(len(outs)):
                jac[k][i][:, j] = (vals[0][k] - vals[1][k]) / (2 * eps)
    return outs, jac


def _analytic_jacobians(fn, inputs):
    from . import grad
    outs = _tuple(fn(*inputs))
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    jac = [[np.zeros((o.numel(), t.numel())) for t in inputs] for o in outs]
    for k, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for r in range(o.numel()):
            seed = np.zeros(o.numel(), o._data.dtype)
            seed[r] = 1
            gs = grad(o, diff, _new(seed.reshape(o._data.shape)), retain_graph=True,
                      allow_unused=True)
            gi = iter(gs)
            for i, t in enumerate(inputs):
                if isinstance(t, Tensor) and t.requires_grad:
                    g = next(gi)
                    if g is not None:
                        jac[k][i][r, :] = g._data.reshape(-1)
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True if func's analytic gradients match finite differences for every input element.

    Use float64 inputs with requires_grad=True. On a mismatch raises GradcheckError with a
    per-element table of analytic and numeric values (or returns False).
    """
    inputs = _tuple(inputs)
    for t in inputs:
        if isinstance(t, Tensor) and t.requires_grad and t._data.dtype != np.float64:
            import warnings
            warnings.warn("Input is not a double precision floating point tensor: gradcheck "
                          "is only reliable in float64.", UserWarning, stacklevel=2)
    if not any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    _, numeric = _numeric_jacobians(func, inputs, eps)
    analytic = _analytic_jacobians(func, inputs)
    for k in range(len(numeric)):
        for i in range(len(inputs)):
            a, n = analytic[k][i], numeric[k][i]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(_mismatch_table(k, i, a, n, atol, rtol))
    return True


def _mismatch_table(k, i, a, n, atol, rtol):
    rows = [f"Jacobian mismatch for output {k} with respect to input {i}:",
            f"{'out idx':>8} {'in idx':>7} {'analytical':>14} {'numerical':>14}"]
    bad = ~np.isclose(a, n, rtol=rtol, atol=atol)
    for r, c in zip(*np.nonzero(bad)):
        rows.append(f"{r:>8} {c:>7} {a[r, c]:>14.6g} {n[r, c]:>14.6g}")
        if len(rows) > 22:
            rows.append(f"... {int(bad.sum()) - 20} more")
            break
    rows.append(f"numerical:\n{n}\nanalytical:\n{a}")
    return "\n".join(rows)


def gradgradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """gradcheck of the first derivative (built with create_graph=True): checks second order."""
    from . import grad
    inputs = _tuple(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]

    def first(*xs):
        with enable_grad():  # also when gradcheck evaluates it for finite differences
            outs = _tuple(func(*xs))
            total = outs[0].sum()
            for o in outs[1:]:
                total = total + o.sum()
            ds = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
            return tuple(grad(total, ds, create_graph=True, allow_unused=True,
                              materialize_grads=True))
    return gradcheck(first, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception) if diff else True
