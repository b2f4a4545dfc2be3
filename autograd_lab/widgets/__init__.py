"""Live widgets on the real engine (ipywidgets + matplotlib, loaded only with this package).

- `explore(fn, x=(lo, hi, step))`: sliders for the inputs; value, `.grad`, graph and tangent follow.
"""
from ._explore import explore

__all__ = ["explore"]
