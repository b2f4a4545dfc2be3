"""Optimizers with PyTorch's API and update formulas: SGD, Adam, AdamW, Adamax, NAdam, RAdam,
RMSprop, Adagrad, Adadelta, and `lr_scheduler` (all of PyTorch's learning-rate schedulers).

    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    optimizer.zero_grad(); loss.backward(); optimizer.step()
"""
from . import lr_scheduler
from ._optimizer import Optimizer
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
           "Adadelta", "lr_scheduler"]
