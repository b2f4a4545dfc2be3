"""torch.linalg: products, norms, inverses, determinants, solves and decompositions."""
from ._ops import linalg_cross as cross, matrix_power  # noqa: F401
