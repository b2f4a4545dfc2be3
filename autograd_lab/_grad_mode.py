"""Grad mode: whether ops record a graph. Thread-local, as in PyTorch."""
import functools
import threading


class _State(threading.local):
    enabled = True
    keep_graph = True  # False while a backward pass frees the graph behind it

state = _State()


def is_grad_enabled():
    """True when operations are being recorded for autograd."""
    return state.enabled


class _GradMode:
    """Base of the grad-mode switches: a context manager and a decorator."""

    mode = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        mode = self.mode
        if isinstance(self, set_grad_enabled):
            state.enabled = self._prev  # as a decorator it must not switch the mode now

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev, state.enabled = state.enabled, mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = prev
        return wrapper


class _NoParamGradMode(_GradMode):
    """A grad mode that also decorates without parentheses: `@no_grad` as `@no_grad()`."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamGradMode):
    """Stop recording operations (inference, parameter updates)."""

    mode = False


class enable_grad(_NoParamGradMode):
    """Record operations again inside a `no_grad` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """Turn recording on or off: `set_grad_enabled(False)` takes effect at once, like PyTorch."""

    def __init__(self, mode):
        if not isinstance(mode, bool) and type(mode).__name__ != "bool_":  # numpy's bool too
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self.mode = bool(mode)
        self._prev = state.enabled
        state.enabled = self.mode

    def __enter__(self):
        pass


class inference_mode(_GradMode):
    """`no_grad` for inference (PyTorch's also skips version tracking; here it is no_grad):
    `with inference_mode():`, `@inference_mode()`, `@inference_mode`, `inference_mode(False)`."""

    def __new__(cls, mode=True):
        if callable(mode):  # @inference_mode without parentheses
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = not mode

    def __enter__(self):
        super().__enter__()
        self._prev_inference = _inference.on
        _inference.on = not self.mode

    def __exit__(self, *exc):
        _inference.on = self._prev_inference
        return super().__exit__(*exc)


class _Inference(threading.local):
    on = False


_inference = _Inference()


def is_inference_mode_enabled():
    """True inside an `inference_mode()` block."""
    return _inference.on
