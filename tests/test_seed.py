"""The seed article's code (/work/shared/seeds): autograd_lab prints what PyTorch 2.13 prints
and raises where PyTorch raises (the article is wrong in two places)."""
import contextlib
import io

import pytest

import autograd_lab
from helpers import require_torch


def section2_3(torch):
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    print(repr(x))
    y = 2 * x + 1
    print(repr(y))
    print(repr(y.sum()))
    y.sum().backward()
    print(repr(x.grad))


def section5_1(torch):
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = 2 * x + 1
    z = y ** 2
    print(repr(z))
    z.sum().backward()
    print(repr(x.grad))


def section5_1_retained(torch):
    """The article's order (y.sum().backward() first), made legal with retain_graph=True."""
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = 2 * x + 1
    y.sum().backward(retain_graph=True)
    z = y ** 2
    z.sum().backward()
    print(repr(x.grad))


def section5_2(torch):
    def my_func(a):
        if a.item() > 1:
            return a ** 2
        else:
            return a * 3

    for value in (2.0, 0.5):
        x = torch.tensor(value, requires_grad=True)
        y = my_func(x)
        y.backward()
        print(repr(x.grad))


def section6(torch):
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    y = x1 ** 2 + x2 ** 3
    print(repr(y))
    y.backward()
    print((x1.grad, x2.grad))


def section7(torch):
    x = torch.tensor(3.0, requires_grad=True)
    y = x ** 2
    z = y.detach() * 2
    print((z, z.requires_grad))
    with torch.no_grad():
        y = x * 2
    print((y, y.requires_grad))


SNIPPETS = {
    section2_3: ("tensor([1., 2., 3., 4.], requires_grad=True)\n"
                 "tensor([3., 5., 7., 9.], grad_fn=<AddBackward0>)\n"
                 "tensor(24., grad_fn=<SumBackward0>)\n"
                 "tensor([2., 2., 2., 2.])\n"),
    section5_1: ("tensor([ 9., 25., 49., 81.], grad_fn=<PowBackward0>)\n"
                 "tensor([12., 20., 28., 36.])\n"),
    section5_1_retained: "tensor([14., 22., 30., 38.])\n",
    section5_2: "tensor(4.)\ntensor(3.)\n",
    section6: "tensor(9., grad_fn=<AddBackward0>)\n(tensor(2.), tensor(12.))\n",
    section7: "(tensor(18.), False)\n(tensor(6.), False)\n",
}


def printed(snippet, module):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        snippet(module)
    return out.getvalue()


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda f: f.__name__)
def test_prints_what_pytorch_prints(snippet):
    assert printed(snippet, autograd_lab) == SNIPPETS[snippet]


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda f: f.__name__)
def test_torch_prints_the_same(snippet):
    """The expected texts above are PyTorch's own output (guards them against typos)."""
    assert printed(snippet, require_torch()) == SNIPPETS[snippet]


def second_backward(torch):
    """Article 5.1 as written: z's backward after y's backward freed the shared graph."""
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = 2 * x + 1
    y.sum().backward()
    z = y ** 2
    z.sum().backward()


def backward_of_detached(torch):
    """Article 7 as written: z has no graph, so it has nothing to backpropagate through."""
    x = torch.tensor(3.0, requires_grad=True)
    y = x ** 2
    z = y.detach() * 2
    z.backward()


@pytest.mark.parametrize("module", ["autograd_lab", "torch"])
@pytest.mark.parametrize("mistake,message", [
    (second_backward, "Trying to backward through the graph a second time"),
    (backward_of_detached, "element 0 of tensors does not require grad and does not have a "
                           "grad_fn"),
])
def test_article_mistakes_raise(mistake, message, module):
    torch = autograd_lab if module == "autograd_lab" else require_torch()
    with pytest.raises(RuntimeError, match=message):
        mistake(torch)


def test_detached_backward_leaves_grad_none():
    x = autograd_lab.tensor(3.0, requires_grad=True)
    z = (x ** 2).detach() * 2
    with pytest.raises(RuntimeError):
        z.backward()
    assert x.grad is None
