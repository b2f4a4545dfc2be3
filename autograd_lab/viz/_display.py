"""Inline display: options, the mime bundle behind `Tensor._repr_mimebundle_`, and `show`."""
from . import _model, _names, _scene, _svg

DEFAULTS = {
    "inline": True,   # tensors display as graphs in Jupyter (False: only the text repr)
    "budget": 60,     # most nodes drawn before parts collapse into summaries (None: no limit)
    "legend": True,   # the role legend under the graph
    "values": True,   # value previews in tensor nodes
    "grads": True,    # .grad previews in tensor nodes
    "names": True,    # look up variable names in the notebook / caller
}
_options = dict(DEFAULTS)


def _checked(options):
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise TypeError(f"unknown viz option(s) {', '.join(map(repr, unknown))}; "
                        f"known: {', '.join(DEFAULTS)}")
    budget = options.get("budget", 3)
    if budget is not None and (not isinstance(budget, int) or budget < 3):
        raise ValueError(f"budget must be None or an int >= 3, got {budget!r}")
    return options


def set_options(**options):
    """Set display defaults, e.g. `set_options(inline=False)` or `set_options(budget=100)`."""
    _options.update(_checked(options))


def get_options():
    """The current display defaults (a copy)."""
    return dict(_options)


def scene(t, options, names):
    """The Scene of `t` with the defaults overridden by `options`."""
    opts = {**_options, **_checked(options)}
    graph = _model.build(t, opts["budget"], names if opts["names"] else _names.NO_NAMES)
    return _scene.build(graph, opts["values"], opts["grads"], opts["legend"])


def svg(t, options, names):
    return _svg.render(scene(t, options, names))


def _bundle(t, options, names, include, exclude):
    image = svg(t, options, names)
    data = {"text/plain": repr(t), "image/svg+xml": image,
            "text/html": f'<div class="ag-graph">{image}</div>'}
    return {k: v for k, v in data.items()
            if (include is None or k in include) and (exclude is None or k not in exclude)}


def mimebundle(tensor, include=None, exclude=None):
    """What Jupyter shows for a tensor: its repr, and its graph unless inline graphs are off."""
    if not _options["inline"]:
        return {"text/plain": repr(tensor)}
    return _bundle(tensor, {}, _names.lookup(), include, exclude)


class Graph:
    """A tensor's graph with display options; shows as the graph in Jupyter."""

    def __init__(self, tensor, options, names):
        self.tensor, self.options, self.names = tensor, _checked(options), names

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _bundle(self.tensor, self.options, self.names, include, exclude)

    def __repr__(self):
        return repr(self.tensor)


def show(t, **options):
    """Display `t`'s graph now, with options (see `set_options`), even if inline is off."""
    from IPython.display import display

    options.pop("inline", None)
    display(Graph(t, options, _names.lookup()))
