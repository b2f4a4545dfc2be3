"""Live widgets on the real engine (ipywidgets + matplotlib, loaded only with this package).

- `explore(fn, x=(lo, hi, step))`: sliders for the inputs; value, `.grad`, graph and tangent follow.
- `backprop_player(output)`: replays the backward pass of `output` node by node.
- `train_live(model, loss_fn, data, optimizer, steps)`: a live loss curve while training, with Stop.
"""
from ._explore import explore
from ._player import backprop_player
from ._train import train_live

__all__ = ["explore", "backprop_player", "train_live"]
