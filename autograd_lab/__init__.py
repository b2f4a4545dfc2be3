"""autograd_lab: a small reverse-mode autodiff engine with PyTorch's API."""
