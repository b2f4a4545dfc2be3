"""`nn.Module`: the base class of layers and models, with PyTorch's registration rules.

Assigning a `Parameter` or a `Module` to an attribute registers it (in `_parameters` /
`_modules`); `parameters()`, `state_dict()`, `train()`, `zero_grad()` and `repr()` walk the
tree of registered sub-modules. Calling a module runs `forward` inside a *scope* (the module's
dotted path, e.g. `'MLP.fc1'`), which every graph node made meanwhile records for the display.
"""
import collections
import collections.abc
import warnings

from .. import _dtypes
from .._grad_mode import no_grad
from .._node import _Handle, scope
from .._tensor import Device, Tensor, _require_cpu
from ._hooks import BackwardHook, register_non_full
from .parameter import Parameter


def typename(obj):
    """PyTorch's `torch.typename`: 'torch.FloatTensor' for tensors, the qualified name else."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if qualname is None:
        module, qualname = type(obj).__module__ or "", type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def zero_grads(params, set_to_none):
    """Set each tensor's .grad to None, or to zeros (detached) without reallocating it."""
    for p in params:
        if p._grad is not None:
            if set_to_none:
                p._grad = None
            else:
                p._grad.grad_fn = None
                p._grad.requires_grad = False
                p._grad.zero_()


class _IncompatibleKeys(collections.namedtuple("IncompatibleKeys",
                                               ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict` returns."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, " \
               f"unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


def _addindent(text, spaces):
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line if line.strip() else "" for line in rest])


def _check_one(param, value, key):
    """(error message or None, the value to load) for one checkpoint entry."""
    if not isinstance(value, Tensor):
        return (f'While copying the parameter named "{key}", expected torch.Tensor or '
                f'Tensor-like object from checkpoint but received {type(value)}'), None
    if param.ndim == 0 and value.shape == (1,):
        value = value[0]
    if value.shape != param.shape:
        return (f"size mismatch for {key}: copying a param with shape {value.shape} from "
                f"checkpoint, the shape in current model is {param.shape}."), None
    return None, value


class _Hooks:
    """A module's hook lists (a module without hooks has none: its calls skip all of this).
    `full` tells whether `backward` holds full hooks (True) or deprecated ones (False)."""

    __slots__ = ("forward_pre", "forward", "backward_pre", "backward", "full")

    def __init__(self):
        self.forward_pre, self.forward, self.backward_pre, self.backward = [], [], [], []
        self.full = None


_MIXED_HOOKS = ("Cannot use both regular backward hooks and full backward hooks on a single "
                "Module. Please use only one of them.")


class Module:
    """Base class for all neural network modules; subclass it and define `forward`."""

    def __init__(self):
        set_ = object.__setattr__
        set_(self, "training", True)
        set_(self, "_parameters", {})
        set_(self, "_buffers", {})
        set_(self, "_non_persistent_buffers_set", set())
        set_(self, "_modules", {})

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  f'"forward" function')

    def __call__(self, *args, **kwargs):
        """Run `forward`; graph nodes made meanwhile are tagged with this module's scope."""
        prev = scope.current
        name = self.__dict__.get("_scope_name")
        scope.current = type(self).__name__ if prev is None else \
            f"{prev}.{name or type(self).__name__}"
        hooks = self.__dict__.get("_hooks")
        try:
            if hooks is None:
                return self.forward(*args, **kwargs)
            return self._call_with_hooks(hooks, args, kwargs)
        finally:
            scope.current = prev

    def _call_with_hooks(self, hooks, args, kwargs):
        """PyTorch's order: forward pre-hooks, backward hooks set up on the inputs, forward,
        forward hooks, backward hooks set up on the outputs. If forward (or a hook) raises,
        the forward hooks registered with always_call=True that have not run yet run then."""
        ran = set()  # ids of the always_call entries that ran
        result = None
        try:
            args, kwargs = self._forward_pre_hooks(hooks.forward_pre, args, kwargs)
            bw_hook = None
            full = hooks.backward if hooks.full else []
            if full or hooks.backward_pre:
                bw_hook = BackwardHook(self, list(full), list(hooks.backward_pre))
                args = bw_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for entry in list(hooks.forward):
                if entry[2]:
                    ran.add(id(entry))
                result = self._forward_hook(entry, args, kwargs, result)
            if bw_hook is not None:
                result = bw_hook.setup_output_hook(result)
            if hooks.backward and not hooks.full:
                register_non_full(self, list(hooks.backward), args, result)
            return result
        except Exception:
            for entry in list(hooks.forward):
                if entry[2] and id(entry) not in ran:
                    try:
                        result = self._forward_hook(entry, args, kwargs, result)
                    except Exception as e:
                        warnings.warn(f"module forward hook with ``always_call=True`` raised an "
                                      f"exception that was silenced as another error was raised "
                                      f"in forward: {e}", stacklevel=2)
            raise

    def _forward_pre_hooks(self, entries, args, kwargs):
        """(args, kwargs) after the forward pre-hooks (hook, with_kwargs) changed them."""
        for hook, with_kwargs in list(entries):
            if with_kwargs:
                new = hook(self, args, kwargs)
                if new is not None:
                    if not (isinstance(new, tuple) and len(new) == 2):
                        raise RuntimeError(f"forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {new}.")
                    args, kwargs = new
            else:
                new = hook(self, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
        return args, kwargs

    def _forward_hook(self, entry, args, kwargs, result):
        """The result after one forward hook entry (hook, with_kwargs, always_call)."""
        hook, with_kwargs, _ = entry
        new = hook(self, args, kwargs, result) if with_kwargs else hook(self, args, result)
        return result if new is None else new

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """`hook(module, args)` runs before forward and may return replacement args (a tuple, or
        one value); with `with_kwargs=True`, `hook(module, args, kwargs)` may return
        `(args, kwargs)`. `prepend=True` runs it before the hooks already registered. Returns a
        handle whose `.remove()` unregisters it."""
        return _Handle(self._hook_lists().forward_pre, (hook, with_kwargs), prepend)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """`hook(module, args, output)` (with `with_kwargs=True`: `hook(module, args, kwargs,
        output)`) runs after forward and may return a replacement output; with
        `always_call=True` it runs even if forward raises. Returns a removable handle."""
        return _Handle(self._hook_lists().forward, (hook, with_kwargs, always_call), prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """`hook(module, grad_output)` runs when the gradients of the module's outputs are
        computed and may return a replacement tuple. Returns a removable handle."""
        return _Handle(self._hook_lists().backward_pre, hook, prepend)

    def register_backward_hook(self, hook):
        """Deprecated for `register_full_backward_hook` (as in PyTorch): `hook(module,
        grad_input, grad_output)` sees the gradients of the last node forward made."""
        hooks = self._hook_lists()
        if hooks.full:
            raise RuntimeError(_MIXED_HOOKS)
        hooks.full = False
        return _Handle(hooks.backward, hook)

    def register_full_backward_hook(self, hook, prepend=False):
        """`hook(module, grad_input, grad_output)` runs when the gradients of the module's
        positional tensor inputs are computed (of its outputs, if no input requires grad); it
        may return a tuple replacing grad_input. Entries are None for non-Tensor arguments.
        The module gets and returns views of its tensors, which in-place ops may not change."""
        hooks = self._hook_lists()
        if hooks.full is False:
            raise RuntimeError(_MIXED_HOOKS)
        hooks.full = True
        return _Handle(hooks.backward, hook, prepend)

    def _hook_lists(self):
        hooks = self.__dict__.get("_hooks")
        if hooks is None:
            hooks = _Hooks()
            object.__setattr__(self, "_hooks", hooks)
        return hooks

    # ---- registration ------------------------------------------------------------------------
    def _check_name(self, name, kind, table):
        if kind != "module" and "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."' +
                           (f", got: {name}" if kind == "module" else ""))
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in table:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Add a parameter (a `Parameter` or None) under `name`."""
        self._check_name(name, "parameter", self.__dict__.get("_parameters", {}))
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{typename(param)}' object to parameter '{name}' "
                            f"(torch.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f"parameters must be created explicitly. To express '{name}' as a "
                             f"function of another Tensor, compute the value in the forward() "
                             f"method.")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is state but not a parameter (saved in state_dict if persistent)."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{typename(tensor)}' object to buffer '{name}' "
                            f"(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module (or None) under `name`."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{typename(module)} is not a Module subclass")
        self._check_name(name, "module", self._modules)
        self._modules[name] = module
        if module is not None:
            object.__setattr__(module, "_scope_name", name)

    register_module = add_module

    def __getattr__(self, name):
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            entries = d.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__
        params, modules, buffers = d.get("_parameters"), d.get("_modules"), d.get("_buffers")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, d, buffers, modules)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{typename(value)}' as parameter '{name}' "
                                f"(torch.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, d, params, buffers)
            modules[name] = value
            object.__setattr__(value, "_scope_name", name)
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{typename(value)}' as child module '{name}' "
                                f"(torch.nn.Module or None expected)")
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{typename(value)}' as buffer '{name}' "
                                f"(torch.nn.Buffer, torch.Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, *tables):
        for t in tables:
            if t is not None and name in t:
                del t[name]
        self._non_persistent_buffers_set.discard(name)

    def __delattr__(self, name):
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(dir(type(self))) | set(self.__dict__) | set(self._parameters)
                      | set(self._modules) | set(self._buffers))

    # ---- walking the tree --------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) for this module and every descendant, in pre-order."""
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if module in memo:
                    continue
                memo.add(module)
            yield name, module
            children = [(f"{name}.{k}" if name else k, m) for k, m in module._modules.items()
                        if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, m in self._modules.items():
            if m is not None and m not in seen:
                seen.add(m)
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def _named_members(self, table, prefix, recurse, remove_duplicate):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mod_prefix, module in modules:
            for k, v in getattr(module, table).items():
                if v is None or (remove_duplicate and v in seen):
                    continue
                seen.add(v)
                yield (f"{mod_prefix}.{k}" if mod_prefix else k), v

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, parameter) pairs; a parameter shared by two layers comes once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call fn on every descendant module (children first), then on this one."""
        for m in reversed(list(self.modules())):
            fn(m)
        return self

    # ---- modes and gradients -----------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (affects Dropout) on this module and all its descendants."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters (to None by default, as PyTorch does)."""
        zero_grads(self.parameters(), set_to_none)

    # ---- dtype conversion --------------------------------------------------------------------
    def to(self, *args, device=None, dtype=None, **kwargs):
        """Convert floating parameters and buffers to a floating `dtype`; the only device is cpu."""
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, Device)):
                device = a
            elif not isinstance(a, bool):  # a bool is non_blocking or copy
                dtype = a
        if device is not None:
            _require_cpu(device)
        if dtype is None:
            return self
        dtype = _dtypes.to_dtype(dtype)
        if not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")
        np_dtype = dtype.np
        for m in self.modules():
            for t in list(m._parameters.values()) + list(m._buffers.values()):
                if t is not None and t._data.dtype.kind == "f":
                    t._data = t._data.astype(np_dtype, copy=False)
                    if t._grad is not None:
                        t._grad._data = t._grad._data.astype(np_dtype, copy=False)
        return self

    def double(self):
        return self.to(_dtypes.float64)

    def float(self):
        return self.to(_dtypes.float32)

    def half(self):
        return self.to(_dtypes.float16)

    def cpu(self):
        return self

    # ---- state_dict --------------------------------------------------------------------------
    def _local_state(self):
        """This module's own parameters and persistent buffers (None entries left out)."""
        items = list(self._parameters.items()) + [
            (k, v) for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set]
        return {k: v for k, v in items if v is not None}

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """An OrderedDict from dotted names to parameters and persistent buffers (detached)."""
        out = collections.OrderedDict() if destination is None else destination
        for mod_prefix, m in self.named_modules(prefix=prefix.rstrip("."),
                                                remove_duplicate=False):
            for k, v in m._local_state().items():
                out[f"{mod_prefix}.{k}" if mod_prefix else k] = v if keep_vars else v.detach()
        return out

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values from state_dict into the parameters and buffers (shapes must match).

        With strict=True, missing and unexpected keys raise PyTorch's RuntimeError; either way
        they are returned (as `missing_keys`, `unexpected_keys`). Everything is checked before
        anything is copied: a failed load leaves the model as it was.
        """
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors, loads = [], [], [], []
        for mod_prefix, m in self.named_modules(remove_duplicate=False):
            prefix = f"{mod_prefix}." if mod_prefix else ""
            local = m._local_state()
            for name, param in local.items():
                key = prefix + name
                if key in state_dict:
                    error, value = _check_one(param, state_dict[key], key)
                    if error:
                        errors.append(error)
                    else:
                        loads.append((m, name, param, value))
                else:
                    missing.append(key)
            for key in state_dict:
                if key.startswith(prefix):
                    head, *tail = key[len(prefix):].split(".", 1)
                    if (tail and head not in m._modules) or (not tail and head not in local):
                        unexpected.append(key)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        for m, name, param, value in loads:
            m._load_one(name, param, value, assign)
        return _IncompatibleKeys(missing, unexpected)

    def _load_one(self, name, param, value, assign):
        """Copy (or with assign=True, bind) one checked checkpoint value."""
        with no_grad():
            if not assign:
                param.copy_(value)
            elif isinstance(param, Parameter):
                setattr(self, name, Parameter(value.detach(), param.requires_grad))
            else:
                setattr(self, name, value)

    # ---- printing ----------------------------------------------------------------------------
    def extra_repr(self):
        """The text inside this module's parentheses (e.g. 'in_features=1, ...')."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({k}): " + _addindent(repr(m), 2) for k, m in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"
