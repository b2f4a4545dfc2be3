"""The seed article's graphs, shared by the golden tests and tools/render_viz_docs.py.

Each returns (tensor to draw, the namespace its variables live in).
"""
import importlib.util

import autograd_lab as torch


def linear():
    """Section 1-2: y = 2x + 1."""
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = 2 * x + 1
    return y, dict(locals())


def squared():
    """Section 5: z = y ** 2 on a fresh graph, after z.sum().backward()."""
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = 2 * x + 1
    z = y ** 2
    z.sum().backward()
    return z, dict(locals())


def two_inputs():
    """Section 6: y = x1 ** 2 + x2 ** 3, after y.backward()."""
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    y = x1 ** 2 + x2 ** 3
    y.backward()
    return y, dict(locals())


def linear_mse():
    """Section 8: one step of fitting torch.nn.Linear(1, 1) with mse_loss, after backward."""
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    x = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    target = torch.tensor([[3.0], [5.0], [7.0], [9.0]])
    loss = torch.nn.functional.mse_loss(model(x), target)
    loss.backward()
    return loss, dict(locals())


HAS_NN = importlib.util.find_spec("autograd_lab.nn") is not None
SEEDS = {"linear": linear, "squared": squared, "two_inputs": two_inputs}
if HAS_NN:
    SEEDS["linear_mse"] = linear_mse
