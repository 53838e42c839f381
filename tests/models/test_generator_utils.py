"""Tests for keras_wgan.models.generator_utils: "a WGAN or a generator" and its samples."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.models.generator_utils import draw_latent, generate_samples, generator_of, latent_dim_of
from tests.testing_utils import mlp


def test_a_wgan_and_its_generator_give_the_same_samples(small_nets):
    critic, generator = small_nets
    wgan = kw.WGANGP(critic, generator)
    from_wgan = generate_samples(wgan, 16, seed=3)
    from_generator = generate_samples(generator, 16, seed=3)
    np.testing.assert_array_equal(from_wgan, from_generator)
    np.testing.assert_array_equal(from_wgan, wgan.generate(16, seed=3))
    assert not np.array_equal(from_wgan, generate_samples(generator, 16, seed=4))


def test_draw_latent_is_the_latent_of_generate():
    latent = draw_latent(8, 5, seed=1)
    np.testing.assert_array_equal(latent, keras.ops.convert_to_numpy(keras.random.normal((8, 5), seed=1)))
    # A generator that returns its input shows the latents `generate` used.
    inputs = keras.Input((5,))
    identity = keras.Model(inputs, keras.layers.Identity()(inputs))
    np.testing.assert_array_equal(generate_samples(identity, 8, seed=1), latent)


def test_drawing_does_not_move_the_models_noise(small_nets):
    critic, generator = small_nets
    wgan = kw.WGANGP(critic, generator, seed=0)
    state = keras.ops.convert_to_numpy(wgan.seed_generator.state).copy()
    generate_samples(wgan, 4, seed=0)
    generate_samples(wgan.generator, 4, seed=0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(wgan.seed_generator.state), state)


def test_resolving_and_refusing(small_nets):
    critic, generator = small_nets
    wgan = kw.WGAN(critic, generator)
    assert generator_of(wgan) is generator and generator_of(generator) is generator
    assert latent_dim_of(generator) == 2
    with pytest.raises(TypeError, match=r"keras_wgan model.*Received: model='g.keras' of type str"):
        generator_of("g.keras")
    a, b = keras.Input((2,)), keras.Input((2,))
    with pytest.raises(ValueError, match="exactly one"):
        generate_samples(keras.Model([a, b], keras.layers.Add()([a, b])), 2)
    with pytest.raises(ValueError, match="Received: n=0"):
        generate_samples(mlp(2, 2), 0)
