"""`StopOnNonFinite`: stops training at the first NaN or infinite metric."""

import math

import keras

from keras_wgan.callbacks.callback_utils import as_float, global_step


class NonFiniteLossError(RuntimeError):
    """Raised by `StopOnNonFinite` when a logged metric is NaN or infinite."""


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite metric of a train step.

    After every train step it checks the step's logs (`critic_loss`,
    `generator_loss`, ...; the running means of the epoch, so a non-finite
    value stays visible until the epoch ends) and, at the first NaN or
    inf, raises `NonFiniteLossError` with a message naming the metric, its
    value, the global step (`model.optimizer.iterations`: generator steps
    for a WGAN) and the epoch. Raising, rather than setting
    `model.stop_training`, skips the end-of-epoch callbacks, so no
    checkpoint or backup is written with the diverged weights: the last
    good ones stay on disk. Put it first in the callback list, before any
    callback that saves every few batches.

    `keras.callbacks.TerminateOnNaN` watches a metric called `loss` only,
    which a WGAN does not log.

    Args:
        monitor: names of the metrics to check; default all of the train
            step's logs. Epoch-end metrics (validation, `QualityMetric`'s
            NaN on skipped epochs) are never checked.

    Example:

    ```python
    try:
        wgan.fit(dataset, epochs=10, callbacks=[keras_wgan.callbacks.StopOnNonFinite(), ...])
    except keras_wgan.callbacks.NonFiniteLossError as error:
        print(error)  # critic_loss is nan at step 1234 (epoch 3, batch 34) ...
    ```
    """

    def __init__(self, monitor=None):
        super().__init__()
        if isinstance(monitor, str):
            monitor = [monitor]
        self.monitor = None if monitor is None else [str(name) for name in monitor]
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            if self.monitor is not None and name not in self.monitor:
                continue
            value = as_float(value)
            if value is None or math.isfinite(value):
                continue
            step = global_step(self.model)
            step_text = f"step {step}" if step is not None else f"batch {batch + 1}"
            raise NonFiniteLossError(
                f"{name} is {value} at {step_text} (epoch {self._epoch + 1}, batch {batch + 1}): "
                "training stopped. The weights have diverged; no checkpoint was written "
                "after this step, so the last good checkpoint is intact. Resume from it with a "
                "lower learning rate, or check the data for NaN or inf."
            )
