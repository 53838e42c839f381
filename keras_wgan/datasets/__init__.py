"""Real data for keras_wgan: MNIST (with a bundled offline fallback), 2-D toys, image helpers."""

from keras_wgan.datasets.idx import read_idx
from keras_wgan.datasets.image_folder import image_folder
from keras_wgan.datasets.images import make_image_dataset, scale_images, split_holdout, unscale_images
from keras_wgan.datasets.mnist import MNISTData, load_mnist
from keras_wgan.datasets.stacked_mnist import stacked_mnist
from keras_wgan.datasets.toy import eight_gaussians, sample_toy, swiss_roll, twenty_five_gaussians

__all__ = [
    "MNISTData",
    "eight_gaussians",
    "image_folder",
    "load_mnist",
    "make_image_dataset",
    "read_idx",
    "sample_toy",
    "scale_images",
    "split_holdout",
    "stacked_mnist",
    "swiss_roll",
    "twenty_five_gaussians",
    "unscale_images",
]
