"""Tests for `keras_wgan.distances`, checked against SciPy and exact answers."""

import math

import numpy as np
import pytest
from scipy import optimize, spatial, special, stats

from keras_wgan.distances import (
    js_divergence,
    kl_divergence,
    total_variation,
    wasserstein_1d,
    wasserstein_distance,
)


def random_distribution(rng, size, zeros=0):
    weights = rng.uniform(size=size)
    weights[rng.choice(size, zeros, replace=False)] = 0.0
    return weights / weights.sum()


def blocks():
    """The lecture's blocks: mass 1/2 at 2 and 8 versus 1/2 at 3 and 7."""
    p = np.zeros(10)
    p[[2, 8]] = 0.5
    q = np.zeros(10)
    q[[3, 7]] = 0.5
    return p, q


# Divergences on a shared discrete support.


@pytest.mark.parametrize("seed", range(5))
def test_kl_divergence_matches_scipy_rel_entr(seed):
    rng = np.random.default_rng(seed)
    p = random_distribution(rng, 12, zeros=3)
    q = random_distribution(rng, 12)
    assert kl_divergence(p, q) == pytest.approx(np.sum(special.rel_entr(p, q)))
    assert kl_divergence(p, q) == pytest.approx(stats.entropy(p, q))


@pytest.mark.parametrize("seed", range(5))
def test_js_divergence_matches_scipy_jensenshannon_squared(seed):
    rng = np.random.default_rng(seed)
    p = random_distribution(rng, 12, zeros=2)
    q = random_distribution(rng, 12, zeros=2)
    # SciPy returns the square root of the divergence.
    expected = spatial.distance.jensenshannon(p, q, base=math.e) ** 2
    assert js_divergence(p, q) == pytest.approx(expected)
    assert js_divergence(p, q) == pytest.approx(js_divergence(q, p))


@pytest.mark.parametrize("seed", range(5))
def test_total_variation_is_the_largest_event_gap(seed):
    rng = np.random.default_rng(seed)
    p = random_distribution(rng, 8)
    q = random_distribution(rng, 8)
    # sup_A |p(A) - q(A)| is attained at A = {i : p_i > q_i}.
    expected = np.sum(np.where(p > q, p - q, 0.0))
    assert total_variation(p, q) == pytest.approx(expected)


def test_divergences_of_identical_distributions_are_zero():
    p = random_distribution(np.random.default_rng(0), 6, zeros=2)
    assert kl_divergence(p, p) == 0.0
    assert js_divergence(p, p) == 0.0
    assert total_variation(p, p) == 0.0
    assert wasserstein_1d(p, p) == 0.0


def test_kl_is_infinite_when_supports_do_not_nest():
    assert kl_divergence([0.5, 0.5, 0.0], [1.0, 0.0, 0.0]) == math.inf
    # The other direction is finite: q's support is inside p's.
    assert kl_divergence([1.0, 0.0, 0.0], [0.5, 0.5, 0.0]) == pytest.approx(math.log(2.0))


def test_blocks_example():
    p, q = blocks()
    assert wasserstein_1d(p, q) == pytest.approx(1.0)
    assert kl_divergence(p, q) == math.inf
    assert js_divergence(p, q) == pytest.approx(math.log(2.0))
    assert total_variation(p, q) == pytest.approx(1.0)


# Wasserstein-1 between histograms.


@pytest.mark.parametrize("seed", range(5))
def test_wasserstein_1d_matches_scipy_on_histograms(seed):
    rng = np.random.default_rng(seed)
    p = random_distribution(rng, 15, zeros=4)
    q = random_distribution(rng, 15, zeros=4)
    support = np.arange(15)
    expected = stats.wasserstein_distance(support, support, p, q)
    assert wasserstein_1d(p, q) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(5))
def test_wasserstein_1d_uses_the_gaps_of_an_unsorted_support(seed):
    rng = np.random.default_rng(seed)
    p = random_distribution(rng, 10)
    q = random_distribution(rng, 10)
    support = rng.normal(size=10) * 3.0
    expected = stats.wasserstein_distance(support, support, p, q)
    assert wasserstein_1d(p, q, support=support) == pytest.approx(expected)


def test_wasserstein_1d_scales_with_an_even_spacing():
    p, q = blocks()
    assert wasserstein_1d(p, q, support=0.25 * np.arange(10)) == pytest.approx(0.25)


def test_blocks_example_agrees_with_the_sample_based_distance():
    p, q = blocks()
    support = np.arange(10.0)
    assert wasserstein_distance(support, support, p, q) == pytest.approx(1.0)
    # Same thing with the 2 + 2 blocks as points.
    assert wasserstein_distance([2.0, 8.0], [3.0, 7.0]) == pytest.approx(1.0)


# Wasserstein-1 between sample sets.


@pytest.mark.parametrize("seed", range(3))
def test_wasserstein_distance_matches_scipy_in_1d(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=40)
    y = rng.exponential(size=25)
    assert wasserstein_distance(x, y) == pytest.approx(stats.wasserstein_distance(x, y))
    x_weights = random_distribution(rng, 40)
    y_weights = random_distribution(rng, 25)
    assert wasserstein_distance(x, y, x_weights, y_weights) == pytest.approx(
        stats.wasserstein_distance(x, y, x_weights, y_weights)
    )


@pytest.mark.parametrize("seed", range(3))
def test_wasserstein_distance_matches_assignment_for_equal_sizes(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(60, 2))
    y = rng.normal(loc=0.5, size=(60, 2))
    cost = spatial.distance.cdist(x, y)
    rows, cols = optimize.linear_sum_assignment(cost)
    expected = cost[rows, cols].mean()
    assert wasserstein_distance(x, y) == pytest.approx(expected)


def test_wasserstein_distance_uses_euclidean_not_squared_cost():
    # A single point moved by (3, 4): W1 = 5, whereas W2^2 would be 25.
    distance = wasserstein_distance([[0.0, 0.0]], [[3.0, 4.0]])
    assert distance == pytest.approx(5.0)


@pytest.mark.parametrize("dimension", [2, 3, 5])
def test_translated_point_cloud_is_at_distance_norm_of_shift(dimension):
    rng = np.random.default_rng(dimension)
    x = rng.normal(size=(50, dimension))
    shift = rng.normal(size=dimension)
    # The identity shift is optimal: W1 >= ||E[x + v] - E[x]|| = ||v||.
    assert wasserstein_distance(x, x + shift) == pytest.approx(np.linalg.norm(shift))


def test_wasserstein_distance_with_weights_and_unequal_sizes():
    x = np.array([[0.0, 0.0], [2.0, 0.0]])
    y = np.array([[0.0, 1.0], [2.0, 1.0], [2.0, -1.0]])
    # x: 3/4 at the first point; y: 1/4, 1/2, 1/4. The 1/2 of surplus at
    # x[0] must go at least distance sqrt(5) to y[1] or y[2].
    distance = wasserstein_distance(x, y, [0.75, 0.25], [0.25, 0.5, 0.25])
    assert distance == pytest.approx(0.25 + 0.5 * math.sqrt(5.0) + 0.25)


def test_wasserstein_distance_is_a_python_float():
    assert isinstance(wasserstein_distance([0.0], [1.0]), float)
    assert isinstance(wasserstein_distance([[0.0, 0.0]], [[1.0, 0.0]]), float)


# Errors.


@pytest.mark.parametrize("function", [kl_divergence, js_divergence, total_variation, wasserstein_1d])
@pytest.mark.parametrize(
    "p, q, message",
    [
        ([0.5, 0.5], [0.2, 0.3, 0.5], "same support"),
        ([1.5, -0.5], [0.5, 0.5], "non-negative"),
        ([0.5, 0.6], [0.5, 0.5], "sum to 1"),
        ([3.0, 1.0], [0.5, 0.5], "sum to 1"),
        ([0.5, np.nan], [0.5, 0.5], "NaN"),
        ([0.5, 0.5], [np.inf, 0.5], "NaN or infinite"),
        ([], [], "non-empty 1-D"),
        ([[0.5, 0.5]], [[0.5, 0.5]], "1-D"),
    ],
)
def test_probability_vector_errors(function, p, q, message):
    with pytest.raises(ValueError, match=message):
        function(p, q)


def test_probability_vectors_accept_float32_rounding():
    p = np.full(1000, 1 / 1000, dtype=np.float32)
    assert total_variation(p, p) == 0.0


@pytest.mark.parametrize(
    "support, message",
    [
        (np.arange(3), "one location per probability"),
        ([0.0, 1.0, np.nan, 3.0], "NaN or infinite"),
    ],
)
def test_wasserstein_1d_support_errors(support, message):
    p = [0.25, 0.25, 0.25, 0.25]
    with pytest.raises(ValueError, match=message):
        wasserstein_1d(p, p, support=support)


@pytest.mark.parametrize(
    "x, y, message",
    [
        (np.zeros((0, 2)), np.zeros((3, 2)), "`x` is empty"),
        (np.zeros((3, 2)), [], "`y` is empty"),
        (np.zeros((3, 0)), np.zeros((3, 0)), "`x` is empty"),
        (np.zeros((3, 2)), np.zeros((3, 3)), "same dimension"),
        (np.zeros(3), np.zeros((3, 2)), "same dimension"),
        (np.zeros((3, 2, 1)), np.zeros((3, 2)), r"shape \(n, d\)"),
        ([[0.0, np.nan]], [[0.0, 0.0]], "`x` must not contain NaN"),
        ([[0.0, 0.0]], [[np.inf, 0.0]], "`y` must not contain NaN"),
    ],
)
def test_wasserstein_distance_sample_errors(x, y, message):
    with pytest.raises(ValueError, match=message):
        wasserstein_distance(x, y)


@pytest.mark.parametrize(
    "x_weights, y_weights, message",
    [
        ([0.5, 0.5], None, "one weight per point of `x`"),
        (None, [0.5, 0.25, 0.25, 0.0], "one weight per point of `y`"),
        ([[1 / 3, 1 / 3, 1 / 3]], None, "one weight per point"),
        ([1.5, -0.25, -0.25], None, "`x_weights` must be non-negative"),
        (None, [1.0, 1.0, 1.0], "`y_weights` must sum to 1"),
        ([0.2, 0.2, 0.2], None, "must sum to 1"),
        ([np.nan, 0.5, 0.5], None, "NaN"),
    ],
)
def test_wasserstein_distance_weight_errors(x_weights, y_weights, message):
    x = np.zeros((3, 2))
    y = np.ones((3, 2))
    with pytest.raises(ValueError, match=message):
        wasserstein_distance(x, y, x_weights, y_weights)
