from keras_wgan.models.wasserstein_gan import WassersteinGAN
from keras_wgan.models.wgan import WGAN
from keras_wgan.models.wgan_gp import WGANGP

__all__ = [
    "WGAN",
    "WGANGP",
    "WassersteinGAN",
]
