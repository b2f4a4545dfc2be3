"""Bad calls raise PyTorch's exception type with a clear message (PyTorch's searchable words),
never an internal AttributeError or a numpy traceback, and leave every tensor as it was."""
import traceback

import pytest

import autograd_lab as lab
from helpers import require_torch


def _backward_through_modified_input(T, x):
    a = x * 1
    b = a * a
    a.add_(1)
    b.sum().backward()


def _backward_through_modified_output(T, x):
    y = x.exp()
    y.mul_(2)
    y.sum().backward()


# (expected type, code run with T (autograd_lab or torch) and the tensors of `make_tensors`,
#  a phrase both libraries' messages contain, or None where the wordings differ)
CASES = [
    # making tensors
    (TypeError, 'T.tensor("abc")', "invalid data type 'str'"),
    (ValueError, "T.tensor([[1, 2], [3]])", "expected sequence of length 2 at dim 1"),
    (ValueError, "T.tensor([[1.0, 2.0], []])", "expected sequence of length 2 at dim 1"),
    (TypeError, "T.tensor([[1, 2], 3])", "not a sequence"),
    (TypeError, "T.tensor([1, [2]])", None),
    (RuntimeError, "T.tensor(None)", "Could not infer dtype of NoneType"),
    (RuntimeError, "T.tensor([1.0, None])", "Could not infer dtype of NoneType"),
    (RuntimeError, "T.tensor({})", "Could not infer dtype of dict"),
    (ValueError, "T.tensor([v, v])", "only one element tensors"),
    (RuntimeError, "T.tensor([1, 2], requires_grad=True)", "floating point"),
    (RuntimeError, "T.tensor([300], dtype=T.int8)", "without overflow"),
    (RuntimeError, "T.zeros(-1)", None),
    (RuntimeError, "T.arange(0, 5, 0)", "step must be nonzero"),
    # operands
    (RuntimeError, "v + T.ones(4)", "The size of tensor a (3) must match the size of tensor b "
                                    "(4) at non-singleton dimension 0"),
    (RuntimeError, "y * T.ones(2, 4)", "at non-singleton dimension 1"),
    (RuntimeError, "T.where(v > 1, v, T.ones(4))", "must match the size"),
    (RuntimeError, "T.maximum(v, T.ones(2))", "must match the size"),
    (RuntimeError, "v.clamp(T.ones(4))", "must match the size"),
    (TypeError, 'v * "a"', None),
    (TypeError, "v + None", "unsupported operand type"),
    (TypeError, '"a" - v', "unsupported operand type"),
    (TypeError, "None @ v", "unsupported operand type"),
    (TypeError, "v < [1, 2, 3]", "not supported between instances"),
    (TypeError, "T.maximum(v, 1.0)", None),
    (RuntimeError, "x @ x", "cannot be multiplied"),
    (RuntimeError, "v @ T.ones(4)", "inconsistent tensor size"),
    (RuntimeError, "x @ v.double()", "same dtype"),
    (RuntimeError, "x @ T.tensor(2.0)", "both arguments to matmul need to be at least 1D"),
    (RuntimeError, "T.mm(v, v)", None),
    (RuntimeError, "T.ones(2, 2, 3) @ T.ones(3, 3, 2)", "must match the size"),
    (RuntimeError, "T.where(v, v, v)", "where expected condition to be a boolean tensor, but "
                                       "got a tensor with dtype Float"),
    (RuntimeError, "v.clamp()", "At least one of 'min' or 'max' must not be None"),
    (RuntimeError, "i.mean()", "mean(): could not infer output dtype"),
    (NotImplementedError, "i.softmax(0)", "not implemented for 'Long'"),
    # dims and indices
    (IndexError, "x.sum(2)", "Dimension out of range (expected to be in range of [-2, 1], but "
                             "got 2)"),
    (IndexError, "x.mean(-3)", "Dimension out of range"),
    (IndexError, "x.softmax(5)", "Dimension out of range"),
    (IndexError, "x.transpose(0, 2)", "Dimension out of range"),
    (IndexError, "x.unsqueeze(3)", "range of [-3, 2], but got 3"),
    (IndexError, "x.squeeze(3)", "Dimension out of range"),
    (IndexError, "x.max(2)", "Dimension out of range"),
    (IndexError, "x.argmax(2)", "Dimension out of range"),
    (IndexError, "x.norm(dim=2)", "Dimension out of range"),
    (IndexError, "x.flatten(0, 2)", "Dimension out of range"),
    (IndexError, "T.cat([x, x], 2)", "Dimension out of range"),
    (IndexError, "T.stack([v, v], 2)", "Dimension out of range"),
    (RuntimeError, "x.sum((0, 0))", "dim 0 appears multiple times in the list of dims"),
    (IndexError, "x[5]", "index 5 is out of bounds for dimension 0 with size 2"),
    (IndexError, "x[:, 3]", "index 3 is out of bounds for dimension 1 with size 3"),
    (IndexError, "x[-3]", "index -3 is out of bounds for dimension 0 with size 2"),
    (IndexError, "x[0, 0, 0]", "too many indices for tensor of dimension 2"),
    (IndexError, "x[T.tensor([0, 5])]", "index 5 is out of bounds"),
    (IndexError, "v[T.tensor([0.5])]", "tensors used as indices must be long, int, byte or bool"),
    (IndexError, "v[1.5]", "only integers, slices"),
    (IndexError, "v[T.tensor([True, False])]", "The shape of the mask [2] at index 0 does not "
                                               "match the shape of the indexed tensor [3] at "
                                               "index 0"),
    (IndexError, "v.__setitem__(5, 1.0)", "index 5 is out of bounds"),
    (ValueError, "v[::-1]", "step must be greater than zero"),
    (TypeError, 'v["a"]', None),
    # shapes
    (RuntimeError, "x.reshape(5)", "shape '[5]' is invalid for input of size 6"),
    (RuntimeError, "x.view(-1, -1)", "only one dimension can be inferred"),
    (RuntimeError, "x.permute(0)", "number of dimensions"),
    (RuntimeError, "x.permute(0, 0)", "duplicate dims are not allowed"),
    (RuntimeError, "x.expand(3, 3)", "must match the existing size"),
    (RuntimeError, "x.flatten(1, 0)", "start_dim cannot come after end_dim"),
    (RuntimeError, "T.ones(2, 3, 4).t()", "t() expects a tensor with <= 2 dimensions"),
    (RuntimeError, "x.view(T.float64)", "must be divisible by 2"),
    (RuntimeError, "T.cat([x, T.ones(3, 4)])", "Sizes of tensors must match except in "
                                               "dimension 0"),
    (RuntimeError, "T.stack([v, T.ones(4)])", "stack expects each tensor to be equal size"),
    (TypeError, "T.cat(x)", "must be tuple of Tensors"),
    (RuntimeError, "T.ones(0).max()", "Expected reduction dim to be specified for "
                                      "input.numel() == 0"),
    (IndexError, "T.ones(0).argmax()", "Expected reduction dim to be specified for "
                                       "input.numel() == 0"),
    (IndexError, "T.ones(2, 0).amax(1)", "Expected reduction dim 1 to have non-zero size"),
    # conversions
    (RuntimeError, "x.item()", "a Tensor with 6 elements cannot be converted to Scalar"),
    (ValueError, "float(x)", "only one element tensors can be converted to Python scalars"),
    (RuntimeError, "bool(x)", "Boolean value of Tensor with more than one value is ambiguous"),
    (RuntimeError, "x.numpy()", "Can't call numpy() on Tensor that requires grad"),
    (TypeError, "len(T.tensor(1.0))", "len() of a 0-d tensor"),
    # autograd
    (RuntimeError, "v.backward()", "element 0 of tensors does not require grad and does not "
                                   "have a grad_fn"),
    (RuntimeError, "i.sum().backward()", "does not require grad"),
    (RuntimeError, "y.detach().sum().backward()", "does not require grad"),
    (RuntimeError, "y.backward()", "grad can be implicitly created only for scalar outputs"),
    (RuntimeError, "y.backward(T.ones(3))", "Mismatch in shape"),
    (RuntimeError, "x.add_(1)", "a leaf Variable that requires grad is being used in an "
                                "in-place operation"),
    (RuntimeError, "x.zero_()", "a leaf Variable that requires grad"),
    (RuntimeError, "x.__setitem__(0, 1.0)", "a leaf Variable that requires grad"),
    (RuntimeError, "x.copy_(T.zeros(2, 3))", "a leaf Variable that requires grad"),
    (RuntimeError, "x[0].mul_(2)", "a view of a leaf Variable that requires grad"),
    (RuntimeError, "_backward_through_modified_input(T, x)", "one of the variables needed for "
                                                              "gradient computation has been "
                                                              "modified by an inplace operation"),
    (RuntimeError, "_backward_through_modified_output(T, x)", "modified by an inplace operation"),
    (RuntimeError, "i.requires_grad_()", "floating point"),
    (RuntimeError, "y.requires_grad_(False)", "you can only change requires_grad flags of leaf"),
    (RuntimeError, "v.retain_grad()", "can't retain_grad on Tensor that has requires_grad=False"),
    (RuntimeError, "v.register_hook(print)", "cannot register a hook on a tensor that doesn't "
                                             "require gradient"),
    (RuntimeError, "T.autograd.grad(y.sum(), v)", "One of the differentiated Tensors does not "
                                                  "require grad"),
    (RuntimeError, "T.autograd.grad(y.sum(), [x, T.ones(1, requires_grad=True)])",
     "appears to not have been used in the graph"),
    (RuntimeError, 'setattr(x, "grad", T.ones(5))', None),
    (RuntimeError, 'setattr(x, "grad", T.ones(2, 3, dtype=T.float64))', None),
    (TypeError, 'setattr(x, "grad", "a")', "assigned grad expected to be a Tensor or None"),
    # in-place ops that cannot store their result
    (RuntimeError, "i.add_(1.5)", "result type Float can't be cast to the desired output type "
                                  "Long"),
    (RuntimeError, "v.add_(T.ones(2, 3))", "output with shape [3] doesn't match the broadcast "
                                           "shape [2, 3]"),
    (RuntimeError, "v.copy_(T.ones(5))", "must match the size"),
    (RuntimeError, "v.__setitem__(0, T.ones(2))", None),
    (RuntimeError, "T.ones(3).fill_(T.ones(2))", "fill_ only supports 0-dimension value tensor"),
]


def make_tensors(T):
    """Fresh tensors for a case: a leaf x with a .grad, a non-leaf y, plain v and int i."""
    x = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    x.grad = T.full((2, 3), 0.5)
    return {"x": x, "y": x * 2, "v": T.tensor([1.0, 2.0, 3.0]), "i": T.tensor([1, 2, 3])}


def state(tensors):
    return {name: (t.tolist(), str(t.dtype), t.requires_grad, t._version,
                   t.grad.tolist() if t.is_leaf and t.grad is not None else None)
            for name, t in tensors.items()}


def raised(T, code):
    """The exception that running `code` raised, with the tensors it ran on before and after."""
    tensors = make_tensors(T)
    before = state(tensors)
    scope = dict(tensors, T=T, _backward_through_modified_input=_backward_through_modified_input,
                 _backward_through_modified_output=_backward_through_modified_output)
    try:
        eval(code, scope)
    except Exception as e:  # noqa: BLE001 (every exception is compared)
        return e, before, state(tensors)
    return None, before, state(tensors)


@pytest.mark.parametrize("expected,code,phrase", CASES, ids=[c[1] for c in CASES])
def test_error_matches_pytorch(expected, code, phrase):
    error, before, after = raised(lab, code)
    assert type(error) is expected, f"{code} raised {error!r}"
    assert str(error).strip()
    assert phrase is None or phrase in str(error)
    last_frame = traceback.extract_tb(error.__traceback__)[-1].filename
    assert "numpy" not in last_frame, f"numpy's error leaked from {last_frame}"
    assert after == before, "the failed call changed a tensor"


@pytest.mark.parametrize("expected,code,phrase", CASES, ids=[c[1] for c in CASES])
def test_pytorch_raises_the_same(expected, code, phrase):
    """The table is PyTorch's behaviour: the same type, the same phrase, nothing changed."""
    torch = require_torch()
    error, before, after = raised(torch, code)
    assert type(error) is expected, f"{code} raised {error!r} in PyTorch"
    assert phrase is None or phrase in str(error)
    assert after == before


def test_failed_backward_leaves_grads_unchanged():
    x = lab.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    y = x * x
    y.sum().backward()
    with pytest.raises(RuntimeError):
        y.sum().backward()      # freed graph: nothing may be accumulated on the way
    assert x.grad.tolist() == [4.0, 6.0]


def test_errors_are_not_chained_to_internal_exceptions():
    """The user sees one error in PyTorch's words, not 'During handling of ... numpy ...'."""
    for code in ["v + T.ones(4)", "x[5]", "x.reshape(5)", "x @ x", "T.ones(2, 0).amax(1)",
                 "x[T.tensor([0, 5])]", "v.__setitem__(0, T.ones(2))"]:
        error, _, _ = raised(lab, code)
        assert error.__cause__ is None
        assert error.__suppress_context__ or error.__context__ is None
