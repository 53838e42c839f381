"""Exact Wasserstein-1 distance between generated and real samples."""

import numpy as np

from keras_wgan import distances
from keras_wgan.evaluation.samples import as_sample_array, check_sample_count, sample_indices
from keras_wgan.models.generator_utils import generate_samples
from keras_wgan.utils import argument_validation


def w1_to_data(generator, real_samples, n=None, *, seed=0):
    """Exact Wasserstein-1 distance between generated and real samples.

    `W1 = min_{gamma in Pi(P_n, Q_n)} sum_ij gamma_ij * ||x_i - y_j||_2`

    between `n` generated samples `x_i` and `n` real samples `y_j` drawn
    without replacement from `real_samples`, each sample flattened to a
    vector. It is the quantity a WGAN critic estimates, computed exactly
    (network simplex, `keras_wgan.distances.wasserstein_distance`).

    Two finite samples of the SAME distribution are at a positive distance
    that shrinks with `n` (the noise floor; measured values in
    `docs/mnist_example.md`), so compare values at equal `n`.
    Time and memory grow as `n**2`: use up to a few thousand samples.

    The same `seed` gives the same latent vectors and the same real subset,
    so evaluating successive checkpoints with one seed removes most of the
    sampling noise from their comparison.

    Args:
        generator: a `keras_wgan` model (`WGAN`, `WGANGP`, any
            `WassersteinGAN`: its `generate(n, seed)` is used) or a
            `keras.Model` generator mapping `(latent_dim,)` noise to samples
            (latent vectors are drawn from N(0, I) as `generate` draws them,
            so both forms give the same samples for the same seed).
        real_samples: array of real samples, shape `(N, ...)`, in the
            generator's output range (scale uint8 images first, e.g. with
            `keras_wgan.datasets.scale_images`).
        n: number of samples on each side, `1 <= n <= N`. Defaults to `N`
            (all real samples).
        seed: int, seeds both the latent vectors and the choice of the real
            subset.

    Returns:
        The distance, a Python float.

    Raises:
        ValueError: if `n < 1`, `n > len(real_samples)`, the real samples are
            uint8 pixels, or generated and real samples differ in shape.
        TypeError: if `generator` is neither a `WassersteinGAN` nor a
            `keras.Model`.

    Example:

    >>> inputs = keras.Input((2,))
    >>> shift = keras.Model(inputs, inputs + np.array([3.0, 4.0], "float32"))
    >>> real = keras.ops.convert_to_numpy(keras.random.normal((500, 2), seed=1))
    >>> round(w1_to_data(shift, real, seed=1), 4)  # same z: exactly ||v||
    5.0
    """
    real = as_sample_array(real_samples, "real_samples")
    if real.dtype == np.uint8:
        raise ValueError(
            "`real_samples` are uint8 pixels (0..255) but generated samples are "
            "floats in the generator's output range. Scale them first, e.g. "
            "`keras_wgan.datasets.scale_images(images, value_range=(-1, 1))`."
        )
    n = len(real) if n is None else check_sample_count(n, len(real), "real_samples")
    seed = argument_validation.check_seed(seed)
    fake = np.asarray(generate_samples(generator, n, seed))
    real = real[sample_indices(len(real), n, seed)]
    fake, real = _matching_shapes(fake, real)
    return distances.wasserstein_distance(fake.reshape(n, -1), real.reshape(n, -1))


def _matching_shapes(fake, real):
    if fake.shape[1:] == real.shape[1:]:
        return fake, real
    # (N, 28, 28, 1) against (N, 28, 28): the same pixels in the same order.
    squeeze = lambda shape: shape[:-1] if shape and shape[-1] == 1 else shape  # noqa: E731
    if squeeze(fake.shape[1:]) == squeeze(real.shape[1:]):
        return fake, real
    raise ValueError(
        f"Generated samples have shape {fake.shape[1:]} but real samples "
        f"{real.shape[1:]}: they must match (a trailing channel axis of size 1 "
        "may differ)."
    )
