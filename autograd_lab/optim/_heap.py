"""Keep freed memory for the next training step (glibc's malloc only).

A training step frees a few MB of activations and gradients and allocates them again in the
next step. glibc gives the top of its heap back to the operating system once more than about
twice the largest recently freed block lies free there, and then every page of the next step's
arrays is faulted in and zeroed again: measured on an MLP 784-256-10 in float64, 870 page faults
and +30% time per step (whether a loop crosses that line depends on the sizes and the order of
its frees). `keep_freed_memory()` pins glibc's thresholds once per process at the values its
own dynamic rule can reach (blocks under 32 MB come from the heap; the heap is trimmed only past
64 MB free), as PyTorch's recommended jemalloc/tcmalloc setups do by other means. It runs when
the first optimizer is made; set AUTOGRAD_LAB_KEEP_FREED_MEMORY=0 to leave malloc alone.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
_MMAP_THRESHOLD, _TRIM_THRESHOLD = 32 << 20, 64 << 20
_pinned = None  # not tried yet


def keep_freed_memory():
    """Pin glibc's mmap and trim thresholds (tried once; not elsewhere or when opted out).
    Returns whether they are pinned."""
    global _pinned
    if _pinned is None:
        _pinned = _pin()
    return _pinned


def _pin():
    if not sys.platform.startswith("linux") \
            or os.environ.get("AUTOGRAD_LAB_KEEP_FREED_MEMORY", "1") == "0":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
