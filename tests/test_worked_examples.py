"""Tests for `keras_wgan.worked_examples`: the parallel lines and the Newton step."""

import math

import numpy as np
import pytest

import keras_wgan
from keras_wgan.distances import wasserstein_distance
from keras_wgan.worked_examples import newton_step, parallel_lines_distances, sample_parallel_lines

# The parallel lines.


@pytest.mark.parametrize("theta", [-2.0, -0.1, 0.3, 1.0, 5.0])
def test_parallel_lines_closed_form(theta):
    distances = parallel_lines_distances(theta)
    assert distances.kl == math.inf
    assert distances.js == pytest.approx(math.log(2.0))
    assert distances.tv == 1.0
    assert distances.w == abs(theta)


def test_parallel_lines_closed_form_at_zero():
    assert tuple(parallel_lines_distances(0.0)) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("theta", [-1.5, 0.0, 0.25, 1.0])
def test_parallel_lines_samples_with_shared_heights(theta):
    reference = sample_parallel_lines(0.0, 200, seed=7)
    shifted = sample_parallel_lines(theta, 200, seed=7)
    assert shifted.shape == (200, 2)
    np.testing.assert_array_equal(shifted[:, 0], theta)
    np.testing.assert_array_equal(shifted[:, 1], reference[:, 1])
    assert wasserstein_distance(reference, shifted) == pytest.approx(abs(theta), abs=1e-12)


def test_parallel_lines_samples_with_independent_heights_are_close():
    reference = sample_parallel_lines(0.0, 500, seed=1)
    shifted = sample_parallel_lines(0.5, 500, seed=2)
    assert 0.5 - 1e-12 <= wasserstein_distance(reference, shifted) < 0.55


def test_parallel_lines_heights_lie_in_the_unit_interval():
    heights = sample_parallel_lines(1.0, 1000, seed=0)[:, 1]
    assert heights.min() >= 0.0 and heights.max() < 1.0


# Newton's method.


def test_newton_step_from_the_lecture():
    f = lambda x: x * x - 2.0  # noqa: E731
    df = lambda x: 2.0 * x  # noqa: E731
    assert newton_step(f, df, 1.0) == 1.5
    x = 1.0
    for _ in range(6):
        x = newton_step(f, df, x)
    assert x == pytest.approx(math.sqrt(2.0), rel=1e-15)


@pytest.mark.parametrize(
    "theta, error", [(math.nan, ValueError), (math.inf, ValueError), ("left", TypeError), (None, TypeError)]
)
def test_parallel_lines_reject_non_finite_theta(theta, error):
    with pytest.raises(error, match="theta"):
        parallel_lines_distances(theta)
    with pytest.raises(error, match="theta"):
        sample_parallel_lines(theta, 10)


@pytest.mark.parametrize("n, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError)])
def test_sample_parallel_lines_rejects_bad_sizes(n, error):
    with pytest.raises(error, match="`n`"):
        sample_parallel_lines(0.0, n)


def test_still_importable_from_distances():
    for name in (
        "ParallelLinesDistances",
        "newton_step",
        "parallel_lines_distances",
        "sample_parallel_lines",
    ):
        assert getattr(keras_wgan.distances, name) is getattr(keras_wgan.worked_examples, name)
