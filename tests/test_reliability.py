"""Faults end to end: a process killed while saving, a training run killed mid-epoch.

The other faults of docs/reliability.md are tested beside the code that handles
them (tests/callbacks/, tests/test_saving.py).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest
from keras.src.saving import saving_lib

import keras_wgan as kw
from keras_wgan.callbacks import (
    AtomicBackupAndRestore,
    AtomicModelCheckpoint,
)
from tests.testing_utils import TINY_STEPS, fit_tiny, optimizer_steps, tiny_wgan

pytestmark = pytest.mark.slow  # Processes killed mid-save and mid-run, end to end.

ROOT = Path(__file__).resolve().parents[1]


class RecordEpochEnd(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append([w.copy() for w in self.model.critic.get_weights()])


class SnapshotMidSave(keras.callbacks.Callback):
    """Copies `folder` in the middle of every save of epoch 2.

    A process killed by SIGKILL at that instant leaves exactly that copy on
    disk (the page cache survives the process): each snapshot is what a
    kill while saving leaves behind, without a process per kill.
    """

    def __init__(self, monkeypatch, folder, snapshots):
        super().__init__()
        self.armed, self.snapshots = False, []
        original = saving_lib.H5IOStore.__setitem__

        def setitem(store, key, value):
            original(store, key, value)
            if self.armed and not getattr(store, "_snapshot_taken", False):  # A new save's first write.
                store._snapshot_taken = True
                self.snapshots.append(snapshots / str(len(self.snapshots)))
                shutil.copytree(folder, self.snapshots[-1])

        monkeypatch.setattr(saving_lib.H5IOStore, "__setitem__", setitem)

    def on_epoch_begin(self, epoch, logs=None):
        self.armed = epoch == 1  # The second saves: good ones exist.


@pytest.mark.parametrize("kind", ["checkpoint", "backup"])
def test_kill_while_saving_keeps_the_previous_checkpoint(tmp_path, monkeypatch, kind):
    folder, snapshots = tmp_path / "run", tmp_path / "killed_here"
    if kind == "checkpoint":
        ours = AtomicModelCheckpoint(folder / "wgan.keras")
        keras_own = keras.callbacks.ModelCheckpoint(str(folder / "keras_wgan.keras"))
        ours_path, keras_path = "wgan.keras", "keras_wgan.keras"
    else:
        ours = AtomicBackupAndRestore(folder / "ours", delete_checkpoint=False)
        keras_own = keras.callbacks.BackupAndRestore(str(folder / "keras"), delete_checkpoint=False)
        ours_path, keras_path = "ours/epoch-000001.weights.h5", "keras/latest.weights.h5"
    spy, record = SnapshotMidSave(monkeypatch, folder, snapshots), RecordEpochEnd()
    fit_tiny(tiny_wgan(), callbacks=[record, spy, ours, keras_own])
    assert len(spy.snapshots) == 2  # in the middle of our save, then of Keras's

    # Killed while keras_wgan saves: its file is the complete epoch-1 checkpoint ...
    path = spy.snapshots[0] / ours_path
    if kind == "checkpoint":
        restored = kw.load_wgan(path)
    else:
        restored = tiny_wgan()
        restored.load_weights(path)
    assert optimizer_steps(restored) == (TINY_STEPS, TINY_STEPS)
    for a, b in zip(restored.critic.get_weights(), record.weights[0], strict=False):
        np.testing.assert_array_equal(a, b)
    # ... while Keras's own callback, killed mid-write, leaves a damaged file.
    with pytest.raises((ValueError, OSError)):
        if kind == "checkpoint":
            kw.load_wgan(spy.snapshots[1] / keras_path)
        else:
            tiny_wgan().load_weights(spy.snapshots[1] / keras_path)
    # No temporary file is left once the saves are done.
    assert not [name for _, _, names in os.walk(folder) for name in names if ".tmp" in name]


SCRIPT = ROOT / "examples" / "mnist_wgan.py"


def test_example_killed_mid_epoch_resumes_with_the_same_step_counter(tmp_path):
    """SIGKILL in the middle of epoch 2 of the MNIST example, then --resume."""
    out = tmp_path / "run"
    steps, epochs, critic_steps = 50, 2, 2  # an epoch: about 2 s on 2 idle cores
    args = [
        "--quick",
        "--strategy",
        "mirrored",
        "--epochs",
        str(epochs),
        "--steps-per-epoch",
        str(steps),
        "--batch-size",
        "16",
        "--critic-steps",
        str(critic_steps),
        "--dim",
        "8",
        "--latent-dim",
        "16",
        "--holdout",
        "64",
        "--out",
        str(out),
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    log = open(tmp_path / "first.log", "w")
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.time() + 240
        # The last callback of epoch 1 has run: epoch 2 is under way.
        while time.time() < deadline and process.poll() is None and not (out / "curves.png").exists():
            time.sleep(0.05)
        time.sleep(0.5)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
    assert process.returncode == -signal.SIGKILL, (tmp_path / "first.log").read_text()[-3000:]
    # Killed mid-epoch 2: epoch 1 complete, epoch 2 not.
    assert os.listdir(out / "backup") == ["epoch-000001.weights.h5"], (tmp_path / "first.log").read_text()[
        -3000:
    ]
    assert len((out / "metrics.csv").read_text().strip().splitlines()) == 2  # header + epoch 1
    epoch_1 = kw.load_wgan(out / "checkpoints" / "wgan.keras")  # the last checkpoint, whole
    assert int(epoch_1.generator_optimizer.iterations) == steps

    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--resume"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Epoch 1/2" not in result.stdout and "Epoch 2/2" in result.stdout  # resumed at epoch 2
    final = kw.load_wgan(out / "checkpoints" / "wgan.keras")
    # The step counters of an uninterrupted run: no step lost, none repeated.
    assert int(final.generator_optimizer.iterations) == epochs * steps
    assert int(final.critic_optimizer.iterations) == epochs * steps * critic_steps
    rows = (out / "metrics.csv").read_text().strip().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["0", "1"]
    assert sorted(os.listdir(out / "backup")) == ["epoch-000001.weights.h5", "epoch-000002.weights.h5"]
