"""Recurrent layers (nn.RNN/LSTM/GRU and their cells) against PyTorch: the same weights give the
same outputs, final states and parameter gradients; errors, reprs and state_dict keys match;
gradcheck on a cell; a short training run learns."""
import numpy as np
import pytest

import autograd_lab as lab
from autograd_lab import nn
from tests.helpers import raised, require_torch

# (rtol, atol) for outputs and gradients of a whole sequence
TOL = {"float32": (2e-4, 2e-5), "float64": (1e-10, 1e-12)}


def twins(torch, kind, *args, dtype="float64", **kwargs):
    """(ours, torch's) module of class `kind`, ours holding torch's freshly initialised weights."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(*args, **kwargs).to(getattr(torch, dtype))
    ours = getattr(nn, kind)(*args, **kwargs, dtype=getattr(lab, dtype))
    ours.load_state_dict({k: lab.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    return ours, theirs


def flat(result):
    """The tensors of a module's result ((out, h) or (out, (h, c)) or h or (h, c)), in order."""
    if isinstance(result, tuple):
        return [t for part in result for t in flat(part)]
    return [result]


def run_both(torch, ours, theirs, x, hx=None, dtype="float64"):
    """Forward both modules on the array x (and the states hx, arrays or tuples of them), backward
    from sum(w * y) over every result y; returns the results and the inputs of both libraries."""
    def make(lib):
        xs = lib.tensor(x.copy(), requires_grad=True)
        hs = None if hx is None else (tuple(lib.tensor(h.copy(), requires_grad=True) for h in hx)
                                      if isinstance(hx, tuple) else
                                      lib.tensor(hx.copy(), requires_grad=True))
        return xs, hs
    (x_ours, h_ours), (x_theirs, h_theirs) = make(lab), make(torch)
    y_ours = flat(ours(x_ours) if hx is None else ours(x_ours, h_ours))
    y_theirs = flat(theirs(x_theirs) if hx is None else theirs(x_theirs, h_theirs))
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(tuple(y.shape)).astype(dtype) for y in y_theirs]
    sum(lab.sum(y * lab.tensor(w)) for y, w in zip(y_ours, weights)).backward()
    sum(torch.sum(y * torch.tensor(w)) for y, w in zip(y_theirs, weights)).backward()
    states = [[] if h is None else flat(h) for h in (h_ours, h_theirs)]
    return (y_ours, [x_ours, *states[0]]), (y_theirs, [x_theirs, *states[1]])


def build(lib, text):
    """The module that `text` (e.g. 'LSTM(3, 4)', names from nn) makes with lib (ours or torch)."""
    return eval(text, {"nn": lib.nn, **vars(lib.nn)})


def assert_close(ours, theirs, dtype):
    rtol, atol = TOL[dtype]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol, atol)


def assert_same_run(torch, ours, theirs, x, hx=None, dtype="float64"):
    """Outputs, final states, input and state gradients and all parameter gradients match."""
    (y_ours, in_ours), (y_theirs, in_theirs) = run_both(torch, ours, theirs, x, hx, dtype)
    assert len(y_ours) == len(y_theirs)
    for a, b in zip(y_ours, y_theirs):
        assert_close(a, b, dtype)
    for a, b in zip(in_ours, in_theirs):
        assert_close(a.grad, b.grad, dtype)
    params = dict(theirs.named_parameters())
    assert [name for name, _ in ours.named_parameters()] == list(params)
    for name, p in ours.named_parameters():
        assert_close(p.grad, params[name].grad, dtype)


# ---- whole sequences ----------------------------------------------------------------------------

CONFIGS = [  # (kind, kwargs, batched, with initial states)
    ("LSTM", {}, True, False),
    ("LSTM", {"num_layers": 2, "bidirectional": True}, True, True),
    ("LSTM", {"batch_first": True, "num_layers": 2}, True, True),
    ("LSTM", {"proj_size": 2, "bidirectional": True}, True, True),
    ("LSTM", {"bias": False}, False, True),
    ("LSTM", {"num_layers": 2}, False, False),
    ("GRU", {}, True, True),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}, True, False),
    ("GRU", {"bidirectional": True}, False, True),
    ("RNN", {}, True, False),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}, True, True),
    ("RNN", {"nonlinearity": "relu", "bias": False, "batch_first": True}, False, True),
]


def initial_states(kind, kwargs, batch, hidden, rng, dtype):
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    shape = (layers, batch) if batch else (layers,)
    h = rng.standard_normal(shape + (kwargs.get("proj_size") or hidden,)).astype(dtype)
    if kind != "LSTM":
        return h
    return h, rng.standard_normal(shape + (hidden,)).astype(dtype)


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind,kwargs,batched,with_h0", CONFIGS)
def test_sequence_matches_torch(kind, kwargs, batched, with_h0, dtype):
    torch = require_torch()
    ours, theirs = twins(torch, kind, 3, 4, dtype=dtype, **kwargs)
    rng = np.random.default_rng(0)
    steps, batch = 5, 2
    shape = ((batch, steps) if kwargs.get("batch_first") else (steps, batch)) if batched \
        else (steps,)
    x = rng.standard_normal(shape + (3,)).astype(dtype)
    hx = initial_states(kind, kwargs, batch if batched else 0, 4, rng, dtype) if with_h0 \
        else None
    assert_same_run(torch, ours, theirs, x, hx, dtype)


def test_dropout_between_layers_only_in_training():
    torch = require_torch()
    ours, theirs = twins(torch, "GRU", 3, 4, num_layers=3, dropout=0.5)
    x = lab.randn(6, 2, 3, dtype=lab.float64)
    lab.manual_seed(1)
    a, _ = ours(x)
    lab.manual_seed(1)
    b, _ = ours(x)
    c, _ = ours(x)
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())  # seeded by the generator
    assert not np.array_equal(a.detach().numpy(), c.detach().numpy())
    ours.eval()
    theirs.eval()
    assert_close(ours(x)[0], theirs(torch.tensor(x.numpy()))[0], "float64")
    ours, theirs = twins(torch, "LSTM", 3, 4, num_layers=2, dropout=1.0)  # training; a sure mask
    assert_same_run(torch, ours, theirs, x.numpy())


# ---- cells --------------------------------------------------------------------------------------

CELLS = [("LSTMCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}),
         ("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"})]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_h0", [True, False])
@pytest.mark.parametrize("kind,kwargs", CELLS)
def test_cell_matches_torch(kind, kwargs, with_h0, batched, dtype):
    torch = require_torch()
    ours, theirs = twins(torch, kind, 3, 4, dtype=dtype, **kwargs)
    rng = np.random.default_rng(2)
    lead = (2,) if batched else ()
    x = rng.standard_normal(lead + (3,)).astype(dtype)
    hx = None
    if with_h0:
        hx = rng.standard_normal(lead + (4,)).astype(dtype)
        if kind == "LSTMCell":
            hx = (hx, rng.standard_normal(lead + (4,)).astype(dtype))
    assert_same_run(torch, ours, theirs, x, hx, dtype)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_result_nodes_are_torchs(kind):
    torch = require_torch()
    ours, theirs = twins(torch, kind, 3, 4)
    x = np.ones((2, 3))
    names = [[type(t.grad_fn).__name__ for t in flat(m(lib.tensor(x)))]
             for m, lib in ((ours, lab), (theirs, torch))]
    assert names[0] == names[1]


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_gradcheck_cell(kind):
    lab.manual_seed(0)
    cell = getattr(nn, kind)(2, 3, dtype=lab.float64)
    x, h, c = (lab.randn(2, n, dtype=lab.float64, requires_grad=True) for n in (2, 3, 3))

    def fn(x, h, c, *params):  # (gradcheck nudges the parameters in place: the cell reads them)
        return tuple(flat(cell(x, (h, c) if kind == "LSTMCell" else h)))
    assert lab.autograd.gradcheck(fn, (x, h, c, *cell.parameters()))


def test_gradcheck_bidirectional_lstm():
    lab.manual_seed(0)
    lstm = nn.LSTM(2, 3, bidirectional=True, proj_size=1, dtype=lab.float64)
    x = lab.randn(3, 1, 2, dtype=lab.float64, requires_grad=True)
    assert lab.autograd.gradcheck(lambda x, w: lstm(x)[0] * w, (x, lstm.weight_hh_l0_reverse))


def test_gradgradcheck_bidirectional_gru():
    lab.manual_seed(0)
    gru = nn.GRU(2, 3, bidirectional=True, dtype=lab.float64)
    x = lab.randn(3, 1, 2, dtype=lab.float64, requires_grad=True)
    assert lab.autograd.gradgradcheck(lambda x: gru(x)[0], (x,))


def test_graph_is_torchs_around_the_time_steps():
    """One input projection per layer and direction (x @ W_ih.T + b_ih for all steps), one
    UnbindBackward0 per step slice of it, the step outputs stacked."""
    lstm = nn.LSTM(2, 3)
    out, _ = lstm(lab.randn(4, 1, 2))
    assert type(out.grad_fn).__name__ == "StackBackward0"
    assert {type(n).__name__ for n, _ in out.grad_fn.next_functions} == {"MulBackward0"}
    unbinds = set()
    for node, _ in out.grad_fn.next_functions:
        todo = [node]
        while todo:
            n = todo.pop()
            if type(n).__name__ == "UnbindBackward0":
                unbinds.add(n)
                continue
            todo += [m for m, _ in n.next_functions if m is not None]
    assert len(unbinds) == 4
    projections = {n.next_functions[0][0] for n in unbinds}
    assert len(projections) == 1  # the one view of one addmm
    assert type(projections.pop()).__name__ == "ViewBackward0"


def test_time_step_gradients_reach_the_projection_once():
    """As PyTorch's single UnbindBackward0: one (steps, ...) gradient for the input projection,
    not one full-size gradient per step (which would cost steps^2)."""
    from autograd_lab.autograd import _engine
    out, _ = nn.GRU(2, 3)(lab.randn(6, 1, 2))
    sent = []

    def trace(node, g, edges):
        if type(node).__name__ == "UnbindBackward0":
            sent.extend(gi.shape for _, gi in edges if gi is not None)
    _engine.run([out], [np.ones(out.shape, np.float32)], False, False, trace=trace)
    assert sent == [(6, 1, 9)]


# ---- construction, printing, errors -------------------------------------------------------------

def test_parameters_state_dict_and_init():
    torch = require_torch()
    for kind, kwargs in (("LSTM", {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
                         ("GRU", {"bias": False, "num_layers": 2}), ("RNN", {}),
                         ("LSTMCell", {}), ("GRUCell", {"bias": False})):
        ours = getattr(nn, kind)(3, 4, **kwargs)
        theirs = getattr(torch.nn, kind)(3, 4, **kwargs)
        assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
            {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for p in ours.parameters():  # U(-1/sqrt(hidden), 1/sqrt(hidden))
            assert p.dtype == lab.float32 and np.abs(p.detach().numpy()).max() <= 0.5
    lstm = nn.LSTM(3, 4, num_layers=2)
    assert [[tuple(p.shape) for p in ps] for ps in lstm.all_weights] == \
        [[tuple(p.shape) for p in ps] for ps in torch.nn.LSTM(3, 4, num_layers=2).all_weights]


def test_init_draws_from_the_package_generator():
    lab.manual_seed(3)
    a = nn.LSTM(3, 4).weight_ih_l0.detach().numpy().copy()
    lab.manual_seed(3)
    assert np.array_equal(a, nn.LSTM(3, 4).weight_ih_l0.detach().numpy())
    assert a.min() < -0.4 and a.max() > 0.4  # spread over U(-0.5, 0.5)


@pytest.mark.parametrize("make", [
    "LSTM(10, 20, num_layers=2, batch_first=True)",
    "LSTM(10, 20, num_layers=2, bias=False, dropout=0.2, bidirectional=True, proj_size=5)",
    "RNN(10, 20, nonlinearity='relu')", "GRU(10, 20)", "LSTMCell(3, 4, bias=False)",
    "GRUCell(3, 4)", "RNNCell(3, 4, nonlinearity='relu')",
    "Sequential(LSTM(3, 4), Linear(4, 1))"])
def test_repr(make):
    torch = require_torch()
    assert repr(build(lab, make)) == repr(build(torch, make))


ERRORS = [  # (module, input shape, state shapes or None)
    ("LSTMCell(3, 4)", (2, 5), None), ("LSTMCell(3, 4)", (2, 3), ((2, 5), (2, 4))),
    ("LSTMCell(3, 4)", (2, 3), ((3, 4), (3, 4))), ("LSTMCell(3, 4)", (2, 3), ((2, 4), (2, 5))),
    ("LSTMCell(3, 4)", (2, 3, 3), None), ("LSTMCell(3, 4)", (3,), ((2, 4), (2, 4))),
    ("LSTMCell(3, 4)", (2, 3), ((2, 2, 4), (2, 4))), ("LSTMCell(3, 4)", (2, 3), ((2, 4),)),
    ("LSTMCell(3, 4)", (2, 3), ((2, 4),) * 3), ("LSTMCell(3, 4)", (3,), ((4,),)),
    ("LSTMCell(3, 4)", (2, 3), (2, 4)),
    ("GRUCell(3, 4)", (2, 5), None), ("GRUCell(3, 4)", (2, 3), (2, 5)),
    ("GRUCell(3, 4)", (2, 3), (3, 4)), ("RNNCell(3, 4)", (2, 3), (1, 2, 4)),
    ("LSTM(3, 4)", (5, 2, 6), None), ("LSTM(3, 4)", (5, 2, 3), ((1, 3, 4), (1, 2, 4))),
    ("LSTM(3, 4)", (5, 2, 3), ((1, 2, 4), (1, 2, 5))),
    ("LSTM(3, 4)", (5, 2, 3), ((2, 4), (1, 2, 4))), ("LSTM(3, 4)", (2, 5, 2, 3), None),
    ("LSTM(3, 4)", (5, 3), ((1, 2, 4), (1, 2, 4))), ("GRU(3, 4)", (5, 2, 3), (2, 2, 4)),
    ("GRU(3, 4)", (5, 3), (1, 1, 4)), ("RNN(3, 4)", (5, 2, 3), (2, 4)),
    ("RNN(3, 4)", (5,), None), ("LSTM(3, 4)", (0, 2, 3), None),
    ("LSTM(3, 4, proj_size=2)", (5, 2, 3), ((1, 2, 4), (1, 2, 4))),
]


@pytest.mark.parametrize("make,shape,states", ERRORS)
def test_errors_match_torch(make, shape, states):
    torch = require_torch()

    def call(lib, module):
        make_state = (lambda s: lib.zeros(*s, dtype=lib.float64))
        hx = None if states is None else tuple(map(make_state, states)) \
            if isinstance(states[0], tuple) else make_state(states)
        x = lib.zeros(*shape, dtype=lib.float64)
        return module(x) if hx is None else module(x, hx)
    ours, theirs = build(lab, make).double(), build(torch, make).double()
    assert raised(lambda: call(lab, ours)) == raised(lambda: call(torch, theirs))


@pytest.mark.parametrize("make", [
    "LSTM(3, 4, dropout=1.5)", "LSTM(3, 0)", "LSTM(3, 4, num_layers=0)", "LSTM(3.0, 4)",
    "LSTM(3, 4, bias=1)", "LSTM(3, 4, proj_size=4)", "GRU(3, 4, proj_size=2)",
    "RNN(3, 4, nonlinearity='x')"])
def test_constructor_errors_match_torch(make):
    torch = require_torch()
    assert raised(lambda: build(lab, make)) == raised(lambda: build(torch, make))


def test_dtype_mismatch_and_unknown_cell_nonlinearity():
    torch = require_torch()
    assert raised(lambda: nn.LSTM(3, 4)(lab.zeros(5, 2, 3, dtype=lab.float64))) == \
        raised(lambda: torch.nn.LSTM(3, 4)(torch.zeros(5, 2, 3, dtype=torch.float64)))
    assert raised(lambda: nn.RNNCell(3, 4, nonlinearity="sig")(lab.zeros(2, 3))) == \
        raised(lambda: torch.nn.RNNCell(3, 4, nonlinearity="sig")(torch.zeros(2, 3)))
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.5)


# ---- learning -----------------------------------------------------------------------------------

def test_lstm_learns_to_sum_a_sequence():
    lab.manual_seed(0)
    lstm, head = nn.LSTM(1, 8, batch_first=True), nn.Linear(8, 1)
    params = list(lstm.parameters()) + list(head.parameters())
    optimizer = lab.optim.Adam(params, lr=0.02)
    x = lab.rand(64, 6, 1) - 0.5
    target = x.sum(1)

    def loss():
        out, (h, _) = lstm(x)
        return nn.functional.mse_loss(head(h[-1]), target)
    first = loss().item()
    for _ in range(60):
        optimizer.zero_grad()
        value = loss()
        value.backward()
        optimizer.step()
    assert loss().item() < first / 10
