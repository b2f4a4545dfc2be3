"""Anomaly mode: PyTorch's errors and warnings, the creation site on the node, zero state left."""
import math
import sys
import warnings

import pytest

import autograd_lab as torch
from autograd_lab import autograd


@pytest.fixture(autouse=True)
def _anomaly_off():
    yield
    autograd.set_detect_anomaly(False)


def _backward_expecting(loss, message):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError, match=message):
            loss.backward()
    return [str(w.message) for w in caught if "Error detected" in str(w.message)]


def test_detect_anomaly_names_the_node_and_the_line_that_made_it():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = autograd.detect_anomaly()
    with mode:
        assert torch.is_anomaly_enabled()
        y = x.log(); line = sys._getframe().f_lineno  # noqa: E702
        loss = (y * 0).sum()
        warned = _backward_expecting(
            loss, r"Function 'LogBackward0' returned nan values in its 0th output\.")
    assert not torch.is_anomaly_enabled()
    info = y.grad_fn.metadata["anomaly"]
    assert (info["op"], info["file"], info["line"]) == ("LogBackward0", __file__, line)
    assert info["code"].startswith("y = x.log()")
    assert info["function"] == "test_detect_anomaly_names_the_node_and_the_line_that_made_it"
    assert info["error"] == "Function 'LogBackward0' returned nan values in its 0th output."
    assert loss.grad_fn.metadata["anomaly"]["error"] is None  # only the failing node is marked
    assert warned and warned[0].startswith("Error detected in LogBackward0. Traceback of forward "
                                           "call that caused the error:")
    assert f'File "{__file__}", line {line}' in warned[0] and "y = x.log()" in warned[0]
    assert y.grad_fn.metadata["traceback_"][-1] in warned[0]


def test_set_detect_anomaly_as_function_and_context_manager():
    a = torch.tensor([-1.0], requires_grad=True)
    autograd.set_detect_anomaly(True)
    b = a.sqrt()
    _backward_expecting(b, r"Function 'SqrtBackward0' returned nan values in its 0th output")
    autograd.set_detect_anomaly(False)
    assert not torch.is_anomaly_enabled()
    with autograd.set_detect_anomaly(True):
        assert torch.is_anomaly_enabled()
    assert not torch.is_anomaly_enabled()


def test_the_check_runs_on_what_the_node_produces_and_names_the_output_index():
    x = torch.tensor([1.0], requires_grad=True)
    w = torch.tensor([0.0], requires_grad=True)
    with autograd.set_detect_anomaly(True):
        # DivBackward0 produces g / w = inf for x (no NaN) and -g * x / w**2 = -inf for w:
        # infinities pass, as in PyTorch; NaN appears only further down, in the log.
        q = (x / w).sum()
        q.backward()
        assert x.grad.tolist() == [float("inf")] and w.grad.tolist() == [float("-inf")]
        v = torch.tensor([float("inf")], requires_grad=True)
        w = torch.tensor([1.0], requires_grad=True)
        # v * w gets gradient 0: its 0th output 0 * w is fine, its 1th output 0 * inf is NaN
        _backward_expecting((v * w).sum() * 0,
                            r"Function 'MulBackward0' returned nan values in its 1th output\.")


def test_the_output_index_counts_inputs_a_node_sent_no_gradient():
    class F(autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return None, g * float("nan")

    x, y = (torch.ones(2, requires_grad=True) for _ in range(2))
    with autograd.set_detect_anomaly(True):
        _backward_expecting(F.apply(x, y).sum(),
                            r"Function 'FBackward' returned nan values in its 1th output\.")


def test_check_nan_false_only_records():
    x = torch.tensor([0.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with autograd.detect_anomaly(check_nan=False):
            assert not torch.is_anomaly_check_nan_enabled()
            y = x.log()
            (y * 0).sum().backward()
    assert math.isnan(x.grad.item()) and torch.is_anomaly_check_nan_enabled()
    assert y.grad_fn.metadata["anomaly"]["error"] is None


def test_other_backward_errors_are_traced_to_their_forward_line_too():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with autograd.set_detect_anomaly(True):
        y = x.exp()
        y.mul_(2)  # exp saved its output: backward must refuse
        warned = _backward_expecting(y.sum(), "modified by an inplace operation")
    assert warned  # the in-place error was reported at the node that saved the value
    failing = y.grad_fn._edges[0]
    assert "inplace" in failing.metadata["anomaly"]["error"]


def test_off_by_default_and_no_record_on_nodes():
    x = torch.tensor([0.0], requires_grad=True)
    assert not torch.is_anomaly_enabled()
    y = x.log()
    assert y.grad_fn._extra is None
    (y * 0).sum().backward()  # NaN propagates silently, as in PyTorch
    assert math.isnan(x.grad.item())


def test_creation_site_skips_library_frames():
    x = torch.randn(3, requires_grad=True)
    with autograd.set_detect_anomaly(True):
        y = torch.softmax(x, 0)  # the op's own frames live in autograd_lab and are skipped
    assert y.grad_fn.metadata["anomaly"]["file"] == __file__
    assert all("autograd_lab/" not in line.splitlines()[0]
               for line in y.grad_fn.metadata["traceback_"])


def test_nodes_made_inside_nn_layers_point_at_the_users_call():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.LogSoftmax(dim=1))
    x = torch.tensor([[0.0, 1.0]])
    with autograd.set_detect_anomaly(True):
        out = model(x); line = sys._getframe().f_lineno  # noqa: E702
        loss = torch.nn.functional.nll_loss(out, torch.tensor([1]))
    fn, seen = loss.grad_fn, []
    while fn is not None:
        seen.append((fn.name(), fn.metadata["anomaly"]["line"]))
        nxt = [f for f, _ in fn.next_functions if f is not None and hasattr(f, "metadata")]
        fn = nxt[0] if nxt else None
    assert seen[0] == ("NllLossBackward0", line + 1)
    assert all(where == line for _, where in seen[1:]), seen  # LogSoftmax, Addmm: model(x)


def test_the_graph_display_marks_the_node_whose_backward_failed():
    from autograd_lab import viz
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with autograd.detect_anomaly():
            y = x.log()
            loss = (y * 0).sum()
            with pytest.raises(RuntimeError):
                loss.backward()
    graph = viz.to_networkx(loss)
    roles = {a["grad_fn"]: a["role"] for _, a in graph.nodes(data=True) if a["kind"] == "op"}
    assert roles == {"LogBackward0": "anomaly", "MulBackward0": "op", "SumBackward0": "op"}
    failed = next(a for _, a in graph.nodes(data=True) if a.get("grad_fn") == "LogBackward0")
    assert "returned nan values" in failed["tooltip"] and "y = x.log()" in failed["tooltip"]
    assert "backward failed here (anomaly mode)" in viz.to_svg(loss)
