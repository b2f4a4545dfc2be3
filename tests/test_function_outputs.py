"""Custom autograd.Function with several outputs: one backward call with one gradient per output
(zeros, or None with set_materialize_grads(False), where none arrived), non-differentiable and
non-tensor outputs, edges only for tensor inputs; each scenario compared with torch."""
import pytest

import autograd_lab as lab
from helpers import require_torch


def scen(T, which):
    class SinCos(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x); ctx.k = k
            return x.sin() * k, x.cos(), "label"
        @staticmethod
        def backward(ctx, gs, gc, gl):
            x, = ctx.saved_tensors
            rec.append(("backward", gs.tolist(), gc.tolist(), gl))
            return gs * ctx.k * x.cos() - gc * x.sin(), None
    class MaxIdx(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            i = x.argmax(); ctx.save_for_backward(x, i); ctx.mark_non_differentiable(i)
            return x.max(), i
        @staticmethod
        def backward(ctx, g, gi):
            x, i = ctx.saved_tensors
            rec.append(("maxidx", gi.tolist()))
            out = T.zeros_like(x); out[i] = g; return out
    class NoMat(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False); return x * 2, x * 3
        @staticmethod
        def backward(ctx, a, b):
            rec.append(("nomat", a is None, b is None))
            return (a if a is not None else 0) * 2 + (b if b is not None else 0) * 3
    rec = []
    x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=True)
    if which == 0:
        s, c, lbl = SinCos.apply(x, 2.0)
        nexts = [None if f is None else type(f).__name__ for f, _ in s.grad_fn.next_functions]
        rec.append((s.grad_fn.name(), c.grad_fn.name(), lbl, s.requires_grad, nexts))
        (s.sum() + (c * c).sum()).backward()
        rec.append(x.grad.tolist())
    elif which == 1:
        s, c, _ = SinCos.apply(x, 2.0)
        c.sum().backward()  # s unused: zeros
        rec.append(x.grad.tolist())
    elif which == 2:
        m, i = MaxIdx.apply(x)
        rec.append((m.grad_fn.name(), i.requires_grad, i.grad_fn, str(i.dtype)))
        (m * 3).backward(); rec.append(x.grad.tolist())
    elif which == 3:
        a, b = NoMat.apply(x)
        b.sum().backward(); rec.append(x.grad.tolist())
    elif which == 4:
        s, c, _ = SinCos.apply(x, 2.0)
        g, = T.autograd.grad((s * c).sum(), x, create_graph=True)
        g.sum().backward(); rec.append((g.tolist(), x.grad.tolist()))
    elif which == 5:
        with T.no_grad():
            s, c, _ = SinCos.apply(x, 2.0)
        rec.append((s.requires_grad, s.grad_fn))
    elif which == 6:
        s, c, _ = SinCos.apply(x.detach(), 2.0)
        rec.append((s.requires_grad, s.grad_fn))
    elif which == 7:
        s, c, _ = SinCos.apply(x, 2.0)
        y = s + c
        y.sum().backward(retain_graph=True); y.sum().backward()
        rec.append(x.grad.tolist())
    elif which == 8:
        class Bad(T.autograd.Function):
            @staticmethod
            def forward(ctx, x): return x * 1, x * 2
            @staticmethod
            def backward(ctx, a, b): return a, b
        a, b = Bad.apply(x)
        try: (a + b).sum().backward()
        except Exception as e: rec.append((type(e).__name__, str(e)))
    elif which == 9:  # tensor hooks on the outputs run (and may replace the gradient) first
        s, c, _ = SinCos.apply(x, 2.0)
        s.register_hook(lambda g: g * 10); c.register_hook(lambda g: rec.append(("hook", 1)))
        (s + c).sum().backward(); rec.append(x.grad.tolist())
    elif which in (10, 11):  # backward frees the saved tensors: a second one fails
        s, c, _ = SinCos.apply(x, 2.0)
        s.sum().backward()
        try: (c if which == 10 else s).sum().backward()
        except RuntimeError as e: rec.append(str(e)[:50])
        a, b = NoMat.apply(x)  # nothing saved: backward may run again
        a.sum().backward(); b.sum().backward(); rec.append(x.grad.tolist())
    elif which in (12, 13):  # a saved input or output modified in place
        class Exp(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                r = x.exp(); ctx.save_for_backward(r if which == 12 else x); return r
            @staticmethod
            def backward(ctx, g): return g * ctx.saved_tensors[0]
        y = x * 1; r = Exp.apply(y); (r if which == 12 else y).mul_(2)
        try: r.sum().backward()
        except RuntimeError as e: rec.append(str(e)[:170])
    elif which == 14:  # a gradient for an argument that is not a tensor
        class Scale(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, k): return x * k
            @staticmethod
            def backward(ctx, g): return g, g
        try: Scale.apply(x, 2.0).sum().backward()
        except RuntimeError as e: rec.append(str(e))
    elif which == 15:  # forward without ctx, setup_context, keyword arguments
        class Pow(T.autograd.Function):
            @staticmethod
            def forward(x, k=3.0): return x ** k
            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0]); ctx.k = inputs[1]
            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors; return g * ctx.k * x ** (ctx.k - 1), None
        Pow.apply(x).sum().backward(); Pow.apply(x, k=2.0).sum().backward()
        rec.append(x.grad.tolist())
    elif which == 16:  # grad_fn answers for ctx (one object in PyTorch)
        s, c, _ = SinCos.apply(x, 2.0)
        rec.append((s.grad_fn.k, c.grad_fn.needs_input_grad, s.grad_fn.saved_tensors[0].tolist()))
        try: s.grad_fn.nothing
        except AttributeError as e: rec.append(str(e))
        (s + c).sum().backward()
        try: c.grad_fn.saved_tensors
        except RuntimeError as e: rec.append(str(e)[:50])
    elif which == 17:  # once_differentiable: no graph in backward; a second order fails
        from importlib import import_module
        once = import_module(T.__name__ + ".autograd.function").once_differentiable
        class Sq(T.autograd.Function):
            @staticmethod
            def forward(ctx, x): ctx.save_for_backward(x); return x ** 2
            @staticmethod
            @once
            def backward(ctx, g):
                rec.append((g.requires_grad, T.is_grad_enabled()))
                return 2 * ctx.saved_tensors[0] * g
        g, = T.autograd.grad(Sq.apply(x), x, T.ones(3, dtype=T.float64, requires_grad=True),
                             create_graph=True)
        rec.append((g.grad_fn.name(), Sq.backward.__name__))
        try: g.sum().backward()
        except RuntimeError as e: rec.append(str(e))
    elif which == 18:  # mark_dirty: the input changed in place takes the function's node
        class Double(T.autograd.Function):
            @staticmethod
            def forward(ctx, a): a.mul_(2); ctx.mark_dirty(a); return a
            @staticmethod
            def backward(ctx, g): return g * 2
        y = x * 1; v = y[1:]; z = Double.apply(y)
        rec.append((z is y, z.grad_fn.name(), z._version, v.grad_fn.name()))
        (z.sum() + v.sum()).backward(); rec.append(x.grad.tolist())
        try: Double.apply(x)
        except RuntimeError as e: rec.append(str(e))
    return [tuple(r) if isinstance(r, tuple) else r for r in rec]


@pytest.mark.parametrize("which", range(19), ids=[
    "two-outputs-and-a-label", "one-output-unused", "non-differentiable-index",
    "no-materialize", "create-graph", "no-grad", "input-without-grad", "retain-graph",
    "wrong-number-of-grads", "tensor-hooks-first", "freed-other-output", "freed-same-output",
    "saved-output-modified", "saved-input-modified", "grad-for-non-tensor", "setup-context",
    "grad-fn-is-ctx", "once-differentiable", "mark-dirty"])
def test_several_outputs_as_pytorch(which):
    ours = scen(lab, which)
    assert ours == scen(require_torch(), which) and ours


def test_single_output_function_has_edges_for_tensor_arguments_only():
    class Scale(lab.autograd.Function):
        @staticmethod
        def forward(ctx, k, x, y):
            ctx.k = k
            return x * k + y

        @staticmethod
        def backward(ctx, g):
            return None, g * ctx.k, g

    x = lab.ones(2, requires_grad=True)
    out = Scale.apply(3.0, x, lab.ones(2))
    assert [type(f).__name__ for f, _ in out.grad_fn.next_functions] == ["AccumulateGrad",
                                                                          "NoneType"]
    out.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_an_integer_output_is_not_differentiable():
    def run(T):
        class Long(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return (x * 2).long()

            @staticmethod
            def backward(ctx, g):
                return g

        y = Long.apply(T.ones(2, requires_grad=True))
        return y.requires_grad, y.grad_fn is None, str(y.dtype)

    assert run(lab) == run(require_torch()) == (False, True, "torch.int64")
