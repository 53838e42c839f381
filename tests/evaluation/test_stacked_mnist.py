"""Tests for keras_wgan.evaluation.stacked_mnist: modes and KL on Stacked MNIST."""

import math

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.evaluation.stacked_mnist import mode_statistics


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    """The library's MNIST classifier with its default settings (10 epochs on 8,000 digits)."""
    return kw.evaluation.mnist_classifier(tmp_path_factory.mktemp("classifier"), verbose=False)


def constant_generator(image, latent_dim=8):
    """A generator that draws `image` (floats in [-1, 1]) whatever its noise."""
    generator = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense(image.size, kernel_initializer="zeros"),
            keras.layers.Reshape(image.shape),
        ]
    )
    generator.layers[0].bias.assign(image.reshape(-1))
    return generator


def test_mode_statistics_against_exact_values():
    uniform = mode_statistics(np.arange(1000).repeat(3))
    assert uniform["modes"] == 1000 and uniform["kl"] == pytest.approx(0.0, abs=1e-12)
    # Half the samples on one triple, half on another: KL = log(1000 / 2).
    two = mode_statistics(np.array([7, 993] * 50))
    assert two["modes"] == 2 and two["kl"] == pytest.approx(math.log(500))
    assert two["counts"][7] == 50 and two["counts"].sum() == 100 and two["num_samples"] == 100
    # One triple: KL = log(1000), the largest possible value.
    assert mode_statistics(np.full(10, 123))["kl"] == pytest.approx(math.log(1000))
    with pytest.raises(ValueError, match="modes"):
        mode_statistics(np.array([1000]))


@pytest.mark.slow
def test_real_held_out_images_are_the_metric_floor(classifier):
    # The floor first: real held-out stacked images (digits the MNIST job
    # holds out) give all 1,000 modes, and a KL near that of their true
    # labels, which is not 0 only because the sample is finite.
    images, labels = kw.datasets.stacked_mnist(10000, seed=0, split="held_out", allow_download=False)
    scaled = images.astype("float32") / 127.5 - 1.0  # As a tanh generator draws them.
    result = kw.evaluation.stacked_mnist_modes(scaled, classifier=classifier)
    truth = mode_statistics(labels)
    assert result["num_samples"] == 10000
    assert result["modes"] >= 995
    assert result["kl"] < 0.1
    assert result["kl"] == pytest.approx(truth["kl"], abs=0.02)
    # uint8 pixels and 32-pixel padded images give the same classification.
    padded, _ = kw.datasets.stacked_mnist(1000, seed=0, split="held_out", image_size=32, allow_download=False)
    np.testing.assert_array_equal(
        kw.evaluation.stacked_mnist_modes(padded, classifier=classifier)["counts"],
        kw.evaluation.stacked_mnist_modes(scaled[:1000], classifier=classifier)["counts"],
    )


def test_a_constant_generator_covers_one_mode(small_classifier):
    images, _ = kw.datasets.stacked_mnist(1, seed=5, split="held_out", allow_download=False)
    generator = constant_generator(images[0].astype("float32") / 127.5 - 1.0)
    result = kw.evaluation.generated_stacked_mnist_modes(generator, 2500, classifier=small_classifier[0])
    assert result["modes"] == 1 and result["num_samples"] == 2500
    assert result["kl"] == pytest.approx(math.log(1000))


def test_bad_images(small_classifier):
    with pytest.raises(ValueError, match=r"images.shape=\(4, 28, 28\)"):
        kw.evaluation.stacked_mnist_modes(np.zeros((4, 28, 28), "uint8"), classifier=small_classifier[0])
    with pytest.raises(ValueError, match="images"):
        kw.evaluation.stacked_mnist_modes(np.zeros((4, 64, 64, 3), "uint8"), classifier=small_classifier[0])
