"""Widgets under a learner's mistakes: NaN, anomaly mode, hostile messages, wrong arguments."""
import math

import pytest

import autograd_lab as torch
from autograd_lab import autograd

pytest.importorskip("ipywidgets")
from autograd_lab import widgets  # noqa: E402


def test_nan_and_inf_results_are_shown_not_raised():
    w = widgets.explore(lambda x: torch.log(x), x=(-1, 1, 0.5, 0.0))
    assert w.error is None and w.value == -math.inf and w.grads["x"] == math.inf
    w.sliders["x"].value = -0.5
    assert w.error is None and math.isnan(w.value) and w.grads["x"] == -2.0


def test_anomaly_mode_error_is_shown_and_the_widget_recovers():
    w = widgets.explore(lambda x: torch.sqrt(x), x=(-1, 1, 0.5, 1.0))
    with autograd.set_detect_anomaly(True):
        w.sliders["x"].value = -1.0
        assert isinstance(w.error, RuntimeError)
        assert "SqrtBackward0" in w._readout.value and "returned nan values" in w._readout.value
        w.sliders["x"].value = 0.5
    assert w.error is None and w.grads["x"] == pytest.approx(0.5 / math.sqrt(0.5))


def test_hostile_error_messages_are_escaped():
    def f(x):
        raise ValueError('<script>alert("x")</script>')
    w = widgets.explore(f, x=(0, 1, 0.5))
    assert "<script>" not in w._readout.value and "&lt;script&gt;" in w._readout.value


@pytest.mark.parametrize("call, error, match", [
    (lambda: widgets.explore(5, x=(0, 1, 0.5)), TypeError,
     "explore\\(\\) needs a function, got int"),
    (lambda: widgets.backprop_player("y"), TypeError,
     "backprop_player\\(\\) needs a Tensor, got str"),
    (lambda: widgets.backprop_player(torch.ones(2)), RuntimeError, "does not require grad"),
], ids=["explore int", "player str", "player no grad"])
def test_wrong_arguments_are_refused_clearly(call, error, match):
    with pytest.raises(error, match=match):
        call()
