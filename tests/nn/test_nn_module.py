"""nn.Module, Parameter and the layers: registration, traversal, modes, state_dict, repr."""
import collections
import copy
import pickle
import subprocess
import sys

import numpy as np
import pytest

import autograd_lab as lab
import autograd_lab.nn as nn
from autograd_lab._node import scope
from nn_helpers import compare_with_torch, grad_fn_names, outcome, same_outcome, same_weights


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.act = nn.Tanh()
        self.head = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))

    def forward(self, x):
        return self.head(self.act(self.fc1(x)))


def build(lib):
    nn_ = lib.nn
    return nn_.Sequential(
        nn_.Linear(2, 3), nn_.ReLU(), nn_.Sequential(nn_.Tanh(), nn_.Dropout(0.2)),
        nn_.Softmax(dim=1), nn_.LogSoftmax(1), nn_.Flatten(), nn_.Sigmoid(),
        nn_.Linear(3, 1, bias=False), nn_.ReLU(inplace=True), nn_.Softmax(), nn_.Flatten(0, 2),
        nn_.MSELoss(), nn_.L1Loss(reduction="sum"), nn_.CrossEntropyLoss(label_smoothing=0.1),
        nn_.NLLLoss(ignore_index=3), nn_.BCELoss(), nn_.BCEWithLogitsLoss(), nn_.Sequential())


# ---- registration and traversal ------------------------------------------------------------
def test_attributes_register_parameters_and_modules_in_order():
    m = MLP()
    assert [n for n, _ in m.named_parameters()] == [
        "fc1.weight", "fc1.bias", "head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias"]
    assert list(m.parameters()) == [p for _, p in m.named_parameters()]
    assert [n for n, _ in m.named_children()] == ["fc1", "act", "head"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "act", "head", "head.0", "head.1",
                                                 "head.2"]
    assert list(m.children())[2] is m.head and list(m.modules())[0] is m
    assert [n for n, _ in m.named_parameters(recurse=False)] == []
    assert isinstance(m.fc1.weight, nn.Parameter) and m.fc1.weight.requires_grad


def test_shared_modules_and_parameters_come_once():
    shared = nn.Linear(2, 2)
    m = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(m.modules())) == 3
    assert len(list(m.named_parameters(remove_duplicate=False))) == 4
    tied = nn.Module()
    tied.a, tied.b = nn.Linear(2, 2), nn.Linear(2, 2)
    tied.b.weight = tied.a.weight
    assert [n for n, _ in tied.named_parameters()] == ["a.weight", "a.bias", "b.bias"]


def test_buffers_and_state_dict_keys():
    m = nn.Module()
    m.register_buffer("running", lab.zeros(2))
    m.register_buffer("scratch", lab.ones(1), persistent=False)
    m.w = nn.Parameter(lab.ones(3))
    m.register_parameter("missing", None)
    assert [n for n, _ in m.named_buffers()] == ["running", "scratch"]
    assert list(m.state_dict()) == ["w", "running"]
    m.running = lab.ones(2)
    np.testing.assert_array_equal(m.state_dict()["running"].numpy(), 1.0)
    del m.running
    assert list(m.state_dict()) == ["w"]
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'running'"):
        m.running


def test_plain_attributes_are_not_registered():
    m = nn.Linear(1, 1)
    m.note, m.cache = "hello", lab.ones(2)
    assert m.note == "hello" and "cache" not in dict(m.named_buffers())
    m.weight = None
    assert [n for n, _ in m.named_parameters()] == ["bias"]
    assert "weight" in dir(nn.Linear(1, 1))


def test_registration_errors_are_pytorchs():
    m = nn.Linear(1, 1)
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter "
                                        r"'weight' \(torch.nn.Parameter or None expected\)"):
        m.weight = lab.ones(1, 1)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module"):
        seq = nn.Sequential(nn.ReLU())
        setattr(seq, "0", 3)
    with pytest.raises(KeyError, match=r'parameter name can.*contain "\."'):
        m.register_parameter("a.b", None)
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        m.register_parameter("training", None)
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' object to parameter"):
        m.register_parameter("p", nn.Parameter(lab.ones(1)) * 2)
    computed = nn.Parameter(lab.ones(1), requires_grad=False)
    computed.add_(lab.ones(1, requires_grad=True))
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'p'"):
        m.register_parameter("p", computed)
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'foo'"):
        m.foo

    class Early(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)
    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\) "
                                             r"call"):
        Early()
    with pytest.raises(NotImplementedError, match='Module \\[Module\\] is missing the required '
                                                  '"forward" function'):
        nn.Module()(1)


# ---- modes, gradients, dtype ----------------------------------------------------------------
def test_train_and_eval_reach_every_module():
    m = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Dropout(0.5)))
    assert m.eval() is m and not any(x.training for x in m.modules())
    x = lab.ones(3, 4)
    np.testing.assert_array_equal(m(x).detach().numpy(), m[0](x).detach().numpy())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train(1)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    m = MLP()
    m(lab.ones(5, 2)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=set_to_none)
    for p in m.parameters():
        assert p.grad is None if set_to_none else not p.grad.numpy().any()


def test_requires_grad_and_to_keep_the_same_parameters():
    m = MLP()
    params = list(m.parameters())
    assert m.double() is m and list(m.parameters()) == params
    assert all(p.dtype == lab.float64 for p in params)
    assert m(lab.ones(1, 2, dtype=lab.float64)).dtype == lab.float64
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in params)
    m.to(lab.float32)
    assert all(p.dtype == lab.float32 for p in params)


@pytest.mark.parametrize("args, kwargs", [
    (("cpu",), {}), (("device",), {}), ((), {"device": "device"}), (("device", "float64"), {}),
    (("cpu", "float64", True), {}), (("float16",), {}), ((), {"dtype": "float64"})])
@pytest.mark.parametrize("make", ["Linear", "CrossEntropyLoss"])
def test_to_accepts_devices_and_float_dtypes_as_pytorch(make, args, kwargs):
    def to(lib):
        names = {"device": lib.device("cpu"), "cpu": "cpu"}
        pick = lambda a: (names[a] if a in names else getattr(lib, a)) \
            if isinstance(a, str) else a
        m = lib.nn.Linear(2, 1) if make == "Linear" else lib.nn.CrossEntropyLoss()
        out = m.to(*map(pick, args), **{k: pick(v) for k, v in kwargs.items()})
        assert out is m
        return [p.dtype for p in m.parameters()]
    assert same_outcome(to)[0] == "ok"


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "ones"])
def test_to_a_non_float_dtype_raises_pytorchs_type_error(dtype):
    def to(lib):
        m = lib.nn.Linear(2, 1)
        try:
            m.to(lib.ones(1, dtype=lib.int64) if dtype == "ones" else getattr(lib, dtype))
        finally:
            assert m.weight.dtype == lib.float32
    assert same_outcome(to)[0] == "TypeError"
    assert same_outcome(lambda lib: lib.nn.Linear(2, 1).to(dtype=lib.int64))[0] == "TypeError"


def test_linear_default_init_is_pytorchs_and_seeded():
    lab.manual_seed(0)
    a = nn.Linear(16, 8)
    bound = 1 / np.sqrt(16)  # kaiming_uniform_(a=sqrt(5)) on the weight, the same for the bias
    for p in a.parameters():
        assert p.dtype == lab.float32 and np.abs(p.detach().numpy()).max() <= bound
    assert np.abs(a.weight.detach().numpy()).max() > 0.95 * bound
    lab.manual_seed(0)
    np.testing.assert_array_equal(nn.Linear(16, 8).weight.detach().numpy(),
                                  a.weight.detach().numpy())
    assert nn.Linear(2, 2, dtype=lab.float64).weight.dtype == lab.float64


# ---- state_dict ---------------------------------------------------------------------------
def test_state_dict_round_trip():
    a, b = MLP(), MLP()
    x = lab.randn(4, 2)
    sd = a.state_dict()
    assert isinstance(sd, collections.OrderedDict)
    assert list(sd) == [n for n, _ in a.named_parameters()]
    assert all(not v.requires_grad for v in sd.values())
    assert np.shares_memory(sd["fc1.weight"].numpy(), a.fc1.weight.detach().numpy())
    version = b.fc1.weight._version
    result = b.load_state_dict(sd)
    assert repr(result) == "<All keys matched successfully>"
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    assert not np.shares_memory(a.fc1.weight.detach().numpy(), b.fc1.weight.detach().numpy())
    assert b.fc1.weight._version == version + 1  # copied in place into the same Parameter


def test_load_state_dict_assign_binds_new_parameters():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.load_state_dict(a.state_dict(), assign=True)
    assert isinstance(b.weight, nn.Parameter) and b.weight.requires_grad
    assert np.shares_memory(a.weight.detach().numpy(), b.weight.detach().numpy())


def test_strict_load_errors_are_pytorchs():
    torch = pytest.importorskip("torch")
    bad = {"weight": np.ones((1, 3), np.float32), "foo": np.ones(1, np.float32)}
    messages = []
    for lib in (lab, torch):
        with pytest.raises(RuntimeError) as info:
            lib.nn.Linear(2, 1).load_state_dict({k: lib.tensor(v) for k, v in bad.items()})
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("Error(s) in loading state_dict for Linear:\n\tMissing key(s) "
                                  "in state_dict: \"bias\". ")
    results = [repr(lib.nn.Linear(2, 1).load_state_dict({"weight": lib.ones(1, 2)}, strict=False))
               for lib in (lab, torch)]
    assert results[0] == results[1] == \
        "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"
    nested = [repr(build(lib).load_state_dict({"0.weight": lib.ones(3, 2), "3.x": lib.ones(1),
                                                "7.weight": lib.ones(1, 3)}, strict=False))
              for lib in (lab, torch)]
    assert nested[0] == nested[1]


def test_copies_are_independent():
    m = MLP()
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert type(clone.fc1.weight) is nn.Parameter and clone.fc1.weight.requires_grad
        x = lab.randn(3, 2)
        np.testing.assert_array_equal(clone(x).detach().numpy(), m(x).detach().numpy())
        with lab.no_grad():
            clone.fc1.weight.fill_(0)
        assert m.fc1.weight.detach().numpy().any()


# ---- printing -----------------------------------------------------------------------------
def test_module_repr_is_pytorchs():
    torch = pytest.importorskip("torch")
    assert repr(build(lab)) == repr(build(torch))
    assert repr(nn.Module()) == "Module()"


def test_parameter_repr_is_pytorchs():
    torch = pytest.importorskip("torch")
    for data, rg in (([1.0, 2.0], True), ([1.0, 2.0], False), ([[0.5]], True)):
        for dtype in ("float32", "float64"):
            ours = nn.Parameter(lab.tensor(data, dtype=getattr(lab, dtype)), requires_grad=rg)
            theirs = torch.nn.Parameter(torch.tensor(data, dtype=getattr(torch, dtype)),
                                        requires_grad=rg)
            assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        nn.Parameter(lab.tensor([1, 2]))


def test_state_dict_prints_like_pytorchs():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    same_weights(ours, theirs)
    assert repr(ours.state_dict()) == repr(theirs.state_dict())


# ---- layers against torch -----------------------------------------------------------------
def test_layers_forward_and_backward_match_torch():
    torch = pytest.importorskip("torch")
    models = {}
    for lib in (lab, torch):
        lib.manual_seed(0)
        models[lib] = lib.nn.Sequential(
            lib.nn.Flatten(), lib.nn.Linear(6, 5, dtype=lib.float64), lib.nn.Tanh(),
            lib.nn.Linear(5, 4, dtype=lib.float64), lib.nn.ReLU(), lib.nn.Dropout(0.3),
            lib.nn.Linear(4, 3, dtype=lib.float64), lib.nn.Sigmoid(), lib.nn.Softmax(1),
            lib.nn.LogSoftmax(1))
        models[lib].eval()
    same_weights(models[lab], models[torch])
    compare_with_torch(lambda lib, x: models[lib](x), [(np.random.default_rng(1).normal(
        size=(7, 2, 3)), True)])
    for (_, p), (_, q) in zip(models[lab].named_parameters(), models[torch].named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("loss", ["MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
                                  "BCEWithLogitsLoss"])
def test_loss_modules_match_torch(loss):
    rng = np.random.default_rng(2)
    x = rng.uniform(0.05, 0.95, (6, 3))
    target = rng.integers(0, 3, 6) if loss in ("CrossEntropyLoss", "NLLLoss") else \
        rng.uniform(0, 1, (6, 3))
    kwargs = {"MSELoss": {}, "L1Loss": {"reduction": "sum"},
              "CrossEntropyLoss": {"weight": [1.0, 2.0, 0.5], "label_smoothing": 0.1},
              "NLLLoss": {"ignore_index": 1}, "BCELoss": {"reduction": "none"},
              "BCEWithLogitsLoss": {"pos_weight": [1.0, 3.0, 0.5]}}[loss]

    def fn(lib, x, t):
        args = {k: lib.tensor(v, dtype=lib.float64) if isinstance(v, list) else v
                for k, v in kwargs.items()}
        module = getattr(lib.nn, loss)(**args)
        assert list(module.state_dict()) == [k for k in ("weight", "pos_weight") if k in args]
        return module(x, t)
    compare_with_torch(fn, [(x, True), (target, False)])


def test_seed_section_8_graph_names_match_torch():
    torch = pytest.importorskip("torch")
    graphs = []
    for lib in (lab, torch):
        model = lib.nn.Linear(1, 1)
        x = lib.tensor([[1.0], [2.0]])
        loss = lib.nn.functional.mse_loss(model(x), 2 * x)
        graphs.append(grad_fn_names(loss))
    assert graphs[0] == graphs[1] == ["MseLossBackward0", "AddmmBackward0", None,
                                      "AccumulateGrad", None, "TBackward0", "AccumulateGrad"]


def test_module_list():
    torch = pytest.importorskip("torch")
    reprs = []
    for lib in (lab, torch):
        layers = lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)])
        layers.append(lib.nn.ReLU())
        layers += [lib.nn.ReLU(), lib.nn.Tanh()]
        layers.insert(1, lib.nn.Sigmoid())
        reprs.append((repr(layers), repr(layers[1:3]), repr(lib.nn.ModuleList()), len(layers),
                      [n for n, _ in layers.named_parameters()]))
    assert reprs[0] == reprs[1]
    layers = nn.ModuleList([nn.ReLU()])
    layers[0] = nn.Tanh()
    assert isinstance(layers[-1], nn.Tanh) and list(layers) == [layers[0]]
    with pytest.raises(IndexError, match="index 1 is out of range"):
        layers[1]


def test_sequential_container():
    a, b = nn.Linear(2, 3), nn.ReLU()
    s = nn.Sequential(collections.OrderedDict([("lin", a), ("act", b)]))
    assert s.lin is a and s[0] is a and s[-1] is b and len(s) == 2 and list(s) == [a, b]
    assert isinstance(s[:1], nn.Sequential) and list(s[:1]) == [a]
    s.append(nn.Tanh())
    assert [n for n, _ in s.named_children()] == ["lin", "act", "2"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        s[5]


def test_identity_returns_its_input():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        m = lib.nn.Identity(54, unused=0.1)
        return m(x) is x, repr(m), repr(lib.nn.Sequential(lib.nn.Identity(), lib.nn.ReLU()))
    assert same_outcome(run)[1].startswith("(True, 'Identity()'")


def names(container):
    return list(container._modules), [type(m).__name__ for m in container]


CONTAINER_EDITS = {
    "del": lambda nn, s: s.__delitem__(0),
    "del_negative": lambda nn, s: s.__delitem__(-2),
    "del_slice": lambda nn, s: s.__delitem__(slice(1, 3)),
    "del_out_of_range": lambda nn, s: s.__delitem__(10),
    "pop": lambda nn, s: type(s.pop(1)).__name__,
    "pop_slice": lambda nn, s: names(s.pop(slice(0, 2))),
    "pop_out_of_range": lambda nn, s: s.pop(-10),
    "insert_front": lambda nn, s: s.insert(0, nn.Identity()) is s,
    "insert_negative": lambda nn, s: s.insert(-1, nn.Identity()) is s,
    "insert_end": lambda nn, s: s.insert(3, nn.Identity()) is s,
    "insert_at_minus_len": lambda nn, s: s.insert(-3, nn.Identity()) is s,
    "insert_out_of_range": lambda nn, s: s.insert(9, nn.Identity()),
    "insert_below_range": lambda nn, s: s.insert(-9, nn.Identity()),
    "insert_not_a_module": lambda nn, s: s.insert(0, 3),
    "extend": lambda nn, s: s.extend(nn.Sequential(nn.Identity(), nn.ReLU())) is s,
    "extend_list": lambda nn, s: s.extend([nn.Identity()]) is s,
}


@pytest.mark.parametrize("edit, named", [  # PyTorch's insert assumes names '0', '1', ...
    (edit, named) for edit in sorted(CONTAINER_EDITS) for named in (False, True)
    if not (named and edit.startswith("insert"))])
def test_sequential_edits_are_pytorchs(edit, named):
    def run(lib):
        layers = [lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.Tanh()]
        s = lib.nn.Sequential(collections.OrderedDict(zip("abc", layers))) if named else \
            lib.nn.Sequential(*layers)
        return outcome(CONTAINER_EDITS[edit], lib.nn, s), names(s), \
            [n for n, _ in s.named_parameters()]
    same_outcome(run)


@pytest.mark.parametrize("edit", ["del", "del_negative", "del_slice", "del_out_of_range", "pop",
                                  "pop_slice", "pop_out_of_range"])
def test_module_list_deletions_are_pytorchs(edit):
    def run(lib):
        m = lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.Tanh()])
        return outcome(CONTAINER_EDITS[edit], lib.nn, m), names(m)
    same_outcome(run)


# ---- module scopes for the graph display ----------------------------------------------------
def test_nodes_record_the_dotted_path_of_the_module_that_made_them():
    m = MLP()
    out = m(lab.ones(2, 2, requires_grad=True))
    scopes = {}
    stack = [out.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is not None and hasattr(fn, "_scope"):
            scopes[fn.name() + str(len(scopes))] = fn._scope
            stack.extend(f for f, _ in fn.next_functions)
    assert set(scopes.values()) == {"MLP.fc1", "MLP.act", "MLP.head.0", "MLP.head.1",
                                    "MLP.head.2"}
    assert scope.current is None
    assert nn.Linear(1, 1)(lab.ones(1, 1, requires_grad=True)).grad_fn._scope == "Linear"


def test_scope_is_restored_when_forward_raises():
    with pytest.raises(RuntimeError):
        nn.Linear(2, 2)(lab.ones(3, 5))
    assert scope.current is None


# ---- lazy imports --------------------------------------------------------------------------
def test_lazy_imports():
    code = ("import sys, autograd_lab as torch\n"
            "assert 'autograd_lab.nn' not in sys.modules\n"
            "assert torch.nn.functional.mse_loss is not None\n"
            "import autograd_lab.optim as optim, autograd_lab.nn as nn\n"
            "assert optim.lr_scheduler.StepLR and torch.optim.SGD is optim.SGD\n")
    subprocess.run([sys.executable, "-c", code], check=True)
