"""FID and KID on features: known cases, and the unbiased estimator against a direct computation."""

import itertools
import math

import numpy as np
import pytest

from keras_wgan.evaluation import feature_distances, feature_statistics, frechet_distance


def exact_sample(rng, n, mean, covariance):
    """n points whose sample mean and (n-1) covariance are EXACTLY the given ones."""
    z = rng.standard_normal((n, len(mean)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T  # sample covariance I
    return z @ np.linalg.cholesky(covariance).T + mean


# -- FID ---------------------------------------------------------------------


def test_fid_of_identical_statistics_is_zero():
    features = np.random.default_rng(0).standard_normal((300, 6))
    assert feature_distances.fid_from_features(features, features) == pytest.approx(0.0, abs=1e-9)
    # Another sample with the same mean and covariance: also 0.
    rng = np.random.default_rng(1)
    covariance = np.cov(features, rowvar=False)
    other = exact_sample(rng, 50, features.mean(axis=0), covariance)
    assert feature_distances.fid_from_features(features, other) == pytest.approx(0.0, abs=1e-8)


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
    assert feature_distances.fid_from_features(a, b) == pytest.approx(expected, rel=1e-7)


def test_fid_from_features_is_the_one_frechet_routine():
    # FID and FCD share frechet_distance: fewer rows than dimensions
    # (singular covariances, the eps fallback) and more rows alike.
    rng = np.random.default_rng(3)
    for rows in [(6, 9), (40, 30)]:
        a = rng.standard_normal((rows[0], 12)) @ rng.standard_normal((12, 12))
        b = rng.standard_normal((rows[1], 12)) + 0.5
        reference = frechet_distance(*feature_statistics(a), *feature_statistics(b))
        assert feature_distances.fid_from_features(a, b) == reference


# -- KID ---------------------------------------------------------------------


def direct_mmd2(a, b):
    """The unbiased MMD^2 written out pair by pair, with k(x, y) = (x.y/d + 1)^3."""
    d = a.shape[1]
    k = lambda x, y: (sum(xi * yi for xi, yi in zip(x, y, strict=True)) / d + 1.0) ** 3  # noqa: E731
    m, n = len(a), len(b)
    within_a = sum(k(a[i], a[j]) for i, j in itertools.permutations(range(m), 2)) / (m * (m - 1))
    within_b = sum(k(b[i], b[j]) for i, j in itertools.permutations(range(n), 2)) / (n * (n - 1))
    across = sum(k(a[i], b[j]) for i in range(m) for j in range(n)) / (m * n)
    return within_a + within_b - 2 * across


def test_mmd2_unbiased_matches_the_direct_computation():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((7, 5)), rng.standard_normal((9, 5)) + 0.3
    assert feature_distances.mmd2_unbiased(a, b) == pytest.approx(direct_mmd2(a, b), rel=1e-10)
    assert feature_distances.mmd2_unbiased(b, a) == pytest.approx(direct_mmd2(a, b), rel=1e-10)


def test_kid_with_whole_sets_as_subsets_is_the_mmd_of_the_sets():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((12, 4)), rng.standard_normal((12, 4)) + 1.0
    mean, std = feature_distances.kid_from_features(a, b, subsets=3, subset_size=100, return_std=True)
    assert mean == pytest.approx(direct_mmd2(a, b), rel=1e-10)
    assert std == pytest.approx(0.0, abs=1e-12)  # every subset is a permutation


def test_kid_is_unbiased_for_one_distribution_and_positive_for_two():
    rng = np.random.default_rng(5)
    draws = [
        feature_distances.mmd2_unbiased(rng.standard_normal((20, 8)), rng.standard_normal((20, 8)))
        for _ in range(300)
    ]
    assert abs(np.mean(draws)) < 3 * np.std(draws) / math.sqrt(len(draws))
    a, b = rng.standard_normal((200, 8)), rng.standard_normal((200, 8)) + 0.5
    assert feature_distances.kid_from_features(a, b, subsets=10, subset_size=100) > 0.05


def test_kid_rejects_bad_input():
    with pytest.raises(ValueError, match="same dimension d"):
        feature_distances.kid_from_features(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="subsets"):
        feature_distances.kid_from_features(np.zeros((4, 2)), np.zeros((4, 2)), subsets=0)
