"""`NonFiniteWarning`: the warning every `fit` gets when its losses turn NaN or inf.

A NaN or inf in a later batch of a stream (data that cannot be checked up
front) makes the weights non-finite, and every loss after it NaN. Without a
word, a long run would go on training garbage until someone reads the logs.
`WassersteinGAN.fit` therefore adds this callback to every run. It reads
the epoch's logs only, so it costs nothing per step (Keras keeps
dispatching the train steps asynchronously: no callback reads the batch
logs), on every backend. `keras_wgan.callbacks.StopOnNonFinite` stays the
way to stop at the first non-finite step instead.
"""

import math
import warnings

import keras
import numpy as np


class NonFiniteWarning(keras.callbacks.Callback):
    """Warns once, at the end of the first epoch whose training metrics are NaN or inf.

    Only the model's own training metrics (`model.metrics`: `critic_loss`,
    `generator_loss`, ...) are read; validation metrics and those other
    callbacks add (a `QualityMetric` logs NaN on the epochs it skips) are
    not. Training goes on, as it did before this warning existed.
    """

    def __init__(self):
        super().__init__()
        self._warned = False

    def on_train_begin(self, logs=None):
        self._warned = False

    def on_epoch_end(self, epoch, logs=None):
        if self._warned:
            return
        names = {metric.name for metric in self.model.metrics}
        bad = {name: value for name, value in (logs or {}).items() if name in names and not _is_finite(value)}
        if not bad:
            return
        self._warned = True
        listed = ", ".join(f"{name}={float(np.asarray(value))}" for name, value in sorted(bad.items()))
        warnings.warn(
            f"Training diverged in epoch {epoch + 1}: {listed}. Once the weights are NaN or inf, "
            "every later step keeps them so. Common causes: a NaN or inf in the data (a stream is "
            "not checked batch by batch), or a learning rate too high. Add "
            "`keras_wgan.callbacks.StopOnNonFinite()` to the callbacks to stop at the first "
            "non-finite step, before any checkpoint saves the diverged weights.",
            stacklevel=2,
        )


def _is_finite(value):
    try:
        return math.isfinite(float(np.asarray(value)))
    except (TypeError, ValueError):  # Not a scalar: not one of the model's metrics.
        return True
