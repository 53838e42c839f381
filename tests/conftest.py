import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402

from tests.testing_utils import mlp  # noqa: E402, F401  (re-exported: tests import it from here)


@pytest.fixture
def small_nets():
    """A 2-D critic and generator, seeded."""
    keras.utils.set_random_seed(0)
    return mlp(2, 1, name="critic"), mlp(2, 2, name="generator")
