"""Imports of the packages only some features need.

`import keras_wgan` works without TensorFlow (on Keras's JAX backend, say);
the features built on TensorFlow itself (`tf.data` pipelines, TensorBoard
images, the SavedModel export) import it when called, through these
functions, so that a missing package is one clear line, not a traceback
from deep inside an import.
"""

import importlib


def import_tensorflow(feature):
    """Returns the `tensorflow` module, or raises a one-line `ImportError`.

    Args:
        feature: what needs TensorFlow, for the message, e.g.
            `"make_image_dataset"`.
    """
    try:
        return importlib.import_module("tensorflow")
    except ImportError as error:
        raise ImportError(
            f"{feature} needs TensorFlow, which is not installed: "
            "`pip install tensorflow` (or `pip install keras_wgan[tensorflow]`)."
        ) from error


def import_tensorboard(feature):
    """Returns the `tensorboard` module, or raises a one-line `ImportError`."""
    try:
        return importlib.import_module("tensorboard")
    except ImportError as error:
        raise ImportError(
            f"{feature} needs the `tensorboard` package, which TensorFlow 2.21 does not "
            "install: `pip install tensorboard` (or `pip install keras_wgan[tensorboard]`)."
        ) from error
