"""Distances between probability distributions: KL, JS, TV and Wasserstein-1.

These are the quantities the WGAN paper (Arjovsky et al., 2017) compares, as
plain NumPy/SciPy/POT functions, so that the worked examples of the lecture
material (blocks, parallel lines) and the evaluation of a trained generator
(exact W1 between generated and real samples) need no deep learning framework.

Everything is computed in float64 and returned as a Python `float`. Logarithms
are natural, so two distributions with disjoint supports have JS = log 2.

This module deliberately does not import TensorFlow or Keras.

The lecture's worked examples built on these distances (`parallel_lines_distances`,
`sample_parallel_lines`, `newton_step`) live in `keras_wgan.worked_examples`
and are re-exported here.
"""

import os
import sys

import numpy as np
from scipy import special, stats

# Tolerance for "sums to 1": loose enough for float32 probabilities that were
# normalised in float32, tight enough to catch unnormalised counts.
_SUM_TOLERANCE = 1e-6

# POT's network simplex stops after `numItermax` pivots and then silently
# returns a non-optimal plan (with a warning). Its default (100,000) is too low
# for a few thousand points per set, which is the size used for evaluation.
_EMD_MAX_ITERATIONS = 10_000_000

_POT_DISABLE_TENSORFLOW = "POT_BACKEND_DISABLE_TENSORFLOW"


def kl_divergence(p, q):
    """Kullback-Leibler divergence between two discrete distributions.

    `KL(p || q) = sum_i p_i * log(p_i / q_i)`, with `0 * log(0 / q) = 0`.

    The divergence is `inf` as soon as some `q_i` is 0 where `p_i` is not,
    i.e. when the support of `p` is not contained in that of `q`. That is why
    maximum likelihood (KL minimisation) gives no useful signal when the model
    and the data live on disjoint low-dimensional manifolds.

    Args:
        p: 1-D array of probabilities (non-negative, summing to 1).
        q: 1-D array of probabilities on the same support as `p`.

    Returns:
        The divergence in nats, a float in `[0, inf]`.

    Example:

    >>> kl_divergence([0.5, 0.5], [0.25, 0.75])  # doctest: +ELLIPSIS
    0.1438...
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])
    inf
    """
    p, q = _probability_pair(p, q)
    return float(np.sum(special.rel_entr(p, q)))


def js_divergence(p, q):
    """Jensen-Shannon divergence between two discrete distributions.

    `JS(p, q) = KL(p || m) / 2 + KL(q || m) / 2` with `m = (p + q) / 2`.

    Unlike KL it is symmetric and always finite: it is at most `log 2`, a
    value it reaches exactly when the supports are disjoint, however far
    apart they are. Note that `scipy.spatial.distance.jensenshannon` returns
    the square root of this quantity.

    Args:
        p: 1-D array of probabilities (non-negative, summing to 1).
        q: 1-D array of probabilities on the same support as `p`.

    Returns:
        The divergence in nats, a float in `[0, log 2]`.

    Example:

    >>> js_divergence([1.0, 0.0], [0.0, 1.0])  # doctest: +ELLIPSIS
    0.6931...
    """
    p, q = _probability_pair(p, q)
    mixture = 0.5 * (p + q)
    divergence = 0.5 * np.sum(special.rel_entr(p, mixture)) + 0.5 * np.sum(special.rel_entr(q, mixture))
    # Rounding can leave -1e-17 for identical inputs.
    return float(max(divergence, 0.0))


def total_variation(p, q):
    """Total variation distance between two discrete distributions.

    `TV(p, q) = sup_A |p(A) - q(A)| = sum_i |p_i - q_i| / 2`.

    Args:
        p: 1-D array of probabilities (non-negative, summing to 1).
        q: 1-D array of probabilities on the same support as `p`.

    Returns:
        The distance, a float in `[0, 1]` (1 for disjoint supports).

    Example:

    >>> total_variation([0.5, 0.5, 0.0], [0.0, 0.5, 0.5])
    0.5
    """
    p, q = _probability_pair(p, q)
    return float(0.5 * np.sum(np.abs(p - q)))


def wasserstein_1d(p, q, support=None):
    """Wasserstein-1 (Earth Mover's) distance between two 1-D histograms.

    On the real line the optimal transport plan never crosses itself, so
    `W1(p, q) = integral |F_p(t) - F_q(t)| dt`: the L1 distance between the
    two cumulative distribution functions. For histograms on the sorted points
    `s_0 < s_1 < ... < s_{n-1}` this is

    `W1 = sum_{i < n-1} |F_p(s_i) - F_q(s_i)| * (s_{i+1} - s_i)`,

    where `F_p(s_i) = p_0 + ... + p_i`.

    Args:
        p: 1-D array of probabilities (non-negative, summing to 1).
        q: 1-D array of probabilities on the same support as `p`.
        support: Optional 1-D array with the location of each bin, in any
            order. Defaults to `0, 1, ..., n - 1` (unit spacing).

    Returns:
        The distance, a float, in the units of `support`.

    Example:

    The lecture's blocks: half of the mass sits at 2 and half at 8; the
    cheapest plan moves it to 3 and 7, one step each, so `W = 1`.

    >>> p = np.zeros(10); p[[2, 8]] = 0.5
    >>> q = np.zeros(10); q[[3, 7]] = 0.5
    >>> wasserstein_1d(p, q)
    1.0
    """
    p, q = _probability_pair(p, q)
    if support is None:
        gaps = np.ones(p.size - 1)
    else:
        support = np.asarray(support, dtype=np.float64)
        if support.shape != p.shape:
            raise ValueError(
                "Argument `support` must be a 1-D array with one location per "
                f"probability. Received: support.shape={support.shape}, "
                f"p.shape={p.shape}"
            )
        if not np.all(np.isfinite(support)):
            raise ValueError("Argument `support` must not contain NaN or infinite values.")
        order = np.argsort(support, kind="stable")
        p, q, support = p[order], q[order], support[order]
        gaps = np.diff(support)
    # The last CDF values are both 1, so only the first n - 1 matter.
    cdf_differences = np.cumsum(p - q)[:-1]
    return float(np.sum(np.abs(cdf_differences) * gaps))


def wasserstein_distance(x, y, x_weights=None, y_weights=None):
    """Exact Wasserstein-1 distance between two sets of samples.

    `W1(P, Q) = min_{gamma in Pi(P, Q)} sum_ij gamma_ij * ||x_i - y_j||_2`,

    the cheapest way to move the mass of the empirical distribution
    `P = sum_i a_i delta_{x_i}` onto `Q = sum_j b_j delta_{y_j}` when moving
    a unit of mass costs its Euclidean distance. Solved exactly with POT's
    network simplex (`ot.emd2`) on the Euclidean (not squared Euclidean) cost
    matrix, or with `scipy.stats.wasserstein_distance` for 1-D points.

    This is the ground truth that a WGAN critic estimates. Between two
    independent samples of the same distribution it is not 0 but a noise floor
    that shrinks with the sample size (measured values in
    `docs/mnist_example.md`). Time and memory grow with
    `len(x) * len(y)`: meant for up to a few thousand points per set.

    Args:
        x: Samples of the first distribution, shape `(n, d)`, or `(n,)` for
            1-D points.
        y: Samples of the second distribution, shape `(m, d)` or `(m,)`.
        x_weights: Optional probability of each point of `x`, shape `(n,)`,
            non-negative and summing to 1. Defaults to uniform `1 / n`.
        y_weights: Same for `y`, shape `(m,)`.

    Returns:
        The distance, a float.

    Example:

    >>> x = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> wasserstein_distance(x, x + [3.0, 4.0])
    5.0
    """
    x = _sample_set(x, "x")
    y = _sample_set(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            "Arguments `x` and `y` must contain points of the same dimension. "
            f"Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    x_weights = _sample_weights(x_weights, len(x), "x_weights")
    y_weights = _sample_weights(y_weights, len(y), "y_weights")

    if x.shape[1] == 1:
        return float(stats.wasserstein_distance(x[:, 0], y[:, 0], x_weights, y_weights))
    ot = _import_pot()
    # POT's default metric is the squared Euclidean distance, which would give
    # W2^2 instead of W1.
    cost = ot.dist(x, y, metric="euclidean")
    return float(ot.emd2(x_weights, y_weights, cost, numItermax=_EMD_MAX_ITERATIONS))


def _probability_pair(p, q):
    p = _probability_vector(p, "p")
    q = _probability_vector(q, "q")
    if p.shape != q.shape:
        raise ValueError(
            "Arguments `p` and `q` must be distributions on the same support "
            f"(same length). Received: p.shape={p.shape}, q.shape={q.shape}"
        )
    return p, q


def _probability_vector(values, name):
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"Argument `{name}` must be a non-empty 1-D array of "
            f"probabilities. Received: {name}.shape={array.shape}"
        )
    _check_weights(array, name)
    return array


def _sample_set(values, name):
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2:
        raise ValueError(
            f"Argument `{name}` must have shape (n, d), or (n,) for 1-D "
            f"points. Received: {name}.shape={array.shape}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"Argument `{name}` is empty: it needs at least one point of "
            f"dimension at least 1. Received: {name}.shape={array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"Argument `{name}` must not contain NaN or infinite values.")
    return array


def _sample_weights(weights, num_samples, name):
    if weights is None:
        return np.full(num_samples, 1.0 / num_samples)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (num_samples,):
        samples_name = name.removesuffix("_weights")
        raise ValueError(
            f"Argument `{name}` must hold one weight per point of "
            f"`{samples_name}`. Received: {name}.shape={weights.shape} for "
            f"{num_samples} points"
        )
    _check_weights(weights, name)
    # Exact normalisation: the solvers compare the two total masses.
    return weights / weights.sum()


def _check_weights(weights, name):
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"Argument `{name}` must not contain NaN or infinite values.")
    if np.any(weights < 0):
        raise ValueError(f"Argument `{name}` must be non-negative. Received: min({name})={weights.min()!r}")
    total = weights.sum()
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise ValueError(
            f"Argument `{name}` must sum to 1 (within {_SUM_TOLERANCE:g}); "
            f"divide it by its sum first. Received: sum({name})={total!r}"
        )


def _import_pot():
    """Imports POT without dragging TensorFlow in.

    POT registers a backend for every array library it finds installed, so a
    first `import ot` loads TensorFlow (seconds of start-up) although this
    module only hands it NumPy arrays. If TensorFlow is not loaded yet, POT's
    TensorFlow backend is switched off for that import; if it is loaded, POT
    sees it as usual.
    """
    if "ot" not in sys.modules and "tensorflow" not in sys.modules:
        previous = os.environ.get(_POT_DISABLE_TENSORFLOW)
        os.environ[_POT_DISABLE_TENSORFLOW] = "1"
        try:
            import ot
        finally:
            if previous is None:
                del os.environ[_POT_DISABLE_TENSORFLOW]
            else:
                os.environ[_POT_DISABLE_TENSORFLOW] = previous
    import ot

    return ot


# Re-exported: importable from here before they had their own module.
from keras_wgan.worked_examples import (  # noqa: E402, F401
    ParallelLinesDistances,
    newton_step,
    parallel_lines_distances,
    sample_parallel_lines,
)
