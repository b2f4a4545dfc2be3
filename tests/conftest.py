"""pytest setup shared by the engine tests."""
import pytest

pytest.register_assert_rewrite("helpers")
