"""The standard-GAN baseline of benchmarks/wgan_claims.py: its losses by hand."""

import math
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from standard_gan import StandardGAN, discriminator_loss, non_saturating_generator_loss  # noqa: E402

LOG3 = math.log(3.0)


def test_discriminator_loss_by_hand():
    # D = sigmoid(f): f = 0 -> D = 1/2; f = ln 3 -> D = 3/4; f = -ln 3 -> D = 1/4.
    # -E log D(real) = -(log 1/2 + log 3/4) / 2; -E log(1 - D(fake)) = the same.
    real, fake = np.array([[0.0], [LOG3]], "float32"), np.array([[0.0], [-LOG3]], "float32")
    expected = -(math.log(0.5) + math.log(0.75)) / 2 * 2  # = log(8/3)
    assert float(discriminator_loss(real, fake)) == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(math.log(8 / 3))


def test_non_saturating_generator_loss_by_hand():
    # -E log D(G(z)) with D = 1/2 and 1/4: (log 2 + log 4) / 2 = 1.5 log 2.
    fake = np.array([[0.0], [-LOG3]], "float32")
    assert float(non_saturating_generator_loss(fake)) == pytest.approx(1.5 * math.log(2.0), rel=1e-6)


def test_losses_agree_with_keras_binary_crossentropy():
    logits = np.random.default_rng(0).normal(size=(2, 8, 1)).astype("float32") * 3
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    real, fake = logits
    expected = float(bce(np.ones_like(real), real)) + float(bce(np.zeros_like(fake), fake))
    assert float(discriminator_loss(real, fake)) == pytest.approx(expected, rel=1e-5)
    assert float(non_saturating_generator_loss(fake)) == pytest.approx(
        float(bce(np.ones_like(fake), fake)), rel=1e-5
    )


def test_fit_logs_the_losses_of_a_constant_discriminator(small_nets):
    # A discriminator whose last layer is zero outputs f = 0, D = 1/2 for
    # every input: discriminator loss 2 log 2, generator loss log 2; with a
    # zero learning rate nothing moves, so fit logs exactly these.
    critic, generator = small_nets
    last = critic.layers[-1]
    last.kernel.assign(np.zeros(last.kernel.shape, "float32"))
    last.bias.assign(np.zeros(last.bias.shape, "float32"))
    gan = StandardGAN(critic, generator, seed=0)
    gan.compile(critic_optimizer=keras.optimizers.SGD(0.0), generator_optimizer=keras.optimizers.SGD(0.0))
    real = np.random.default_rng(1).normal(size=(64, 2)).astype("float32")
    logs = gan.fit(real, batch_size=16, epochs=1, steps_per_epoch=2, verbose=0).history
    assert set(logs) == {"critic_loss", "generator_loss"}  # no Wasserstein estimate
    assert logs["critic_loss"][0] == pytest.approx(2 * math.log(2.0), rel=1e-6)
    assert logs["generator_loss"][0] == pytest.approx(math.log(2.0), rel=1e-6)


def test_discriminator_learns_to_tell_shifted_data(small_nets):
    critic, generator = small_nets
    gan = StandardGAN(critic, generator, seed=0)
    gan.compile(critic_optimizer=keras.optimizers.Adam(1e-2), generator_optimizer=keras.optimizers.SGD(0.0))
    real = (np.random.default_rng(2).normal(size=(512, 2)) + 4.0).astype("float32")
    losses = gan.fit(real, batch_size=64, epochs=10, verbose=0).history["critic_loss"]
    # From chance (2 log 2 = 1.39, D = 1/2 everywhere) to well below it.
    assert losses[0] > losses[-1] and losses[-1] < 0.5 * 2 * math.log(2.0)
