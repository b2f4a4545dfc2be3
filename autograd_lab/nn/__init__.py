"""Neural-network building blocks with PyTorch's API: `Module`, `Parameter`, layers, losses,
`functional`, `init` and `utils`.

    import autograd_lab as torch
    model = torch.nn.Linear(1, 1)
    loss = torch.nn.functional.mse_loss(model(x), y)
"""
from . import functional, init, utils
from ._layers import (Identity, Linear, Bilinear, ReLU, Tanh, Sigmoid, Softmax, LogSoftmax,
                      LeakyReLU, ELU, CELU, SELU, GELU, SiLU, Mish, Softplus, Hardtanh, ReLU6,
                      Hardsigmoid, Hardswish, LogSigmoid, Softmin, PReLU, RReLU, Threshold, GLU,
                      Hardshrink, Softshrink, Softsign, Tanhshrink, Softmax2d, CosineSimilarity,
                      PairwiseDistance, LayerNorm, RMSNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d,
                      GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, Embedding,
                      EmbeddingBag, Flatten, Unflatten, Dropout, Dropout1d, Dropout2d, Dropout3d,
                      AlphaDropout, FeatureAlphaDropout, Sequential, ModuleList, ModuleDict,
                      ParameterList, ParameterDict)
from ._conv_layers import (Conv1d, Conv2d, MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d,
                           AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d,
                           AdaptiveMaxPool2d)
from ._loss import (MSELoss, L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss, CrossEntropyLoss,
                    NLLLoss, BCELoss, BCEWithLogitsLoss, MarginRankingLoss, HingeEmbeddingLoss,
                    SoftMarginLoss, CosineEmbeddingLoss, TripletMarginLoss,
                    TripletMarginWithDistanceLoss, PoissonNLLLoss, GaussianNLLLoss,
                    MultiLabelSoftMarginLoss, MultiMarginLoss, MultiLabelMarginLoss)
from ._module import Module
from ._padding import (ZeroPad1d, ZeroPad2d, ZeroPad3d, ConstantPad1d, ConstantPad2d,
                       ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                       ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d,
                       CircularPad2d, CircularPad3d)
from ._rnn import RNNCellBase, RNNCell, LSTMCell, GRUCell, RNNBase, RNN, LSTM, GRU
from .parameter import Parameter

__all__ = ["Module", "Parameter", "Identity", "Linear", "Bilinear", "ReLU", "Tanh", "Sigmoid",
           "Softmax", "LogSoftmax", "LeakyReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish",
           "Softplus", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "LogSigmoid", "Softmin",
           "PReLU", "RReLU", "Threshold", "GLU", "Hardshrink", "Softshrink", "Softsign",
           "Tanhshrink", "Softmax2d", "CosineSimilarity", "PairwiseDistance", "LayerNorm",
           "RMSNorm", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "InstanceNorm1d",
           "InstanceNorm2d", "InstanceNorm3d", "Embedding", "EmbeddingBag", "Flatten", "Unflatten",
           "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
           "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Conv1d",
           "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "MSELoss", "L1Loss",
           "SmoothL1Loss", "HuberLoss", "KLDivLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
           "BCEWithLogitsLoss", "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss",
           "CosineEmbeddingLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss",
           "PoissonNLLLoss", "GaussianNLLLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
           "MultiLabelMarginLoss", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "RNNBase",
           "RNN", "LSTM", "GRU", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d",
           "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d",
           "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d",
           "CircularPad1d", "CircularPad2d", "CircularPad3d", "functional", "init", "utils"]
