"""Random number generators: `Generator` (PyTorch's torch.Generator) and the default one behind
rand/randn/randint/randperm, nn.init, dropout and DataLoader shuffling.

Each wraps a numpy PCG64 generator. Seeded, a program draws the same numbers on every run; the
numbers are not PyTorch's. As in PyTorch, a new `Generator()` starts from a fixed seed and the
default generator from a random one (a program that never seeds differs from run to run).
"""
import os

import numpy as np

from ._tensor import Device, Tensor, _new

_DEFAULT_SEED = 67280421310721  # the seed PyTorch's new generators start from
_STATE_BYTES = 48  # PCG64: state and increment (128 bits each), has_uint32, uinteger


def _seed_value(seed):
    """seed as PyTorch reads it: int(seed), in [-2**63, 2**64), negatives as two's complement."""
    seed = int(seed)
    if not -2 ** 63 <= seed < 2 ** 64:
        raise ValueError("Overflow when unpacking long long")
    return seed % 2 ** 64


class Generator:
    """A seeded source of random numbers: pass it as `generator=` to random functions."""

    def __init__(self, device="cpu"):
        self.device = Device(device)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Restart from `seed`; returns the generator."""
        self._seed = _seed_value(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Restart from a non-deterministic seed, and return it."""
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        """The seed the generator was last started from."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (`set_state` restores it)."""
        bits = self._rng.bit_generator.state
        fields = (bits["state"]["state"], 16), (bits["state"]["inc"], 16), \
            (bits["has_uint32"], 8), (bits["uinteger"], 8)
        raw = b"".join(int(v).to_bytes(n, "little") for v, n in fields)
        return _new(np.frombuffer(raw, np.uint8).copy())

    def set_state(self, new_state):
        """Go back to a state `get_state` returned; returns the generator."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = new_state._data.tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but "
                               f"found the input RNG state size to be {len(raw)}")
        number = [int.from_bytes(raw[a:b], "little") for a, b in ((0, 16), (16, 32), (32, 40),
                                                                   (40, 48))]
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": number[0], "inc": number[1]},
            "has_uint32": number[2], "uinteger": number[3]}
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {id(self):#x}>"


default_generator = Generator()
default_generator.seed()


def numpy_rng(generator=None):
    """The numpy generator behind `generator` (None: the default generator)."""
    if generator is None:
        return default_generator._rng
    if isinstance(generator, Generator):
        return generator._rng
    raise TypeError(f"expected a torch.Generator as generator, but got "
                    f"{type(generator).__name__}")


def manual_seed(seed):
    """Seed the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)
