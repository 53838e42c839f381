"""The lecture's worked examples: two parallel lines, and one Newton step.

The WGAN paper's example 1: with `Z ~ U[0, 1]`, `P_0` is the law of `(0, Z)`
and `P_theta` that of `(theta, Z)`, two parallel segments. Their KL, JS, TV
and W1 distances in closed form (`parallel_lines_distances`) and samples of
them (`sample_parallel_lines`) are what `examples/parallel_lines.py` and
`examples/distances_tour.py` show; `newton_step` is the lecture's
tangent-following warm-up. Also importable from `keras_wgan.distances`.
"""

import math
from typing import NamedTuple

import numpy as np

from keras_wgan.utils import argument_validation


class ParallelLinesDistances(NamedTuple):
    """KL, JS, TV and W1 between the two distributions of the lines example."""

    kl: float
    js: float
    tv: float
    w: float


def parallel_lines_distances(theta):
    """Closed-form distances between two parallel vertical segments.

    With `Z ~ U[0, 1]`, let `P_0` be the law of `(0, Z)` and `P_theta` that
    of `(theta, Z)`. For `theta != 0` the two supports are disjoint, so

    - `KL(P_0 || P_theta) = inf`,
    - `JS(P_0, P_theta) = log 2`,
    - `TV(P_0, P_theta) = 1`,
    - `W1(P_0, P_theta) = |theta|`,

    and all four are 0 at `theta = 0`. Only W1 shrinks continuously as
    `theta -> 0`, which is the WGAN paper's argument for training a generator
    with it: the others give a generator nothing to follow.

    Args:
        theta: The horizontal offset of the second segment, a finite number.

    Returns:
        A `ParallelLinesDistances` named tuple `(kl, js, tv, w)`.

    Example:

    >>> parallel_lines_distances(0.5)  # doctest: +ELLIPSIS
    ParallelLinesDistances(kl=inf, js=0.6931..., tv=1.0, w=0.5)
    """
    theta = argument_validation.check_number(theta, "theta")
    if theta == 0.0:
        return ParallelLinesDistances(kl=0.0, js=0.0, tv=0.0, w=0.0)
    return ParallelLinesDistances(kl=math.inf, js=math.log(2.0), tv=1.0, w=abs(theta))


def sample_parallel_lines(theta, n, seed=None):
    """Draws `n` points `(theta, Z)` with `Z ~ U[0, 1]`.

    Calls with the same `seed` share the same `Z`, so for sets drawn that way
    the identity shift is an optimal plan and the empirical W1 equals
    `|theta|` exactly; with different seeds it is `|theta|` plus sampling
    noise.

    Args:
        theta: The horizontal position of the segment, a finite number.
        n: The number of points, a positive integer.
        seed: Optional seed for `np.random.default_rng`.

    Returns:
        A float64 array of shape `(n, 2)`.

    Example:

    >>> p_0 = sample_parallel_lines(0.0, 100, seed=1)
    >>> p_theta = sample_parallel_lines(0.5, 100, seed=1)
    >>> from keras_wgan.distances import wasserstein_distance
    >>> round(wasserstein_distance(p_0, p_theta), 12)
    0.5
    """
    theta = argument_validation.check_number(theta, "theta")
    n = argument_validation.check_positive_int(n, "n")
    heights = np.random.default_rng(seed).uniform(0.0, 1.0, size=n)
    return np.stack([np.full(n, theta), heights], axis=1)


def newton_step(f, df, x):
    """One step of Newton's method for solving `f(x) = 0`.

    `x_next = x - f(x) / f'(x)`: follow the tangent at `x` down to zero.

    Args:
        f: The function, a callable of one number.
        df: Its derivative, a callable of one number.
        x: The current estimate.

    Returns:
        The next estimate.

    Example:

    The lecture's `y = x^2 - 2` from `x0 = 1`:

    >>> newton_step(lambda x: x * x - 2, lambda x: 2 * x, 1.0)
    1.5
    """
    return x - f(x) / df(x)
