"""Datasets, samplers and `DataLoader` (PyTorch's torch.utils.data), in one process: minibatches
of a model's training data, shuffled by the seeded generators of `autograd_lab`."""
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler)
from .dataloader import DataLoader, default_collate, default_convert

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "RandomSampler", "Sampler",
           "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
           "default_collate", "default_convert", "random_split"]
