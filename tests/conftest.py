import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402

from tests.testing_utils import mlp  # noqa: E402, F401  (re-exported: tests import it from here)

BACKEND = keras.backend.backend()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "requires_tensorflow_backend(reason): the test checks something that exists on "
        "Keras's TensorFlow backend only (tf.distribute, tapes, SavedModel export); "
        "skipped under KERAS_BACKEND=jax.",
    )


def pytest_collection_modifyitems(config, items):
    if BACKEND == "tensorflow":
        return
    for item in items:
        marker = item.get_closest_marker("requires_tensorflow_backend")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(
                pytest.mark.skip(reason=f"TensorFlow backend only (running on {BACKEND}): {reason}".rstrip(": "))
            )


@pytest.fixture
def small_nets():
    """A 2-D critic and generator, seeded."""
    keras.utils.set_random_seed(0)
    return mlp(2, 1, name="critic"), mlp(2, 2, name="generator")
