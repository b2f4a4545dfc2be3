"""utils.data (datasets, iterable datasets, samplers, DataLoader, default_collate, random_split)
against PyTorch:
the same batches, structures, lengths and errors; shuffling that is seeded, complete and new
every epoch; and minibatch training with it."""
from collections import namedtuple

import numpy as np
import pytest

import autograd_lab as lab
from helpers import outcome, raised, require_torch

P = namedtuple("P", "a b")
CASES = [
    "list(D.DataLoader(ds, batch_size=4))",
    "list(D.DataLoader(ds, batch_size=4, drop_last=True))",
    "(lambda it: (next(it), len(it), type(it).__name__, list(it)))(iter(D.DataLoader(ds, "
    "batch_size=4)))",
    "len(D.DataLoader(ds, batch_size=4)), len(D.DataLoader(ds, batch_size=4, "
    "drop_last=True)), len(D.DataLoader(ds, batch_size=None))",
    "list(D.DataLoader(range(5), batch_size=2))",
    "list(D.DataLoader(range(3), batch_size=None))",
    "list(D.DataLoader([{'x': T.ones(1), 'y': 1}, {'x': T.zeros(1), 'y': 2}], batch_size=2))",
    "list(D.DataLoader([(1.5, 'a'), (2.5, 'b')], batch_size=2))",
    "list(D.DataLoader([np.ones(2), np.zeros(2)], batch_size=2))",
    "list(D.DataLoader([np.float32(1), np.float32(2)], batch_size=2))",
    "list(D.DataLoader([P(1, 2.), P(3, 4.)], batch_size=2))",
    "list(D.DataLoader([[1, 2], [3, 4]], batch_size=2))",
    "list(D.DataLoader([[1, 2], [3]], batch_size=2))",
    "list(D.DataLoader([T.ones(2), T.ones(3)], batch_size=2))",
    "list(D.DataLoader([object()], batch_size=1))",
    "list(D.DataLoader([True, False], batch_size=2))",
    "list(D.DataLoader([np.ones(2)], batch_size=None))",
    "list(D.DataLoader([(T.ones(1), [np.int64(2), (3.5,)])], batch_size=None))",
    "list(D.DataLoader([np.float32(1.5), P(np.ones(1), 2)], batch_size=None))",
    "D.DataLoader(ds, batch_size=0)",
    "D.DataLoader(ds, shuffle=True, sampler=[0, 1])",
    "D.DataLoader(ds, batch_size=2, batch_sampler=[[0]])",
    "D.DataLoader(ds, batch_size=None, drop_last=True)",
    "D.DataLoader(ds, num_workers=-1)",
    "D.DataLoader(ds, timeout=-1)",
    "D.DataLoader(ds, batch_size=2, drop_last=1)",
    "list(D.DataLoader(ds, batch_sampler=[[0, 2], [5]]))",
    "list(D.DataLoader(ds, sampler=[5, 0], batch_size=2))",
    "list(D.DataLoader(ds, batch_size=2, collate_fn=lambda b: len(b)))",
    "ds[1], len(ds), len(ds + ds), (ds + ds)[7], (ds + ds)[-1]",
    "(ds + ds)[12]",
    "(ds + ds)[-13]",
    "D.TensorDataset(T.ones(3), T.ones(2))",
    "D.TensorDataset(T.ones(3))[5]",
    "D.Subset(ds, [2, 3])[0], len(D.Subset(ds, [2, 3])), D.Subset(ds, [2, 3])[[0, 1]]",
    "D.random_split(range(3), [0.5, 0.6])",
    "D.random_split(range(3), [1, 1])",
    "[len(s) for s in D.random_split(range(10), [0.33, 0.33, 0.34])]",
    "[len(s) for s in D.random_split(range(3), [0.1, 0.9])]",
    "[len(s) for s in D.random_split(range(10), [3, 7])]",
    "sorted(D.random_split(range(10), [0.5, 0.5])[0].indices + D.random_split(range(10), "
    "[0.5, 0.5])[1].indices) == list(range(10))",
    "D.RandomSampler(range(3), num_samples=0)",
    "D.RandomSampler(range(3), replacement=1)",
    "D.BatchSampler(range(3), 0, False)",
    "D.BatchSampler(range(3), 2, 1)",
    "list(D.BatchSampler(range(5), 2, False)), len(D.BatchSampler(range(5), 2, True)), "
    "len(D.BatchSampler(range(5), 2, False))",
    "list(D.SequentialSampler(range(3))), len(D.RandomSampler(range(4))), "
    "len(D.RandomSampler(range(4), num_samples=9))",
    "sorted(D.RandomSampler(range(5))), len(list(D.RandomSampler(range(4), num_samples=9))), "
    "sorted(D.SubsetRandomSampler([3, 5, 7]))",
    "D.Dataset()[0]",
    "sorted(int(i) for b in D.DataLoader(range(7), batch_size=3, shuffle=True) for i in b)",
    "T.manual_seed(0) and [b.tolist() for b in D.DataLoader(range(6), batch_size=3, "
    "shuffle=True)] == (T.manual_seed(0) and [b.tolist() for b in D.DataLoader(range(6), "
    "batch_size=3, shuffle=True)])",
    "list(D.DataLoader(it, batch_size=3))",
    "list(D.DataLoader(it, batch_size=3, drop_last=True))",
    "list(D.DataLoader(it, batch_size=None)), list(D.DataLoader(it, shuffle=False))",
    "list(D.DataLoader(sized, batch_size=2)), len(D.DataLoader(sized, batch_size=2)), "
    "len(D.DataLoader(sized, batch_size=2, drop_last=True)), "
    "len(D.DataLoader(sized, batch_size=None))",
    "(lambda dl: list(dl) == list(dl))(D.DataLoader(it, batch_size=2))",
    "type(it + sized).__name__, list(it + sized), len(D.ChainDataset([sized, sized]))",
    "it[0]",
    "D.IterableDataset()",
    "isinstance(it, D.Dataset)",
    "len(D.WeightedRandomSampler([0.1, 0.9, 0.4], 5)), D.WeightedRandomSampler((1, 2), 5).weights",
    "sorted(D.WeightedRandomSampler([1., 0., 2.], 2, replacement=False))",
    "set(D.WeightedRandomSampler([0., 3., 0.], 20)), len(list(D.WeightedRandomSampler([1, 2], 9)))",
]
ERRORS = [
    "len(D.DataLoader(it))", "len(it + sized)", "list(D.ChainDataset([ds]))",
    "len(D.ChainDataset([ds]))",
    "D.DataLoader(it, shuffle=True)", "D.DataLoader(it, shuffle=1, sampler=[0])",
    "D.DataLoader(it, sampler=[0, 1])", "D.DataLoader(it, batch_sampler=[[0]])",
    "D.DataLoader(it, batch_size=None, drop_last=True)",
    "D.WeightedRandomSampler([1., 2.], 0)", "D.WeightedRandomSampler([1., 2.], -1)",
    "D.WeightedRandomSampler([1., 2.], 2.0)", "D.WeightedRandomSampler([1., 2.], True)",
    "D.WeightedRandomSampler([1., 2.], 2, 1)", "D.WeightedRandomSampler([[1., 2.]], 2)",
    "list(D.WeightedRandomSampler([1., 2.], 3, False))",
    "list(D.WeightedRandomSampler([-1., 2.], 2))", "list(D.WeightedRandomSampler([0., 0.], 2))",
]


def _streams(D):
    """An iterable dataset of 7 (x, label) samples without a length, and one of 5 with one."""

    class Stream(D.IterableDataset):
        def __iter__(self):
            return iter([(float(i), i) for i in range(7)])

    class Sized(D.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 5

    return Stream(), Sized()


def _run(T, code):
    D = T.utils.data
    ds = D.TensorDataset(T.arange(6.), T.arange(6))
    it, sized = _streams(D)
    return eval(code, {"T": T, "D": D, "ds": ds, "np": np, "P": P, "it": it, "sized": sized})


@pytest.mark.parametrize("code", CASES + ERRORS)
def test_same_as_pytorch(code):
    torch = require_torch()
    assert outcome(lambda: _run(lab, code)) == outcome(lambda: _run(torch, code))


@pytest.mark.parametrize("code", ERRORS)
def test_errors_have_pytorchs_texts(code):
    torch = require_torch()
    assert raised(lambda: _run(lab, code)) == raised(lambda: _run(torch, code))


def test_weighted_sampling_follows_the_weights_and_its_generator():
    D = lab.utils.data
    lab.manual_seed(0)
    counts = np.bincount(list(D.WeightedRandomSampler([1., 0., 3.], 20000)), minlength=3)
    assert np.allclose(counts / 20000, [0.25, 0., 0.75], atol=0.015)
    state = lab.get_rng_state()
    draws = [list(D.WeightedRandomSampler([1., 2., 3.], 10, generator=lab.Generator()))
             for _ in range(2)]
    assert draws[0] == draws[1] and lab.get_rng_state().equal(state)
    loader = D.DataLoader(range(6), batch_size=3,
                          sampler=D.WeightedRandomSampler([0., 1., 0., 1., 0., 0.], 6))
    assert {int(i) for b in loader for i in b} == {1, 3} and len(loader) == 2


def _epochs(loader, n=3):
    return [[int(i) for batch in loader for i in batch] for _ in range(n)]


def test_shuffling_is_seeded_complete_and_new_every_epoch():
    D = lab.utils.data
    lab.manual_seed(0)
    first = _epochs(D.DataLoader(range(20), batch_size=6, shuffle=True))
    lab.manual_seed(0)
    assert _epochs(D.DataLoader(range(20), batch_size=6, shuffle=True)) == first
    assert all(sorted(epoch) == list(range(20)) for epoch in first)
    assert first[0] != first[1] != first[2]
    lab.manual_seed(1)
    assert _epochs(D.DataLoader(range(20), batch_size=6, shuffle=True)) != first


def test_a_generator_gives_the_order_without_touching_the_default_one():
    D = lab.utils.data
    lab.manual_seed(0)
    state = lab.get_rng_state()
    orders = [_epochs(D.DataLoader(range(10), batch_size=4, shuffle=True,
                                   generator=lab.Generator().manual_seed(7)), 2)
              for _ in range(2)]
    assert orders[0] == orders[1] and lab.get_rng_state().equal(state)
    drop = D.DataLoader(range(10), batch_size=4, shuffle=True, drop_last=True)
    assert [len(b) for b in drop] == [4, 4] and len(drop) == 2


def test_minibatch_training_with_a_dataloader_fits_a_line():
    lab.manual_seed(0)
    x = lab.linspace(-1, 1, 64).unsqueeze(1)
    data = lab.utils.data.TensorDataset(x, 3 * x - 0.5)
    model = lab.nn.Linear(1, 1)
    opt = lab.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(60):
        for xb, yb in lab.utils.data.DataLoader(data, batch_size=16, shuffle=True):
            opt.zero_grad()
            lab.nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()
    assert abs(model.weight.item() - 3) < 1e-3 and abs(model.bias.item() + 0.5) < 1e-3
