"""FID and KID on feature vectors: the Frechet distance and the unbiased polynomial MMD.

The maths of `keras_wgan.evaluation.inception`, for any features (Inception-v3
pool activations there; a classifier's, or raw vectors, elsewhere):

- `fid_from_features`: `||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))`
  (Heusel et al. 2017, arXiv 1706.08500), by `frechet.frechet_distance`;
- `mmd2_unbiased` and `kid_from_features`: the unbiased squared MMD with
  the kernel `(x.y / d + 1)^3`, averaged over random subsets (Binkowski et
  al. 2018, arXiv 1801.01401).

Example:

>>> a = np.random.default_rng(0).standard_normal((200, 4))
>>> fid_from_features(a, a)
0.0
"""

import numpy as np

from keras_wgan.evaluation.frechet import feature_statistics, frechet_distance
from keras_wgan.utils import argument_validation

# ---------------------------------------------------------------------------


def polynomial_kernel(x, y, *, degree=3, gamma=None, coef0=1.0):
    """`k(x, y) = (gamma * x.y + coef0)^degree` for all pairs of rows.

    Args:
        x: array `(m, d)`; y: array `(n, d)`.
        degree, coef0: the kernel's degree and offset (KID: 3 and 1).
        gamma: scale of the inner product, `1 / d` by default (KID's).

    Returns:
        A float64 array `(m, n)`.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if gamma is None:
        gamma = 1.0 / x.shape[1]
    return (gamma * (x @ y.T) + coef0) ** degree


def mmd2_unbiased(features_a, features_b, *, degree=3, gamma=None, coef0=1.0):
    """The unbiased estimate of the squared MMD with a polynomial kernel.

    `MMD^2 = sum_{i != j} k(a_i, a_j) / (m (m - 1))
           + sum_{i != j} k(b_i, b_j) / (n (n - 1))
           - 2 sum_{i, j} k(a_i, b_j) / (m n)`

    (Binkowski et al. 2018, eq. 1 with the diagonals of the within-set sums
    left out). Its expectation is the population MMD^2, so it is negative
    about half of the time for two samples of one distribution.

    Args:
        features_a: array `(m, d)`, `m >= 2`; features_b: array `(n, d)`,
            `n >= 2`.
        degree, gamma, coef0: see `polynomial_kernel`.

    Returns:
        A Python float.
    """
    a = check_features(features_a, "features_a")
    b = check_features(features_b, "features_b")
    check_same_dimension(a, b)
    m, n = len(a), len(b)
    k_aa = polynomial_kernel(a, a, degree=degree, gamma=gamma, coef0=coef0)
    k_bb = polynomial_kernel(b, b, degree=degree, gamma=gamma, coef0=coef0)
    k_ab = polynomial_kernel(a, b, degree=degree, gamma=gamma, coef0=coef0)
    within_a = (k_aa.sum() - np.trace(k_aa)) / (m * (m - 1))
    within_b = (k_bb.sum() - np.trace(k_bb)) / (n * (n - 1))
    return float(within_a + within_b - 2.0 * k_ab.mean())


def kid_from_features(features_a, features_b, *, subsets=50, subset_size=1000, seed=0, return_std=False):
    """KID between two sets of features: `mmd2_unbiased` averaged over subsets.

    As in the reference code of Binkowski et al. (`polynomial_mmd_averages`
    in github.com/mbinkowski/MMD-GAN, `gan/compute_scores.py`): `subsets`
    times, draw `subset_size` rows of each set without replacement
    (independently of the other set) and compute the unbiased MMD^2 with
    the kernel `(x.y / d + 1)^3`; KID is the mean of those values. Sets
    smaller than `subset_size` use subsets of the smaller set's size.

    Args:
        features_a, features_b: arrays `(N_a, d)` and `(N_b, d)`, at least 2
            rows each.
        subsets: number of subsets (the reference's default, 50).
        subset_size: rows per subset (the reference's default, 1000).
        seed: seeds the choice of subsets.
        return_std: whether to return the standard deviation over subsets
            too.

    Returns:
        The mean, a Python float; or `(mean, std)` with `return_std`.
    """
    a = check_features(features_a, "features_a")
    b = check_features(features_b, "features_b")
    check_same_dimension(a, b)
    subsets = argument_validation.check_positive_int(subsets, "subsets")
    size = min(argument_validation.check_positive_int(subset_size, "subset_size"), len(a), len(b))
    if size < 2:
        raise ValueError(f"KID needs subsets of at least 2 rows. Received: subset_size={subset_size}")
    rng = np.random.default_rng(seed)
    values = np.array(
        [
            mmd2_unbiased(
                a[rng.choice(len(a), size, replace=False)], b[rng.choice(len(b), size, replace=False)]
            )
            for _ in range(subsets)
        ]
    )
    mean = float(values.mean())
    return (mean, float(values.std())) if return_std else mean


def fid_from_features(features_a, features_b):
    """FID between two sets of features: the Frechet distance of their Gaussians.

    `||mu_a - mu_b||^2 + Tr(S_a) + Tr(S_b) - 2 Tr((S_a S_b)^(1/2))`

    with the means `mu` and unbiased covariances `S` of the two sets:
    `frechet_distance(*feature_statistics(a), *feature_statistics(b))`, the
    one Frechet routine of keras_wgan (exact for singular covariances),
    shared with the Frechet classifier distance.

    Args:
        features_a, features_b: arrays `(N_a, d)` and `(N_b, d)`, at least 2
            rows each.

    Returns:
        A non-negative Python float.
    """
    a = check_features(features_a, "features_a")
    b = check_features(features_b, "features_b")
    check_same_dimension(a, b)
    return frechet_distance(*feature_statistics(a), *feature_statistics(b))


def check_features(features, name):
    """`features` as a float64 array `(N, d)` with `N >= 2`, checked."""
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"`{name}` must have shape (N, d) with N >= 2. Received: {name}.shape={x.shape}")
    return x


def check_same_dimension(a, b):
    """Raises `ValueError` unless the two feature arrays have the same `d`."""
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"The two sets of features must have the same dimension d. Received: d={a.shape[1]} and d={b.shape[1]}"
        )
