"""`augment=` and `generator_ema=` of WGAN and WGAN-GP, on both backends."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.augment import DiffAugment
from keras_wgan.models.generator_utils import generate_samples, generator_of

MODELS = [kw.WGAN, kw.WGANGP]
IMAGES = np.random.default_rng(0).uniform(-1, 1, size=(96, 8, 8, 1)).astype("float32")


def image_nets():
    keras.utils.set_random_seed(0)
    image = keras.Input((8, 8, 1))
    critic = keras.Model(image, keras.layers.Dense(1)(keras.layers.Flatten()(image)))
    latent = keras.Input((4,))
    x = keras.layers.Dense(64)(latent)
    x = keras.layers.BatchNormalization()(x)  # non-trainable weights too
    x = keras.layers.Reshape((8, 8, 1))(keras.layers.Activation("tanh")(x))
    return critic, keras.Model(latent, x)


def make(cls=kw.WGANGP, *, compile_kwargs=None, **kwargs):
    critic, generator = image_nets()
    kwargs.setdefault("critic_steps", 2)
    model = cls(critic, generator, seed=1, **kwargs)
    model.compile(**(compile_kwargs or {}))
    return model


def weights(network):
    return [np.array(w) for w in network.get_weights()]


@pytest.mark.parametrize("cls", MODELS)
def test_the_critic_and_the_generator_see_only_augmented_samples(cls):
    # An augmentation that maps everything to zeros: real and fake look the
    # same (estimate 0), and no gradient reaches the generator through it.
    model = make(cls, augment=lambda samples: samples * 0.0)
    generator_before = weights(model.generator)
    history = model.fit(IMAGES, batch_size=16, steps_per_epoch=3, verbose=0).history
    assert history["wasserstein_estimate"] == [0.0]
    for before, after in zip(generator_before[:2], weights(model.generator)[:2], strict=True):
        np.testing.assert_array_equal(before, after)  # the Dense kernel and bias: no gradient


def test_the_penalty_interpolates_between_augmented_batches():
    seen = []

    class Recording(kw.WGANGP):
        def critic_penalty(self, real, fake, step=0, labels=None):
            seen.append((keras.ops.convert_to_numpy(real), keras.ops.convert_to_numpy(fake)))
            return super().critic_penalty(real, fake, step)

    critic, generator = image_nets()
    model = Recording(critic, generator, critic_steps=2, seed=1, augment=lambda x: x * 0.0 + 0.25)
    model.compile(run_eagerly=True)
    model.fit(IMAGES, batch_size=16, steps_per_epoch=2, verbose=0)
    assert len(seen) == 4
    for real, fake in seen:
        np.testing.assert_array_equal(real, np.full((16, 8, 8, 1), 0.25, "float32"))
        np.testing.assert_array_equal(fake, np.full((16, 8, 8, 1), 0.25, "float32"))


def test_gradients_reach_the_generator_through_diffaugment():
    model = make(augment=DiffAugment(seed=0))
    before = weights(model.generator)
    model.fit(IMAGES, batch_size=16, steps_per_epoch=2, verbose=0)
    assert not np.allclose(before[0], weights(model.generator)[0])


class RecordingAugment(keras.layers.Layer):
    """DiffAugment that keeps its last output in a variable, readable after a compiled step."""

    def __init__(self):
        super().__init__()
        self.inner = DiffAugment("translation,cutout", seed=3)
        self.last = self.add_weight(shape=(16, 8, 8, 1), initializer="zeros", trainable=False)
        self.built = True

    def call(self, images):
        augmented = self.inner(images)
        self.last.assign(augmented)
        return augmented


def test_new_augmentations_every_compiled_step():
    # A seed state that the compiled step (the stateless one on JAX) read
    # but did not write back would repeat one augmentation at every step.
    # The generator is frozen (learning rate 0, latents ignored), so its
    # samples are one fixed image: only the augmentation can change them.
    image = keras.Input((8, 8, 1))
    critic = keras.Model(image, keras.layers.Dense(1)(keras.layers.Flatten()(image)))
    latent = keras.Input((4,))
    pattern = keras.initializers.Constant(np.arange(64, dtype="float32") / 64)
    dense = keras.layers.Dense(64, kernel_initializer="zeros", bias_initializer=pattern)
    generator = keras.Model(latent, keras.layers.Reshape((8, 8, 1))(dense(latent)))
    augment = RecordingAugment()
    model = kw.WGAN(critic, generator, critic_steps=2, seed=1, augment=augment)
    model.compile(critic_optimizer=keras.optimizers.SGD(0.0), generator_optimizer=keras.optimizers.SGD(0.0))
    state = np.array(augment.inner.seed_generator.state)
    batches = []
    for _ in range(3):
        model.fit(IMAGES, batch_size=16, steps_per_epoch=1, verbose=0)
        batches.append(np.array(augment.last))  # the generator iteration's augmented samples
        new_state = np.array(augment.inner.seed_generator.state)
        assert not np.array_equal(new_state, state)
        state = new_state
    for batch in batches:
        assert len({image.tobytes() for image in batch}) > 8  # per image, not one draw per batch
    assert not np.array_equal(batches[0], batches[1])
    assert not np.array_equal(batches[1], batches[2])


@pytest.mark.slow
def test_equal_seeds_equal_runs_with_diffaugment():
    def run(augment_seed):
        model = make(augment=DiffAugment(seed=augment_seed))
        return model.fit(IMAGES, batch_size=16, steps_per_epoch=3, verbose=0, shuffle=False).history

    assert run(3) == run(3)
    assert run(3)["critic_loss"] != run(4)["critic_loss"]


def test_ema_after_k_steps_is_the_closed_form():
    # averaged_k = beta^k w_0 + sum_i (1 - beta) beta^(k - i) w_i, with w_i the
    # generator's trainable weights after generator step i.
    beta, k = 0.6, 4
    model = make(
        generator_ema=beta,
        compile_kwargs={"generator_optimizer": keras.optimizers.SGD(0.5)},
    )
    trained = [w.trainable for w in model.generator.weights]
    history = [weights(model.generator)]
    np.testing.assert_array_equal(weights(model.averaged_generator)[0], history[0][0])

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            history.append(weights(self.model.generator))

    model.fit(IMAGES, batch_size=16, steps_per_epoch=k, verbose=0, callbacks=[Record()])
    assert len(history) == k + 1
    averaged = weights(model.averaged_generator)
    for index, is_trainable in enumerate(trained):
        if is_trainable:
            expected = beta**k * history[0][index] + sum(
                (1 - beta) * beta ** (k - i) * history[i][index] for i in range(1, k + 1)
            )
            assert not np.allclose(history[-1][index], history[0][index])
            np.testing.assert_allclose(averaged[index], expected, rtol=1e-5, atol=1e-6)
        else:  # batch-norm statistics: copied
            np.testing.assert_array_equal(averaged[index], history[-1][index])


def test_sampling_uses_the_averaged_generator():
    model = make(generator_ema=0.5, compile_kwargs={"generator_optimizer": keras.optimizers.SGD(0.5)})
    model.fit(IMAGES, batch_size=16, steps_per_epoch=2, verbose=0)
    latent = keras.random.normal((4, 4), seed=0)
    averaged = keras.ops.convert_to_numpy(model.averaged_generator(latent, training=False))
    raw = keras.ops.convert_to_numpy(model.generator(latent, training=False))
    assert not np.allclose(averaged, raw)
    np.testing.assert_allclose(model.generate(4, seed=0), averaged, rtol=1e-6)
    np.testing.assert_allclose(generate_samples(model, 4, seed=0), averaged, rtol=1e-6)  # QualityMetric
    sample_grid = model.generator_output(latent, training=False)  # SampleGrid, FixedLatentSamples
    np.testing.assert_allclose(keras.ops.convert_to_numpy(sample_grid), averaged, rtol=1e-6)
    assert generator_of(model) is model.averaged_generator  # export_generator
    assert not model.averaged_generator.trainable_weights
    assert all(
        id(v) not in {id(w) for w in model.averaged_generator.weights} for v in model.trainable_variables
    )


@pytest.mark.slow
def test_save_load_continue_with_augment_and_ema(tmp_path):
    cls = kw.WGANGP  # WGAN's saving differs by `clip_value` only
    model = make(cls, augment=DiffAugment(seed=2), generator_ema=0.9)
    model.fit(IMAGES, batch_size=16, steps_per_epoch=2, verbose=0)
    path = tmp_path / "run.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is cls
    assert isinstance(restored.augment, DiffAugment) and restored.augment.seed == 2
    assert restored.generator_ema == 0.9
    for mine, theirs in zip(
        model.averaged_generator.weights, restored.averaged_generator.weights, strict=True
    ):
        np.testing.assert_array_equal(np.array(mine), np.array(theirs))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.augment.seed_generator.state),
        keras.ops.convert_to_numpy(restored.augment.seed_generator.state),
    )
    np.testing.assert_array_equal(restored.generate(4, seed=0), model.generate(4, seed=0))
    # The restored model continues exactly like the original.
    a = model.fit(IMAGES, batch_size=16, steps_per_epoch=2, verbose=0, shuffle=False).history
    b = restored.fit(IMAGES, batch_size=16, steps_per_epoch=2, verbose=0, shuffle=False).history
    assert a == b
    np.testing.assert_array_equal(restored.generate(4, seed=0), model.generate(4, seed=0))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"generator_ema": 1.0}, ValueError, r"less than 1.0. Received: generator_ema=1.0"),
        ({"generator_ema": -0.1}, ValueError, r"at least 0.0. Received: generator_ema=-0.1"),
        ({"generator_ema": "0.99"}, TypeError, r"must be a number. Received: generator_ema='0.99'"),
        ({"augment": "color"}, TypeError, r"must be None or a callable.*Received: augment='color'"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    critic, generator = image_nets()
    with pytest.raises(error, match=message):
        kw.WGANGP(critic, generator, **kwargs)
