"""Precision and recall (Kynkaanniemi et al. 2019), density and coverage (Naeem et al. 2020).

Fidelity and diversity as two numbers instead of FID's one, on any feature
set (the FID Inception's pool features for images). Each real sample `r_i`
gets a ball of radius `NND_k(r_i)`, the distance to its k-th nearest other
real sample (the k-NN estimate of the real manifold); likewise each fake
sample `f_j` with `NND_k(f_j)` among the fakes:

- precision: the share of fakes inside at least one real ball;
- recall: the share of reals inside at least one fake ball;
- density: `(1 / (k M)) sum_j sum_i 1[f_j in B(r_i, NND_k(r_i))]`, how many
  real balls contain a fake on average, over k (about 1 when fakes are
  distributed as reals; above 1 when they crowd where reals are dense);
- coverage: the share of real balls containing at least one fake.

"Inside" is strict (`distance < radius`), as in the reference code
(clovaai/generative-evaluation-prdc, `compute_prdc`), which this follows
with `k = 3` by default (Kynkaanniemi et al.'s value; Naeem et al. use 5).

Example:

>>> features = np.random.default_rng(0).standard_normal((50, 8))
>>> precision_recall_density_coverage(features, features)["coverage"]
1.0
"""

import numpy as np
from scipy.spatial import distance

from keras_wgan.evaluation.feature_distances import check_features, check_same_dimension
from keras_wgan.utils import argument_validation


def precision_recall_density_coverage(real_features, fake_features, *, k=3):
    """Precision, recall, density and coverage of fake features against real ones.

    See the module docstring for the definitions. Memory and time grow with
    `N_real * N_fake` (the pairwise distances; 10,000 each is about 2 GB).

    Args:
        real_features: array `(N_real, d)`, `N_real > k`.
        fake_features: array `(N_fake, d)`, `N_fake > k`.
        k: the nearest neighbour defining each ball's radius.

    Returns:
        A dict with `"precision"`, `"recall"`, `"density"` and `"coverage"`,
        Python floats.
    """
    real = check_features(real_features, "real_features")
    fake = check_features(fake_features, "fake_features")
    check_same_dimension(real, fake)
    k = argument_validation.check_int(k, "k", minimum=1)
    if min(len(real), len(fake)) <= k:
        raise ValueError(
            f"Each set needs more than k={k} samples (a sample's k-th nearest neighbour is another "
            f"sample). Received: {len(real)} real and {len(fake)} fake samples"
        )
    real_radii = _kth_neighbour_distances(real, k)
    fake_radii = _kth_neighbour_distances(fake, k)
    real_to_fake = distance.cdist(real, fake)
    inside_real_balls = real_to_fake < real_radii[:, None]
    return {
        "precision": float(inside_real_balls.any(axis=0).mean()),
        "recall": float((real_to_fake < fake_radii[None, :]).any(axis=1).mean()),
        "density": float(inside_real_balls.sum(axis=0).mean() / k),
        "coverage": float((real_to_fake.min(axis=1) < real_radii).mean()),
    }


def _kth_neighbour_distances(features, k):
    distances = distance.cdist(features, features)
    # Index k of the sorted row: index 0 is the sample itself (distance 0).
    return np.partition(distances, k, axis=1)[:, k]
