"""The op table: every differentiable op, declared once.

Each entry has its numpy forward (the function below it), its backward rules (one per input,
`rule(B, g, ans, *saved)`) and PyTorch's name for its backward node. Rules are written against
`B`, a small vocabulary that is either numpy (`NP`: first-order backward costs what numpy costs)
or autograd_lab itself (`TB`: with `create_graph=True` the backward pass is recorded, which gives
higher-order derivatives). Broadcasting is undone in one place, the engine, from `_meta`.

The table is split by topic: `_record` (recording, argument checks), `arith`, `views`,
`linalg`, `reductions`, `indexing`, `inplace`, `scans`, `pointwise`, `scatter`, `sampling`,
`logical`, `special`, `shaping`, `solvers`, `decompositions`, `vocab` (NP, TB), `products`,
`statistics` and `counting`; this package exposes all of it as one namespace (`_ops.exp`,
`_ops.NP`, ...).
"""
from . import (_record, arith, views, linalg, reductions, indexing, inplace, scans, pointwise,
               scatter, sampling, logical, special, shaping, solvers, decompositions, vocab,
               products, statistics, counting)

for _module in (_record, arith, views, linalg, reductions, indexing, inplace, scans, pointwise,
                scatter, sampling, logical, special, shaping, solvers, decompositions, vocab,
                products, statistics, counting):  # one namespace (private too)
    globals().update((k, v) for k, v in vars(_module).items() if not k.startswith("__"))
del _module

# Functions that are also Tensor methods (`x.exp()`, `x.sum(0)`, ...).
METHODS = (
    "add", "sub", "mul", "div", "pow", "matmul", "mm", "mv", "dot", "bmm", "neg", "exp", "log",
    "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "clamp", "clip", "clamp_min",
    "clamp_max", "maximum", "minimum", "reciprocal", "sign", "square", "rsqrt", "sum", "mean",
    "var", "std", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "norm", "softmax",
    "log_softmax", "reshape", "view", "view_as", "reshape_as", "flatten", "squeeze",
    "unsqueeze", "permute", "transpose", "swapaxes", "t", "expand", "expand_as", "clone",
    "add_", "sub_", "mul_", "div_", "eq", "ne", "gt", "ge", "lt", "le", "isnan", "isfinite",
    "isinf", "multiply", "divide", "subtract", "true_divide", "negative", "absolute",
    "cumsum", "flip", "roll", "repeat", "gather", "index_select", "masked_fill", "sort", "topk",
    "masked_fill_", "clamp_", "clamp_min_", "clamp_max_", "clip_", "relu_", "uniform_",
    "normal_", "remainder", "floor_divide", "floor", "ceil", "round", "trunc", "frac", "log1p",
    "expm1", "log2", "log10", "tril", "triu", "logsumexp", "split", "chunk", "unbind",
    "unsafe_split", "unsafe_chunk", "unsafe_split_with_sizes", "any",
    "all", "argsort", "nonzero", "outer", "exp_", "log_", "sqrt_", "neg_", "abs_", "sin_",
    "cos_", "tanh_", "sigmoid_", "reciprocal_", "floor_", "ceil_", "round_", "trunc_", "pow_",
    "square_", "sinh", "cosh", "tan", "asin", "acos", "atan", "asinh", "acosh", "atanh",
    "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "erf", "erfc", "sgn", "logit",
    "atan2", "arctan2", "hypot", "lerp", "xlogy", "isclose", "sinh_", "cosh_", "tan_", "asin_",
    "acos_", "atan_", "asinh_", "acosh_", "atanh_", "erf_", "erfc_", "sgn_", "logit_", "atan2_",
    "hypot_", "lerp_", "xlogy_", "narrow", "select", "movedim", "moveaxis", "unflatten",
    "adjoint", "tile", "repeat_interleave", "cumprod", "cumprod_", "cumsum_", "aminmax",
    "count_nonzero", "diff", "scatter", "scatter_add", "index_add", "index_fill",
    "masked_select", "take", "diag", "trace", "scatter_", "scatter_add_", "index_add_",
    "index_fill_", "multinomial", "bernoulli", "bernoulli_",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "nan_to_num", "exp2", "sinc", "nansum", "nanmean", "ravel",
    "diagonal", "diag_embed", "rot90", "addmm", "addmv", "baddbmm", "addbmm", "kron", "cross",
    "matrix_power", "median", "nanmedian", "mode", "kthvalue", "quantile", "nanquantile",
    "cummax", "cummin", "unique", "bincount", "histc", "inverse", "det", "logdet", "slogdet",
    "unique_consecutive", "logical_and_", "logical_or_", "logical_xor_", "logical_not_",
    "bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_not_", "nan_to_num_", "exp2_",
    "sinc_", "addmm_", "addmv_", "baddbmm_", "addbmm_", "matrix_exp",
)
