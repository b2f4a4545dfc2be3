"""`torch.random`: the default generator's seed and state, and `fork_rng`."""
import contextlib

from ._random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state

__all__ = ["set_rng_state", "get_rng_state", "manual_seed", "seed", "initial_seed", "fork_rng"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, device_type=None):
    """Within the `with` block draw as usual; on leaving it (also by an exception) the default
    generator is back in the state it had on entering. enabled=False does nothing. `devices`
    and `device_type` name accelerators' generators, which autograd_lab (CPU only) has none of."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
