"""Stacked MNIST: three MNIST digits as the red, green and blue channels of one image.

The standard test of mode collapse (the Unrolled GAN paper, Metz et al.
2017, arXiv 1611.02163; VEEGAN, Srivastava et al. 2017, arXiv 1705.07761;
PacGAN, Lin et al. 2018, arXiv 1712.04086): each image stacks three digits
drawn independently, so the data have 10 * 10 * 10 = 1,000 modes, the digit
triples, all equally likely. `keras_wgan.evaluation.stacked_mnist_modes`
counts how many of them a generator draws.
"""

import numpy as np

from keras_wgan.datasets.images import split_holdout
from keras_wgan.datasets.mnist import MNIST_IMAGE_SHAPE, load_mnist
from keras_wgan.utils import argument_validation

NUM_MODES = 1000
"""The digit triples of Stacked MNIST."""

SPLITS = ("train", "held_out")
IMAGE_SIZES = (28, 32)


def stacked_mnist(
    num_samples,
    *,
    seed=0,
    image_size=28,
    split="train",
    holdout=1000,
    holdout_seed=0,
    path=None,
    allow_download=True,
):
    """Returns Stacked MNIST images: three random digits stacked as R, G and B.

    Image `i` puts digit `a_i` in the red channel, `b_i` in the green one
    and `c_i` in the blue one, the three drawn independently and uniformly
    (with replacement) from one part of MNIST; its label is the mode
    `100 * label(a_i) + 10 * label(b_i) + label(c_i)`, in `[0, 1000)`.

    The digits come from `keras_wgan.datasets.load_mnist` (Keras's MNIST
    when it is cached or downloadable, else the bundled 10,000-digit test
    split), divided as the MNIST example divides them:
    `split_holdout(digits, holdout, seed=holdout_seed)`. `"train"` draws from
    the training part, `"held_out"` from the `holdout` held-out digits, so
    held-out stacked images never reuse a training digit.

    Args:
        num_samples: number of stacked images.
        seed: seeds the choice of digits: the same seed gives the same images.
        image_size: 28, or 32 to pad each side with 2 black pixels (for
            32-pixel networks such as `dcgan_critic(32, 3)`).
        split: `"train"` or `"held_out"`.
        holdout: digits held out (as in `split_holdout` and the MNIST
            example's `--holdout`).
        holdout_seed: seed of the held-out choice (the MNIST example's `--seed`).
        path, allow_download: passed to `load_mnist`.

    Returns:
        A tuple `(images, labels)`: `uint8` images of shape
        `(num_samples, image_size, image_size, 3)` and `int32` modes of shape
        `(num_samples,)`.

    Example:

    >>> images, labels = stacked_mnist(1000, seed=0, allow_download=False)
    >>> images.shape, images.dtype, int(labels.max()) < 1000
    ((1000, 28, 28, 3), dtype('uint8'), True)
    """
    num_samples = argument_validation.check_positive_int(num_samples, "num_samples")
    seed = argument_validation.check_seed(seed)
    argument_validation.check_one_of(image_size, "image_size", IMAGE_SIZES)
    argument_validation.check_one_of(split, "split", SPLITS)
    digits, digit_labels, _ = load_mnist(path, allow_download=allow_download, verbose=False)
    # One split for images and labels: the same seed picks the same rows.
    train_digits, heldout_digits = split_holdout(digits, holdout, seed=holdout_seed)
    train_labels, heldout_labels = split_holdout(digit_labels, holdout, seed=holdout_seed)
    if split == "train":
        digits, digit_labels = train_digits, train_labels
    else:
        digits, digit_labels = heldout_digits, heldout_labels

    rows = np.random.default_rng(seed).integers(0, len(digits), size=(num_samples, 3))
    # (N, 3, 28, 28) -> (N, 28, 28, 3): channel k holds digit rows[:, k].
    images = np.moveaxis(digits[rows], 1, -1)
    pad = (image_size - MNIST_IMAGE_SHAPE[0]) // 2
    if pad:
        images = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    labels = digit_labels[rows].astype(np.int32) @ np.array([100, 10, 1], dtype=np.int32)
    return np.ascontiguousarray(images), labels
