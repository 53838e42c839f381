import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402

from tests.testing_utils import SMALL_CLASSIFIER, mlp  # noqa: E402  (mlp: tests import it from here too)

BACKEND = keras.backend.backend()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "requires_tensorflow_backend(reason): the test checks something that exists on "
        "Keras's TensorFlow backend only (tf.distribute, tapes, SavedModel export); "
        "skipped under KERAS_BACKEND=jax.",
    )


@pytest.fixture
def small_nets():
    """A 2-D critic and generator, seeded."""
    keras.utils.set_random_seed(0)
    return mlp(2, 1, name="critic"), mlp(2, 2, name="generator")


@pytest.fixture(scope="session")
def digits():
    """The bundled MNIST digits and labels."""
    from keras_wgan.datasets import load_mnist

    images, labels, _ = load_mnist(allow_download=False, verbose=False)
    return images, labels


@pytest.fixture(scope="session")
def small_classifier(tmp_path_factory):
    """An MNIST classifier trained with a tiny budget, and its cache folder."""
    from keras_wgan import evaluation

    cache = tmp_path_factory.mktemp("classifier_cache")
    with pytest.warns(UserWarning, match="unreliable"):  # 1 epoch: below 97%
        classifier = evaluation.mnist_classifier(cache, verbose=False, **SMALL_CLASSIFIER)
    return classifier, cache


def pytest_collection_modifyitems(config, items):
    if BACKEND == "tensorflow":
        return
    for item in items:
        marker = item.get_closest_marker("requires_tensorflow_backend")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(
                pytest.mark.skip(
                    reason=f"TensorFlow backend only (running on {BACKEND}): {reason}".rstrip(": ")
                )
            )
