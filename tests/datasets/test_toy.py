"""Tests for the WGAN-GP toy data sets in `keras_wgan.datasets.toy`."""

import math

import numpy as np
import pytest

from keras_wgan.datasets.toy import eight_gaussians, sample_toy, swiss_roll, twenty_five_gaussians
from keras_wgan.distances import wasserstein_distance

SAMPLERS = {
    "8gaussians": eight_gaussians,
    "25gaussians": twenty_five_gaussians,
    "swissroll": swiss_roll,
}

# gan_toy.py: 8 unit directions times 2, the batch divided by 1.414.
EIGHT_CENTRES = (
    2.0 * np.array([(math.cos(k * math.pi / 4), math.sin(k * math.pi / 4)) for k in range(8)]) / 1.414
)
TWENTY_FIVE_CENTRES = np.array([(2.0 * i, 2.0 * j) for i in range(-2, 3) for j in range(-2, 3)]) / 2.828


def nearest_centre(points, centres):
    offsets = points[:, np.newaxis, :] - centres[np.newaxis, :, :]
    distances = np.linalg.norm(offsets, axis=-1)
    return distances.argmin(axis=1), distances.min(axis=1)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_shape_and_dtype(name):
    points = sample_toy(name, 300, seed=0)
    assert points.shape == (300, 2)
    assert points.dtype == np.float32
    assert np.all(np.isfinite(points))


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_sample_toy_dispatches_by_name(name):
    np.testing.assert_array_equal(sample_toy(name, 50, seed=3), SAMPLERS[name](50, seed=3))


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_seeds_are_reproducible(name):
    np.testing.assert_array_equal(sample_toy(name, 100, seed=42), sample_toy(name, 100, seed=42))
    assert not np.array_equal(sample_toy(name, 100, seed=42), sample_toy(name, 100, seed=43))


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_zero_points(name):
    assert sample_toy(name, 0, seed=0).shape == (0, 2)


def test_eight_gaussians_lie_near_the_eight_centres():
    points = eight_gaussians(4000, seed=0)
    modes, distances = nearest_centre(points, EIGHT_CENTRES)
    # Noise 0.02 / 1.414 per axis: 0.08 is more than 5 standard deviations.
    assert distances.max() < 0.08
    radius = np.linalg.norm(points, axis=1)
    assert radius.mean() == pytest.approx(2 / 1.414, abs=0.01)
    # Centres are drawn uniformly: 500 expected per mode.
    counts = np.bincount(modes, minlength=8)
    assert counts.min() > 400 and counts.max() < 600


def test_twenty_five_gaussians_lie_near_the_grid():
    points = twenty_five_gaussians(5000, seed=0)
    modes, distances = nearest_centre(points, TWENTY_FIVE_CENTRES)
    # Noise 0.05 / 2.828 per axis.
    assert distances.max() < 0.1
    counts = np.bincount(modes, minlength=25)
    assert counts.min() > 130 and counts.max() < 270


def test_swiss_roll_range():
    points = swiss_roll(5000, seed=0)
    radius = np.linalg.norm(points, axis=1)
    # Without noise the radius is t / 7.5 with t in [1.5 pi, 4.5 pi].
    assert radius.min() > 1.5 * math.pi / 7.5 - 0.2
    assert radius.max() < 4.5 * math.pi / 7.5 + 0.2
    assert np.abs(points).max() < 2.2
    assert radius.min() < 0.75 and radius.max() > 1.75


def test_noise_floor_of_exact_w1_for_eight_gaussians():
    # REFERENCE: 0.073 on average for two independent sets of 1000 points.
    distance = wasserstein_distance(eight_gaussians(1000, seed=0), eight_gaussians(1000, seed=1))
    assert 0.04 < distance < 0.12


def test_collapse_onto_one_mode_of_eight_gaussians():
    real = eight_gaussians(1000, seed=0)
    rng = np.random.default_rng(1)
    noise = 0.02 / 1.414 * rng.standard_normal((1000, 2))
    collapsed = EIGHT_CENTRES[0] + noise
    # REFERENCE: 1.756 for n = 1000.
    distance = wasserstein_distance(real, collapsed)
    assert distance == pytest.approx(1.756, rel=0.1)


def test_unknown_name_lists_the_valid_names():
    valid_names = "'8gaussians', '25gaussians', 'swissroll'"
    with pytest.raises(ValueError, match=valid_names):
        sample_toy("moons", 10)


@pytest.mark.parametrize(
    "n, error", [(-1, ValueError), (2.5, TypeError), ("10", TypeError), (True, TypeError)]
)
@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_bad_sizes(name, n, error):
    with pytest.raises(error, match="`n` must be"):
        sample_toy(name, n)
