"""Data as Keras users bring it, and their mistakes caught before training.

The first eight tests are the rows of issue 15's table, in its order; the
rest cover the forms and checks around them. Rows and messages: docs/bad_input.md.
"""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_wgan as kw
from keras_wgan.models import network_inspection
from keras_wgan.models.data import checks
from tests.conftest import mlp

# Datasets batched without `drop_remainder=True` have an unknown length once
# their partial last batch is filtered out, and Keras warns when it first
# reaches their end: expected here, as for the users these tests imitate.
unknown_length = pytest.mark.filterwarnings("ignore:Your input ran out of data")

DATA = np.random.default_rng(0).normal(0.0, 0.5, size=(640, 2)).astype("float32")
STEPS = 10  # generator steps per pass: 640 samples / (batch 32 * 2 critic steps)


def make(critic=None, generator=None, cls=kw.WGAN, **kwargs):
    keras.utils.set_random_seed(0)
    model = cls(
        critic or mlp(2, 1, units=8), generator or mlp(2, 2, units=8), critic_steps=2, seed=1, **kwargs
    )
    model.compile()
    return model


def generator_ending(activation):
    inputs = keras.Input((2,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, activation=activation)(hidden))


def steps(model):
    return int(model.generator_optimizer.iterations)


class RecordingWGAN(kw.WGAN):
    """Records the real batch of every critic iteration (eager only)."""

    def critic_iteration(self, real, step=0):
        self.seen.append(keras.ops.convert_to_numpy(real).copy())
        return super().critic_iteration(real, step)


def recording_model():
    keras.utils.set_random_seed(0)
    model = RecordingWGAN(mlp(2, 1, units=8), mlp(2, 2, units=8), critic_steps=2)
    model.seen = []
    model.compile(run_eagerly=True)
    return model


def unique_samples(n):
    ids = np.arange(n, dtype="float32") / n  # in [0, 1): no range warning
    return np.stack([ids, -ids], axis=1)


# -- the rows of the table ----------------------------------------


@unknown_length
def test_row1_tfds_dict_elements_train_on_their_image():
    # `tfds.load("mnist", split="train").batch(...)` yields such dicts.
    images = unique_samples(32)
    labels = np.arange(32, dtype="int64")
    model = recording_model()
    model.fit(
        tf.data.Dataset.from_tensor_slices({"image": images, "label": labels}).batch(8), epochs=1, verbose=0
    )
    seen = np.concatenate(model.seen)
    assert len(model.seen) == 4 and steps(model) == 2
    np.testing.assert_array_equal(seen, images)  # the images, in order, and never the labels
    # TFDS's MNIST images are uint8: the error says how to scale them in the pipeline.
    uint8 = tf.data.Dataset.from_tensor_slices(
        {"image": np.zeros((64, 2), "uint8"), "label": labels[:1].repeat(64)}
    )
    with pytest.raises(
        TypeError, match=r'uint8.*dataset\.map\(lambda d: tf\.cast\(d\["image"\], "float32"\) / 127\.5 - 1\)'
    ):
        make().fit(uint8.batch(8), epochs=1)


def test_row2_validation_data_with_labels_is_the_samples():
    y_val = np.zeros(128, "int64")
    plain = (
        make()
        .fit(DATA, batch_size=32, epochs=1, verbose=0, shuffle=False, validation_data=DATA[:128])
        .history
    )
    for validation_data in [(DATA[:128], y_val), (DATA[:128], y_val, np.ones(128)), (DATA[:128], None)]:
        labelled = (
            make()
            .fit(DATA, batch_size=32, epochs=1, verbose=0, shuffle=False, validation_data=validation_data)
            .history
        )
        assert labelled == plain
    assert np.isfinite(plain["val_wasserstein_estimate"][0])


def test_row3_validation_split_holds_out_the_last_fraction():
    split = make().fit(DATA, batch_size=32, epochs=1, verbose=0, shuffle=False, validation_split=0.2)
    explicit = make().fit(
        DATA[:512], batch_size=32, epochs=1, verbose=0, shuffle=False, validation_data=DATA[512:]
    )
    assert split.history == explicit.history
    assert "val_wasserstein_estimate" in split.history
    assert steps(split.model) == 8  # 512 training samples / (32 * 2)
    with pytest.raises(
        ValueError, match=r"`validation_split` is only supported when `x` is an array.*validation_data"
    ):
        make().fit(tf.data.Dataset.from_tensor_slices(DATA).batch(32), epochs=1, validation_split=0.2)
    with pytest.raises(ValueError, match="between 0 and 1"):
        make().fit(DATA, epochs=1, validation_split=1.5)


def test_row4_a_list_of_one_array_is_that_array():
    listed = make().fit([DATA], batch_size=32, epochs=1, verbose=0, shuffle=False)
    plain = make().fit(DATA, batch_size=32, epochs=1, verbose=0, shuffle=False)
    assert listed.history == plain.history and steps(listed.model) == STEPS
    with pytest.raises(
        TypeError, match=r"must be a NumPy array, a dict of arrays, a tf\.data\.Dataset.*list of 2 items"
    ):
        make().fit([DATA, DATA], batch_size=32, epochs=1)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "softmax"])
def test_row5_a_squashing_critic_gets_a_warning(activation):
    inputs = keras.Input((2,))
    critic = keras.Model(inputs, keras.layers.Dense(1, activation=activation)(keras.layers.Dense(8)(inputs)))
    with pytest.warns(
        UserWarning, match=rf"critic ends in a {activation} activation\. A Wasserstein critic must be linear"
    ):
        kw.WGANGP(critic, mlp(2, 2, units=8))
    # The same through a separate Activation layer and a float32 output cast.
    squashed = keras.layers.Activation(activation)(keras.layers.Dense(1)(inputs))
    critic = keras.Model(inputs, keras.layers.Activation("linear", dtype="float32")(squashed))
    with pytest.warns(UserWarning, match="must be linear"):
        kw.WGAN(critic, mlp(2, 2, units=8))


def test_a_linear_critic_gets_no_warning():
    inputs = keras.Input((2,))
    critic = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Dense(8, activation="sigmoid")(inputs)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        kw.WGANGP(critic, mlp(2, 2, units=8))
        kw.WGAN(kw.architectures.mnist_critic(dim=4), kw.architectures.mnist_generator(dim=4))


def test_row6_data_outside_the_generators_range_gets_a_warning():
    unscaled = (DATA - DATA.min()) / (DATA.max() - DATA.min()) * 255  # [0, 255]
    message = r"holds values in \[0, 255\].*ends in tanh.*\[-1, 1\].*`x / 127\.5 - 1`"
    model = make(generator=generator_ending("tanh"))
    with pytest.warns(UserWarning, match=message):
        model.fit(unscaled, batch_size=32, epochs=1, verbose=0)
    with pytest.warns(UserWarning, match=message):
        model.evaluate(unscaled, batch_size=32, verbose=0)
    # A tf.data input: its first batch is checked.
    with pytest.warns(UserWarning, match=r"ends in sigmoid.*\[0, 1\].*`x / 255`"):
        make(generator=generator_ending("sigmoid")).fit(
            tf.data.Dataset.from_tensor_slices(DATA * 4).batch(32, drop_remainder=True), epochs=1, verbose=0
        )


def test_row7_non_finite_values_in_an_array_are_refused_before_training():
    bad = DATA.copy()
    bad[5, 1], bad[7, 0], bad[600, 1] = np.nan, np.inf, -np.inf
    model = make()
    with pytest.raises(
        ValueError, match=r"`x` holds 3 non-finite values \(NaN or inf\); the first is x\[5, 1\] = nan"
    ):
        model.fit(bad, batch_size=32, epochs=1)
    assert steps(model) == 0
    with pytest.raises(
        ValueError,
        match=r"`validation_data` holds 1 non-finite value \(NaN or inf\).*validation_data\[1, 0\] = inf",
    ):
        model.fit(DATA, batch_size=32, epochs=1, validation_data=bad[6:134])
    with pytest.raises(ValueError, match=r"`x` holds 3 non-finite"):
        model.evaluate(bad, batch_size=32)
    assert steps(model) == 0


@pytest.mark.parametrize("steps_per_epoch, epochs", [(25, 3), (4, 5)])
def test_row8_arrays_with_steps_per_epoch_run_every_step(steps_per_epoch, epochs):
    model = make()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*ran out of data")
        history = model.fit(DATA, batch_size=32, epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=0)
    assert steps(model) == epochs * steps_per_epoch
    assert len(history.history["critic_loss"]) == epochs


# -- around the rows --------------------------------------------------------


def test_without_steps_per_epoch_an_epoch_is_one_pass():
    model = make()
    model.fit(DATA, batch_size=32, epochs=2, verbose=0)
    assert steps(model) == 2 * STEPS


def test_repeated_array_is_reshuffled_on_every_pass():
    samples = unique_samples(32)  # 4 batches of 8: 2 generator steps per pass
    model = recording_model()
    model.fit(samples, batch_size=8, epochs=2, steps_per_epoch=3, verbose=0)
    seen = np.concatenate(model.seen)[:, 0]
    assert len(seen) == 3 * 32  # 6 steps x 2 critic iterations x 8 = three passes
    passes = seen.reshape(3, 32)
    for one_pass in passes:
        np.testing.assert_array_equal(np.sort(one_pass), samples[:, 0])  # every sample once per pass
    assert not np.array_equal(passes[0], passes[1]) and not np.array_equal(passes[1], passes[2])


@unknown_length
def test_dict_forms_of_x():
    labels = np.zeros(len(DATA), "int64")
    # A dict of arrays, and the only floating-point key of a dataset.
    make().fit({"image": DATA, "label": labels}, batch_size=32, epochs=1, verbose=0)
    model = make()
    model.fit(
        tf.data.Dataset.from_tensor_slices({"pixels": DATA, "label": labels}).batch(32, drop_remainder=True),
        epochs=1,
        verbose=0,
    )
    assert steps(model) == STEPS
    # A generator of dict batches, and a dict validation set.
    model = make()
    batches = ({"image": DATA[i : i + 32], "label": labels[i : i + 32]} for i in range(0, 640, 32))
    history = model.fit(
        batches,
        epochs=1,
        steps_per_epoch=STEPS,
        verbose=0,
        validation_data=tf.data.Dataset.from_tensor_slices({"image": DATA[:128]}).batch(32),
    )
    assert steps(model) == STEPS and "val_wasserstein_estimate" in history.history


def test_ambiguous_dicts_name_their_keys():
    two = tf.data.Dataset.from_tensor_slices({"a": DATA, "b": DATA}).batch(32)
    with pytest.raises(
        ValueError, match=r"""several keys.*\['a', 'b'\].*`dataset\.map\(lambda d: d\["a"\]\)`"""
    ):
        make().fit(two, epochs=1)
    labels_only = {"pixels": np.zeros((640, 2), "uint8"), "label": np.zeros(640, "int64")}
    with pytest.raises(
        ValueError, match=r"""no key holds floating-point.*`x\["pixels"\]`.*\['pixels', 'label'\]"""
    ):
        make().fit(labels_only, epochs=1)
    batches = iter([{"a": DATA[:32], "b": DATA[:32]}])
    with pytest.raises(ValueError, match=r"""`\(d\["a"\] for d in batches\)`"""):
        make().fit(batches, epochs=1)


def test_pydataset_of_labelled_batches():
    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return STEPS * 2

        def __getitem__(self, index):
            return DATA[index * 32 : (index + 1) * 32], np.zeros(32)

    model = make()
    model.fit(Batches(), epochs=1, steps_per_epoch=STEPS, verbose=0)
    assert steps(model) == STEPS


def test_unrecognised_inputs_name_the_accepted_types():
    for x in ["data.npy", 3.0, {1, 2}]:
        with pytest.raises(TypeError, match=r"must be a NumPy array, a dict of arrays.*Received: x="):
            make().fit(x, epochs=1)
    with pytest.raises(TypeError, match="Received: x=str"):
        make().evaluate("data.npy")


def test_an_unbatched_dataset_is_named():
    with pytest.raises(ValueError, match=r"single samples of shape \(2,\), not batches.*dataset\.batch\(64"):
        make().fit(tf.data.Dataset.from_tensor_slices(DATA), epochs=1)


@unknown_length
def test_evaluate_takes_the_same_forms():
    model = make()
    scores = [
        model.evaluate(x, batch_size=batch_size, verbose=0, return_dict=True)["wasserstein_estimate"]
        for x, batch_size in [
            (DATA[:128], 32),
            ([DATA[:128]], 32),
            ({"image": DATA[:128]}, 32),
            (
                tf.data.Dataset.from_tensor_slices({"image": DATA[:128], "label": np.zeros(128)}).batch(32),
                None,
            ),
        ]
    ]
    assert np.all(np.isfinite(scores))


# -- the checks alone -----------------------------------------------------


def test_output_range_reads_the_last_activation():
    assert network_inspection.output_range(kw.architectures.mnist_generator(latent_dim=8, dim=4)) == (
        -1.0,
        1.0,
        "tanh",
    )
    sigmoid = kw.architectures.mlp_generator(4, (3, 3), units=8, depth=1, output_activation="sigmoid")
    assert network_inspection.output_range(sigmoid) == (0.0, 1.0, "sigmoid")  # through its Reshape
    assert network_inspection.output_range(kw.architectures.toy_generator(units=8, depth=1)) is None
    assert network_inspection.output_range(generator_ending(None)) is None
    # A linear layer after a squashing one maps values anywhere.
    inputs = keras.Input((2,))
    squashed_inside = keras.Model(
        inputs, keras.layers.Dense(2)(keras.layers.Dense(8, activation="tanh")(inputs))
    )
    assert network_inspection.output_range(squashed_inside) is None
    nested = keras.Sequential([keras.Input((2,)), generator_ending("tanh"), keras.layers.Flatten()])
    assert network_inspection.output_range(nested) == (-1.0, 1.0, "tanh")


def test_no_warnings_for_good_data_and_networks():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model = make(generator=generator_ending("tanh"))
        model.fit(np.clip(DATA, -1.05, 1.05), batch_size=32, epochs=1, verbose=0)  # a small overshoot is fine
        make().fit(DATA * 100, batch_size=32, epochs=1, verbose=0)  # a linear generator has no range


def test_value_range_check_ignores_nan_in_a_stream_batch():
    batch = np.array([[np.nan, 0.5], [0.2, 300.0]])
    with pytest.warns(UserWarning, match=r"\[0\.2, 300\]"):
        checks.check_value_range(batch, (-1.0, 1.0, "tanh"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checks.check_value_range(np.full((2, 2), np.nan), (-1.0, 1.0, "tanh"))
