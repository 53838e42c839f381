"""Tests for keras_wgan.evaluation.frechet_classifier_distance (FCD)."""

import keras
import numpy as np
import pytest

from keras_wgan import evaluation


def test_classifier_features_shape_and_input_forms(small_classifier, digits):
    classifier, _ = small_classifier
    pixels = digits[0][:40]
    features = evaluation.classifier_features(pixels, classifier)
    assert features.shape == (40, 128) and features.dtype == np.float64
    unit = pixels.astype("float32") / 255.0
    for images, value_range in [
        (unit, (0, 1)),
        (unit[..., None], (0, 1)),
        (unit.reshape(40, 784), (0, 1)),
        (unit * 2.0 - 1.0, (-1, 1)),
    ]:
        np.testing.assert_allclose(
            evaluation.classifier_features(images, classifier, value_range), features, rtol=1e-5, atol=1e-5
        )


def test_classifier_features_errors(small_classifier):
    classifier, _ = small_classifier
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        evaluation.classifier_features(np.zeros((3, 32, 32)), classifier)
    with pytest.raises(ValueError, match="NaN"):
        evaluation.classifier_features(np.full((3, 28, 28), np.nan), classifier)
    with pytest.raises(ValueError, match="value_range"):
        evaluation.classifier_features(np.zeros((3, 28, 28)), classifier, value_range=(1, 0))
    plain = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="no layer named 'features'"):
        evaluation.classifier_features(np.zeros((3, 28, 28)), plain)
    with pytest.raises(ValueError, match="at least 2 images"):
        evaluation.frechet_classifier_distance(np.zeros((1, 28, 28)), np.zeros((5, 28, 28)), classifier)


@pytest.mark.slow  # Features of thousands of digits.
def test_fcd_real_vs_real_is_far_below_real_vs_noise(small_classifier, digits):
    classifier, _ = small_classifier
    images = digits[0]
    real_a, real_b = images[:500], images[500:1000]
    noise = np.random.default_rng(0).uniform(0.0, 1.0, size=(500, 28, 28))
    fcd = evaluation.FrechetClassifierDistance(classifier)
    real_vs_real = fcd(real_a, real_b)
    real_vs_noise = evaluation.frechet_classifier_distance(real_a, noise, classifier)
    assert 0.0 < real_vs_real < real_vs_noise / 10.0
    assert fcd(real_a, real_a) == pytest.approx(0.0, abs=1e-3)
    # The same digits as floats in [-1, 1] are at the same distance.
    scaled = real_b.astype("float32") / 127.5 - 1.0
    minus_one = evaluation.FrechetClassifierDistance(classifier, value_range=(-1, 1))
    assert minus_one(real_a, scaled) == pytest.approx(real_vs_real, rel=1e-4)
