"""Learning-rate schedulers with PyTorch's API, formulas and floats.

Call `scheduler.step()` after `optimizer.step()`, once per epoch (per batch for CyclicLR and
OneCycleLR; ReduceLROnPlateau takes the watched metric); it sets each param group's 'lr' (the
starting values are kept as 'initial_lr').
"""
from ._base import LRScheduler, _LRScheduler  # noqa: F401 (PyTorch's old name, for subclasses)
from ._compose import ChainedScheduler, SequentialLR
from ._cycles import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from ._decay import (ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR,
                     MultiplicativeLR, MultiStepLR, PolynomialLR, StepLR)
from ._plateau import ReduceLROnPlateau

__all__ = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "SequentialLR", "CosineAnnealingLR", "ChainedScheduler",
           "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
           "PolynomialLR", "LRScheduler"]
