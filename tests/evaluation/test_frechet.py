"""Tests for keras_wgan.evaluation.frechet: the Frechet distance between Gaussians."""

import warnings

import numpy as np
import pytest

from keras_wgan import evaluation


def random_spd(d, seed):
    a = np.random.default_rng(seed).normal(size=(d, d))
    return a @ a.T + 0.1 * np.eye(d)


def test_frechet_distance_identical_statistics_is_zero():
    mu, sigma = np.arange(5.0), random_spd(5, 0)
    assert evaluation.frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_one_dimensional_closed_form():
    # (m1 - m2)^2 + (s1 - s2)^2 for standard deviations s1, s2.
    for m1, s1, m2, s2 in [(0.0, 2.0, 3.0, 1.0), (1.5, 0.5, -1.0, 3.0), (0.0, 1.0, 0.0, 1.0)]:
        expected = (m1 - m2) ** 2 + (s1 - s2) ** 2
        assert evaluation.frechet_distance(m1, s1**2, m2, s2**2) == pytest.approx(expected)
        assert evaluation.frechet_distance([m1], [[s1**2]], [m2], [[s2**2]]) == pytest.approx(expected)


def test_frechet_distance_diagonal_covariances():
    rng = np.random.default_rng(1)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    var1, var2 = rng.uniform(0.1, 4.0, 6), rng.uniform(0.1, 4.0, 6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    got = evaluation.frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2))
    assert got == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_general_covariances_match_symmetric_formula():
    # Tr (S1 S2)^(1/2) = Tr (S1^(1/2) S2 S1^(1/2))^(1/2), computed with eigh.
    s1, s2 = random_spd(8, 2), random_spd(8, 3)
    mu1, mu2 = np.zeros(8), np.ones(8)
    root1 = _psd_sqrt(s1)
    expected = 8.0 + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(_psd_sqrt(root1 @ s2 @ root1))
    assert evaluation.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)


def _psd_sqrt(matrix):
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def test_frechet_distance_singular_covariances_are_handled_quietly():
    # 5 samples in 20 dimensions: rank-4 covariances, a singular product.
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(5, 20)), rng.normal(1.0, 1.0, size=(5, 20))
    stats_a, stats_b = evaluation.feature_statistics(a), evaluation.feature_statistics(b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # No LinAlgWarning may escape.
        distance = evaluation.frechet_distance(*stats_a, *stats_b)
        same = evaluation.frechet_distance(*stats_a, *stats_a)
    assert np.isfinite(distance) and distance > 10.0
    assert same == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize("rotated", [False, True])
def test_frechet_distance_of_singular_covariances_has_the_known_answer(rotated):
    # Commuting covariances R diag(s) R^T with zeros in s (rank 3 of 6): the
    # distance is ||m1 - m2||^2 + sum_i (sqrt(s1_i) - sqrt(s2_i))^2, the zero
    # directions adding nothing. Unrotated, scipy.linalg.sqrtm calls the
    # product singular and the reference code's eps fallback is off by up to
    # sqrt(eps * s) per direction (about 4e-3 here); the symmetric form is
    # exact either way.
    rng = np.random.default_rng(5)
    rotation = np.linalg.qr(rng.standard_normal((6, 6)))[0] if rotated else np.eye(6)
    s1 = np.array([2.0, 0.5, 1.5, 0.0, 0.0, 0.0])
    s2 = np.array([1.0, 3.0, 0.0, 0.7, 0.0, 0.0])
    m1, m2 = rng.standard_normal(6), rng.standard_normal(6)
    sigma1, sigma2 = rotation @ np.diag(s1) @ rotation.T, rotation @ np.diag(s2) @ rotation.T
    expected = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # handled quietly
        distance = evaluation.frechet_distance(m1, sigma1, m2, sigma2)
    assert distance == pytest.approx(expected, abs=1e-6)


def test_frechet_distance_rejects_bad_shapes():
    with pytest.raises(ValueError, match="same dimension"):
        evaluation.frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match=r"shape \(d, d\)"):
        evaluation.frechet_distance(np.zeros(2), np.eye(3), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="finite"):
        evaluation.frechet_distance(np.zeros(2), np.full((2, 2), np.nan), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="N >= 2"):
        evaluation.feature_statistics(np.zeros((1, 4)))
