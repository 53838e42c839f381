"""Mode coverage on Stacked MNIST: how many of the 1,000 digit triples a generator draws.

The protocol of VEEGAN (Srivastava et al. 2017, arXiv 1705.07761) and
PacGAN (Lin et al. 2018, arXiv 1712.04086, whose code evaluates 26,000
samples): a pretrained MNIST classifier labels each colour channel of each
sample; the triple of digits is the sample's mode. Two numbers:

- `modes`: how many of the 1,000 triples appear at least once;
- `kl`: the KL divergence of the generated triple distribution `p` from the
  uniform one, `KL(p || u) = sum_t p(t) log(1000 p(t))` (the direction of
  PacGAN's code: generated first), from 0 (uniform) to `log(1000) = 6.91`
  (a single triple).
"""

import keras
import numpy as np

from keras_wgan.datasets.stacked_mnist import NUM_MODES
from keras_wgan.evaluation.classifier import classifier_inputs, default_classifier
from keras_wgan.evaluation.samples import as_sample_array
from keras_wgan.models.generator_utils import draw_latent, generator_of, latent_dim_of
from keras_wgan.utils import argument_validation

PUBLISHED_NUM_SAMPLES = 26000
"""Samples per evaluation in PacGAN's code (`num_test_sample`)."""

_BATCH = 1000


def stacked_mnist_modes(images, *, classifier=None, value_range=(-1.0, 1.0)):
    """Counts the digit triples in Stacked MNIST images and their KL to uniform.

    Each channel of each image is classified by `classifier`; the mode of an
    image is `100 * red digit + 10 * green digit + blue digit`. With `p` the
    share of images per mode:

        modes = #{t : p(t) > 0}
        kl    = sum_t p(t) log(p(t) / (1 / 1000))

    Even a perfect generator does not reach `kl = 0` with a finite sample:
    `n` uniform draws give about `999 / (2 n)` (0.02 for 26,000), and the
    classifier's mistakes add to it.

    Args:
        images: `(N, 28, 28, 3)` or `(N, 32, 32, 3)` images (32-pixel ones
            are cropped to their central 28x28): `uint8` pixels, or floats
            in `value_range` as a generator draws them.
        classifier: an MNIST classifier of `(N, 28, 28, 1)` images in
            [0, 1] with 10 softmax outputs; defaults to `mnist_classifier()`.
        value_range: the range of float images: `(-1, 1)` for `tanh`.

    Returns:
        A dict: `modes` (int), `kl` (float), `num_samples` (int) and
        `counts`, the number of images per mode (an int array of 1,000).

    Example:

    >>> images, labels = kw.datasets.stacked_mnist(26000, split="held_out")
    >>> kw.evaluation.stacked_mnist_modes(images)["modes"]  # about 1,000
    """
    images = as_sample_array(images, "images")
    if images.ndim != 4 or images.shape[1:] not in ((28, 28, 3), (32, 32, 3)):
        raise ValueError(
            "Stacked MNIST images must have shape (N, 28, 28, 3) or (N, 32, 32, 3). "
            f"Received: images.shape={images.shape}"
        )
    crop = (images.shape[1] - 28) // 2
    images = images[:, crop : crop + 28, crop : crop + 28, :]
    classifier = default_classifier() if classifier is None else classifier
    # (N, 28, 28, 3) -> (3N, 28, 28): the channels of image i are rows 3i..3i+2.
    channels = np.moveaxis(images, -1, 1).reshape(-1, 28, 28)
    probabilities = classifier.predict(classifier_inputs(channels, value_range), batch_size=_BATCH, verbose=0)
    digits = np.argmax(probabilities, axis=-1).reshape(-1, 3)
    return mode_statistics(digits @ np.array([100, 10, 1]))


def mode_statistics(modes):
    """`modes`, `kl`, `num_samples` and `counts` of an array of modes in `[0, 1000)`.

    Example:

    >>> mode_statistics(np.arange(1000))["kl"]
    0.0
    """
    modes = np.asarray(modes)
    if modes.ndim != 1 or len(modes) == 0 or modes.min() < 0 or modes.max() >= NUM_MODES:
        raise ValueError(
            f"`modes` must be a non-empty 1-D array of ints in [0, {NUM_MODES}). Received: modes={modes!r}"
        )
    counts = np.bincount(modes, minlength=NUM_MODES)
    shares = counts[counts > 0] / len(modes)
    kl = float(np.sum(shares * np.log(shares * NUM_MODES)))
    return {
        "modes": int(np.count_nonzero(counts)),
        "kl": max(kl, 0.0),
        "num_samples": len(modes),
        "counts": counts,
    }


def generated_stacked_mnist_modes(
    model, n=PUBLISHED_NUM_SAMPLES, *, classifier=None, value_range=(-1.0, 1.0), seed=0
):
    """`stacked_mnist_modes` of `n` images drawn from a WGAN or a generator.

    The latent vectors are `draw_latent(n, latent_dim, seed)` (those of
    `model.generate(n, seed=seed)`), run through the generator in batches
    of 1,000 (`training=False`), so that 26,000 samples fit in memory.

    Args:
        model: a `WassersteinGAN` or a generator `keras.Model`.
        n: number of samples (the published protocol's 26,000 by default).
        classifier, value_range: see `stacked_mnist_modes`.
        seed: seeds the latent vectors: the same seed, the same samples.

    Returns:
        The dict of `stacked_mnist_modes`.
    """
    n = argument_validation.check_positive_int(n, "n")
    seed = argument_validation.check_seed(seed)
    generator = generator_of(model)
    latent = draw_latent(n, latent_dim_of(generator), seed)
    images = np.concatenate(
        [
            keras.ops.convert_to_numpy(generator(latent[start : start + _BATCH], training=False))
            for start in range(0, n, _BATCH)
        ]
    )
    return stacked_mnist_modes(images, classifier=classifier, value_range=value_range)
