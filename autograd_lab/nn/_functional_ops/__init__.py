"""The op-table entries nn adds: fused layer and loss ops with their own backward rules.

They follow the engine's conventions (see `autograd_lab/_ops/`): a numpy forward, then
`record(...)` with a node class made by `defnode`, whose rules `rule(B, g, ans, *saved)` are
written against the vocabulary `B` (numpy, or autograd_lab ops for create_graph=True).
Each node carries PyTorch's name, so a model's graph reads as PyTorch's does.

Split by topic: `common` (dtype checks, loss reduction), `composite` (the scalar and norm ops
PyTorch's composite functions record, trilinear), `activations`, `normalization`,
`embeddings`, `regression_losses`, `classification_losses` and `margin_losses`; this package
exposes all of it as one namespace (`_functional_ops.gelu`, `_functional_ops._floating`, ...).
"""
from . import (common, composite, activations, normalization, embeddings, regression_losses,
               classification_losses, margin_losses)

for _module in (common, composite, activations, normalization, embeddings, regression_losses,
                classification_losses, margin_losses):  # one namespace (private too)
    globals().update((k, v) for k, v in vars(_module).items() if not k.startswith("__"))
del _module
