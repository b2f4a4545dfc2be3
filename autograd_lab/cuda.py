"""`torch.cuda` for code that checks for a GPU: autograd_lab computes with numpy on the CPU."""


def is_available():
    """False: there is no CUDA device (so `device = "cuda" if ... else "cpu"` picks the CPU)."""
    return False


def device_count():
    return 0
