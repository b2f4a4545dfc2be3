"""Optimizers with PyTorch's API and update formulas: SGD, Adam, AdamW, RMSprop, Adagrad, and
`lr_scheduler` (all of PyTorch's learning-rate schedulers).

    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    optimizer.zero_grad(); loss.backward(); optimizer.step()
"""
from . import lr_scheduler
from ._optimizer import Optimizer
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
