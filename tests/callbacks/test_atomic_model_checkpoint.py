"""Tests for keras_wgan.callbacks.AtomicModelCheckpoint: atomic, finite checkpoints."""

import os
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import keras_wgan as kw
from keras_wgan.callbacks import (
    AtomicBackupAndRestore,
    AtomicModelCheckpoint,
)
from tests.testing_utils import (
    TINY_DATA,
    TINY_STEPS,
    count_optimizers_created,
    fit_tiny,
    optimizer_steps,
    tiny_wgan,
)


def checkpoint_of(model, path, **kwargs):
    callback = AtomicModelCheckpoint(path, **kwargs)
    callback.set_model(model)
    return callback


@pytest.mark.parametrize("save_weights_only", [False, True])
def test_saving_every_epoch_builds_no_optimizer_per_save(tmp_path, monkeypatch, save_weights_only):
    # Keras's saving rebuilt a throw-away Optimizer(1.0) per optimizer at
    # every save, about 70 KiB of native memory each on TensorFlow: growth
    # epoch after epoch (benchmarks/soak.py).
    model = tiny_wgan()
    path = tmp_path / ("wgan.weights.h5" if save_weights_only else "wgan.keras")
    callback = AtomicModelCheckpoint(path, save_weights_only=save_weights_only)
    fit_tiny(model, epochs=1, callbacks=[callback])
    created = count_optimizers_created(monkeypatch)
    fit_tiny(model, epochs=3, callbacks=[callback])
    assert created == []
    assert path.exists()


def test_failed_save_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "wgan.keras"
    model = tiny_wgan()
    callback = checkpoint_of(model, path)
    callback.on_epoch_end(0)
    before = path.read_bytes()

    def broken_save(filepath, *args, **kwargs):
        Path(filepath).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        callback.on_epoch_end(1)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["wgan.keras"]  # no temporary file left


def test_stray_temporary_file_of_a_killed_save_is_removed(tmp_path):
    stray = tmp_path / ".wgan.keras.0123456789ab.tmp.keras"
    stray.write_bytes(b"half a zip")
    checkpoint_of(tiny_wgan(), tmp_path / "wgan.keras").on_epoch_end(0)
    assert os.listdir(tmp_path) == ["wgan.keras"]


def test_checkpoint_filepath_is_formatted_and_checked(tmp_path):
    callback = checkpoint_of(
        tiny_wgan(), tmp_path / "w_{epoch:02d}_{critic_loss:.1f}.weights.h5", save_weights_only=True
    )
    callback.on_epoch_end(0, {"critic_loss": 1.25})
    callback.on_epoch_end(1, {"critic_loss": -0.5})
    assert sorted(os.listdir(tmp_path)) == ["w_01_1.2.weights.h5", "w_02_-0.5.weights.h5"]
    assert callback.last_path.endswith("w_02_-0.5.weights.h5")
    with pytest.raises(ValueError, match=r"must end in \.keras"):
        AtomicModelCheckpoint(tmp_path / "wgan.h5")


def nan_in_epoch_2():
    """Real data whose 6th batch (epoch 2, batch 2) holds a NaN."""
    data = np.concatenate([TINY_DATA, TINY_DATA])
    data[5 * 16 + 3, 0] = np.nan
    return data


def test_checkpoints_refuse_non_finite_weights(tmp_path):
    # Without StopOnNonFinite, training runs on with NaN weights: neither
    # callback overwrites the last finite state.
    model = tiny_wgan()
    checkpoint = AtomicModelCheckpoint(tmp_path / "wgan.keras")
    backup = AtomicBackupAndRestore(tmp_path / "backup", delete_checkpoint=False)
    data = tf.data.Dataset.from_tensor_slices(nan_in_epoch_2()).batch(16)
    with pytest.warns(UserWarning, match="NaN or inf after epoch 2"):
        model.fit(data, epochs=2, steps_per_epoch=TINY_STEPS, verbose=0, callbacks=[checkpoint, backup])
    assert optimizer_steps(kw.load_wgan(tmp_path / "wgan.keras")) == (TINY_STEPS, TINY_STEPS)
    assert os.listdir(tmp_path / "backup") == ["epoch-000001.weights.h5"]
