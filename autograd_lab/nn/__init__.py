"""Neural-network building blocks with PyTorch's API: `Module`, `Parameter`, layers, losses,
`functional`, `init` and `utils`.

    import autograd_lab as torch
    model = torch.nn.Linear(1, 1)
    loss = torch.nn.functional.mse_loss(model(x), y)
"""
from . import functional, init, utils
from ._layers import (Identity, Linear, ReLU, Tanh, Sigmoid, Softmax, LogSoftmax, LeakyReLU,
                      ELU, CELU, SELU, GELU, SiLU, Mish, Softplus, Hardtanh, ReLU6, Hardsigmoid,
                      Hardswish, LogSigmoid, Softmin, LayerNorm, Embedding, Flatten, Unflatten,
                      Dropout, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict)
from ._conv_layers import Conv1d, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
from ._loss import (MSELoss, L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss, CrossEntropyLoss,
                    NLLLoss, BCELoss, BCEWithLogitsLoss)
from ._module import Module
from ._rnn import RNNCellBase, RNNCell, LSTMCell, GRUCell, RNNBase, RNN, LSTM, GRU
from .parameter import Parameter

__all__ = ["Module", "Parameter", "Identity", "Linear", "ReLU", "Tanh", "Sigmoid", "Softmax",
           "LogSoftmax", "LeakyReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish", "Softplus",
           "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "LogSigmoid", "Softmin", "LayerNorm",
           "Embedding", "Flatten", "Unflatten", "Dropout", "Sequential", "ModuleList",
           "ModuleDict", "ParameterList", "ParameterDict", "Conv1d", "Conv2d", "MaxPool2d",
           "AvgPool2d", "AdaptiveAvgPool2d", "MSELoss", "L1Loss", "SmoothL1Loss",
           "HuberLoss", "KLDivLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
           "BCEWithLogitsLoss", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNN",
           "LSTM", "GRU", "functional", "init", "utils"]
