"""Two-dimensional toy distributions of the WGAN-GP paper.

The three data sets of `gan_toy.py` in the official WGAN-GP code (Gulrajani
et al., 2017), with the same centres, noise levels and rescaling. They are
small enough to train a GAN on a CPU in minutes and to compare generated and
real samples with the exact W1 distance (`keras_wgan.distances`).

Each sampler draws from `np.random.default_rng(seed)` and returns a float32
array of shape `(n, 2)`.
"""

import math

import numpy as np

from keras_wgan.utils import argument_validation

_EIGHT_GAUSSIANS_CENTRES = 2.0 * np.array(
    [
        (1.0, 0.0),
        (-1.0, 0.0),
        (0.0, 1.0),
        (0.0, -1.0),
        (1.0 / math.sqrt(2.0), 1.0 / math.sqrt(2.0)),
        (1.0 / math.sqrt(2.0), -1.0 / math.sqrt(2.0)),
        (-1.0 / math.sqrt(2.0), 1.0 / math.sqrt(2.0)),
        (-1.0 / math.sqrt(2.0), -1.0 / math.sqrt(2.0)),
    ]
)

_TWENTY_FIVE_GAUSSIANS_CENTRES = 2.0 * np.array(
    [(x, y) for x in range(-2, 3) for y in range(-2, 3)], dtype=np.float64
)


def eight_gaussians(n, seed=None):
    """Samples a mixture of 8 Gaussians on a circle.

    Each point is `(c + 0.02 * e) / 1.414` with `e ~ N(0, I_2)` and `c` drawn
    uniformly from the 8 centres `2 * (cos(k pi / 4), sin(k pi / 4))`, as in
    `gan_toy.py`. The division by 1.414 (the original's constant, not exactly
    `sqrt(2)`) puts the modes on a circle of radius about 1.414.

    Args:
        n: The number of points, a non-negative integer.
        seed: Optional seed for `np.random.default_rng`.

    Returns:
        A float32 array of shape `(n, 2)`.

    Example:

    >>> eight_gaussians(256, seed=0).shape
    (256, 2)
    """
    n = _num_points(n)
    rng = np.random.default_rng(seed)
    centres = _EIGHT_GAUSSIANS_CENTRES[rng.integers(8, size=n)]
    points = centres + 0.02 * rng.standard_normal((n, 2))
    return (points / 1.414).astype(np.float32)


def twenty_five_gaussians(n, seed=None):
    """Samples a mixture of 25 Gaussians on a 5 x 5 grid.

    Each point is `(c + 0.05 * e) / 2.828` with `e ~ N(0, I_2)` and `c` one of
    the centres `(2 i, 2 j)` for `i, j` in `-2..2`. `gan_toy.py` builds a fixed
    pool that visits every centre equally often, shuffles it and serves
    batches from it; here each point draws its centre uniformly at random, so
    every batch is independent (the mixture is the same).

    Args:
        n: The number of points, a non-negative integer.
        seed: Optional seed for `np.random.default_rng`.

    Returns:
        A float32 array of shape `(n, 2)`.

    Example:

    >>> twenty_five_gaussians(256, seed=0).dtype
    dtype('float32')
    """
    n = _num_points(n)
    rng = np.random.default_rng(seed)
    centres = _TWENTY_FIVE_GAUSSIANS_CENTRES[rng.integers(25, size=n)]
    points = centres + 0.05 * rng.standard_normal((n, 2))
    return (points / 2.828).astype(np.float32)


def swiss_roll(n, seed=None):
    """Samples a noisy 2-D Swiss roll.

    scikit-learn's `make_swiss_roll(noise=0.25)` seen from above, as in
    `gan_toy.py`: with `u ~ U[0, 1]` and `t = 1.5 pi (1 + 2 u)`, each point is
    `(t cos t + 0.25 e_1, t sin t + 0.25 e_2) / 7.5` with `e ~ N(0, I_2)`.
    The roll's height coordinate `21 v` is dropped by `gan_toy.py`, so it is
    not drawn here (and scikit-learn is not needed).

    Args:
        n: The number of points, a non-negative integer.
        seed: Optional seed for `np.random.default_rng`.

    Returns:
        A float32 array of shape `(n, 2)`, within about 2 of the origin.

    Example:

    >>> swiss_roll(256, seed=0).shape
    (256, 2)
    """
    n = _num_points(n)
    rng = np.random.default_rng(seed)
    t = 1.5 * np.pi * (1.0 + 2.0 * rng.uniform(size=n))
    points = np.stack([t * np.cos(t), t * np.sin(t)], axis=1)
    points += 0.25 * rng.standard_normal((n, 2))
    return (points / 7.5).astype(np.float32)


_SAMPLERS = {
    "8gaussians": eight_gaussians,
    "25gaussians": twenty_five_gaussians,
    "swissroll": swiss_roll,
}


def sample_toy(name, n, seed=None):
    """Samples one of the toy data sets by its `gan_toy.py` name.

    Args:
        name: One of `"8gaussians"`, `"25gaussians"` or `"swissroll"`.
        n: The number of points, a non-negative integer.
        seed: Optional seed for `np.random.default_rng`.

    Returns:
        A float32 array of shape `(n, 2)`.

    Example:

    >>> sample_toy("8gaussians", 4, seed=0).shape
    (4, 2)
    """
    sampler = _SAMPLERS[argument_validation.check_one_of(name, "name", tuple(_SAMPLERS))]
    return sampler(n, seed=seed)


def _num_points(n):
    return argument_validation.check_int(n, "n", minimum=0)
