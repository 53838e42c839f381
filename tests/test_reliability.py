"""Faults and data safety: killed saves, killed runs, NaN losses, damaged files.

Every fault listed in the README's "Reliability" table is tried here.
"""

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.saving import saving_lib

import keras_wgan as kw
from keras_wgan.callbacks import (
    AtomicBackupAndRestore,
    AtomicModelCheckpoint,
    NonFiniteLossError,
    StopOnNonFinite,
)
from tests.conftest import mlp

ROOT = Path(__file__).resolve().parents[1]
DATA = np.random.default_rng(0).normal(1.0, 0.5, size=(64, 2)).astype("float32")
STEPS = 4  # generator steps per epoch: 64 samples / (batch 16 * 1 critic step)


def toy(cls=kw.WGANGP):
    keras.utils.set_random_seed(0)
    model = cls(mlp(2, 1, units=8), mlp(2, 2, units=8), critic_steps=1, seed=1)
    model.compile()
    return model


def fit(model, data=DATA, epochs=2, callbacks=()):
    return model.fit(data, batch_size=16, epochs=epochs, verbose=0, shuffle=False, callbacks=list(callbacks))


def steps_of(model):
    return int(model.generator_optimizer.iterations), int(model.critic_optimizer.iterations)


# -- a process killed while saving -----------------------------------------


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
    fit(toy(), callbacks=[record, spy, ours, keras_own])
    assert len(spy.snapshots) == 2  # in the middle of our save, then of Keras's

    # Killed while keras_wgan saves: its file is the complete epoch-1 checkpoint ...
    path = spy.snapshots[0] / ours_path
    if kind == "checkpoint":
        restored = kw.load_wgan(path)
    else:
        restored = toy()
        restored.load_weights(path)
    assert steps_of(restored) == (STEPS, STEPS)
    for a, b in zip(restored.critic.get_weights(), record.weights[0]):
        np.testing.assert_array_equal(a, b)
    # ... while Keras's own callback, killed mid-write, leaves a damaged file.
    with pytest.raises((ValueError, OSError)):
        if kind == "checkpoint":
            kw.load_wgan(spy.snapshots[1] / keras_path)
        else:
            toy().load_weights(spy.snapshots[1] / keras_path)
    # No temporary file is left once the saves are done.
    assert not [name for _, _, names in os.walk(folder) for name in names if ".tmp" in name]


def checkpoint_of(model, path, **kwargs):
    callback = AtomicModelCheckpoint(path, **kwargs)
    callback.set_model(model)
    return callback


def test_failed_save_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "wgan.keras"
    model = toy()
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
    checkpoint_of(toy(), tmp_path / "wgan.keras").on_epoch_end(0)
    assert os.listdir(tmp_path) == ["wgan.keras"]


def test_checkpoint_filepath_is_formatted_and_checked(tmp_path):
    callback = checkpoint_of(toy(), tmp_path / "w_{epoch:02d}_{critic_loss:.1f}.weights.h5", save_weights_only=True)
    callback.on_epoch_end(0, {"critic_loss": 1.25})
    callback.on_epoch_end(1, {"critic_loss": -0.5})
    assert sorted(os.listdir(tmp_path)) == ["w_01_1.2.weights.h5", "w_02_-0.5.weights.h5"]
    assert callback.last_path.endswith("w_02_-0.5.weights.h5")
    with pytest.raises(ValueError, match=r"must end in \.keras"):
        AtomicModelCheckpoint(tmp_path / "wgan.h5")


# -- resuming ----------------------------------------------------------------


class Crash(keras.callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.current, batch) == (self.epoch, self.batch):
            raise KeyboardInterrupt  # Stands in for the kill (see the subprocess test).


def test_backup_resumes_mid_epoch_crash_with_the_same_step_counter(tmp_path):
    backup = tmp_path / "backup"
    model = toy()
    with pytest.raises(KeyboardInterrupt):
        fit(model, epochs=3, callbacks=[AtomicBackupAndRestore(backup), Crash(epoch=1, batch=1)])
    assert os.listdir(backup) == ["epoch-000001.weights.h5"]

    resumed = toy()
    callback = AtomicBackupAndRestore(backup)
    history = fit(resumed, epochs=3, callbacks=[callback])
    assert callback.restored_epoch == 1
    assert len(history.history["critic_loss"]) == 2  # epochs 2 and 3
    assert steps_of(resumed) == (3 * STEPS, 3 * STEPS)
    assert not backup.exists()  # delete_checkpoint=True
    # Exactly the run that was never interrupted (same noise state too).
    uninterrupted = toy()
    fit(uninterrupted, epochs=3)
    for a, b in zip(resumed.generator.get_weights(), uninterrupted.generator.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def backup_of(model, folder, **kwargs):
    callback = AtomicBackupAndRestore(folder, **kwargs)
    callback.set_model(model)
    return callback


def test_backup_keeps_two_and_falls_back_when_the_newest_is_damaged(tmp_path):
    backup = tmp_path / "backup"
    model = toy()
    callback = backup_of(model, backup)
    for epoch in range(3):
        model.generator_optimizer.iterations.assign(10 * (epoch + 1))  # tells the backups apart
        callback.on_epoch_end(epoch)
    assert sorted(os.listdir(backup)) == ["epoch-000002.weights.h5", "epoch-000003.weights.h5"]
    newest = backup / "epoch-000003.weights.h5"
    newest.write_bytes(newest.read_bytes()[:1000])  # e.g. a disk error
    restored = toy()
    callback = backup_of(restored, backup)
    with pytest.warns(UserWarning, match="cannot restore .*epoch-000003"):
        callback.on_train_begin()
    assert callback.restored_epoch == 2 and restored._initial_epoch == 2
    assert int(restored.generator_optimizer.iterations) == 20
    (backup / "epoch-000002.weights.h5").write_bytes(b"")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="none of the backups .* loads"):
        backup_of(toy(), backup).on_train_begin()


def test_backup_of_keras_backup_and_restore_is_resumed(tmp_path):
    # The layout keras.callbacks.BackupAndRestore writes: runs started with
    # it continue under AtomicBackupAndRestore.
    backup = tmp_path / "backup"
    backup.mkdir()
    model = toy()
    model.generator_optimizer.iterations.assign(STEPS)
    model.save_weights(backup / "latest.weights.h5")
    (backup / "training_metadata.json").write_text(json.dumps({"epoch": 1, "batch": 0}))
    resumed = toy()
    callback = backup_of(resumed, backup)
    callback.on_train_begin()
    assert callback.restored_epoch == 1 and int(resumed.generator_optimizer.iterations) == STEPS


SCRIPT = ROOT / "examples" / "mnist_wgan.py"


def test_example_killed_mid_epoch_resumes_with_the_same_step_counter(tmp_path):
    """SIGKILL in the middle of epoch 2 of the MNIST example, then --resume."""
    out = tmp_path / "run"
    steps, epochs, critic_steps = 50, 2, 2  # an epoch: about 2 s on 2 idle cores
    args = ["--quick", "--strategy", "mirrored", "--epochs", str(epochs), "--steps-per-epoch", str(steps),
            "--batch-size", "16", "--critic-steps", str(critic_steps), "--dim", "8", "--latent-dim", "16",
            "--holdout", "64", "--out", str(out)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    log = open(tmp_path / "first.log", "w")
    process = subprocess.Popen([sys.executable, str(SCRIPT), *args], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
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
    assert os.listdir(out / "backup") == ["epoch-000001.weights.h5"], (tmp_path / "first.log").read_text()[-3000:]
    assert len((out / "metrics.csv").read_text().strip().splitlines()) == 2  # header + epoch 1
    epoch_1 = kw.load_wgan(out / "checkpoints" / "wgan.keras")  # the last checkpoint, whole
    assert int(epoch_1.generator_optimizer.iterations) == steps

    result = subprocess.run([sys.executable, str(SCRIPT), *args, "--resume"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Epoch 1/2" not in result.stdout and "Epoch 2/2" in result.stdout  # resumed at epoch 2
    final = kw.load_wgan(out / "checkpoints" / "wgan.keras")
    # The step counters of an uninterrupted run: no step lost, none repeated.
    assert int(final.generator_optimizer.iterations) == epochs * steps
    assert int(final.critic_optimizer.iterations) == epochs * steps * critic_steps
    rows = (out / "metrics.csv").read_text().strip().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["0", "1"]
    assert sorted(os.listdir(out / "backup")) == ["epoch-000001.weights.h5", "epoch-000002.weights.h5"]


def load_example():
    spec = importlib.util.spec_from_file_location("mnist_wgan_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_strategy_flag(tmp_path, monkeypatch, capsys):
    example = load_example()
    with pytest.raises(SystemExit):
        example.parse_args(["--help"])
    assert "TF_CONFIG" in capsys.readouterr().out
    assert isinstance(example.make_strategy(example.parse_args(["--strategy", "mirrored"])),
                      tf.distribute.MirroredStrategy)
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(SystemExit, match="--strategy multiworker needs the TF_CONFIG environment variable"):
        example.main(["--strategy", "multiworker", "--out", str(tmp_path / "x")])
    assert not (tmp_path / "x").exists()


# -- non-finite losses -------------------------------------------------------


def nan_in_epoch_2():
    """Real data whose 6th batch (epoch 2, batch 2) holds a NaN."""
    data = np.concatenate([DATA, DATA])
    data[5 * 16 + 3, 0] = np.nan
    return data


def test_nan_loss_stops_with_step_and_metric_and_keeps_the_last_good_checkpoint(tmp_path):
    model = toy()
    callbacks = [
        StopOnNonFinite(),
        AtomicBackupAndRestore(tmp_path / "backup"),
        AtomicModelCheckpoint(tmp_path / "wgan.keras"),
    ]
    data = tf.data.Dataset.from_tensor_slices(nan_in_epoch_2()).batch(16)
    # The NaN sample of step 6 turns the weights NaN (the ReLUs hide it from
    # that step's loss); the loss of step 7 is NaN.
    with pytest.raises(NonFiniteLossError, match=r"critic_loss is nan at step 7 \(epoch 2, batch 3\)"):
        model.fit(data, epochs=2, steps_per_epoch=STEPS, verbose=0, callbacks=callbacks)
    assert not np.all(np.isfinite(model.critic.get_weights()[0]))  # the weights did diverge
    good = kw.load_wgan(tmp_path / "wgan.keras")
    assert steps_of(good) == (STEPS, STEPS)
    assert all(np.all(np.isfinite(w)) for w in good.critic.get_weights() + good.generator.get_weights())
    assert os.listdir(tmp_path / "backup") == ["epoch-000001.weights.h5"]  # kept, not deleted


def test_checkpoints_refuse_non_finite_weights(tmp_path):
    # Without StopOnNonFinite, training runs on with NaN weights: neither
    # callback overwrites the last finite state.
    model = toy()
    checkpoint = AtomicModelCheckpoint(tmp_path / "wgan.keras")
    backup = AtomicBackupAndRestore(tmp_path / "backup", delete_checkpoint=False)
    data = tf.data.Dataset.from_tensor_slices(nan_in_epoch_2()).batch(16)
    with pytest.warns(UserWarning, match="NaN or inf after epoch 2"):
        model.fit(data, epochs=2, steps_per_epoch=STEPS, verbose=0, callbacks=[checkpoint, backup])
    assert steps_of(kw.load_wgan(tmp_path / "wgan.keras")) == (STEPS, STEPS)
    assert os.listdir(tmp_path / "backup") == ["epoch-000001.weights.h5"]


def test_stop_on_non_finite_watches_only_the_named_metrics():
    model = toy()
    callback = StopOnNonFinite(monitor="generator_loss")
    callback.set_model(model)
    callback.on_train_batch_end(0, {"critic_loss": float("nan"), "generator_loss": 1.0})
    with pytest.raises(NonFiniteLossError, match=r"generator_loss is inf at step 0 \(epoch 1, batch 3\)"):
        callback.on_train_batch_end(2, {"generator_loss": float("inf")})


# -- damaged and foreign files -------------------------------------------------


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    model = toy()
    fit(model, epochs=1)
    model.save(folder / "good.keras")
    data = (folder / "good.keras").read_bytes()
    (folder / "truncated.keras").write_bytes(data[: len(data) // 2])
    (folder / "empty.keras").write_bytes(b"")
    flipped = bytearray(data)
    with zipfile.ZipFile(folder / "good.keras") as archive:
        info = archive.getinfo("model.weights.h5")
    flipped[info.header_offset + 100] ^= 0xFF  # one bit in the weights
    (folder / "bitflip.keras").write_bytes(bytes(flipped))
    dense = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    dense.save(folder / "foreign.keras")
    model.save_weights(folder / "weights.weights.h5")

    export = Path(kw.export_generator(model, folder / "export", version=1))
    damages = [("truncated_pb", "saved_model.pb"), ("truncated_variables", "variables/variables.data-00000-of-00001")]
    for name, damage in damages:
        target = folder / name
        shutil.copytree(export, target)
        damaged = target / damage
        damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    module = tf.Module()
    module.f = tf.function(lambda x: x + 1, input_signature=[tf.TensorSpec([None], tf.float32)])
    tf.saved_model.save(module, str(folder / "foreign_saved_model"), signatures={"serving_default": module.f})
    return folder, model, export


def test_load_wgan_round_trips_with_safe_mode(saved):
    folder, model, _ = saved
    restored = kw.load_wgan(folder / "good.keras")
    assert type(restored) is kw.WGANGP and steps_of(restored) == steps_of(model)
    np.testing.assert_array_equal(restored.generate(4, seed=0), model.generate(4, seed=0))


@pytest.mark.parametrize(
    "name, error, message",
    [
        ("missing.keras", FileNotFoundError, r"No such file: .*missing\.keras"),
        ("truncated.keras", ValueError, r"truncated\.keras is not a complete \.keras file .*truncated or corrupt"),
        ("empty.keras", ValueError, r"empty\.keras is not a complete \.keras file \(0 bytes"),
        ("bitflip.keras", ValueError, r"bitflip\.keras is a damaged \.keras file"),
        ("foreign.keras", ValueError, r"foreign\.keras holds a Sequential \(keras\), not a keras_wgan WGAN"),
        ("weights.weights.h5", ValueError, r"holds weights only"),
        ("export/1", ValueError, r"is a folder, not a \.keras file\. It is a SavedModel"),
    ],
)
def test_load_wgan_names_the_file_and_the_problem(saved, name, error, message):
    folder, _, _ = saved
    with pytest.raises(error, match=message):
        kw.load_wgan(folder / name)


def test_keras_load_model_reports_a_truncated_file_as_missing(saved):
    # Why load_wgan exists: Keras's own message is misleading here.
    folder, _, _ = saved
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(folder / "truncated.keras")


def test_load_exported_generator(saved):
    folder, _, export = saved
    served = kw.load_exported_generator(export)
    out = served.signatures["sample"](num_samples=tf.constant(2), seed=tf.constant(0))
    assert out["images"].shape == (2, 2)
    cases = [
        ("truncated_pb", r"truncated_pb is a truncated or corrupt SavedModel: .*parse"),
        ("truncated_variables", r"truncated_variables is a truncated or corrupt SavedModel"),
        ("foreign_saved_model", r"not a generator exported by keras_wgan: its signatures are \['serving_default'\]"),
        ("export", r"holds no saved_model\.pb.*Pass a version folder, e\.g\. .*export/1"),
        ("good.keras", r"is a file, not a SavedModel folder\. It is a \.keras file"),
    ]
    for name, message in cases:
        with pytest.raises(ValueError, match=message):
            kw.load_exported_generator(folder / name)
    with pytest.raises(FileNotFoundError, match="No such folder"):
        kw.load_exported_generator(folder / "nowhere")


@pytest.mark.parametrize("cls", [kw.WGAN, kw.WGANGP])
def test_mnist_models_load_in_safe_mode(cls, tmp_path):
    # The package's own files need nothing unsafe: no Lambda layer, no
    # pickled code; every class is registered with keras.saving.
    keras.utils.set_random_seed(0)
    model = cls(kw.architectures.mnist_critic(dim=4), kw.architectures.mnist_generator(8, dim=4), seed=1)
    model.compile()
    path = tmp_path / "mnist.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = archive.read("config.json").decode()
    assert '"Lambda"' not in config and "__lambda__" not in config
    restored = keras.models.load_model(path, safe_mode=True)
    assert type(restored) is cls
    np.testing.assert_array_equal(restored.generate(2, seed=0), model.generate(2, seed=0))
    assert json.loads(config)["registered_name"] == f"keras_wgan>{cls.__name__}"
