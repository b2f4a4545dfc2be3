"""Bad input across the public API: PyTorch's exception type and wording, nothing half-changed.

Each row builds its own objects from a module `M` and makes one bad call. The call must raise
the listed exception with a message matching the pattern; with torch installed the very same
row runs on PyTorch and must raise the same type with a message matching the same pattern
(rows marked `ours` test stricter guarantees than PyTorch gives, or API PyTorch lacks). When a
row has a `state` function, the state it returns must be identical before and after the call.
"""
import copy

import numpy as np
import pytest

import autograd_lab


class Row:
    def __init__(self, id, exc, match, make, state=None, ours=False):
        self.id, self.exc, self.match, self.make = id, exc, match, make
        self.state, self.ours = state, ours


def _x(M, requires_grad=True):
    return M.tensor([1.0, 2.0], requires_grad=requires_grad)


def _values(*tensors):
    """A comparable snapshot: values, versions, grads and graph links of tensors."""
    return [(t.detach().numpy().tolist(), t._version, t.requires_grad, type(t.grad_fn).__name__,
             None if t.grad is None else t.grad.tolist()) for t in tensors]


def _module_state(m):
    return {k: v.detach().numpy().tolist() for k, v in m.state_dict().items()}


def call(fn, state=None):
    """A row's `make` result: the bad call, and what must not change."""
    return fn, state


def inplace_on_leaf(M):
    x = _x(M)
    return call(lambda: x.add_(1), lambda: _values(x))


def inplace_broadcast(M):
    x = M.ones(2)
    return call(lambda: x.add_(M.ones(2, 2)), lambda: _values(x))


def inplace_cast(M):
    x = M.tensor([1, 2])
    return call(lambda: x.mul_(1.5), lambda: _values(x))


def setitem_shape(M):
    x = M.zeros(2, 3)
    return call(lambda: x.__setitem__(0, M.ones(2)), lambda: _values(x))


def setitem_type(M):
    x = M.zeros(2)
    return call(lambda: x.__setitem__(0, "a"), lambda: _values(x))


def copy_shape(M):
    x = M.zeros(2)
    return call(lambda: x.copy_(M.ones(3)), lambda: _values(x))


def fill_leaf(M):
    x = _x(M)
    return call(lambda: x.fill_(0), lambda: _values(x))


def grad_shape(M):
    x = _x(M)
    return call(lambda: setattr(x, "grad", M.zeros(3)), lambda: _values(x))


def grad_type(M):
    x = _x(M)
    return call(lambda: setattr(x, "grad", [1.0, 2.0]), lambda: _values(x))


def requires_grad_int(M):
    x = M.tensor([1, 2])
    return call(lambda: x.requires_grad_(), lambda: _values(x))


def requires_grad_nonleaf(M):
    y = _x(M) * 2
    return call(lambda: y.requires_grad_(False), lambda: _values(y))


def backward_twice(M):
    x = _x(M)
    y = (x * x).sum()
    y.backward()
    return call(y.backward, lambda: _values(x))


def backward_nonscalar(M):
    x = _x(M)
    return call(lambda: (x * 2).backward(), lambda: _values(x))


def backward_no_grad(M):
    return call(lambda: (_x(M, False) * 2).sum().backward())


def backward_shape(M):
    x = _x(M)
    y = x * 2
    return call(lambda: y.backward(M.ones(3)), lambda: _values(x))


def backward_gradient_type(M):
    x = _x(M)
    return call(lambda: (x * 2).sum().backward("a"), lambda: _values(x))


def backward_detached(M):
    x = _x(M)
    return call(lambda: ((x * 2).detach() * 2).sum().backward(), lambda: _values(x))


def grad_unused(M):
    x, z = _x(M), _x(M)
    return call(lambda: M.autograd.grad((x * 2).sum(), [x, z]), lambda: _values(x, z))


def grad_not_requiring(M):
    x, z = _x(M), _x(M, False)
    return call(lambda: M.autograd.grad((x * z).sum(), [x, z]), lambda: _values(x, z))


def grad_count(M):
    x = _x(M)
    y = x * 2
    return call(lambda: M.autograd.grad([y, y], [x], grad_outputs=[M.ones(2)]),
                lambda: _values(x))


def grad_outputs_shape(M):
    x = _x(M)
    return call(lambda: M.autograd.grad(x * 2, x, grad_outputs=M.ones(3)), lambda: _values(x))


def linear_shapes(M):
    M.manual_seed(0)
    lin = M.nn.Linear(3, 2)
    return call(lambda: lin(M.ones(4, 2)), lambda: _module_state(lin))


def param_assign(M):
    lin = M.nn.Linear(3, 2)
    return call(lambda: setattr(lin, "weight", M.zeros(2, 3)), lambda: _module_state(lin))


def param_dotted(M):
    lin = M.nn.Linear(3, 2)
    return call(lambda: lin.register_parameter("a.b", M.nn.Parameter(M.zeros(1))),
                lambda: _module_state(lin))


def load_missing(M):
    M.manual_seed(0)
    lin = M.nn.Linear(3, 2)
    new = {"weight": M.ones(2, 3)}  # "bias" missing: nothing may be loaded (PyTorch loads weight)
    return call(lambda: lin.load_state_dict(new), lambda: _module_state(lin))


def load_size(M):
    lin = M.nn.Linear(3, 2)
    new = {"weight": M.ones(2, 3), "bias": M.ones(5)}
    return call(lambda: lin.load_state_dict(new), lambda: _module_state(lin))


def load_unexpected(M):
    lin = M.nn.Linear(3, 2)
    new = dict(lin.state_dict(), extra=M.ones(1))
    new["weight"] = M.ones(2, 3)
    return call(lambda: lin.load_state_dict(new), lambda: _module_state(lin))


def load_not_dict(M):
    lin = M.nn.Linear(3, 2)
    return call(lambda: lin.load_state_dict([1, 2]), lambda: _module_state(lin))


def _sgd(M):
    lin = M.nn.Linear(2, 1)
    opt = M.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    lin(M.ones(1, 2)).sum().backward()
    opt.step()
    return lin, opt


def _opt_state(lin, opt):
    return (_module_state(lin), len(opt.param_groups), [g["lr"] for g in opt.param_groups],
            {k: copy.deepcopy(v["momentum_buffer"].tolist()) for k, v in
             enumerate(opt.state.values())})


def opt_duplicate_group(M):
    lin, opt = _sgd(M)
    return call(lambda: opt.add_param_group({"params": [lin.weight]}),
                lambda: _opt_state(lin, opt))


def opt_load_groups(M):
    lin, opt = _sgd(M)
    sd = opt.state_dict()
    sd["param_groups"] = sd["param_groups"] * 2
    return call(lambda: opt.load_state_dict(sd), lambda: _opt_state(lin, opt))


def opt_load_sizes(M):
    lin, opt = _sgd(M)
    sd = opt.state_dict()
    sd["param_groups"][0]["params"] = [0]
    return call(lambda: opt.load_state_dict(sd), lambda: _opt_state(lin, opt))


def opt_set_group(M):
    lin, opt = _sgd(M)
    extra = M.nn.Linear(2, 1)
    return call(lambda: opt.add_param_group({"params": set(extra.parameters())}),
                lambda: _opt_state(lin, opt))


def tensor_name(M):
    x = _x(M)
    x.name = "x"
    return call(lambda: setattr(x, "name", 3), lambda: (x.name, _values(x)))


def viz_budget_type(M):
    before = M.viz.get_options()
    return call(lambda: M.viz.set_options(inline=False, budget="a"),
                lambda: (before == M.viz.get_options(), M.viz.get_options()))


def _function(M, grads, save=()):
    """An autograd.Function multiplying two inputs whose backward returns `grads(g)`."""
    class Mul(M.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(*save)
            return a * b

        @staticmethod
        def backward(ctx, g):
            return grads(M, g)
    x, y = _x(M), _x(M)
    return call(lambda: Mul.apply(x, y).sum().backward(), lambda: _values(x, y))


def _hook(M, result, on_leaf):
    """A tensor hook returning `result(M)` instead of a gradient of the right size and type."""
    x = _x(M)
    y = x * 2
    (x if on_leaf else y).register_hook(lambda g: result(M))
    return call(lambda: (y * 2).sum().backward(), lambda: _values(x))


def data_list(M):
    x = _x(M)
    return call(lambda: setattr(x, "data", [5.0, 6.0]), lambda: _values(x))


def detach_view(M):
    x = _x(M) * 1
    v = x[0]
    return call(v.detach_, lambda: (_values(v), v.requires_grad))


def grad_mode_str(M):
    return call(lambda: M.set_grad_enabled("no"), M.is_grad_enabled)


def rg_attr_str(M):
    x = M.ones(2)
    return call(lambda: setattr(x, "requires_grad", "yes"), lambda: _values(x))


def rg_attr_int(M):
    x = M.tensor([1, 2])
    return call(lambda: setattr(x, "requires_grad", True), lambda: _values(x))


def rg_attr_nonleaf(M):
    y = _x(M) * 2
    return call(lambda: setattr(y, "requires_grad", False), lambda: _values(y))


def lin2(M):
    return M.nn.Linear(2, 1).parameters()


R, T, V, I, K = RuntimeError, TypeError, ValueError, IndexError, KeyError
ROWS = [
    # ---- factories ----
    Row("tensor None", R, "Could not infer dtype of NoneType",
        lambda M: call(lambda: M.tensor(None))),
    Row("tensor str", T, "", lambda M: call(lambda: M.tensor("abc"))),
    Row("tensor ragged", V, r"expected sequence of length 2 at dim 1 \(got 1\)",
        lambda M: call(lambda: M.tensor([[1, 2], [3]]))),
    Row("tensor mixed", T, "", lambda M: call(lambda: M.tensor([1, "a"]))),
    Row("tensor object array", T, "can't convert np.ndarray of type numpy.object_",
        lambda M: call(lambda: M.tensor(np.array([1, None])))),
    Row("tensor int requires_grad", R, "Only Tensors of floating point",
        lambda M: call(lambda: M.tensor([1, 2], requires_grad=True))),
    Row("zeros negative", R, "negative",  # PyTorch: "zeros: Dimension size must be non-negative."
        lambda M: call(lambda: M.zeros(-1))),
    Row("zeros float size", T, "", lambda M: call(lambda: M.zeros(2.5))),
    Row("ones str size", T, "", lambda M: call(lambda: M.ones("a"))),
    Row("ones None in size", T, "", lambda M: call(lambda: M.ones((2, None)))),
    Row("randn negative", R, "negative dimension", lambda M: call(lambda: M.randn(-2))),
    Row("arange zero step", R, "step must be nonzero", lambda M: call(lambda: M.arange(0, 10, 0))),
    Row("arange wrong sign", R, "upper bound and lower bound inconsistent with step sign",
        lambda M: call(lambda: M.arange(10, 0, 1))),
    Row("randint empty range", R, "random_ expects 'from' to be less than 'to'",
        lambda M: call(lambda: M.randint(5, 2, (3,)))),
    Row("full str value", T, "", lambda M: call(lambda: M.full((2,), "x"))),
    Row("eye negative", R, "n must be greater or equal to 0, got -1",
        lambda M: call(lambda: M.eye(-1))),
    Row("linspace negative", R, "number of steps must be non-negative",
        lambda M: call(lambda: M.linspace(0, 1, -1))),
    Row("from_numpy list", T, "expected np.ndarray", lambda M: call(lambda: M.from_numpy([1]))),
    # ---- ops ----
    Row("add str", T, "unsupported operand type", lambda M: call(lambda: M.ones(2) + "a")),
    Row("mul None", T, "unsupported operand type", lambda M: call(lambda: M.ones(2) * None)),
    Row("broadcast", R, r"The size of tensor a \(2\) must match the size of tensor b \(3\) at "
        r"non-singleton dimension 0", lambda M: call(lambda: M.ones(2) + M.ones(3))),
    Row("mm shapes", R, r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)",
        lambda M: call(lambda: M.ones(2, 3) @ M.ones(2, 3))),
    Row("matmul 0-d", R, "both arguments to matmul need to be at least 1D",
        lambda M: call(lambda: M.matmul(M.tensor(1.0), M.ones(2)))),
    Row("dot sizes", R, "inconsistent tensor size",
        lambda M: call(lambda: M.dot(M.ones(2), M.ones(3)))),
    Row("sum dim range", I, r"Dimension out of range \(expected to be in range of \[-1, 0\], but "
        r"got 5\)", lambda M: call(lambda: M.ones(2).sum(5))),
    Row("sum dim str", T, "", lambda M: call(lambda: M.ones(2).sum("a"))),
    Row("reshape size", R, r"shape '\[5\]' is invalid for input of size 4",
        lambda M: call(lambda: M.ones(4).reshape(5))),
    Row("view two -1", R, "only one dimension can be inferred",
        lambda M: call(lambda: M.ones(4).view(-1, -1))),
    Row("permute length", R, "number of dimensions in the tensor input does not match",
        lambda M: call(lambda: M.ones(2, 2).permute(0))),
    Row("permute repeated", R, "duplicate dims are not allowed",
        lambda M: call(lambda: M.ones(2, 2).permute(0, 0))),
    Row("transpose range", I, "Dimension out of range",
        lambda M: call(lambda: M.ones(2, 2).transpose(0, 3))),
    Row("unsqueeze range", I, "Dimension out of range",
        lambda M: call(lambda: M.ones(2).unsqueeze(3))),
    Row("squeeze range", I, "Dimension out of range", lambda M: call(lambda: M.ones(2).squeeze(2))),
    Row("flatten order", R, "flatten\\(\\) has invalid args: start_dim cannot come after end_dim",
        lambda M: call(lambda: M.ones(2, 2).flatten(1, 0))),
    Row("expand size", R, "The expanded size of the tensor",
        lambda M: call(lambda: M.ones(2).expand(3))),
    Row("t of 3-d", R, "t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D",
        lambda M: call(lambda: M.ones(1, 1, 1).t())),
    Row("index range", I, "index 5 is out of bounds for dimension 0 with size 4",
        lambda M: call(lambda: M.ones(4)[5])),
    Row("index too many", I, "too many indices for tensor of dimension 1",
        lambda M: call(lambda: M.ones(4)[0, 0])),
    Row("index float", I, "only integers, slices", lambda M: call(lambda: M.ones(4)[1.5])),
    Row("index str", T, "", lambda M: call(lambda: M.ones(4)["a"])),
    Row("index float tensor", I, "tensors used as indices must be long, int, byte or bool tensors",
        lambda M: call(lambda: M.ones(4)[M.tensor([0.5])])),
    Row("cat empty", V, "expected a non-empty list of Tensors", lambda M: call(lambda: M.cat([]))),
    Row("cat tensor", T, "must be tuple of Tensors", lambda M: call(lambda: M.cat(M.ones(2)))),
    Row("cat sizes", R, "Sizes of tensors must match except in dimension 0",
        lambda M: call(lambda: M.cat([M.ones(2, 2), M.ones(2, 3)]))),
    Row("stack empty", R, "stack expects a non-empty TensorList",
        lambda M: call(lambda: M.stack([]))),
    Row("stack sizes", R, "stack expects each tensor to be equal size",
        lambda M: call(lambda: M.stack([M.ones(2), M.ones(3)]))),
    Row("item many", R, "a Tensor with 2 elements cannot be converted to Scalar",
        lambda M: call(lambda: M.ones(2).item())),
    Row("bool many", R, "Boolean value of Tensor with more than one value is ambiguous",
        lambda M: call(lambda: bool(M.ones(2)))),
    Row("len 0-d", T, "len\\(\\) of a 0-d tensor", lambda M: call(lambda: len(M.tensor(1.0)))),
    Row("iter 0-d", T, "iteration over a 0-d tensor", lambda M: call(lambda: iter(M.tensor(1.0)))),
    Row("softmax dim", I, "Dimension out of range",
        lambda M: call(lambda: M.softmax(M.ones(2), 3))),
    Row("where cond", R, "where expected condition to be a boolean tensor",
        lambda M: call(lambda: M.where(M.ones(2), M.ones(2), M.zeros(2)))),
    Row("clamp no bounds", R, "At least one of 'min' or 'max' must not be None",
        lambda M: call(lambda: M.clamp(M.ones(2)))),
    Row("mean int", R, "mean\\(\\): could not infer output dtype",
        lambda M: call(lambda: M.tensor([1, 2]).mean())),
    Row("max empty", R, "Expected reduction dim to be specified for input.numel\\(\\) == 0",
        lambda M: call(lambda: M.ones(0).max())),
    Row("numpy requires grad", R, "Can't call numpy\\(\\) on Tensor that requires grad",
        lambda M: call(lambda: _x(M).numpy())),
    Row("exp of list", T, "", lambda M: call(lambda: M.exp([1.0]))),
    Row("pow str", T, "", lambda M: call(lambda: M.ones(2) ** "a")),
    # ---- in-place ops and mutation: nothing half-changed ----
    Row("add_ on leaf", R, "a leaf Variable that requires grad is being used in an in-place "
        "operation", inplace_on_leaf),
    Row("add_ broadcast", R, r"output with shape \[2\] doesn't match the broadcast shape \[2, 2\]",
        inplace_broadcast),
    Row("mul_ int by float", R, "result type Float can't be cast to the desired output type Long",
        inplace_cast),
    Row("setitem shape", R, "", setitem_shape),
    Row("setitem str", T, "", setitem_type),
    Row("copy_ shape", R, "", copy_shape),
    Row("fill_ on leaf", R, "a leaf Variable that requires grad is being used in an in-place "
        "operation", fill_leaf),
    Row("grad shape", R, r"attempting to assign a gradient of size '\[3\]' to a tensor of size "
        r"'\[2\]'", grad_shape),
    Row("grad type", T, "assigned grad expected to be a Tensor or None", grad_type),
    Row("requires_grad = str", R, "requires_grad must be a bool", rg_attr_str),
    Row("requires_grad = True on int", R, "only Tensors of floating point and complex dtype can "
        "require gradients", rg_attr_int),
    Row("requires_grad = False on non-leaf", R, "you can only change requires_grad flags of leaf "
        "variables", rg_attr_nonleaf),
    Row("requires_grad_ int", R, "only Tensors of floating point dtype can require gradients",
        requires_grad_int),
    Row("requires_grad_ non-leaf", R, "you can only change requires_grad flags of leaf variables",
        requires_grad_nonleaf),
    Row("data = list", T, "Variable data has to be a tensor, but got list", data_list),
    Row("detach_ of a view", R, "Can't detach views in-place. Use detach\\(\\) instead",
        detach_view),
    Row("set_grad_enabled str", T, "set_grad_enabled\\(\\): argument 'enabled' \\(position 1\\) "
        "must be bool, not str", grad_mode_str),
    Row("ones_like list", T, "ones_like\\(\\): argument 'input' \\(position 1\\) must be Tensor, "
        "not list", lambda M: call(lambda: M.ones_like([1.0]))),
    Row("retain_grad no grad", R, "can't retain_grad on Tensor that has requires_grad=False",
        lambda M: call(lambda: M.ones(2).retain_grad())),
    Row("register_hook no grad", R, "cannot register a hook on a tensor that doesn't require "
        "gradient", lambda M: call(lambda: M.ones(2).register_hook(print))),
    # ---- backward and autograd.grad ----
    Row("backward twice", R, "Trying to backward through the graph a second time", backward_twice),
    Row("backward non-scalar", R, "grad can be implicitly created only for scalar outputs",
        backward_nonscalar),
    Row("backward no grad", R, "element 0 of tensors does not require grad and does not have a "
        "grad_fn", backward_no_grad),
    Row("backward detached", R, "element 0 of tensors does not require grad", backward_detached),
    Row("backward gradient shape", R, r"Mismatch in shape: grad_output\[0\] has a shape of "
        r"torch.Size\(\[3\]\) and output\[0\] has a shape of torch.Size\(\[2\]\)", backward_shape),
    Row("backward gradient str", T, "gradients can be either Tensors or None, but got str",
        backward_gradient_type),
    Row("backward inputs empty", R, "`inputs` argument to `backward\\(\\)` cannot be empty",
        lambda M: call(lambda: (_x(M) * 2).sum().backward(inputs=[]))),
    Row("grad unused", R, "The differentiated Tensor at index 1 appears to not have been used "
        "in the graph. Set allow_unused=True", grad_unused),
    Row("grad not requiring", R, "One of the differentiated Tensors does not require grad",
        grad_not_requiring),
    Row("grad outputs count", R, "got 2 tensors and 1 gradients", grad_count),
    Row("grad outputs shape", R, "Mismatch in shape", grad_outputs_shape),
    Row("grad of str", T, "expected a Tensor as output 0, got str",  # PyTorch: AssertionError
        lambda M: call(lambda: M.autograd.grad("a", _x(M))), ours=True),
    Row("grad wrt list of ints", R, "all inputs have to be Tensors",
        lambda M: call(lambda: M.autograd.grad((_x(M) * 2).sum(), [1]))),
    Row("Function gradient count", R, "function MulBackward returned an incorrect number of "
        r"gradients \(expected 2, got 1\)", lambda M: _function(M, lambda M, g: g * 2)),
    Row("Function gradient shape", R, r"Function MulBackward returned an invalid gradient at "
        r"index 1 - got \[3\] but expected shape compatible with \[2\]",
        lambda M: _function(M, lambda M, g: (g, M.ones(3)))),
    Row("Function gradient str", R, r"expected Variable or None \(got str\)",
        lambda M: _function(M, lambda M, g: ("x", g))),
    Row("Function saves a float", T, "save_for_backward can only save variables, but argument 0 "
        "is of type float", lambda M: _function(M, lambda M, g: (g, g), save=(1.5,))),
    Row("leaf hook changes size", R, "hook '<lambda>' has changed the size of value",
        lambda M: _hook(M, lambda M: M.ones(3), True)),
    Row("hook changes size", R, "hook '<lambda>' has changed the size of value",
        lambda M: _hook(M, lambda M: M.ones(1), False)),
    Row("hook returns str", T, "expected Variable, but hook returned 'str'",
        lambda M: _hook(M, lambda M: "g", False)),
    Row("hook changes dtype", R, r"hook '<lambda>' has changed the type of value \(was "
        r"torch.FloatTensor got torch.DoubleTensor\)",
        lambda M: _hook(M, lambda M: M.ones(2, dtype=M.float64), True)),
    Row("gradcheck nothing to check", V, "gradcheck expects at least one input tensor to require "
        "gradient", lambda M: call(
            lambda: M.autograd.gradcheck(M.exp, (M.ones(2, dtype=M.float64),)))),
    # ---- nn ----
    Row("Linear float size", T, "", lambda M: call(lambda: M.nn.Linear(2.5, 3))),
    Row("Linear negative", R, "Trying to create tensor with negative dimension",
        lambda M: call(lambda: M.nn.Linear(-1, 3))),
    Row("Linear input shape", R, r"mat1 and mat2 shapes cannot be multiplied \(4x2 and 3x2\)",
        linear_shapes),
    Row("Linear list input", T, "", lambda M: call(lambda: M.nn.Linear(2, 1)([1.0, 2.0]))),
    Row("assign tensor as parameter", T, "cannot assign 'torch.FloatTensor' as parameter 'weight'"
        r" \(torch.nn.Parameter or None expected\)", param_assign),
    Row("parameter name with dot", K, "parameter name can.+t contain", param_dotted),
    Row("Module without forward", NotImplementedError, "missing the required \"forward\" function",
        lambda M: call(lambda: M.nn.Module()(1))),
    Row("Sequential of int", T, "int is not a Module subclass",
        lambda M: call(lambda: M.nn.Sequential(1))),
    Row("Dropout p", V, "dropout probability has to be between 0 and 1, but got 1.5",
        lambda M: call(lambda: M.nn.Dropout(1.5))),
    Row("Parameter of list", T, "argument 'data' must be Tensor, not list",  # PyTorch: Attr...
        lambda M: call(lambda: M.nn.Parameter([1.0])), ours=True),
    Row("mse broadcast", R, "The size of tensor a", lambda M: call(
        lambda: M.nn.functional.mse_loss(M.ones(2), M.ones(3)))),
    Row("mse list", T, "must be Tensor, not list", lambda M: call(
        lambda: M.nn.functional.mse_loss([1.0], M.ones(1))), ours=True),  # PyTorch: AttributeError
    Row("mse reduction", V, "sum_all is not a valid value for reduction", lambda M: call(
        lambda: M.nn.functional.mse_loss(M.ones(1), M.ones(1), reduction="sum_all"))),
    Row("cross_entropy target range", I, "Target 5 is out of bounds", lambda M: call(
        lambda: M.nn.functional.cross_entropy(M.ones(2, 3), M.tensor([0, 5])))),
    Row("cross_entropy batch", V, r"Expected input batch_size \(2\) to match target batch_size "
        r"\(3\)", lambda M: call(lambda: M.nn.functional.cross_entropy(M.ones(2, 3),
                                                                        M.tensor([0, 1, 2])))),
    Row("nll float target", R, "expected target dtype to be Long or Byte, but got Float",
        lambda M: call(lambda: M.nn.functional.nll_loss(M.ones(2, 3), M.ones(2)))),
    Row("bce range", R, "all elements of input should be between 0 and 1", lambda M: call(
        lambda: M.nn.functional.binary_cross_entropy(M.tensor([1.5]), M.tensor([1.0])))),
    # ---- state_dict: validated before anything is loaded ----
    Row("load_state_dict missing", R, "Error\\(s\\) in loading state_dict for Linear:\n\t"
        "Missing key\\(s\\) in state_dict: \"bias\"", load_missing, ours=True),
    Row("load_state_dict size", R, "size mismatch for bias: copying a param with shape "
        r"torch.Size\(\[5\]\) from checkpoint, the shape in current model is torch.Size\(\[2\]\)",
        load_size, ours=True),
    Row("load_state_dict unexpected", R, "Unexpected key\\(s\\) in state_dict: \"extra\"",
        load_unexpected, ours=True),
    Row("load_state_dict list", T, "Expected state_dict to be dict-like, got <class 'list'>",
        load_not_dict),
    # ---- optimizers ----
    Row("SGD negative lr", V, "Invalid learning rate: -1",
        lambda M: call(lambda: M.optim.SGD(lin2(M), lr=-1))),
    Row("SGD empty", V, "optimizer got an empty parameter list",
        lambda M: call(lambda: M.optim.SGD([], lr=0.1))),
    Row("SGD of tensor", T, "params argument given to the optimizer should be an iterable of "
        "Tensors or dicts, but got torch.FloatTensor",
        lambda M: call(lambda: M.optim.SGD(M.ones(2, requires_grad=True), lr=0.1))),
    Row("SGD momentum", V, "Invalid momentum value: -1",
        lambda M: call(lambda: M.optim.SGD(lin2(M), lr=0.1, momentum=-1))),
    Row("SGD nesterov", V, "Nesterov momentum requires a momentum and zero dampening",
        lambda M: call(lambda: M.optim.SGD(lin2(M), lr=0.1, nesterov=True))),
    Row("SGD of ints", T, "optimizer can only optimize Tensors",
        lambda M: call(lambda: M.optim.SGD([1, 2], lr=0.1))),
    Row("SGD non-leaf", V, "can't optimize a non-leaf Tensor",
        lambda M: call(lambda: M.optim.SGD([_x(M) * 2], lr=0.1))),
    Row("param group of set", T, "optimizer parameters need to be organized in ordered "
        "collections", opt_set_group),
    Row("Adam beta", V, "Invalid beta parameter at index 0: 1.5",
        lambda M: call(lambda: M.optim.Adam(lin2(M), betas=(1.5, 0.9)))),
    Row("Adam eps", V, "Invalid epsilon value: -1",
        lambda M: call(lambda: M.optim.Adam(lin2(M), eps=-1))),
    Row("Adam weight_decay", V, "Invalid weight_decay value: -1",
        lambda M: call(lambda: M.optim.Adam(lin2(M), weight_decay=-1))),
    Row("add_param_group duplicate", V, "some parameters appear in more than one parameter group",
        opt_duplicate_group),
    Row("optimizer load groups", V, "loaded state dict has a different number of parameter "
        "groups", opt_load_groups),
    Row("optimizer load sizes", V, "loaded state dict contains a parameter group that doesn't "
        "match the size of optimizer's group", opt_load_sizes),
    Row("StepLR of int", T, "int is not an Optimizer",
        lambda M: call(lambda: M.optim.lr_scheduler.StepLR(1, step_size=1))),
    Row("name not str", T, "name must be a str or None, got int", tensor_name, ours=True),
    # ---- viz (autograd_lab only) ----
    Row("to_svg of str", T, "expected a Tensor to draw the graph of, got str",
        lambda M: call(lambda: M.viz.to_svg("y")), ours=True),
    Row("to_networkx of list", T, "expected a Tensor to draw the graph of, got list",
        lambda M: call(lambda: M.viz.to_networkx([1.0])), ours=True),
    Row("show of None", T, "expected a Tensor to draw the graph of, got NoneType",
        lambda M: call(lambda: M.viz.show(None)), ours=True),
    Row("unknown viz option", T, "unknown viz option\\(s\\) 'colour'",
        lambda M: call(lambda: M.viz.to_svg(_x(M) * 2, colour="red")), ours=True),
    Row("viz budget type", T, "budget must be None or an int >= 3, got str", viz_budget_type,
        ours=True),
    Row("viz budget small", V, "budget must be None or an int >= 3, got 1",
        lambda M: call(lambda: M.viz.to_svg(_x(M) * 2, budget=1)), ours=True),
    Row("viz names type", T, "names must be True, False or a mapping, got int",
        lambda M: call(lambda: M.viz.to_svg(_x(M) * 2, names=3)), ours=True),
    Row("viz save format", V, "cannot tell the format of '.*graph.gif'",
        lambda M: call(lambda: M.viz.save(_x(M) * 2, "graph.gif")), ours=True),
    Row("viz draw ax", T, "ax must be a matplotlib Axes, got int",
        lambda M: call(lambda: M.viz.draw(_x(M) * 2, ax=3)), ours=True),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input(row):
    bad, state = row.make(autograd_lab)
    before = state() if state else None
    with pytest.raises(row.exc, match=row.match) as info:
        bad()
    assert type(info.value) is row.exc, (
        f"raised {type(info.value).__name__}, PyTorch raises {row.exc.__name__}")
    if state:
        assert state() == before, "the failed call left the object half-changed"


@pytest.mark.parametrize("row", [r for r in ROWS if not r.ours], ids=[r.id for r in ROWS
                                                                    if not r.ours])
def test_pytorch_raises_the_same(row):
    """Keeps the table honest: every row's expectation is what PyTorch itself does."""
    torch = pytest.importorskip("torch")
    bad, _ = row.make(torch)
    with pytest.raises(Exception) as info:
        bad()
    assert type(info.value) is row.exc, f"PyTorch raises {type(info.value).__name__}: {info.value}"
    assert info.match(row.match)


def test_table_size():
    assert len(ROWS) >= 100, len(ROWS)
