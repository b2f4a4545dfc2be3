"""Recurrent layers: `RNNCell`, `LSTMCell`, `GRUCell` and the multi-layer `RNN`, `LSTM`, `GRU`.

Built from engine ops the way PyTorch's CPU kernels compute them (aten/src/ATen/native/RNN.cpp),
so backward and the graph display come for free: per layer and direction one `linear` projects
the inputs of all time steps, then each step adds `linear(h, weight_hh, bias_hh)` and applies
the gates (LSTM: i, f, g, o; GRU: r, z, n with n = tanh(x_n + r * (W_hn h + b_hn))).
"""
import math
import numbers
import warnings


from .. import _dtypes, _factories, _ops
from .._tensor import Tensor
from . import functional as F
from . import init
from ._module import Module
from .parameter import Parameter

# ---- one time step: `xw` is x @ weight_ih.T + bias_ih, `state` h (LSTM: (h, c)) --------------


def _tanh_step(xw, h, w_hh, b_hh):
    return (F.linear(h, w_hh, b_hh) + xw).tanh()


def _relu_step(xw, h, w_hh, b_hh):
    return (F.linear(h, w_hh, b_hh) + xw).relu()


def _lstm_step(xw, state, w_hh, b_hh, w_hr=None):
    h, c = state
    i, f, g, o = _ops.unsafe_chunk(F.linear(h, w_hh, b_hh) + xw, 4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return (h if w_hr is None else _ops.matmul(h, w_hr.t())), c


def _gru_step(xw, h, w_hh, b_hh):
    x_r, x_z, x_n = _ops.unsafe_chunk(xw, 3, 1)
    h_r, h_z, h_n = _ops.unsafe_chunk(F.linear(h, w_hh, b_hh), 3, 1)
    r, z = (h_r + x_r).sigmoid(), (h_z + x_z).sigmoid()
    n = (x_n + h_n * r).tanh()
    return (h - n) * z + n


_STEPS = {"RNN_TANH": _tanh_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step, "GRU": _gru_step}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _uniform_reset(module):
    """PyTorch's init of recurrent layers: every parameter ~ U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    stdv = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -stdv, stdv)


def _parameter(dtype, *shape):
    return Parameter(_factories.empty(*shape, dtype=dtype))


# ---- cells --------------------------------------------------------------------------------------


class RNNCellBase(Module):
    """weight_ih (gates*hidden, input), weight_hh (gates*hidden, hidden), bias_ih, bias_hh."""

    _mode = "RNN_TANH"  # the step (and so the number of gate blocks stacked in the weights)

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = _dtypes.get_default_dtype() if dtype is None else dtype
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gates = _GATES[self._mode] * hidden_size
        self.weight_ih = _parameter(dtype, gates, input_size)
        self.weight_hh = _parameter(dtype, gates, hidden_size)
        for name in ("bias_ih", "bias_hh"):
            if bias:
                setattr(self, name, _parameter(dtype, gates))
            else:
                self.register_parameter(name, None)
        self.reset_parameters()

    def reset_parameters(self):
        _uniform_reset(self)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = self.__dict__.get("nonlinearity", "tanh")
        return s + ("" if nonlinearity == "tanh" else f", nonlinearity={nonlinearity}")

    def _states(self, input, hx, n_states):
        """(batched input, its states, is_batched) after PyTorch's dimension checks; hx is the
        list or tuple of given states (None: zeros)."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for k, h in enumerate(hx or ()):
            if h.dim() not in (1, 2):
                what = "hidden" if n_states == 1 else f"hx[{k}]"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D "
                                 f"instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = [_factories.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)] * n_states
        elif not batched:
            hx = [hx[k].unsqueeze(0) for k in range(n_states)]
        if len(hx) != n_states:
            raise RuntimeError("lstm_cell expects two hidden states")
        if input.shape[1] != self.weight_ih.shape[1]:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.weight_ih.shape[1]}")
        for k, h in enumerate(hx):
            if input.shape[0] != h.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{k} "
                                   f"batch size {h.shape[0]}")
            if h.shape[1] != self.weight_hh.shape[1]:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.shape[1]}, "
                                   f"expected {self.weight_hh.shape[1]}")
        return input, hx, batched

    def _step(self, mode, input, state):
        xw = F.linear(input, self.weight_ih, self.bias_ih)
        return _STEPS[mode](xw, state, self.weight_hh, self.bias_hh)


class RNNCell(RNNCellBase):
    """h' = tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh) (nonlinearity='relu': relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (h,), batched = self._states(input, None if hx is None else [hx], 1)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = self._step("RNN_" + self.nonlinearity.upper(), input, h)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """(h', c') from gates i, f, g, o: c' = f*c + i*g, h' = o*tanh(c')."""

    _mode = "LSTM"

    def forward(self, input, hx=None):
        if isinstance(hx, Tensor) and input.dim() == 2:
            raise TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, "
                            "not Tensor")
        input, state, batched = self._states(input, None if hx is None else tuple(hx), 2)
        h, c = self._step(self._mode, input, tuple(state))
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """h' = (1 - z) * n + z * h from gates r, z, n."""

    _mode = "GRU"

    def forward(self, input, hx=None):
        input, (h,), batched = self._states(input, None if hx is None else [hx], 1)
        h = self._step(self._mode, input, h)
        return h if batched else h.squeeze(0)


# ---- multi-layer, whole sequences ---------------------------------------------------------------


class RNNBase(Module):
    """Stacked recurrent layers over a sequence (L, N, input_size) or (N, L, ...) with
    batch_first, or unbatched (L, input_size). Parameters per layer k and direction:
    weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (LSTM with proj_size also
    weight_hr_l{k}), with the suffix '_reverse' for the backward direction."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        _check_options(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        dtype = _dtypes.get_default_dtype() if dtype is None else dtype
        directions = 2 if bidirectional else 1
        out_size = proj_size or hidden_size
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [("weight_ih", (_GATES[mode] * hidden_size,
                                         input_size if layer == 0 else out_size * directions)),
                          ("weight_hh", (_GATES[mode] * hidden_size, out_size))]
                if bias:
                    shapes += [("bias_ih", (_GATES[mode] * hidden_size,)),
                               ("bias_hh", (_GATES[mode] * hidden_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = [kind + suffix for kind, _ in shapes]
                for name, (_, shape) in zip(names, shapes):
                    setattr(self, name, _parameter(dtype, *shape))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        _uniform_reset(self)

    def flatten_parameters(self):
        """Does nothing: PyTorch packs the weights for cuDNN here; numpy needs no packing."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters, one list per layer and direction."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True),
                              ("batch_first", False), ("dropout", 0), ("bidirectional", False)):
            if getattr(self, name) != default:
                s += f", {name}={getattr(self, name)}"
        return s

    # ---- forward --------------------------------------------------------------------------
    def forward(self, input, hx=None):
        """(output, h_n); LSTM: (output, (h_n, c_n))."""
        lstm = self.mode == "LSTM"
        if input.dim() not in (2, 3):
            name = "RNN" if self.mode.startswith("RNN") else self.mode
            tensor = " tensor" if name == "RNN" else ""
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D"
                             f"{tensor} instead")
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        if hx is None:
            sizes = [self.proj_size or self.hidden_size] + [self.hidden_size] * lstm
            states = [_factories.zeros(self._n_states, input.shape[batch_dim], n,
                                       dtype=input.dtype) for n in sizes]
        else:
            states = list(hx) if lstm else [hx]
            _check_state_dims(states, batched, lstm)
            if not batched:
                states = [h.unsqueeze(1) for h in states]
        self._check_forward_args(input, states)
        output, finals = self._run(input.transpose(0, 1) if self.batch_first else input, states)
        if self.batch_first:
            output = output.transpose(0, 1)
        if not batched:
            output = output.squeeze(batch_dim)
            finals = [h.squeeze(1) for h in finals]
        return output, (tuple(finals) if lstm else finals[0])

    def _check_forward_args(self, input, states):
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        batch = input.shape[0 if self.batch_first else 1]
        sizes = [self.proj_size or self.hidden_size, self.hidden_size]
        for k, (h, size) in enumerate(zip(states, sizes)):
            expected = (self._n_states, batch, size)
            if tuple(h.shape) != expected:
                what = f"hidden[{k}]" if self.mode == "LSTM" else "hidden"
                raise RuntimeError(f"Expected {what} size {expected}, got {list(h.shape)}")

    def _run(self, x, states):
        """The layers over x (L, N, features) from the stacked initial states: (output, the
        stacked final states)."""
        if not len(x):
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        step = _STEPS[self.mode]
        lstm = self.mode == "LSTM"
        per_layer = list(zip(*[_ops.unbind(h, 0) for h in states]))  # [(h,) or (h, c)]
        directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(k)
                inputs = _ops.unbind(F.linear(x, w_ih, b_ih), 0)
                extra = (w_hr,) if w_hr is not None else ()
                state = per_layer[k] if lstm else per_layer[k][0]
                out = []
                for xw in (reversed(inputs) if direction else inputs):
                    state = step(xw, state, w_hh, b_hh, *extra)
                    out.append(state[0] if lstm else state)
                outputs.append(_ops.stack(out[::-1] if direction else out, 0))
                finals.append(state if lstm else (state,))
            x = outputs[0] if len(outputs) == 1 else _ops.cat(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout)
        return x, [_ops.stack(list(hs), 0) for hs in zip(*finals)]

    def _layer_weights(self, k):
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of layer-direction k, None where absent."""
        weights = {name.rsplit("_l", 1)[0]: getattr(self, name) for name in self._all_weights[k]}
        return tuple(weights.get(kind) for kind in
                     ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"))

    @property
    def _n_states(self):
        """The number of (layer, direction) pairs: the first size of h_0 and h_n."""
        return self.num_layers * (2 if self.bidirectional else 1)


def _check_options(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size):
    """PyTorch's argument checks of RNNBase (and its warning for dropout with one layer)."""
    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 \
            or isinstance(dropout, bool):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so "
                      f"non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                            f"{type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def _check_state_dims(states, batched, lstm):
    """PyTorch's check that hx (LSTM: h and c) is 3-D for batched input, 2-D for unbatched."""
    want = 3 if batched else 2
    if any(h.dim() != want for h in states):
        kind = "batched 3-D" if batched else "unbatched 2-D"
        if lstm:
            dims = ", ".join(f"{h.dim()}-D" for h in states)
            raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                               f"({dims}) tensors")
        raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                           f"{states[0].dim()}-D tensor")


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh) (or relu)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             f"or 'relu'.")
        super().__init__("RNN_" + self.nonlinearity.upper(), *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o; proj_size > 0 projects h by weight_hr."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: gates r, z, n; h_t = (1 - z) * n + z * h_{t-1}."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)
