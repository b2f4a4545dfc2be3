"""Whole training loops: the seed article's section 8, and an MLP on a 2-D toy data set."""

import numpy as np
import pytest

import autograd_lab as torch  # the learner's code below runs unchanged with real PyTorch
import autograd_lab.optim as optim


def section_8(torch, optim, steps):
    """The article's section 8, looped: fit y = 2x with Linear(1, 1), SGD and mse_loss."""
    model = torch.nn.Linear(1, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    x = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    y_true = torch.tensor([[2.0], [4.0], [6.0]])
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        y_pred = model(x)
        loss = torch.nn.functional.mse_loss(y_pred, y_true)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, losses


def test_section_8_fits_y_equals_2x():
    torch.manual_seed(0)
    model, losses = section_8(torch, optim, 3000)
    assert losses[-1] < 1e-4
    settling = [(a, b) for a, b in zip(losses[50:], losses[51:]) if a > 1e-6]
    assert len(settling) > 1000 and all(b < a for a, b in settling)  # down at every step
    assert model.weight.item() == pytest.approx(2.0, abs=0.02)
    assert model.bias.item() == pytest.approx(0.0, abs=0.05)


def test_section_8_follows_torch_from_the_same_start():
    real = pytest.importorskip("torch")
    runs = []
    for lib in (torch, real):
        lib.manual_seed(0)
        original = lib.nn.Linear.reset_parameters

        def start_at(self, lib=lib):  # the same starting weights in both libraries
            with lib.no_grad():
                self.weight.fill_(-0.3)
                self.bias.fill_(0.8)
        lib.nn.Linear.reset_parameters = start_at
        try:
            model, losses = section_8(lib, lib.optim, 200)
        finally:
            lib.nn.Linear.reset_parameters = original
        runs.append((losses, model.weight.item(), model.bias.item()))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-5)
    np.testing.assert_allclose(runs[0][1:], runs[1][1:], rtol=1e-5)


def two_moons(n, noise, rng):
    """Two interleaving half circles (as scikit-learn's make_moons), labels 0 and 1."""
    t = rng.uniform(0, np.pi, n)
    label = rng.integers(0, 2, n)
    x = np.where(label == 0, np.cos(t), 1 - np.cos(t))
    y = np.where(label == 0, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], 1) + rng.normal(0, noise, (n, 2))
    return points.astype(np.float32), label


def two_spirals(n, noise, rng):
    """Two interleaved spirals of 1.5 turns each, labels 0 and 1."""
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    label = rng.integers(0, 2, n)
    r = t / (3 * np.pi)
    sign = np.where(label == 0, 1.0, -1.0)
    points = sign[:, None] * np.stack([r * np.cos(t), r * np.sin(t)], 1)
    return (points + rng.normal(0, noise, (n, 2))).astype(np.float32), label


@pytest.mark.parametrize("make, steps", [(two_moons, 200), (two_spirals, 400)])
def test_mlp_learns_a_2d_toy_set(make, steps):
    rng = np.random.default_rng(0)
    x_train, y_train = make(400, 0.05, rng)
    x_test, y_test = make(400, 0.05, rng)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 32), torch.nn.Tanh(),
                                torch.nn.Linear(32, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.03)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test)).argmax(1)
    accuracy = (predicted.numpy() == y_test).mean()
    assert accuracy >= 0.97, (accuracy, loss.item())
