"""Real data for keras_wgan: MNIST (with a bundled offline fallback) and 2-D toys."""

from keras_wgan.datasets.mnist import (
    MNISTData,
    load_mnist,
    make_image_dataset,
    read_idx,
    scale_images,
    split_holdout,
    unscale_images,
)
from keras_wgan.datasets.toy import eight_gaussians, sample_toy, swiss_roll, twenty_five_gaussians
from keras_wgan.datasets.image_folder import image_folder
