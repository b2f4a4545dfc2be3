"""save/load: round trips (every dtype, 0-d, empty, views that share memory), a training run
resumed from saved state_dicts, the weights_only unpickler refusing code, and error cases.
Scenarios written against `T` run on autograd_lab and on PyTorch alike."""
import collections
import fractions
import io
import os
import pickle

import numpy as np
import pytest

import autograd_lab as al
from helpers import require_torch

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def round_trip(T, obj, **kwargs):
    buffer = io.BytesIO()
    T.save(obj, buffer)
    buffer.seek(0)
    return T.load(buffer, **kwargs)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (0,), (2, 3), (3, 0, 2)])
def test_every_dtype_and_shape_round_trips(T, name, shape):
    dtype = getattr(T, name)
    x = T.arange(-3, int(np.prod(shape)) - 3).reshape(shape).to(dtype)
    y = round_trip(T, x)
    assert (y.dtype, y.shape, y.requires_grad) == (x.dtype, x.shape, False)
    assert y.tolist() == x.tolist() and y is not x


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_requires_grad_is_kept_and_grad_and_history_are_not(T, name):
    leaf = T.tensor([1.5, -2.0, float("inf"), float("nan")], dtype=getattr(T, name),
                    requires_grad=True)
    (leaf * 2).sum().backward()
    saved = {"leaf": leaf, "computed": leaf * 3}
    loaded = round_trip(T, saved)
    for key, t in saved.items():
        y = loaded[key]
        assert y.requires_grad and y.is_leaf and y.grad is None and y.dtype == t.dtype
        assert np.array_equal(y.detach().numpy(), t.detach().numpy(), equal_nan=True)


def test_views_keep_their_strides_and_share_memory_after_loading(T):
    x = T.arange(12.0).reshape(3, 4)
    views = {"x": x, "rows": x[1:], "steps": x[:, ::2], "t": x.t(), "row": x[2],
             "wide": T.arange(3.0).expand(2, 3), "again": x}
    loaded = round_trip(T, views)
    for key, view in views.items():
        assert loaded[key].stride() == view.stride(), key
        assert loaded[key].tolist() == view.tolist(), key
    assert loaded["again"] is loaded["x"]
    loaded["x"][2, 0] = -1.0  # one storage, as saved: every view of it sees the change
    assert loaded["rows"][1, 0].item() == loaded["t"][0, 2].item() == loaded["row"][0].item() \
        == loaded["steps"][2, 0].item() == -1.0
    assert x[2, 0].item() == 8.0


def test_arrays_numpy_did_not_allocate_as_one_block_round_trip():
    """A sliding window (overlapping rows, memory numpy got from elsewhere) is saved by value."""
    windows = np.lib.stride_tricks.sliding_window_view(np.arange(6.0), 3)
    loaded = round_trip(al, al.from_numpy(windows))
    assert loaded.tolist() == windows.tolist()


def test_parameters_load_as_parameters(T):
    p = T.nn.Parameter(T.ones(2, 2))
    frozen = T.nn.Parameter(T.zeros(3), requires_grad=False)
    a, b = round_trip(T, [p, frozen])
    assert type(a) is T.nn.Parameter and a.requires_grad and a.tolist() == p.tolist()
    assert type(b) is T.nn.Parameter and not b.requires_grad


def test_plain_containers_numbers_and_torch_objects_round_trip(T):
    obj = collections.OrderedDict(
        epoch=3, lr=1e-3, name="run-1", flags=(True, False, None), nested=[{"a": [1, 2.5]}],
        z=1 + 2j, shape=T.Size([2, 3]), dtype=T.int16, device=T.device("cpu"), empty={},
        seen={1, 2}, raw=b"\x00\xff", buf=bytearray(b"ab"), counts=collections.Counter("aab"))
    loaded = round_trip(T, obj)
    assert type(loaded) is collections.OrderedDict and loaded == obj
    assert list(loaded) == list(obj) and type(loaded["shape"]) is T.Size
    assert loaded["dtype"] is T.int16


def make_run(T, seed=0):
    T.manual_seed(seed)
    model = T.nn.Sequential(T.nn.Linear(3, 8), T.nn.Tanh(), T.nn.Linear(8, 1))
    opt = T.optim.Adam(model.parameters(), lr=0.05)
    return model, opt


def train(T, model, opt, data, steps):
    x, y = data
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = T.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_training_resumed_from_saved_state_dicts_gives_the_same_losses(T, tmp_path):
    T.manual_seed(1)
    data = (T.randn(16, 3), T.randn(16, 1))
    model, opt = make_run(T)
    straight = train(T, model, opt, data, 10)

    model, opt = make_run(T)
    first = train(T, model, opt, data, 4)
    T.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 4}, tmp_path / "ck")
    del model, opt
    model, opt = make_run(T, seed=123)  # fresh weights, fresh optimizer state
    checkpoint = T.load(tmp_path / "ck")
    model.load_state_dict(checkpoint["model"])
    opt.load_state_dict(checkpoint["opt"])
    assert checkpoint["epoch"] == 4
    assert first + train(T, model, opt, data, 6) == straight


def test_an_optimizer_state_dict_round_trips(T):
    model, opt = make_run(T)
    train(T, model, opt, (T.ones(4, 3), T.zeros(4, 1)), 2)
    saved = opt.state_dict()
    loaded = round_trip(T, saved)
    assert loaded["param_groups"] == saved["param_groups"]
    for index, state in saved["state"].items():
        for key, value in state.items():
            assert loaded["state"][index][key].dtype == value.dtype
            assert loaded["state"][index][key].tolist() == value.tolist()


class RunsACommand:
    """Unpickling this calls `function(command)`: what a malicious checkpoint does."""

    def __init__(self, function, command):
        self.function, self.command = function, command

    def __reduce__(self):
        return self.function, (self.command,)


@pytest.mark.parametrize("function", [os.system, eval, exec])
def test_weights_only_refuses_a_pickle_that_runs_code(T, tmp_path, function):
    marker = tmp_path / "pwned"
    command = f"touch {marker}" if function is os.system \
        else f"__import__('os').system('touch {marker}')"
    buffer = io.BytesIO()
    T.save({"weights": T.ones(2), "payload": RunsACommand(function, command)}, buffer)
    with pytest.raises(pickle.UnpicklingError) as ours:
        T.load(io.BytesIO(buffer.getvalue()))
    assert str(ours.value).startswith("Weights only load failed.")
    assert not marker.exists()
    if T is al:  # the same refusal, word for word, as PyTorch's
        torch = require_torch()
        theirs_file = io.BytesIO()
        torch.save({"weights": torch.ones(2), "payload": RunsACommand(function, command)},
                   theirs_file)
        theirs_file.seek(0)
        with pytest.raises(pickle.UnpicklingError) as theirs:
            torch.load(theirs_file)
        assert str(ours.value) == str(theirs.value)
        assert not marker.exists()
    T.load(io.BytesIO(buffer.getvalue()), weights_only=False)  # the payload is real
    assert marker.exists()


def test_weights_only_false_loads_anything(T):
    value = fractions.Fraction(1, 3)
    assert round_trip(T, {"f": value}, weights_only=False) == {"f": value}


def test_safe_globals_allowlist_a_class(T):
    obj = {"f": fractions.Fraction(1, 3)}
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL fractions.Fraction was not an "
                                                     "allowed global by default"):
        round_trip(T, obj)
    with T.serialization.safe_globals([fractions.Fraction]):
        assert round_trip(T, obj) == obj
    assert fractions.Fraction not in T.serialization.get_safe_globals()


def test_weights_only_refuses_setting_attributes_on_loaded_objects():
    """BUILD on a global (here: replacing torch.float32's numpy dtype) is refused."""
    tamper = (b"cautograd_lab._dtypes\nfloat32\n" + pickle.dumps((None, {"np": None}), 0)[:-1]
              + pickle.BUILD + pickle.STOP)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported operand 98"):
        al.load(io.BytesIO(al.serialization.MAGIC + tamper))
    assert al.float32.np == np.float32


def test_paths_and_open_files_both_work(T, tmp_path):
    T.save(T.ones(3), str(tmp_path / "a"))
    with open(tmp_path / "b", "wb") as f:
        T.save([T.zeros(2)], f)
    with open(tmp_path / "b", "rb") as f:
        assert T.load(f)[0].tolist() == [0.0, 0.0]
    assert T.load(tmp_path / "a", map_location="cpu").tolist() == [1.0, 1.0, 1.0]
    assert T.load(tmp_path / "a", map_location=T.device("cpu")).tolist() == [1.0, 1.0, 1.0]


def outcome(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


def test_loading_onto_cuda_fails_as_in_pytorch_without_cuda():
    torch = require_torch()
    ours = outcome(lambda: round_trip(al, al.ones(2), map_location="cuda"))
    assert ours == outcome(lambda: round_trip(torch, torch.ones(2), map_location="cuda"))
    with pytest.raises(ValueError, match="map_location must be None, 'cpu'"):
        round_trip(al, al.ones(2), map_location={"cuda:0": "cpu"})


def test_a_pytorch_checkpoint_is_refused_with_an_explanation(tmp_path):
    torch = require_torch()
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pt")
    with pytest.raises(pickle.UnpicklingError, match="is a PyTorch checkpoint .* "
                                                     "autograd_lab.from_numpy"):
        al.load(tmp_path / "torch.pt")


def test_other_bad_files():
    with pytest.raises(pickle.UnpicklingError, match="not a file written by autograd_lab.save"):
        al.load(io.BytesIO(pickle.dumps({"a": 1})))
    with pytest.raises(EOFError):
        al.load(io.BytesIO(b""))
    buffer = io.BytesIO()
    al.save(al.ones(100), buffer)
    with pytest.raises(EOFError, match="truncated"):
        al.load(io.BytesIO(buffer.getvalue()[:-8]))
