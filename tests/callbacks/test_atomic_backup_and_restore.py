"""Tests for keras_wgan.callbacks.AtomicBackupAndRestore: resuming interrupted runs."""

import json
import os

import keras
import numpy as np
import pytest

from keras_wgan.callbacks import (
    AtomicBackupAndRestore,
)
from tests.testing_utils import TINY_STEPS, count_optimizers_created, fit_tiny, optimizer_steps, tiny_wgan


class Crash(keras.callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.current, batch) == (self.epoch, self.batch):
            raise KeyboardInterrupt  # Stands in for the kill (see the subprocess test).


@pytest.mark.slow  # Two interrupted runs and a reference run.
def test_backup_resumes_mid_epoch_crash_with_the_same_step_counter(tmp_path):
    backup = tmp_path / "backup"
    model = tiny_wgan()
    with pytest.raises(KeyboardInterrupt):
        fit_tiny(model, epochs=3, callbacks=[AtomicBackupAndRestore(backup), Crash(epoch=1, batch=1)])
    assert os.listdir(backup) == ["epoch-000001.weights.h5"]

    resumed = tiny_wgan()
    callback = AtomicBackupAndRestore(backup)
    history = fit_tiny(resumed, epochs=3, callbacks=[callback])
    assert callback.restored_epoch == 1
    assert len(history.history["critic_loss"]) == 2  # epochs 2 and 3
    assert optimizer_steps(resumed) == (3 * TINY_STEPS, 3 * TINY_STEPS)
    assert not backup.exists()  # delete_checkpoint=True
    # Exactly the run that was never interrupted (same noise state too).
    uninterrupted = tiny_wgan()
    fit_tiny(uninterrupted, epochs=3)
    for a, b in zip(resumed.generator.get_weights(), uninterrupted.generator.get_weights(), strict=False):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def backup_of(model, folder, **kwargs):
    callback = AtomicBackupAndRestore(folder, **kwargs)
    callback.set_model(model)
    return callback


def test_backup_keeps_two_and_falls_back_when_the_newest_is_damaged(tmp_path):
    backup = tmp_path / "backup"
    model = tiny_wgan()
    callback = backup_of(model, backup)
    for epoch in range(3):
        model.generator_optimizer.iterations.assign(10 * (epoch + 1))  # tells the backups apart
        callback.on_epoch_end(epoch)
    assert sorted(os.listdir(backup)) == ["epoch-000002.weights.h5", "epoch-000003.weights.h5"]
    newest = backup / "epoch-000003.weights.h5"
    newest.write_bytes(newest.read_bytes()[:1000])  # e.g. a disk error
    restored = tiny_wgan()
    callback = backup_of(restored, backup)
    with pytest.warns(UserWarning, match="cannot restore .*epoch-000003"):
        callback.on_train_begin()
    assert callback.restored_epoch == 2 and restored._initial_epoch == 2
    assert int(restored.generator_optimizer.iterations) == 20
    (backup / "epoch-000002.weights.h5").write_bytes(b"")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="none of the backups .* loads"):
        backup_of(tiny_wgan(), backup).on_train_begin()


def test_backup_of_keras_backup_and_restore_is_resumed(tmp_path):
    # The layout keras.callbacks.BackupAndRestore writes: runs started with
    # it continue under AtomicBackupAndRestore.
    backup = tmp_path / "backup"
    backup.mkdir()
    model = tiny_wgan()
    model.generator_optimizer.iterations.assign(TINY_STEPS)
    model.save_weights(backup / "latest.weights.h5")
    (backup / "training_metadata.json").write_text(json.dumps({"epoch": 1, "batch": 0}))
    resumed = tiny_wgan()
    callback = backup_of(resumed, backup)
    callback.on_train_begin()
    assert callback.restored_epoch == 1 and int(resumed.generator_optimizer.iterations) == TINY_STEPS


def test_backing_up_every_epoch_builds_no_optimizer_per_save(tmp_path, monkeypatch):
    # See test_atomic_model_checkpoint.py: Keras's saving built a throw-away
    # Optimizer(1.0) per optimizer at every save, native memory on TensorFlow.
    model = tiny_wgan()
    fit_tiny(
        model, epochs=1, callbacks=[AtomicBackupAndRestore(tmp_path / "backup", delete_checkpoint=False)]
    )
    created = count_optimizers_created(monkeypatch)
    fit_tiny(
        model, epochs=4, callbacks=[AtomicBackupAndRestore(tmp_path / "backup", delete_checkpoint=False)]
    )
    assert created == []
    assert sorted(os.listdir(tmp_path / "backup")) == ["epoch-000003.weights.h5", "epoch-000004.weights.h5"]
