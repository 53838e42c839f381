"""FID and KID: the maths on known cases, the plumbing with random weights."""

import itertools
import math

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import dcgan_critic, dcgan_generator
from keras_wgan.evaluation import feature_statistics, frechet_distance, inception


def exact_sample(rng, n, mean, covariance):
    """n points whose sample mean and (n-1) covariance are EXACTLY the given ones."""
    z = rng.standard_normal((n, len(mean)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T  # sample covariance I
    return z @ np.linalg.cholesky(covariance).T + mean


# -- FID ---------------------------------------------------------------------


def test_fid_of_identical_statistics_is_zero():
    features = np.random.default_rng(0).standard_normal((300, 6))
    assert inception.fid_from_features(features, features) == pytest.approx(0.0, abs=1e-9)
    # Another sample with the same mean and covariance: also 0.
    rng = np.random.default_rng(1)
    covariance = np.cov(features, rowvar=False)
    other = exact_sample(rng, 50, features.mean(axis=0), covariance)
    assert inception.fid_from_features(features, other) == pytest.approx(0.0, abs=1e-8)


def test_fid_of_two_gaussians_matches_the_closed_form():
    # Covariances R diag(s) R^T with one rotation R commute, so
    # FID = ||m1 - m2||^2 + sum_i (sqrt(s1_i) - sqrt(s2_i))^2.
    rng = np.random.default_rng(2)
    d = 5
    rotation, _ = np.linalg.qr(rng.standard_normal((d, d)))
    s1, s2 = rng.uniform(0.5, 3.0, d), rng.uniform(0.5, 3.0, d)
    m1, m2 = rng.standard_normal(d), rng.standard_normal(d)
    a = exact_sample(rng, 400, m1, rotation @ np.diag(s1) @ rotation.T)
    b = exact_sample(rng, 300, m2, rotation @ np.diag(s2) @ rotation.T)
    expected = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    assert inception.fid_from_features(a, b) == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("rows", [(6, 9), (40, 30)])  # fewer rows than d (singular), more
def test_fid_from_features_matches_the_sqrtm_reference(rows):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((rows[0], 12)) @ rng.standard_normal((12, 12))
    b = rng.standard_normal((rows[1], 12)) + 0.5
    reference = frechet_distance(*feature_statistics(a), *feature_statistics(b))
    assert inception.fid_from_features(a, b) == pytest.approx(reference, rel=1e-5)


# -- KID ---------------------------------------------------------------------


def direct_mmd2(a, b):
    """The unbiased MMD^2 written out pair by pair, with k(x, y) = (x.y/d + 1)^3."""
    d = a.shape[1]
    k = lambda x, y: (sum(xi * yi for xi, yi in zip(x, y)) / d + 1.0) ** 3  # noqa: E731
    m, n = len(a), len(b)
    within_a = sum(k(a[i], a[j]) for i, j in itertools.permutations(range(m), 2)) / (m * (m - 1))
    within_b = sum(k(b[i], b[j]) for i, j in itertools.permutations(range(n), 2)) / (n * (n - 1))
    across = sum(k(a[i], b[j]) for i in range(m) for j in range(n)) / (m * n)
    return within_a + within_b - 2 * across


def test_mmd2_unbiased_matches_the_direct_computation():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((7, 5)), rng.standard_normal((9, 5)) + 0.3
    assert inception.mmd2_unbiased(a, b) == pytest.approx(direct_mmd2(a, b), rel=1e-10)
    assert inception.mmd2_unbiased(b, a) == pytest.approx(direct_mmd2(a, b), rel=1e-10)


def test_kid_with_whole_sets_as_subsets_is_the_mmd_of_the_sets():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((12, 4)), rng.standard_normal((12, 4)) + 1.0
    mean, std = inception.kid_from_features(a, b, subsets=3, subset_size=100, return_std=True)
    assert mean == pytest.approx(direct_mmd2(a, b), rel=1e-10)
    assert std == pytest.approx(0.0, abs=1e-12)  # every subset is a permutation


def test_kid_is_unbiased_for_one_distribution_and_positive_for_two():
    rng = np.random.default_rng(5)
    draws = [inception.mmd2_unbiased(rng.standard_normal((20, 8)), rng.standard_normal((20, 8)))
             for _ in range(300)]
    assert abs(np.mean(draws)) < 3 * np.std(draws) / math.sqrt(len(draws))
    a, b = rng.standard_normal((200, 8)), rng.standard_normal((200, 8)) + 0.5
    assert inception.kid_from_features(a, b, subsets=10, subset_size=100) > 0.05


def test_kid_rejects_bad_input():
    with pytest.raises(ValueError, match="differ in dimension"):
        inception.kid_from_features(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="subsets"):
        inception.kid_from_features(np.zeros((4, 2)), np.zeros((4, 2)), subsets=0)


# -- Inception features (random weights: plumbing only) ----------------------


@pytest.fixture(scope="module")
def random_inception():
    keras.utils.set_random_seed(0)
    model = inception.inception_model(weights=None)
    # Keras's Glorot initialisation shrinks the signal through Inception's
    # 94 ReLU convolutions (features ~1e-3); He's scale keeps it ~1, so that
    # the distances below are not all rounding noise.
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            *window, fan_out = layer.kernel.shape
            fan_in = int(np.prod(window))
            fan_out *= int(np.prod(window[:2]))
            layer.kernel.assign(layer.kernel * np.sqrt((fan_in + fan_out) / fan_in))
    return model


def test_features_of_rgb_grey_uint8_and_float_images(random_inception):
    rng = np.random.default_rng(6)
    pixels = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    features = inception.inception_features(pixels, weights=None)
    assert features.shape == (3, 2048) and features.dtype == np.float64
    assert np.all(np.isfinite(features)) and np.all(features >= 0)  # ReLU, then the mean
    as_floats = inception.inception_features(pixels / 127.5 - 1.0, weights=None)
    np.testing.assert_allclose(as_floats, features, rtol=1e-4, atol=1e-5)
    grey = pixels[..., :1]
    np.testing.assert_allclose(inception.inception_features(grey, weights=None),
                               inception.inception_features(np.repeat(grey, 3, axis=-1), weights=None),
                               rtol=1e-5, atol=1e-6)
    assert inception.inception_model(weights=None) is random_inception  # built once


def test_fid_and_kid_of_images(random_inception):
    rng = np.random.default_rng(7)
    images = rng.uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    assert inception.frechet_inception_distance(images, images, weights=None) == pytest.approx(0.0, abs=1e-6)
    darker = np.clip(images - 0.8, -1, 1)
    kid = inception.kernel_inception_distance(images, darker, weights=None, subsets=2)
    assert np.isfinite(kid)


def test_missing_imagenet_weights_offline_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(inception, "host_reachable", lambda *args: False)
    expected_path = str(tmp_path / "models" / inception.WEIGHTS_FILE)
    assert inception.weights_cache_path() == expected_path
    with pytest.raises(RuntimeError, match="weights=PATH") as error:
        inception.inception_model("imagenet")
    assert expected_path in str(error.value)
    with pytest.raises(FileNotFoundError, match="no_such.h5"):
        inception.inception_model(str(tmp_path / "no_such.h5"))


def test_inception_metrics_log_fid_and_kid_during_fit(random_inception):
    keras.utils.set_random_seed(1)
    critic, generator = dcgan_critic(32, dim=4), dcgan_generator(8, 32, dim=4)
    wgan = kw.WGANGP(critic, generator, critic_steps=1, seed=0)
    wgan.compile()
    real = np.random.default_rng(8).uniform(-1, 1, (6, 32, 32, 3)).astype("float32")
    fid, kid = inception.inception_metrics(real, n=4, weights=None, kid_subsets=3)
    calls = []
    original = inception.inception_features

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return original(*args, **kwargs)

    inception.inception_features = counting
    try:
        history = wgan.fit(real, batch_size=2, epochs=1, steps_per_epoch=1, callbacks=[fid, kid], verbose=0)
    finally:
        inception.inception_features = original
    assert np.isfinite(history.history["fid"][0]) and history.history["fid"][0] > 0
    assert np.isfinite(history.history["kid"][0])
    assert calls == [4]  # the generated images went through Inception once, for both
