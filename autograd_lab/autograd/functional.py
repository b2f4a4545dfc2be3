"""Whole derivatives of a function, built from reverse-mode passes (PyTorch's autograd.functional):
`vjp`, `jvp`, `jacobian`, `hessian`, `vhp` and `hvp`.

Each takes `func` and its `inputs` (a Tensor or a tuple of Tensors) and answers in the same
structure. Forward-mode products (`jvp`, `hvp`) use the double-backward trick, as PyTorch does:
the vector-Jacobian product u -> u^T J is linear in u, so differentiating it with respect to u
along v gives J v.
"""
from .._factories import zeros_like
from .._grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from .._ops import stack
from .._tensor import Tensor


def _as_tuple(value, what, fn):
    """(whether value was a tuple, value as a tuple of Tensors), with PyTorch's TypeError."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but the {where} has type {type(v)}.")
    return is_tuple, values


def _fresh(tensors, create_graph, need_graph):
    """New tensor objects to differentiate at: with create_graph, inputs that require grad stay
    connected to their own graph (through a view); else detached copies of the reference."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in tensors)


def _unpack(result, is_tuple):
    return result if is_tuple else result[0]


def _unpack_nested(jac, out_tuple, in_tuple):
    """A Jacobian's rows (one per output, each one per input) in the structure of the call."""
    if not in_tuple:
        jac = tuple(row[0] for row in jac)
    return jac if out_tuple else jac[0]


def _check_v(v, like, like_is_tuple):
    if len(v) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got "
                           f"{len(v)}." if like_is_tuple else
                           "The given v should contain a single Tensor.")
    for i, (vi, li) in enumerate(zip(v, like)):
        if vi.shape != li.shape:
            entry = f"Entry {i} in " if like_is_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {li.size()} but got "
                               f"{vi.size()}.")


def _vector(v, like, like_is_tuple, fn, create_graph, unset_message):
    """The user's v as a tuple checked against `like`; None only where `like` is one element."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(unset_message)
        return None
    _, v = _as_tuple(v, "v", fn)
    v = _fresh(v, create_graph, need_graph=False)
    _check_v(v, like, like_is_tuple)
    return v


_V_OUTPUT = ("The vector v can only be None if the user-provided function returns a single "
             "Tensor with a single element.")
_V_INPUT = ("The vector v can only be None if the input to the user-provided function is a "
            "single Tensor with a single element.")


_INDEPENDENT = {  # strict mode: input i got no gradient (by the pass that found it)
    "back": "The output of the user-provided function is independent of input {i}. This is not "
            "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
                         "in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward mode "
                         "AD.",
    "jacobian_row": "Output {output} of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode.",
}
_NEEDS_GRAD = {  # strict mode: what it means that tensor i does not require grad
    "outputs": "Output {i} of the user-provided function does not require gradients. The "
               "outputs must be computed in a differentiable manner from the input when running "
               "in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
                   "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
                "function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
}


def _check_strict(tensors, kind, strict):
    """In strict mode, PyTorch's error for a None (unused input) or a tensor without graph."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(_INDEPENDENT["back"].format(i=i))
        if not t.requires_grad:
            raise RuntimeError(_NEEDS_GRAD[kind].format(i=i))


def _outputs(func, inputs, fn, strict, single=False):
    is_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn)
    _check_strict(outputs, "outputs", strict)
    if single:
        if is_tuple:
            raise RuntimeError(f"The function given to {fn} should return a single Tensor")
        if outputs[0].numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn} should "
                               f"contain a single element")
    return is_tuple, outputs


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """autograd.grad over the outputs that require grad (None where an input is unused)."""
    from . import grad  # (the package imports this module before it defines grad)
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gs = zip(*pairs)
    gs = None if all(g is None for g in gs) else list(gs)
    return grad(list(outs), list(inputs), gs, retain_graph=retain_graph,
                create_graph=create_graph, allow_unused=True)


def _zeros_for_none(grads, like, strict, create_graph, stage, output=None):
    """grads with zeros where an input got none (an error in strict mode). For a Jacobian row
    (stage "jacobian_row"), `output` is its output's index, which PyTorch's messages name."""
    out = []
    for i, (g, ref) in enumerate(zip(grads, like)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i, output=output))
            g = zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i if output is None else output}. This is not allowed "
                               f"in strict mode when create_graph=True.")
        out.append(g)
    return tuple(out)


def _detached(tensors, create_graph):
    return tuple(tensors) if create_graph else tuple(t.detach() for t in tensors)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product, as `backward` computes it."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _outputs(func, inputs, "vjp", strict)
        v = _vector(v, outputs, out_tuple, "vjp", create_graph, _V_OUTPUT)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(outputs, inputs, v, create_graph)
        result = _zeros_for_none(grads, inputs, strict, create_graph, "back")
    return (_unpack(_detached(outputs, create_graph), out_tuple),
            _unpack(_detached(result, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product (forward mode, by double backward)."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, in_tuple, "jvp", create_graph, _V_INPUT)
        out_tuple, outputs = _outputs(func, inputs, "jvp", strict)
        u = tuple(zeros_like(out).requires_grad_() for out in outputs)
        u_jacobian = _grad(outputs, inputs, u, create_graph=True)  # u^T J, linear in u
        _check_strict(u_jacobian, "grad_inputs", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(u_jacobian, u, v, create_graph)
        result = _zeros_for_none(grads, outputs, strict, create_graph, "back_trick")
    return (_unpack(_detached(outputs, create_graph), out_tuple),
            _unpack(_detached(result, create_graph), out_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """d func(inputs) / d inputs: for each output and input, a tensor of shape output.shape +
    input.shape (nested tuples when either is a tuple). Reverse mode takes one backward pass
    per output element (`vectorize` changes nothing here), forward mode one `jvp` per input
    element."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    if strategy == "forward-mode":
        return _forward_jacobian(func, inputs, create_graph, strict, vectorize)
    if strict and vectorize:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _outputs(func, inputs, "jacobian", strict)
        jac = tuple(_jacobian_rows(i, out, inputs, create_graph, strict)
                    for i, out in enumerate(outputs))
    return _unpack_nested(tuple(_detached(row, create_graph) for row in jac), out_tuple, in_tuple)


def _forward_jacobian(func, inputs, create_graph, strict, vectorize):
    """The Jacobian column by column: J e_k for each basis vector e_k of the inputs."""
    if create_graph:
        raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and '
                                  '`strategy="forward-mode"` are not supported together (yet). '
                                  'Please either set `create_graph=False` or '
                                  '`strategy="reverse-mode"`.')
    if strict:
        raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and '
                           '`strategy="forward-mode"` are not supported together (yet). Please '
                           'either set `strict=False` or `strategy="reverse-mode"`.')
    if not vectorize:  # (PyTorch's message, its missing space included)
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse "
                                  "Hessian isonly implemented for `vectorize=True`.")
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    columns = [[] for _ in inputs]
    out_tuple, outputs = _outputs(func, inputs, "jacobian", strict)
    for j, x in enumerate(inputs):
        for k in range(x.numel()):
            basis = tuple(zeros_like(t) for t in inputs)
            basis[j].view(-1)[k] = 1
            columns[j].append(_as_tuple(jvp(func, inputs, basis)[1], "outputs", "jacobian")[1])
    jac = [[stack([c[i] for c in cols], -1).reshape(out.shape + x.shape) if cols else
            x.new_zeros(out.shape + x.shape) for cols, x in zip(columns, inputs)]
           for i, out in enumerate(outputs)]  # lists, as PyTorch's forward mode returns them
    return _unpack_nested(jac, out_tuple, in_tuple)


def _jacobian_rows(i, out, inputs, create_graph, strict):
    """The Jacobian of output i with respect to each input: one backward per element of it."""
    rows = [[] for _ in inputs]
    flat = out.reshape(-1)
    for k in range(out.numel()):
        grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for row, g in zip(rows, _zeros_for_none(grads, inputs, strict, create_graph,
                                                "jacobian_row", i)):
            row.append(g)
    return tuple(stack(r).reshape(out.shape + inp.shape)  # (an empty output: PyTorch's error)
                 for r, inp in zip(rows, inputs))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The second derivatives of a scalar func: the Jacobian of its gradient (for tuple inputs,
    a tuple of tuples: block [i][j] has shape inputs[i].shape + inputs[j].shape)."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*xs):
        return _outputs(func, xs, "hessian", strict, single=True)[1][0].squeeze()

    def gradient(*xs):
        g = jacobian(scalar_func, xs, create_graph=True)
        _check_strict(g, "jacobian", strict)
        return g

    h = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                 strategy=outer_jacobian_strategy)
    return h if in_tuple else h[0][0]


def _second_order(fn, func, inputs, v, create_graph, strict):
    """(inputs, v, outputs, gradient of the scalar func) for vhp and hvp, recorded."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", fn)
    inputs = _fresh(inputs, create_graph, need_graph=True)
    v = _vector(v, inputs, in_tuple, fn, create_graph, _V_INPUT)
    out_tuple, outputs = _outputs(func, inputs, fn, strict, single=True)
    jac = _grad(outputs, inputs, create_graph=True)
    _check_strict(jac, "jacobian", strict)
    return in_tuple, inputs, v, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar func: the gradient of its gradient along v."""
    with enable_grad():
        in_tuple, inputs, v, outputs, jac = _second_order("vhp", func, inputs, v, create_graph,
                                                          strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(jac, inputs, v, create_graph)
        result = _zeros_for_none(grads, inputs, strict, create_graph, "double_back")
    return _detached(outputs, create_graph)[0], _unpack(_detached(result, create_graph), in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func, by the double-backward trick (H is symmetric for
    twice continuously differentiable functions, so it equals vhp there)."""
    with enable_grad():
        in_tuple, inputs, v, outputs, jac = _second_order("hvp", func, inputs, v, create_graph,
                                                          strict)
        u = tuple(zeros_like(x).requires_grad_() for x in inputs)
        u_hessian = _grad(jac, inputs, u, create_graph=True)  # u^T H, linear in u
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(u_hessian, u, v, create_graph)
        result = _zeros_for_none(grads, inputs, strict, create_graph, "double_back_trick")
    return _detached(outputs, create_graph)[0], _unpack(_detached(result, create_graph), in_tuple)
