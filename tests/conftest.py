"""pytest setup shared by the engine tests."""
import pytest

import autograd_lab

pytest.register_assert_rewrite("helpers")
from helpers import require_torch  # noqa: E402  (after the assert-rewrite registration)


@pytest.fixture(params=["autograd_lab", "torch"])
def T(request):
    """The module under test, then PyTorch (skipped when missing): a scenario written once
    against `T` must behave the same on both."""
    return autograd_lab if request.param == "autograd_lab" else require_torch()
