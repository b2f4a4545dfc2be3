"""`nn.functional`: layers and losses as functions, with PyTorch's signatures and errors.

Activations and softmax are the engine's ops; convolutions, pooling and `pad` are in `_conv`;
`linear` and the losses are the fused ops of `_functional_ops` (or engine ops composed exactly
as PyTorch composes them, so that the `grad_fn` names match: `l1_loss` is `MeanBackward0` over
`AbsBackward0`, `cross_entropy` is `NllLossBackward0` over `LogSoftmaxBackward0`).

The functions are split by topic into private modules: `_linear`, `_activations`,
`_normalization`, `_distance`, `_embedding`, `_dropout`, `_regression_losses`,
`_classification_losses` and `_margin_losses` (`_common`: what the losses share); this package
exposes their public names as one namespace.
"""
from .._conv import (  # noqa: F401
    conv1d, conv2d, max_pool1d, max_pool2d, avg_pool1d, avg_pool2d, adaptive_avg_pool1d,
    adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d, pad)
from . import (_linear, _activations, _normalization, _distance, _embedding, _dropout,
               _regression_losses, _classification_losses, _margin_losses)

for _module in (_linear, _activations, _normalization, _distance, _embedding, _dropout,
                _regression_losses, _classification_losses, _margin_losses):
    for _name, _value in vars(_module).items():  # the public names, each function named as
        if not _name.startswith("_"):  # nn.functional's (in `typename`, pickles) as before
            if getattr(_value, "__module__", None) == _module.__name__:
                _value.__module__ = __name__
            globals()[_name] = _value
del _module, _name, _value

__all__ = ["linear", "bilinear", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "pad", "relu", "tanh", "sigmoid", "softmax", "log_softmax",
           "dropout", "leaky_relu", "elu", "celu", "selu", "gelu", "silu", "mish", "softplus",
           "hardtanh", "relu6", "hardsigmoid", "hardswish", "logsigmoid", "prelu", "threshold",
           "glu", "hardshrink", "softshrink", "softsign", "tanhshrink", "dropout1d", "dropout2d",
           "dropout3d", "alpha_dropout", "feature_alpha_dropout", "softmin", "one_hot", "normalize",
           "cosine_similarity", "pairwise_distance", "layer_norm", "rms_norm", "batch_norm",
           "group_norm", "instance_norm", "embedding", "embedding_bag", "mse_loss", "l1_loss",
           "smooth_l1_loss", "huber_loss", "kl_div", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "margin_ranking_loss",
           "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "triplet_margin_with_distance_loss", "poisson_nll_loss",
           "gaussian_nll_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
           "multilabel_margin_loss", "rrelu", "relu_", "elu_", "leaky_relu_", "hardtanh_",
           "threshold_", "rrelu_", "celu_", "selu_"]
