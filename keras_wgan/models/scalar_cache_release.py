"""`ScalarCacheRelease`: empties TensorFlow's cache of eager scalar tensors once per epoch.

TensorFlow converts a Python `int` or `float` to an eager tensor through a
cache keyed by the value (`TFE_TensorHandleCache`), which nothing empties
while the process runs (tensorflow/tensorflow#68196). Every new value stays:
the epoch number that `tf.summary` receives as `step`, and each new loss
value Keras's `TensorBoard` callback writes (docs/reliability.md). A run of
many short epochs with `TensorBoard` therefore grows without bound, on the
JAX backend too (`tf.summary` is TensorFlow's whichever backend trains).

`WassersteinGAN.fit` adds this callback to every run, after the user's
callbacks. Emptying the cache is what TensorFlow itself does when it resets
its eager context: tensors already made hold their own references, so only
later conversions of the same values are a little slower.
"""

import sys

import keras


def release_tensorflow_scalar_cache():
    """Empties TensorFlow's eager scalar cache; returns False where there is none to empty.

    Nothing happens unless TensorFlow is already imported: a JAX run that
    never touches TensorFlow has no cache, and is not made to import it.

    Returns:
        True when the cache was emptied.
    """
    if "tensorflow" not in sys.modules:
        return False
    try:
        from tensorflow.python import pywrap_tfe
    except ImportError:  # A TensorFlow without its eager runtime: nothing cached.
        return False
    clear = getattr(pywrap_tfe, "TFE_ClearScalarCache", None)
    if clear is None:  # Checked against the pinned TensorFlow by tests/models/test_scalar_cache_release.py.
        return False
    clear()
    return True


class ScalarCacheRelease(keras.callbacks.Callback):
    """Empties TensorFlow's eager scalar cache at the end of every epoch.

    See the module docstring; `WassersteinGAN.fit` adds it to every run.
    Another model's `fit` may use it too:

    ```python
    model.fit(x, y, epochs=1000, callbacks=[keras.callbacks.TensorBoard("logs"), ScalarCacheRelease()])
    ```
    """

    def on_epoch_end(self, epoch, logs=None):
        release_tensorflow_scalar_cache()
