"""The graph display: a tensor's autograd graph, with values, grads and shapes on its nodes.

In Jupyter a tensor shown as a cell's result draws its graph (`set_options(inline=False)` turns
that off). `show(t, **options)` displays one with options; `to_svg`, `draw` (matplotlib) and
`save` (.svg/.png/.pdf) make static copies; `to_networkx` is the graph model they all draw.
"""
from . import _display, _model
from ._display import get_options, set_options, show

__all__ = ["to_networkx", "to_svg", "show", "draw", "save", "set_options", "get_options"]


def to_networkx(t, budget=None, names=True):
    """The graph model of `t`: a `networkx.DiGraph`, edges following the data (input → op → out).

    Nodes `t<k>` are tensors: kind='tensor', role ('leaf', 'param', 'output', 'tensor' or
    'const'), name, label, value and grad (previews as PyTorch prints them, or None), shape,
    dtype, requires_grad, grad_fn (name of the op that made it), tooltip. Nodes `op<k>` are
    backward functions: kind='op', grad_fn ('MulBackward0'), symbol ('*'), scope, inputs,
    consts. With a `budget`, parts beyond it collapse into nodes `g<i>`: kind='summary', label,
    count (ops), leaves, ops (the most common (name, count) pairs). Edges carry `count`.
    `names` as in `set_options`.
    """
    _display.check({"budget": budget, "names": names})
    return _model.build(_display.tensor_arg(t), budget, _display.names_of(names))


def to_svg(t, **options):
    """The graph of `t` as a self-contained SVG string (options as in `set_options`)."""
    return _display.svg(t, options)


def draw(t, ax=None, **options):
    """Draw the graph of `t` with matplotlib, on `ax` or a new figure; returns the Axes."""
    from . import _mpl

    if ax is not None and not hasattr(ax, "add_patch"):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    return _mpl.draw(_display.scene(t, options), ax)


def save(t, path, dpi=200, **options):
    """Write the graph of `t` to `path`: .svg (the inline SVG), .png or .pdf (matplotlib)."""
    path = str(path)
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix == "svg":
        with open(path, "w", encoding="utf-8") as f:
            f.write(_display.svg(t, options))
    elif suffix in ("png", "pdf"):
        from . import _mpl

        _mpl.save(_display.scene(t, options), path, dpi)
    else:
        raise ValueError(f"cannot tell the format of {path!r}: use a .svg, .png or .pdf name")
