"""DataLoader: a dataset's samples in (shuffled) minibatches, collated into tensors."""
import collections.abc
import itertools

import numpy as np

from ..._dtypes import float64
from ..._factories import as_tensor, tensor
from ..._ops import stack
from ..._tensor import Tensor
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, batch_count

_COLLATE_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                  "lists; found {}")


def default_collate(batch):
    """A list of samples as one batch: tensors and arrays stacked along a new first dimension,
    numbers into a tensor (ints int64, floats float64), and dicts, tuples and lists collated field
    by field (a tuple's fields come back as a list, as in PyTorch)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray) and elem.dtype.kind not in "OUS":
        return default_collate([as_tensor(b) for b in batch])
    if isinstance(elem, np.generic) and elem.dtype.kind not in "OUS":
        return as_tensor(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(s) for s in zip(*batch)]
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data):
    """One sample as it is, with numpy arrays and scalars (inside containers too) made tensors
    and tuples (not namedtuples) made lists, as in PyTorch."""
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind not in "OUS":
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return type(data)({key: default_convert(v) for key, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(v) for v in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(v) for v in data]
    return data


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` (None: one sample at a time), in order
    or shuffled (`shuffle=True`: a new order every epoch, from `generator` or the default
    generator); an `IterableDataset`'s samples come in the order it yields them. Loading happens in this process: `num_workers` and the other multiprocessing
    and pinning options are accepted and change nothing here."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if isinstance(dataset, IterableDataset):
            for name, value, unspecified in (("shuffle", shuffle, shuffle in (False, None)),
                                             ("sampler", sampler, sampler is None),
                                             ("batch_sampler", batch_sampler,
                                              batch_sampler is None)):
                if not unspecified:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value}")
            sampler = _InfiniteConstantSampler()
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else \
                SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.timeout, self.pin_memory = num_workers, timeout, pin_memory
        self.collate_fn = collate_fn if collate_fn is not None else \
            default_collate if batch_sampler is not None else default_convert

    def __iter__(self):
        return _SingleProcessDataLoaderIter(self)

    def _batches(self):
        if isinstance(self.dataset, IterableDataset):
            yield from self._stream_batches()
        elif self.batch_sampler is not None:
            for indices in self.batch_sampler:
                yield self.collate_fn([self.dataset[i] for i in indices])
        else:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])

    def _stream_batches(self):
        """An iterable dataset's samples, as they come: batch_size at a time (a shorter last
        batch unless drop_last), or one by one."""
        samples = iter(self.dataset)
        if self.batch_sampler is None:
            yield from map(self.collate_fn, samples)
            return
        for indices in self.batch_sampler:
            batch = list(itertools.islice(samples, len(indices)))
            if not batch or self.drop_last and len(batch) < len(indices):
                return
            yield self.collate_fn(batch)

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):  # its own length, if it has one
            n = len(self.dataset)
            return n if self.batch_size is None else batch_count(n, self.batch_size,
                                                                 self.drop_last)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)


class _InfiniteConstantSampler(Sampler):
    """The sampler of a DataLoader over an IterableDataset: None forever (the batch sampler
    groups these placeholders into batch-sized lists)."""

    def __iter__(self):
        return itertools.repeat(None)


class _SingleProcessDataLoaderIter:
    """One pass over a DataLoader (PyTorch's class of `iter(loader)`): `next` and `len`."""

    def __init__(self, loader):
        self._loader = loader
        self._batches = loader._batches()

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def __len__(self):
        return len(self._loader)
