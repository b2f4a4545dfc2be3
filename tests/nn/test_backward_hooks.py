"""nn.Module full backward hooks and backward pre-hooks: each scenario runs on autograd_lab and
on torch 2.13 and must give the same record (calls, gradients, graph node names, errors)."""
import warnings

import pytest

import autograd_lab
from nn_helpers import grad_fn_names, on_both


def vals(t):
    """A tensor (or None) as nested lists, rounded: comparable across the libraries."""
    return None if t is None else t.detach().double().numpy().round(10).tolist()


def linear(T, n_in=3, n_out=2):
    """A Linear with fixed weights (the libraries' random initializations differ)."""
    lin = T.nn.Linear(n_in, n_out).double()
    with T.no_grad():
        lin.weight.copy_(T.arange(n_in * n_out, dtype=T.float64).reshape(n_out, n_in) / 10)
        lin.bias.fill_(0.5)
    return lin


class Pair(autograd_lab.nn.Module):
    """forward(a, b, k) -> (a * 2, (a.sum() + b) * k): two tensor inputs, a non-tensor one."""

    def forward(self, a, b, k=3):
        return a * 2, (a.sum() + b) * k


def pair(T):
    return type("Pair", (T.nn.Module,), {"forward": Pair.forward})()


def grads_log(log, tag):
    def hook(module, *grads):
        log.append((tag, type(module).__name__, [[vals(g) for g in gs] for gs in grads]))
    return hook


def test_order_arguments_and_firing_once_per_backward():
    def scenario(T):
        lin, log = linear(T), []
        lin.register_full_backward_hook(grads_log(log, "full1"))
        lin.register_full_backward_hook(grads_log(log, "full0"), prepend=True)
        lin.register_full_backward_pre_hook(grads_log(log, "pre1"))
        lin.register_full_backward_pre_hook(grads_log(log, "pre0"), prepend=True)
        x = T.tensor([[1.0, 2.0, 3.0]], dtype=T.float64, requires_grad=True)
        x.register_hook(lambda g: log.append("x"))
        y = lin(x)
        y.register_hook(lambda g: log.append("y"))
        (y * T.tensor([[1.0, -1.0]], dtype=T.float64)).sum().backward(retain_graph=True)
        y.sum().backward()
        return log + [vals(x.grad), vals(lin.weight.grad)]

    log = on_both(scenario)
    assert [e if isinstance(e, str) else e[0] for e in log[:6]] == \
        ["y", "pre0", "pre1", "full0", "full1", "x"]
    assert log[3] == ("full0", "Linear", [[[[-0.3, -0.3, -0.3]]], [[[1.0, -1.0]]]])
    assert len(log) == 14  # every hook once per backward


def test_graph_nodes_inside_and_around_the_module():
    def scenario(T):
        seen = []

        def forward(self, a, b):
            seen.append([a.grad_fn.name(), b.grad_fn, b.requires_grad,
                         [f is None or f.name() for f, _ in a.grad_fn.next_functions]])
            return a * 2, (a.sum() + b) * 3

        m = type("M", (T.nn.Module,), {"forward": forward})()
        m.register_full_backward_hook(lambda *args: None)
        a = T.ones(2, requires_grad=True)
        o1, o2 = m(a, T.ones(3))
        return seen + [o1.grad_fn.name(), [f.name() for f, _ in o1.grad_fn.next_functions],
                       o2.grad_fn.name()]

    record = on_both(scenario)
    assert record[0] == ["BackwardHookFunctionBackward", None, False,
                         ["torch::autograd::AccumulateGrad", True]]
    assert record[1:] == ["BackwardHookFunctionBackward", ["MulBackward0", "MulBackward0"],
                          "BackwardHookFunctionBackward"]


def test_several_inputs_and_outputs_unused_ones_and_non_tensors():
    def scenario(T):
        m, log = pair(T), []
        m.register_full_backward_hook(grads_log(log, "full"))
        a = T.ones(2, requires_grad=True)
        b = T.ones(3, requires_grad=True)
        o1, o2 = m(a, b)
        (o1.sum() + 2 * o2.sum()).backward()
        log.append([vals(a.grad), vals(b.grad)])
        a.grad = b.grad = None
        o1, _ = m(a, b)  # o2 unused: its grad_output is None, b's gradient zeros
        o1.sum().backward()
        log.append([vals(a.grad), vals(b.grad)])
        o1, o2 = m(a, T.ones(3), 4)  # b needs no grad: still a zero grad_input
        (o1.sum() + o2.sum()).backward()
        return log

    log = on_both(scenario)
    assert log[2] == ("full", "Pair", [[[2.0, 2.0], [0.0, 0.0, 0.0]], [[1.0, 1.0], None]])
    assert log[3] == [[2.0, 2.0], [0.0, 0.0, 0.0]]


def test_returned_grad_input_reaches_grad_and_none_means_no_gradient():
    def scenario(T):
        record = []
        for replacement in (lambda gi: (gi[0] * 0 + 7,), lambda gi: (None,)):
            lin = linear(T)
            lin.register_full_backward_hook(lambda m, gi, go, r=replacement: r(gi))
            x = T.ones(2, 3, dtype=T.float64, requires_grad=True)
            lin(x).sum().backward()
            record.append([vals(x.grad), vals(lin.weight.grad)])
        return record

    assert on_both(scenario)[0][0] == [[7.0] * 3] * 2


def test_pre_hook_replaces_grad_output_for_the_module_and_the_hooks():
    def scenario(T):
        lin, log = linear(T), []
        lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 10,))
        lin.register_full_backward_hook(grads_log(log, "full"))
        x = T.ones(1, 3, dtype=T.float64, requires_grad=True)
        lin(x).sum().backward()
        return log + [vals(x.grad), vals(lin.weight.grad)]

    assert on_both(scenario)[-1] == [[10.0] * 3] * 2


def test_no_input_requires_grad_fires_at_the_outputs_with_a_warning():
    def scenario(T):
        lin, log = linear(T), []
        lin.register_full_backward_hook(grads_log(log, "full"))
        bad = linear(T)
        bad.register_full_backward_hook(lambda m, gi, go: (go[0],))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lin(T.ones(1, 3, dtype=T.float64)).sum().backward()
            try:
                bad(T.ones(1, 3, dtype=T.float64)).sum().backward()
            except RuntimeError as e:
                log.append(str(e))
        return log + [(w.category.__name__, str(w.message)) for w in caught]

    log = on_both(scenario)
    assert log[0] == ("full", "Linear", [[None], [[[1.0, 1.0]]]])
    assert log[1].startswith("Backward hook for Modules where no input requires gradient")
    assert log[2][0] == "UserWarning" and log[2][1].startswith("Full backward hook is firing")
    assert len(log) == 4  # the warning comes at every such backward


@pytest.mark.parametrize("bad,text", [
    ("too_many", "Backward hook returned an invalid number of grad_input, got 2, but expected 1"),
    ("wrong_size", "hook 'hook' has changed the type of value"),
    ("pre_too_many", "Backward pre hook returned an invalid number of grad_output, got 2"),
])
def test_errors(bad, text):
    def scenario(T):
        lin = linear(T)
        if bad == "pre_too_many":
            lin.register_full_backward_pre_hook(lambda m, go: (None, None))
        else:
            lin.register_full_backward_hook(
                lambda m, gi, go: (None, None) if bad == "too_many" else (T.ones(5),))
        try:
            lin(T.ones(2, 3, dtype=T.float64, requires_grad=True)).sum().backward()
        except RuntimeError as e:
            return str(e)

    assert on_both(scenario).startswith(text)


def test_removed_hooks_do_not_fire_and_grad_mode_off_records_nothing():
    def scenario(T):
        lin, log = linear(T), []
        handle = lin.register_full_backward_hook(grads_log(log, "full"))
        with lin.register_full_backward_pre_hook(grads_log(log, "pre")):
            x = T.ones(1, 3, dtype=T.float64, requires_grad=True)
            lin(x).sum().backward()
        handle.remove()
        handle.remove()  # twice: harmless
        y = lin(x)
        y.sum().backward()
        with T.no_grad():
            off = lin(x)
        return [e[0] for e in log] + [y.grad_fn.name(), off.grad_fn]

    assert on_both(scenario) == ["pre", "full", "AddmmBackward0", None]


def test_outputs_that_are_not_tensors_or_tuples_warn_and_get_no_hooks():
    def scenario(T):
        m = type("D", (T.nn.Module,), {"forward": lambda self, x: {"a": x * 2}})()
        log = []
        m.register_full_backward_hook(grads_log(log, "full"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = m(T.ones(2, requires_grad=True))
        out["a"].sum().backward()
        return log + [out["a"].grad_fn.name()] + [str(w.message) for w in caught]

    assert on_both(scenario)[0] == "MulBackward0"


def test_higher_order_and_autograd_grad():
    def scenario(T):
        lin, log = linear(T), []
        lin.register_full_backward_hook(
            lambda m, gi, go: log.append([gi[0].requires_grad, go[0].requires_grad]))
        x = T.ones(1, 3, dtype=T.float64, requires_grad=True)
        g, = T.autograd.grad((lin(x) ** 2).sum(), x, create_graph=True)
        g.sum().backward()
        return log + [vals(g), vals(x.grad)]

    assert on_both(scenario)[0] == [True, True]


@pytest.mark.parametrize("case", ["own input", "second input", "first output of one",
                                  "second output of one", "second output of two"])
def test_in_place_change_of_a_hooked_input_or_output_is_refused_in_pytorchs_words(case):
    def scenario(T):
        class Inplace(T.nn.Module):
            def forward(self, a, b=None):
                (a if b is None else b).add_(1)
                return a * 2

        class Two(T.nn.Module):
            def forward(self, a, b):
                return a * 2, b * 3

        def x(grad=True):
            return T.ones(2, requires_grad=grad) * 1 if grad else T.ones(2)

        module = Inplace() if "input" in case else Two()
        module.register_full_backward_hook(lambda *args: None)
        with pytest.raises(RuntimeError) as info:
            if case == "own input":
                module(x())
            elif case == "second input":
                module(x(), x())
            elif case == "first output of one":
                module(x(), x(False))[0].add_(1)
            elif case == "second output of one":
                module(x(False), x())[1].add_(1)
            else:
                module(x(), x())[1].add_(1)
        return str(info.value)

    assert "BackwardHookFunction is a view" in on_both(scenario)


def test_anomaly_mode_names_the_input_whose_replaced_gradient_is_nan():
    def scenario(T):
        m = pair(T)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[1] * float("nan")))
        a, b = T.ones(2, requires_grad=True), T.ones(3, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (the forward traceback)
            with T.autograd.set_detect_anomaly(True), pytest.raises(RuntimeError) as info:
                m(a, b)[1].sum().backward()
        return str(info.value)

    assert on_both(scenario) == \
        "Function 'BackwardHookFunctionBackward' returned nan values in its 1th output."


def test_deprecated_backward_hook_sees_the_last_nodes_gradients_and_warns():
    def scenario(T):
        log = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lin = linear(T, 2, 2)
            handle = lin.register_backward_hook(grads_log(log, "linear"))
            x = T.ones(1, 2, dtype=T.float64, requires_grad=True)
            lin(x).sum().backward()  # AddmmBackward0's (bias, input, weight.t()) gradients
            relu = T.nn.ReLU()
            relu.register_backward_hook(lambda m, gi, go: (gi[0] * 3,))
            z = T.tensor([1.0, -2.0], requires_grad=True)
            relu(z * 1).sum().backward()  # one node on a non-leaf input: no warning
            pair_module = pair(T)
            pair_module.register_backward_hook(grads_log(log, "pair"))
            o1, o2 = pair_module(z * 1, z * 1)
            (o1.sum() + o2.sum()).backward()
        log.append([vals(x.grad), vals(z.grad)])
        handle.remove()
        for module in (lin, relu):
            with pytest.raises(RuntimeError) as info:
                module.register_full_backward_hook(grads_log(log, "full"))
            log.append(str(info.value))
        bad = T.nn.ReLU()
        bad.register_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError) as info:
            bad(z * 1).sum().backward()
        return log + [str(info.value)] + [(w.category.__name__, str(w.message)) for w in caught]

    log = on_both(scenario)
    assert log[0] == ("linear", "Linear", [[[1.0, 1.0], [[0.2, 0.4]], [[1.0, 1.0]] * 2],
                                           [[[1.0, 1.0]]]])
    assert log[1] == ("pair", "Pair", [[[2.0, 2.0], None], [[1.0, 1.0]]])  # o1 = a * 2
    assert log[2] == [[[0.2, 0.4]], [14.0, 11.0]]  # relu: [3, 0]; pair: 2 + 3 * 2 and 3 each
    assert log[3] == log[4] == ("Cannot use both regular backward hooks and full backward hooks "
                                "on a single Module. Please use only one of them.")
    assert log[5] == "hook '<lambda>' has returned an incorrect number of values (got 2, but " \
                     "expected 1)"
    assert [w[1].split(" is deprecated")[0] for w in log[6:]] == [
        "Using a non-full backward hook when the forward contains multiple autograd Nodes",
        "Using a non-full backward hook when outputs are generated by different autograd Nodes"]


def test_nested_modules_graph_and_order():
    def scenario(T):
        log = []
        seq = T.nn.Sequential(T.nn.Identity(), T.nn.ReLU(), T.nn.Identity())
        seq.register_full_backward_hook(grads_log(log, "seq"))
        seq[0].register_full_backward_hook(grads_log(log, "id0"))
        seq[1].register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
        seq[2].register_full_backward_hook(grads_log(log, "id2"))
        x = T.tensor([1.0, -1.0, 2.0], requires_grad=True)
        y = seq(x)
        (y * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        return [grad_fn_names(y)] + log + [vals(x.grad)]

    record = on_both(scenario)
    assert record[0].count("BackwardHookFunctionBackward") == 8
    assert [e[0] for e in record[1:4]] == ["id2", "id0", "seq"]
    assert record[-1] == [2.0, 0.0, 6.0]


def test_shared_module_retained_graph_and_autograd_grad_fire_every_time():
    def scenario(T):
        log = []
        relu = T.nn.ReLU()
        relu.register_full_backward_hook(grads_log(log, "relu"))
        x = T.tensor([1.0, -1.0, 2.0], requires_grad=True)
        (relu(x) + relu(x * 2)).sum().backward()
        m = pair(T)
        m.register_full_backward_hook(grads_log(log, "pair"))
        a, b = T.tensor([1.0, 2.0], requires_grad=True), T.tensor([3.0], requires_grad=True)
        out = m(a, b)[1].sum()
        log.append(vals(T.autograd.grad(out, [a], retain_graph=True)[0]))
        out.backward(retain_graph=True)
        out.backward()
        return log + [vals(x.grad), vals(a.grad), vals(b.grad)]

    record = on_both(scenario)
    assert [e[0] for e in record[:2]] == ["relu", "relu"]
    assert record[2] == ("pair", "Pair", [[[3.0, 3.0], [3.0]], [None, [1.0]]])
    assert record[3] == [3.0, 3.0] and record[4:6] == [record[2]] * 2
    assert record[-2:] == [[6.0, 6.0], [6.0]]
