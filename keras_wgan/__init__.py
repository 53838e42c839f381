"""keras_wgan: Wasserstein GANs as Keras 3 models trained with `fit()`."""

from keras_wgan import architectures, augment, callbacks, datasets, distances, evaluation, visualization
from keras_wgan.constraints import ClipConstraint
from keras_wgan.export import export_generator, load_exported_generator
from keras_wgan.losses import FAKE_LABEL, REAL_LABEL, wasserstein_loss
from keras_wgan.models import WGAN, WGANGP, WassersteinGAN
from keras_wgan.penalty import gradient_penalty
from keras_wgan.saving import load_wgan

__version__ = "0.1.0"

__all__ = [
    "FAKE_LABEL",
    "REAL_LABEL",
    "ClipConstraint",
    "WGAN",
    "WGANGP",
    "WassersteinGAN",
    "architectures",
    "augment",
    "callbacks",
    "datasets",
    "distances",
    "evaluation",
    "export_generator",
    "gradient_penalty",
    "load_exported_generator",
    "load_wgan",
    "visualization",
    "wasserstein_loss",
]
