"""Tests for keras_wgan.models.non_finite_warning: the warning `fit` gives when training diverges."""

import re
import warnings

import keras
import numpy as np

from tests.testing_utils import TINY_DATA, tiny_wgan


def batches_with_nan_in_the_second():
    for index in range(8):
        batch = np.array(TINY_DATA[16 * (index % 4) : 16 * (index % 4 + 1)])
        if index == 1:
            batch[3, 0] = np.nan
        yield batch


def test_non_finite_losses_get_a_warning_at_the_first_epoch_end():
    model = tiny_wgan()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(batches_with_nan_in_the_second(), epochs=2, steps_per_epoch=4, verbose=0)
    assert not np.isfinite(history.history["critic_loss"]).any()
    messages = [str(w.message) for w in caught if "diverged" in str(w.message)]
    assert len(messages) == 1  # Once, not once per epoch.
    assert re.search(r"Training diverged in epoch 1: critic_loss=nan.*StopOnNonFinite\(\)", messages[0])


def test_finite_training_and_validation_nan_get_no_divergence_warning():
    class NaNQuality(keras.callbacks.Callback):  # As QualityMetric logs on the epochs it skips.
        def on_epoch_end(self, epoch, logs=None):
            logs["fid"] = float("nan")

    model = tiny_wgan()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(TINY_DATA[:64], batch_size=16, epochs=2, verbose=0, callbacks=[NaNQuality()])
