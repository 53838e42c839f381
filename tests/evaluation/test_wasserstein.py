"""Tests for keras_wgan.evaluation.w1_to_data: exact W1 of generated to real samples."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan import evaluation


def shift_generator(v):
    """A keras.Model generator z -> z + v."""
    inputs = keras.Input((len(v),))
    outputs = keras.layers.Dense(
        len(v), kernel_initializer="identity", bias_initializer=keras.initializers.Constant(v)
    )(inputs)
    return keras.Model(inputs, outputs)


def test_w1_to_data_translation_with_shared_latents_is_exact():
    v = np.array([1.0, 0.5], "float32")
    # The latent vectors w1_to_data draws for seed 3: the real samples are
    # z, the generated ones z + v, so the identity plan is optimal.
    real = keras.ops.convert_to_numpy(keras.random.normal((300, 2), seed=3))
    w1 = evaluation.w1_to_data(shift_generator(v), real, seed=3)
    assert w1 == pytest.approx(float(np.linalg.norm(v)), abs=1e-5)


def test_w1_to_data_translation_with_independent_samples_is_close():
    v = np.array([1.0, 0.5], "float32")
    real = np.random.default_rng(0).normal(size=(2000, 2))
    w1 = evaluation.w1_to_data(shift_generator(v), real, n=1000, seed=0)
    assert w1 == pytest.approx(float(np.linalg.norm(v)), abs=0.15)  # noise floor ~0.1


def test_w1_to_data_accepts_a_wgan_and_gives_its_generators_value(small_nets):
    critic, generator = small_nets
    model = kw.WGANGP(critic, generator)
    real = np.random.default_rng(0).normal(size=(200, 2))
    via_model = evaluation.w1_to_data(model, real, n=100, seed=7)
    assert via_model == evaluation.w1_to_data(generator, real, n=100, seed=7)
    assert via_model == evaluation.w1_to_data(model, real, n=100, seed=7)  # seeded
    assert via_model != evaluation.w1_to_data(model, real, n=100, seed=8)


def test_w1_to_data_flattens_images():
    inputs = keras.Input((4,))
    images = keras.layers.Reshape((2, 2, 1))(keras.layers.Dense(4, kernel_initializer="zeros")(inputs))
    generator = keras.Model(inputs, images)  # always the zero image
    real = np.full((50, 2, 2), 0.5, "float32")  # no channel axis: accepted
    assert evaluation.w1_to_data(generator, real, seed=0) == pytest.approx(1.0)  # ||0.5 * ones(4)||


def test_w1_to_data_errors():
    generator = shift_generator(np.zeros(2, "float32"))
    real = np.zeros((10, 2))
    with pytest.raises(ValueError, match="at least 1"):
        evaluation.w1_to_data(generator, real, n=0)
    with pytest.raises(ValueError, match="exceeds the 10 samples"):
        evaluation.w1_to_data(generator, real, n=11)
    with pytest.raises(TypeError, match="`n` must be an int"):
        evaluation.w1_to_data(generator, real, n=2.5)
    with pytest.raises(ValueError, match="must match"):
        evaluation.w1_to_data(generator, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="uint8"):
        evaluation.w1_to_data(generator, np.zeros((10, 2), "uint8"))
    with pytest.raises(ValueError, match="non-empty"):
        evaluation.w1_to_data(generator, np.zeros((0, 2)))
    with pytest.raises(TypeError, match="keras_wgan model"):
        evaluation.w1_to_data(lambda z: z, real)
