"""Behaviour shared by WGAN and WGAN-GP: data, steps, metrics, saving, errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_wgan as kw
from tests.conftest import mlp

MODELS = [kw.WGAN, kw.WGANGP]
DATA = np.random.default_rng(0).normal(1.0, 0.5, size=(640, 2)).astype("float32")


def make(cls, seed=1, **kwargs):
    keras.utils.set_random_seed(0)
    model = cls(mlp(2, 1), mlp(2, 2), seed=seed, **kwargs)
    model.compile()
    return model


@pytest.mark.parametrize("cls", MODELS)
def test_fit_logs_metrics_and_counts_generator_steps(cls):
    model = make(cls, critic_steps=3)
    history = model.fit(DATA, batch_size=32, epochs=2, verbose=0)
    expected = {"critic_loss", "generator_loss", "wasserstein_estimate"}
    if cls is kw.WGANGP:
        expected.add("gradient_penalty")
    assert set(history.history) == expected
    assert all(len(v) == 2 and np.all(np.isfinite(v)) for v in history.history.values())
    # 640 samples / (32 * 3) -> 6 generator steps per epoch.
    assert int(model.generator_optimizer.iterations) == 12
    assert int(model.critic_optimizer.iterations) == 36
    # Keras's own step counter (callbacks, TensorBoard) counts generator steps.
    assert int(model.optimizer.iterations) == 12


class RecordingWGAN(kw.WGANGP):
    """Records the real batch of every critic iteration (eager only)."""

    def critic_iteration(self, real, step=0):
        self.seen.append(keras.ops.convert_to_numpy(real).copy())
        return super().critic_iteration(real, step)


def test_every_critic_iteration_gets_a_fresh_real_batch():
    keras.utils.set_random_seed(0)
    model = RecordingWGAN(mlp(2, 1), mlp(2, 2), critic_steps=5)
    model.seen = []
    model.compile(run_eagerly=True)
    ids = np.arange(8 * 5 * 2, dtype="float32")
    data = np.stack([ids, ids], axis=1)  # every sample unique
    model.fit(data, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert len(model.seen) == 10  # 2 generator steps x 5 critic iterations
    seen = np.concatenate(model.seen)[:, 0]
    assert sorted(seen.tolist()) == ids.tolist()  # every sample exactly once


def test_arrays_are_reshuffled_every_epoch():
    keras.utils.set_random_seed(0)
    model = RecordingWGAN(mlp(2, 1), mlp(2, 2), critic_steps=2)
    model.seen = []
    model.compile(run_eagerly=True)
    ids = np.arange(8 * 2 * 3, dtype="float32")
    model.fit(np.stack([ids, ids], axis=1), batch_size=8, epochs=2, verbose=0)
    first, second = np.concatenate(model.seen[:6])[:, 0], np.concatenate(model.seen[6:])[:, 0]
    assert sorted(first.tolist()) == sorted(second.tolist()) == ids.tolist()  # each sample once per epoch
    assert first.tolist() != second.tolist() and first.tolist() != ids.tolist()


class Batches(keras.utils.PyDataset):
    """DATA in batches of 32, with labels, and a last batch of 16 that must be dropped."""

    def __init__(self):
        super().__init__()
        self.epochs_ended = 0

    def __len__(self):
        return 21

    def __getitem__(self, index):
        batch = DATA[index * 32 : (index + 1) * 32] if index < 20 else DATA[:16]
        return batch, np.zeros(len(batch))

    def on_epoch_end(self):
        self.epochs_ended += 1


@pytest.mark.slow
@pytest.mark.parametrize("form", ["array", "dataset", "labelled_dataset", "generator", "pydataset"])
def test_accepts_arrays_datasets_and_generators(form):
    model = make(kw.WGANGP, critic_steps=2)
    kwargs = {}
    if form == "array":
        x, kwargs["batch_size"] = DATA, 32
    elif form == "dataset":
        x = tf.data.Dataset.from_tensor_slices(DATA).batch(32, drop_remainder=True)
    elif form == "labelled_dataset":
        x = tf.data.Dataset.from_tensor_slices((DATA, np.zeros(len(DATA)))).batch(32, drop_remainder=True)
    elif form == "pydataset":
        x = Batches()
    else:
        x = (DATA[i : i + 32] for i in range(0, 640, 32))
        kwargs["steps_per_epoch"] = 10
    model.fit(x, epochs=1, verbose=0, **kwargs)
    assert int(model.generator_optimizer.iterations) == 10
    if form == "pydataset":
        assert x.epochs_ended >= 1  # the user's epoch hooks still run (Keras may add one)


@pytest.mark.slow
def test_partial_last_batch_is_dropped():
    model = make(kw.WGANGP, critic_steps=2)
    # 650 samples: 20 full batches of 32 and one of 10.
    data = np.concatenate([DATA, DATA[:10]])
    model.fit(tf.data.Dataset.from_tensor_slices(data).batch(32), epochs=1, verbose=0)
    # Keras 3.15 runs one extra step at the end of a dataset of unknown
    # length (the same happens to a plain Dense model on a filtered dataset).
    assert int(model.generator_optimizer.iterations) in (10, 11)


@pytest.mark.slow
@pytest.mark.parametrize("cls", MODELS)
def test_same_seed_same_losses(cls):
    a = make(cls).fit(DATA, batch_size=32, epochs=2, verbose=0, shuffle=False).history
    b = make(cls).fit(DATA, batch_size=32, epochs=2, verbose=0, shuffle=False).history
    c = make(cls, seed=2).fit(DATA, batch_size=32, epochs=2, verbose=0, shuffle=False).history
    assert a == b
    assert a["critic_loss"] != c["critic_loss"]


def counter_noise(scale, offset):
    """Deterministic stand-in for keras.random: plain arithmetic on a counter."""

    def sample(shape, *args, seed=None, dtype=None, **kwargs):
        size = 1
        for dim in shape:
            size = size * dim
        step = keras.ops.cast(seed.next()[1] % 1000, "float32")
        uniform = keras.ops.mod(keras.ops.arange(size, dtype="float32") * 0.618034 + step * 0.137, 1.0)
        return keras.ops.reshape(scale * uniform + offset, shape)

    return sample


@pytest.mark.slow
def test_jit_compile_true_matches_false(monkeypatch):
    # XLA draws other random numbers than TensorFlow from the same seed
    # (even for one fixed algorithm), so compare the arithmetic of the two
    # compiled steps on noise that is plain arithmetic.
    monkeypatch.setattr(keras.random, "normal", counter_noise(2.0, -1.0))
    monkeypatch.setattr(keras.random, "uniform", counter_noise(1.0, 0.0))
    histories = []
    for jit_compile in (False, True):
        keras.utils.set_random_seed(0)
        model = kw.WGANGP(mlp(2, 1), mlp(2, 2), seed=1, critic_steps=2)
        model.compile(jit_compile=jit_compile)
        assert model.jit_compile is jit_compile
        histories.append(
            model.fit(DATA, batch_size=32, epochs=3, steps_per_epoch=1, verbose=0, shuffle=False).history
        )
    for name in histories[0]:
        np.testing.assert_allclose(histories[0][name], histories[1][name], rtol=1e-4, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("cls", MODELS)
def test_jit_compile_true_trains(cls):
    keras.utils.set_random_seed(0)
    model = cls(mlp(2, 1), mlp(2, 2), seed=1)
    model.compile(jit_compile=True)
    before = model.generate(8, seed=0)
    history = model.fit(DATA, batch_size=32, epochs=1, verbose=0).history
    assert all(np.all(np.isfinite(v)) for v in history.values())
    assert not np.allclose(before, model.generate(8, seed=0))


def test_jit_compile_auto_follows_the_backend():
    model = make(kw.WGANGP)
    if keras.backend.backend() == "jax":
        assert model.jit_compile is True  # Keras's default on JAX.
    elif not tf.config.list_physical_devices("GPU"):
        assert model.jit_compile is False  # TensorFlow's XLA is slower on CPU.
    # Saved as requested, so that a file moves between backends.
    assert model.get_compile_config()["jit_compile"] == "auto"


@pytest.mark.slow
@pytest.mark.parametrize("cls", MODELS)
def test_validation_reports_held_out_estimate(cls):
    model = make(cls)
    history = model.fit(DATA, batch_size=32, epochs=1, verbose=0, validation_data=DATA[:128])
    assert "val_wasserstein_estimate" in history.history
    result = model.evaluate(DATA[:128], batch_size=32, verbose=0, return_dict=True)
    assert set(result) == {"wasserstein_estimate"} and np.isfinite(result["wasserstein_estimate"])


def test_evaluate_is_the_mean_over_batches():
    model = make(kw.WGANGP)
    shifted = DATA[:128] + 5.0
    full = model.evaluate(shifted, batch_size=128, verbose=0, return_dict=True)["wasserstein_estimate"]
    real_mean = float(np.mean(model.critic.predict(shifted, verbose=0)))
    # The fake half is random, so compare the real half's contribution only
    # through its scale: the estimate must reflect the shifted data.
    assert (
        np.sign(full)
        == np.sign(real_mean - float(np.mean(model.critic.predict(model.generate(512, seed=0), verbose=0))))
        or abs(full) < 1e-3
    )


def test_generate():
    model = make(kw.WGANGP)
    samples = model.generate(5, seed=0)
    assert samples.shape == (5, 2) and samples.dtype == np.float32
    np.testing.assert_array_equal(samples, model.generate(5, seed=0))
    assert not np.array_equal(samples, model.generate(5, seed=1))
    before = keras.ops.convert_to_numpy(model.seed_generator.state)
    model.generate(3)
    np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(model.seed_generator.state))


@pytest.mark.slow
@pytest.mark.parametrize("cls", MODELS)
def test_save_load_continue(cls, tmp_path):
    model = make(cls, critic_steps=2)
    model.fit(DATA, batch_size=32, epochs=1, verbose=0)
    path = tmp_path / "run.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is cls

    def hyper_parameters(m):
        return {k: v for k, v in m.get_config().items() if k not in ("critic", "generator")}

    assert hyper_parameters(restored) == hyper_parameters(model)
    np.testing.assert_array_equal(restored.generate(4, seed=0), model.generate(4, seed=0))
    for mine, theirs in [
        (model.critic_optimizer, restored.critic_optimizer),
        (model.generator_optimizer, restored.generator_optimizer),
    ]:
        assert type(mine) is type(theirs)
        for a, b in zip(mine.variables, theirs.variables, strict=True):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    # The restored model continues exactly like the original.
    a = model.fit(DATA, batch_size=32, epochs=1, verbose=0, shuffle=False).history
    b = restored.fit(DATA, batch_size=32, epochs=1, verbose=0, shuffle=False).history
    assert a == b
    assert int(restored.generator_optimizer.iterations) == 20


@pytest.mark.slow
def test_backup_and_restore_resumes(tmp_path):
    class StopAfterFirstEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                raise KeyboardInterrupt

    backup = str(tmp_path / "backup")
    model = make(kw.WGANGP, critic_steps=2)
    with pytest.raises(KeyboardInterrupt):
        model.fit(
            DATA,
            batch_size=32,
            epochs=3,
            verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup), StopAfterFirstEpoch()],
        )
    fresh = make(kw.WGANGP, critic_steps=2)
    history = fresh.fit(
        DATA, batch_size=32, epochs=3, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(backup)]
    )
    assert len(history.history["critic_loss"]) == 2  # epochs 2 and 3 only
    assert int(fresh.generator_optimizer.iterations) == 30


# -- bad input ----------------------------------------------------------


def test_compile_defaults_and_kwargs():
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2))
    model.compile(steps_per_execution=2)
    assert model.steps_per_execution == 2
    with pytest.raises(ValueError, match="own losses"):
        model.compile(loss="mse")


def test_one_optimizer_serves_both_networks():
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), critic_steps=1)
    shared = keras.optimizers.Adam(2e-4, beta_1=0.5)
    model.compile(shared)
    assert model.critic_optimizer is shared and model.generator_optimizer is not shared
    assert model.generator_optimizer.get_config() == shared.get_config()
    model.fit(DATA[:64], batch_size=32, epochs=1, verbose=0)
    assert int(model.critic_optimizer.iterations) == int(model.generator_optimizer.iterations) == 2
    model.compile(optimizer="rmsprop")  # Keras's name for it, and an identifier
    assert type(model.critic_optimizer) is type(model.generator_optimizer) is keras.optimizers.RMSprop
    assert model.critic_optimizer is not model.generator_optimizer


def test_two_optimizers_by_position_or_name_keep_their_roles():
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2))
    critic_optimizer, generator_optimizer = keras.optimizers.Adam(1e-3), keras.optimizers.SGD(0.1)
    model.compile(critic_optimizer, generator_optimizer)
    assert (model.critic_optimizer, model.generator_optimizer) == (critic_optimizer, generator_optimizer)
    critic_optimizer, generator_optimizer = keras.optimizers.Adam(1e-3), keras.optimizers.SGD(0.1)
    model.compile(critic_optimizer, generator_optimizer=generator_optimizer)
    assert (model.critic_optimizer, model.generator_optimizer) == (critic_optimizer, generator_optimizer)
    model.compile(critic_optimizer="sgd")  # By name alone: the generator keeps its default.
    assert isinstance(model.generator_optimizer, keras.optimizers.Adam)


def test_ambiguous_optimizers_are_refused_in_words():
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2))
    with pytest.raises(ValueError, match="either one optimizer for both networks or `critic_optimizer` and"):
        model.compile(optimizer="adam", generator_optimizer="sgd")
    with pytest.raises(TypeError, match="`critic_optimizer` is given twice"):
        model.compile("adam", critic_optimizer="sgd")
    with pytest.raises(TypeError, match="at most two positional optimizers"):
        model.compile("adam", "adam", "adam")


def test_fit_before_compile_is_an_error():
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2))
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(DATA, epochs=1)


@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("critic_steps", [0, -1])
def test_rejects_critic_steps_below_one(cls, critic_steps):
    with pytest.raises(ValueError, match="critic_steps"):
        cls(mlp(2, 1), mlp(2, 2), critic_steps=critic_steps)


def test_rejects_critic_with_several_outputs():
    with pytest.raises(ValueError, match="one value per example"):
        kw.WGANGP(mlp(2, 3), mlp(2, 2))


def test_rejects_generator_critic_shape_mismatch():
    with pytest.raises(ValueError, match="generator's output shape"):
        kw.WGANGP(mlp(2, 1), mlp(2, 3))


def test_rejects_unbuilt_networks():
    with pytest.raises(ValueError, match="built"):
        kw.WGANGP(keras.Sequential([keras.layers.Dense(1)]), mlp(2, 2))


def test_rejects_wrong_sample_shape():
    model = make(kw.WGANGP)
    with pytest.raises(ValueError, match=r"shape \(3,\).*critic takes samples of shape \(2,\)"):
        model.fit(np.zeros((640, 3), "float32"), epochs=1)
    with pytest.raises(ValueError, match="shape"):
        model.fit(tf.data.Dataset.from_tensor_slices(np.zeros((64, 3), "float32")).batch(8), epochs=1)


def test_rejects_integer_images():
    model = make(kw.WGANGP)
    with pytest.raises(TypeError, match="uint8.*Scale them"):
        model.fit(np.zeros((640, 2), "uint8"), epochs=1)
    with pytest.raises(TypeError, match="int64.*Scale them"):
        model.fit(tf.data.Dataset.from_tensor_slices(np.zeros((64, 2), "int64")).batch(8), epochs=1)


def test_rejects_empty_data():
    model = make(kw.WGANGP)
    with pytest.raises(ValueError, match="fewer than one batch"):
        model.fit(np.zeros((0, 2), "float32"), epochs=1)
    with pytest.raises(ValueError, match="empty"):
        model.fit(tf.data.Dataset.from_tensor_slices(np.zeros((0, 2), "float32")).batch(8), epochs=1)
    with pytest.raises(ValueError, match="empty"):
        model.fit(iter([]), epochs=1)
    with pytest.raises(ValueError, match="fewer than `critic_steps=5`"):
        model.fit(np.zeros((100, 2), "float32"), batch_size=32, epochs=1)


def test_rejects_targets_and_batch_size_with_dataset():
    model = make(kw.WGANGP)
    with pytest.raises(ValueError, match="`y` must be None"):
        model.fit(DATA, DATA, epochs=1)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(tf.data.Dataset.from_tensor_slices(DATA).batch(8), batch_size=8, epochs=1)
