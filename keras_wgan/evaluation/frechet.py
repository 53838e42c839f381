"""The Frechet distance between Gaussians, the formula of FID (NumPy only)."""

import numpy as np


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """Frechet distance between two Gaussians.

    `d^2 = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))`

    the squared Wasserstein-2 distance between `N(mu1, S1)` and
    `N(mu2, S2)`, the formula of FID (Heusel et al. 2017). The trace of the
    root is computed in its symmetric form,

    `Tr (S1 S2)^(1/2) = sum_i sqrt(lambda_i(S1^(1/2) S2 S1^(1/2)))`

    (`S1 S2` is similar to the symmetric positive semi-definite
    `S1^(1/2) S2 S1^(1/2)`, so the two have the same eigenvalues), with
    `numpy.linalg.eigh` and rounding's negative eigenvalues clipped to 0.
    This is exact for singular covariances (fewer samples than features,
    dead ReLU features), where the reference code's `scipy.linalg.sqrtm`
    needs an `eps` offset on the diagonals and is off by up to
    `sqrt(eps * s)` per direction; and `eigh` of a symmetric matrix is
    much cheaper than the Schur decomposition `sqrtm` runs.

    Args:
        mu1: mean of the first Gaussian, shape `(d,)` (or a number for d=1).
        sigma1: its covariance, shape `(d, d)` (or a number: the variance),
            symmetric positive semi-definite.
        mu2: mean of the second Gaussian, shape `(d,)`.
        sigma2: its covariance, shape `(d, d)`.

    Returns:
        The squared distance, a non-negative Python float.

    Example:

    In one dimension it is `(m1 - m2)^2 + (s1 - s2)^2`:

    >>> round(frechet_distance(0.0, 4.0, 3.0, 1.0), 6)  # 3^2 + (2 - 1)^2
    10.0
    """
    mu1, sigma1 = _gaussian(mu1, sigma1, "1")
    mu2, sigma2 = _gaussian(mu2, sigma2, "2")
    if mu1.shape != mu2.shape:
        raise ValueError(
            "The two Gaussians must have the same dimension. Received: "
            f"mu1.shape={mu1.shape}, mu2.shape={mu2.shape}"
        )
    diff = mu1 - mu2
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1
    # Symmetrised: rounding leaves the product a few ulps off symmetric.
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    trace_root = float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))
    distance = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_root)
    # Equal statistics give -1e-12 and the like by rounding; the distance is
    # non-negative by definition.
    return max(distance, 0.0)


def feature_statistics(features):
    """Mean and covariance of a set of feature vectors.

    Args:
        features: array of shape `(N, d)` with `N >= 2`.

    Returns:
        `(mu, sigma)`: float64 arrays of shapes `(d,)` and `(d, d)`; the
        covariance is the unbiased one (`N - 1` in the denominator), as in
        FID.
    """
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(
            "`features` must have shape (N, d) with N >= 2 (a covariance "
            f"needs two samples). Received: features.shape={features.shape}"
        )
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _gaussian(mu, sigma, suffix):
    mu = np.atleast_1d(np.asarray(mu, dtype=np.float64))
    sigma = np.atleast_2d(np.asarray(sigma, dtype=np.float64))
    if mu.ndim != 1 or sigma.shape != (len(mu), len(mu)):
        raise ValueError(
            f"`mu{suffix}` must have shape (d,) and `sigma{suffix}` shape (d, d). "
            f"Received: mu{suffix}.shape={mu.shape}, sigma{suffix}.shape={sigma.shape}"
        )
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sigma))):
        raise ValueError(f"`mu{suffix}` and `sigma{suffix}` must be finite.")
    return mu, sigma


def _psd_sqrt(matrix):
    """The symmetric square root of a positive semi-definite matrix."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
