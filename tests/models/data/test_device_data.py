"""`fit(device_data=...)`: arrays kept whole in device memory train exactly as host arrays.

On JAX the `DeviceArrayAdapter` gathers each step's batches on the device
from row indices; the batches, their order and the shuffling must be those
of the ordinary `ArrayAdapter`. On TensorFlow the argument changes nothing,
which the same tests check there.
"""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import toy_critic, toy_generator
from keras_wgan.models.data import adapters, checks
from tests.conftest import mlp

RNG = np.random.default_rng(0)
DATA = RNG.uniform(-0.9, 0.9, size=(192, 2)).astype("float32")
LABELS = RNG.integers(0, 3, size=192).astype("int32")
ON_JAX = keras.backend.backend() == "jax"


def trained_weights(
    device_data, *, shuffle, labelled=False, epochs=2, steps_per_epoch=None, monkeypatch=None
):
    keras.utils.set_random_seed(0)
    if labelled:
        model = kw.WGANGP(
            toy_critic(8, 2, num_classes=3),
            toy_generator(2, 8, 2, num_classes=3),
            critic_steps=2,
            num_classes=3,
        )
    else:
        model = kw.WGANGP(mlp(2, 1, units=8), mlp(2, 2, units=8), critic_steps=2, seed=1)
    model.compile(run_eagerly=True)  # The data path is under test: no tracing.
    gathered = []
    if monkeypatch is not None:
        gather = adapters.DeviceArrayAdapter.gather

        def counted(self, element):
            gathered.append(element[0].shape)
            return gather(self, element)

        monkeypatch.setattr(adapters.DeviceArrayAdapter, "gather", counted)
    model.fit(
        DATA,
        LABELS if labelled else None,
        batch_size=32,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        shuffle=shuffle,
        device_data=device_data,
        verbose=0,
    )
    weights = [keras.ops.convert_to_numpy(v) for v in model.critic.weights + model.generator.weights]
    return weights, int(model.generator_optimizer.iterations), gathered


@pytest.mark.parametrize(
    "shuffle, labelled, steps_per_epoch",
    [(False, False, None), (True, False, None), (True, True, None), (True, False, 4)],
    ids=["in_order", "shuffled", "shuffled_conditional", "repeated"],
)
def test_device_data_trains_to_the_ordinary_paths_weights(shuffle, labelled, steps_per_epoch, monkeypatch):
    expected, steps, _ = trained_weights(
        False, shuffle=shuffle, labelled=labelled, steps_per_epoch=steps_per_epoch
    )
    got, device_steps, gathered = trained_weights(
        True, shuffle=shuffle, labelled=labelled, steps_per_epoch=steps_per_epoch, monkeypatch=monkeypatch
    )
    assert device_steps == steps == 2 * (steps_per_epoch or 3)
    # On JAX every train step's element was gathered on the device, as (m, critic_steps) rows.
    assert gathered[:steps] == ([(32, 2)] * steps if ON_JAX else [])
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not ON_JAX, reason="arrays stay on the host on TensorFlow")
def test_device_batches_use_every_sample_once_per_epoch():
    import jax

    spec = checks.DataSpec((2,), num_classes=3)
    keras.utils.set_random_seed(0)
    adapter = adapters.get_adapter(DATA, LABELS, spec, batch_size=32, shuffle=True, device_data=True)
    assert isinstance(adapter, adapters.DeviceArrayAdapter)
    grouped = adapters.group(adapter, critic_steps=2)
    epochs = []
    for _ in range(2):
        elements = [grouped[i] for i in range(len(grouped))]
        grouped.on_epoch_end()
        assert all(isinstance(part, jax.Array) for element in elements for part in element)
        samples = np.concatenate([np.asarray(s).reshape(-1, 2) for s, _ in elements])
        labels = np.concatenate([np.asarray(y).reshape(-1) for _, y in elements])
        assert (
            samples.shape == (192, 2)
            and elements[0][0].shape == (32, 2, 2)
            and elements[0][1].shape == (32, 2)
        )
        order = np.lexsort(samples.T)
        np.testing.assert_array_equal(samples[order], DATA[np.lexsort(DATA.T)])
        # Each sample keeps its own label.
        np.testing.assert_array_equal(labels[order], LABELS[np.lexsort(DATA.T)])
        epochs.append(samples)
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled


def test_keeps_on_device_only_where_asked_and_useful():
    assert not adapters.keeps_on_device(DATA, False)
    assert adapters.keeps_on_device(DATA, True) == ON_JAX
    # "auto" on the CPU: the host copy already is the device's.
    assert not adapters.keeps_on_device(DATA, "auto")
    for bad in ("yes", 1, None):
        with pytest.raises(ValueError, match="`device_data` must be"):
            adapters.keeps_on_device(DATA, bad)


@pytest.mark.skipif(not ON_JAX, reason="keras.distribution is JAX's here")
def test_device_data_stays_on_the_host_under_a_distribution():
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    try:
        assert not adapters.keeps_on_device(DATA, True)
    finally:
        keras.distribution.set_distribution(None)
