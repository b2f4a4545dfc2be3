"""The optimizers keep glibc from handing freed memory back every step (see optim/_heap)."""
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")

TRAIN = textwrap.dedent("""
    import resource, sys
    import numpy as np
    import autograd_lab as torch
    from autograd_lab.optim import _heap
    torch.manual_seed(0)
    layers = [m for _ in range(4) for m in (torch.nn.Linear(512, 512, dtype=torch.float64),
                                            torch.nn.ReLU())]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(512, 10, dtype=torch.float64))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(512, 512, dtype=torch.float64)
    y = torch.randint(0, 10, (512,))
    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    for _ in range(5):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        step()
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20
    print(_heap.keep_freed_memory(), faults)
""")


def run_training(**env):
    out = subprocess.run([sys.executable, "-c", TRAIN], capture_output=True, text=True,
                         env={**os.environ, **env}, check=True).stdout.split()
    return out[0] == "True", float(out[1])


def test_a_float64_training_loop_reuses_its_memory_instead_of_faulting_it_in_again():
    pinned, faults_per_step = run_training()
    if not pinned:
        pytest.skip("this libc has no mallopt")
    # Without the pin glibc gives the heap's top back after every step and this loop faults
    # ~9,500 pages per step in again (measured with AUTOGRAD_LAB_KEEP_FREED_MEMORY=0).
    assert faults_per_step < 50


def test_the_pin_can_be_turned_off():
    pinned, _ = run_training(AUTOGRAD_LAB_KEEP_FREED_MEMORY="0")
    assert not pinned
