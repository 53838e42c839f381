"""Tests for keras_wgan.callbacks.StopOnNonFinite."""

import os

import numpy as np
import pytest
import tensorflow as tf

import keras_wgan as kw
from keras_wgan.callbacks import (
    AtomicBackupAndRestore,
    AtomicModelCheckpoint,
    NonFiniteLossError,
    StopOnNonFinite,
)
from tests.testing_utils import TINY_DATA, TINY_STEPS, optimizer_steps, tiny_wgan


def nan_in_epoch_2():
    """Real data whose 6th batch (epoch 2, batch 2) holds a NaN."""
    data = np.concatenate([TINY_DATA, TINY_DATA])
    data[5 * 16 + 3, 0] = np.nan
    return data


@pytest.mark.slow  # Trains, diverges and checkpoints.
def test_nan_loss_stops_with_step_and_metric_and_keeps_the_last_good_checkpoint(tmp_path):
    model = tiny_wgan()
    callbacks = [
        StopOnNonFinite(),
        AtomicBackupAndRestore(tmp_path / "backup"),
        AtomicModelCheckpoint(tmp_path / "wgan.keras"),
    ]
    data = tf.data.Dataset.from_tensor_slices(nan_in_epoch_2()).batch(16)
    # The NaN sample of step 6 turns the weights NaN (the ReLUs hide it from
    # that step's loss); the loss of step 7 is NaN.
    with pytest.raises(NonFiniteLossError, match=r"critic_loss is nan at step 7 \(epoch 2, batch 3\)"):
        model.fit(data, epochs=2, steps_per_epoch=TINY_STEPS, verbose=0, callbacks=callbacks)
    assert not np.all(np.isfinite(model.critic.get_weights()[0]))  # the weights did diverge
    good = kw.load_wgan(tmp_path / "wgan.keras")
    assert optimizer_steps(good) == (TINY_STEPS, TINY_STEPS)
    assert all(np.all(np.isfinite(w)) for w in good.critic.get_weights() + good.generator.get_weights())
    assert os.listdir(tmp_path / "backup") == ["epoch-000001.weights.h5"]  # kept, not deleted


def test_stop_on_non_finite_watches_only_the_named_metrics():
    model = tiny_wgan()
    callback = StopOnNonFinite(monitor="generator_loss")
    callback.set_model(model)
    callback.on_train_batch_end(0, {"critic_loss": float("nan"), "generator_loss": 1.0})
    with pytest.raises(NonFiniteLossError, match=r"generator_loss is inf at step 0 \(epoch 1, batch 3\)"):
        callback.on_train_batch_end(2, {"generator_loss": float("inf")})
