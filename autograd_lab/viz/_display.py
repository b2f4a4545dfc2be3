"""Inline display: options, the mime bundle behind `Tensor._repr_mimebundle_`, and `show`."""
import re
from html import escape
from collections.abc import Mapping

from .._tensor import Tensor
from . import _model, _names, _scene, _svg

DEFAULTS = {
    "inline": True,   # tensors display as graphs in Jupyter (False: only the text repr)
    "budget": 60,     # most nodes drawn before parts collapse into summaries (None: no limit)
    "legend": True,   # the role legend under the graph
    "values": True,   # value previews in tensor nodes
    "grads": True,    # .grad previews in tensor nodes; or a mapping {grad_fn or leaf tensor:
                      # gradient} to show those instead (the backward player's replay)
    "names": True,    # label tensors with variable names: True (look them up in the notebook
                      # or the caller), False, or a namespace to look in, e.g. locals()
    "highlight": None,  # a grad_fn or leaf tensor to mark as active (the backward player's step)
}
_options = dict(DEFAULTS)


def check(options):
    """`options`, after checking names and values (TypeError / ValueError)."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise TypeError(f"unknown viz option(s) {', '.join(map(repr, unknown))}; "
                        f"known: {', '.join(DEFAULTS)}")
    budget = options.get("budget", 3)
    if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool)):
        raise TypeError(f"budget must be None or an int >= 3, got {type(budget).__name__}")
    if budget is not None and budget < 3:
        raise ValueError(f"budget must be None or an int >= 3, got {budget!r}")
    names = options.get("names", True)
    if not isinstance(names, (bool, Mapping)):
        raise TypeError(f"names must be True, False or a mapping, got {type(names).__name__}")
    grads = options.get("grads", True)
    if not isinstance(grads, (bool, Mapping)):
        raise TypeError(f"grads must be True, False or a mapping, got {type(grads).__name__}")
    return options


def tensor_arg(t):
    """`t` if it is a Tensor: the display draws a tensor's graph (TypeError otherwise)."""
    if not isinstance(t, Tensor):
        raise TypeError(f"expected a Tensor to draw the graph of, got {type(t).__name__}")
    return t


def names_of(names):
    """The Names to label nodes with, for the `names` option."""
    if names is True:
        return _names.lookup()
    return _names.Names([names]) if names else _names.NO_NAMES


def set_options(**options):
    """Set display defaults, e.g. `set_options(inline=False)` or `set_options(budget=100)`."""
    _options.update(check(options))


def get_options():
    """The current display defaults (a copy)."""
    return dict(_options)


def scene(t, options):
    """The Scene of `t` with the defaults overridden by `options`."""
    opts = {**_options, **check(options)}
    grads = opts["grads"]
    graph = _model.build(tensor_arg(t), opts["budget"], names_of(opts["names"]), opts["highlight"],
                         grads if isinstance(grads, Mapping) else None)
    return _scene.build(graph, opts["values"], grads is not False, opts["legend"])


def svg(t, options):
    return _svg.render(scene(t, options))


def html(image, text=None):
    """The SVG in the `ag-graph` box, under `text` (the tensor's repr) when given.

    A wide graph shrinks to the output's width, down to 75% of its size so labels stay
    readable, and scrolls sideways beyond that on screen; printed, it shrinks to the page.
    Untrusted notebooks strip the SVG but keep the text, so the repr is what they show."""
    width = float(_WIDTH.search(image).group(1))
    fitted = image.replace("<svg ", f'<svg style="width:100%;max-width:{width:g}px;'
                           f'min-width:{0.75 * width:.0f}px;height:auto" ', 1)
    head = "" if text is None else \
        f'<pre class="ag-repr" style="{_REPR_STYLE}">{escape(text, quote=False)}</pre>'
    return f'<div class="ag-graph" style="overflow-x:auto">{_PRINT}{head}{fitted}</div>'


_WIDTH = re.compile(r' width="([\d.]+)"')
# on paper a wide graph shrinks to the page (on screen it scrolls)
_PRINT = "<style>@media print{.ag-graph svg{min-width:0!important}}</style>"
# The repr in the notebook's code font, as the text output it replaces (HTML exports and some
# frontends give a <pre> inside HTML output the page's font).
_REPR_STYLE = ("margin:0 0 6px 0;font-family:var(--jp-code-font-family,monospace);"
               "font-size:var(--jp-code-font-size,13px);line-height:var(--jp-code-line-height,1.3)")


def _bundle(t, options, include, exclude):
    image = svg(t, options)
    text = repr(t)
    data = {"text/plain": text, "image/svg+xml": image, "text/html": html(image, text)}
    return {k: v for k, v in data.items()
            if (include is None or k in include) and (exclude is None or k not in exclude)}


def mimebundle(tensor, include=None, exclude=None):
    """What Jupyter shows for a tensor: its repr, and its graph unless inline graphs are off."""
    if not _options["inline"]:
        return {"text/plain": repr(tensor)}
    return _bundle(tensor, {}, include, exclude)


class Graph:
    """A tensor's graph with display options; shows as the graph in Jupyter."""

    def __init__(self, tensor, options):
        self.tensor, self.options = tensor_arg(tensor), check(options)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _bundle(self.tensor, self.options, include, exclude)

    def __repr__(self):
        return repr(self.tensor)


def show(t, **options):
    """Display `t`'s graph now, with options (see `set_options`), even if inline is off."""
    from IPython.display import display

    options.pop("inline", None)
    display(Graph(t, options))
