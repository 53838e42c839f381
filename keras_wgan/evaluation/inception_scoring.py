"""The Inception Score (Salimans et al. 2016): how confidently and how variedly images are classified.

`IS = exp(E_x KL(p(y|x) || p(y)))`, `p(y)` the mean of `p(y|x)` over the
images, computed as the reference code (openai/improved-gan,
`inception_score/model.py`) does: the N images are cut into `splits`
contiguous parts in order, the score is taken on each part, and the mean
and standard deviation over the parts are reported. It ranges from 1 (every
image gets the same distribution) to the number of classes (each image one
class with certainty, all classes equally often).

The class probabilities of published scores are the softmax of the
2015-12-05 Inception's pool features times its `softmax/weights`, WITHOUT
the bias (the reference code multiplies `pool_3` by the weights only;
torch-fidelity's `logits_unbiased` and StyleGAN's `no_output_bias` follow
it): `inception_score_of_images` does the same.

Example:

>>> inception_score(np.full((100, 10), 0.1), splits=10)  # one distribution for all
(1.0, 0.0)
"""

import numpy as np
from scipy import special

from keras_wgan.evaluation import fid_network
from keras_wgan.evaluation.inception import inception_outputs
from keras_wgan.models.generator_utils import generate_samples
from keras_wgan.utils import argument_validation


def inception_score(probabilities, *, splits=10):
    """The Inception Score of class probabilities, mean and std over `splits` parts.

    For each of `splits` contiguous parts `P` of the rows (part `i` is rows
    `i * N // splits` to `(i + 1) * N // splits`, as in the reference code):
    `exp(mean_x sum_y p(y|x) (log p(y|x) - log p_P(y)))` with `p_P` the mean
    of the part's rows; `0 log 0` counts as 0.

    Args:
        probabilities: `(N, classes)` array of class probabilities, rows
            summing to 1.
        splits: number of parts, `1 <= splits <= N` (the reference's 10).

    Returns:
        `(mean, std)` of the parts' scores, Python floats (`std` is NumPy's,
        with `N` in the denominator, as the reference's).

    Example:

    >>> inception_score(np.eye(10), splits=1)  # ten classes, one image each
    (10.0, 0.0)
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(
            f"`probabilities` must have shape (N, classes) with N >= 1. Received: probabilities.shape={p.shape}"
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(
            "`probabilities` must be finite, non-negative, with rows summing to 1 (softmax outputs, "
            "not logits). Received: row sums between "
            f"{float(np.nanmin(p.sum(axis=1))):.4g} and {float(np.nanmax(p.sum(axis=1))):.4g}"
        )
    splits = argument_validation.check_int(splits, "splits", minimum=1, maximum=len(p))
    scores = []
    for i in range(splits):
        part = p[i * len(p) // splits : (i + 1) * len(p) // splits]
        marginal = part.mean(axis=0, keepdims=True)
        # rel_entr(x, y) = x log(x / y), 0 where x = 0.
        scores.append(np.exp(special.rel_entr(part, marginal).sum(axis=1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def inception_score_of_images(images, *, value_range=(-1.0, 1.0), weights="auto", splits=10, batch_size=32):
    """The Inception Score of images, with the 2015-12-05 Inception of published scores.

    The probabilities are `softmax(pool @ W)`, the pool features times the
    `softmax/weights` without the bias, as in the reference code.
    Published scores use 50,000 images and 10 splits.

    Args:
        images: `(N, H, W, 3)` or `(N, H, W, 1)` images, uint8 or floats in
            `value_range`, `N >= splits`.
        value_range: `(low, high)` of float images.
        weights: see `fid_inception`.
        splits: see `inception_score`.
        batch_size: images per forward pass.

    Returns:
        `(mean, std)`, Python floats.
    """
    pool = inception_outputs(images, value_range=value_range, weights=weights, batch_size=batch_size)["pool"]
    return inception_score(class_probabilities(pool, weights=weights), splits=splits)


def class_probabilities(pool_features, *, weights="auto"):
    """The Inception Score's `p(y|x)` from the FID Inception's pool features.

    `softmax(pool @ W)`, `W` the `(2048, 1008)` `softmax/weights` of the
    graph, without its bias, as in the reference code.

    Args:
        pool_features: `(N, 2048)` `"pool"` outputs of `fid_inception(weights)`.
        weights: see `fid_inception`: the weights the features came from.

    Returns:
        A float64 array `(N, 1008)`.
    """
    kernel = np.asarray(fid_network.fid_inception(weights).get_layer("fc").kernel, dtype=np.float64)
    return special.softmax(np.asarray(pool_features, dtype=np.float64) @ kernel, axis=1)


def inception_score_of_generator(
    model, n=50000, *, value_range=(-1.0, 1.0), seed=0, weights="auto", splits=10, batch_size=32
):
    """The Inception Score of `n` images from a generator (or a WGAN holding one).

    Args:
        model: a generator, or a model with a `generator` (a `WGANGP`).
        n: images to generate (50,000 for published numbers).
        value_range: the generator's output range.
        seed: seeds the latent vectors.
        weights, splits, batch_size: see `inception_score_of_images`.

    Returns:
        `(mean, std)`, Python floats.
    """
    n = argument_validation.check_positive_int(n, "n")
    images = generate_samples(model, n, seed)
    return inception_score_of_images(
        images, value_range=value_range, weights=weights, splits=splits, batch_size=batch_size
    )
