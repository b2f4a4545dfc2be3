"""Utilities as in `torch.utils`: `data` (datasets, samplers and DataLoader)."""
from . import data  # noqa: F401
