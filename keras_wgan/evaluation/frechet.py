"""The Frechet distance between Gaussians, the formula of FID (NumPy and SciPy only)."""

import warnings

import numpy as np
from scipy import linalg

from keras_wgan.utils import argument_validation


def frechet_distance(mu1, sigma1, mu2, sigma2, *, eps=1e-6):
    """Frechet distance between two Gaussians.

    `d^2 = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))`

    the squared Wasserstein-2 distance between `N(mu1, S1)` and
    `N(mu2, S2)`, the formula of FID (Heusel et al. 2017). The matrix square
    root is `scipy.linalg.sqrtm`. As in the reference FID code, when
    `S1 S2` is singular (SciPy says so; fewer samples than features or dead
    ReLU features make it common) or its root comes out non-finite or with
    an imaginary part above 1e-3 on the diagonal, `eps` is added to the
    diagonals of both covariances and the root is taken again; the real part is kept (the
    imaginary part of the root of a product of two PSD matrices is rounding
    error).

    Args:
        mu1: mean of the first Gaussian, shape `(d,)` (or a number for d=1).
        sigma1: its covariance, shape `(d, d)` (or a number: the variance).
        mu2: mean of the second Gaussian, shape `(d,)`.
        sigma2: its covariance, shape `(d, d)`.
        eps: diagonal offset used when the plain square root fails.

    Returns:
        The squared distance, a non-negative Python float.

    Example:

    In one dimension it is `(m1 - m2)^2 + (s1 - s2)^2`:

    >>> round(frechet_distance(0.0, 4.0, 3.0, 1.0), 6)  # 3^2 + (2 - 1)^2
    10.0
    """
    eps = argument_validation.check_number(eps, "eps", minimum=0.0, exclusive_minimum=True)
    mu1, sigma1 = _gaussian(mu1, sigma1, "1")
    mu2, sigma2 = _gaussian(mu2, sigma2, "2")
    if mu1.shape != mu2.shape:
        raise ValueError(
            "The two Gaussians must have the same dimension. Received: "
            f"mu1.shape={mu1.shape}, mu2.shape={mu2.shape}"
        )
    diff = mu1 - mu2

    covmean, singular = _sqrtm(sigma1 @ sigma2)
    if singular or not _usable_root(covmean):
        offset = np.eye(len(mu1)) * eps
        # The fallback of the reference FID code; SciPy may still call the
        # offset product ill-conditioned, which is what the offset accepts.
        covmean, _ = _sqrtm((sigma1 + offset) @ (sigma2 + offset))
        if not np.all(np.isfinite(covmean)):
            raise ValueError(
                "The matrix square root of sigma1 @ sigma2 is not finite even "
                f"with eps={eps} added to the diagonals: are the covariances "
                "finite and positive semi-definite?"
            )
        if not _usable_root(covmean):
            imaginary = float(np.max(np.abs(np.diagonal(covmean).imag)))
            warnings.warn(
                f"sqrtm(sigma1 @ sigma2) keeps an imaginary component up to "
                f"{imaginary:.3g} on its diagonal; its real part is used.",
                RuntimeWarning,
                stacklevel=2,
            )
    covmean = np.real(covmean)

    distance = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))
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


def _sqrtm(matrix):
    """`scipy.linalg.sqrtm`, and whether SciPy found the matrix singular.

    SciPy warns (LinAlgWarning) for singular or ill-conditioned input, which
    dead ReLU features or fewer samples than features make common: that is
    the case `frechet_distance` handles with its eps offset, so the warning
    is turned into a flag instead of reaching the user.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", linalg.LinAlgWarning)
        root = linalg.sqrtm(matrix)
    flagged = False
    for warning in caught:
        if issubclass(warning.category, linalg.LinAlgWarning):
            flagged = True
        else:  # Not ours to swallow.
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return root, flagged


def _usable_root(root):
    if not np.all(np.isfinite(root)):
        return False
    # The reference FID code's tolerance for the imaginary part of the
    # diagonal: above it the product was too close to singular.
    return not np.iscomplexobj(root) or np.allclose(np.diagonal(root).imag, 0.0, atol=1e-3)
