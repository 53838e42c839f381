"""Generators and critics from the WGAN and WGAN-GP papers, as Keras models.

Every builder returns a functional `keras.Model` with a named `keras.Input`:
generators take `"latent"`, image critics `"image"` and the other critics
`"sample"`. Critics end in a linear `Dense(1)` with no sigmoid: a WGAN critic
outputs a score whose mean difference estimates the Wasserstein-1 distance,
not a probability. That layer computes in float32 under a mixed precision
policy, so that scores and losses keep full precision.

No critic uses `BatchNormalization` by default: it couples the examples of a batch, so
the gradient penalty's per-example input gradient is no longer per-example
(Gulrajani et al. 2017, section 4). Layer normalisation is the replacement
the WGAN-GP paper recommends; see `mnist_critic(normalization="layer")`.

Sources:
- WGAN: Arjovsky, Chintala and Bottou 2017, arXiv 1701.07875, and its
  official code github.com/martinarjovsky/WassersteinGAN (`models/mlp.py`).
- WGAN-GP: Gulrajani et al. 2017, arXiv 1704.00028, and its official code
  github.com/igul222/improved_wgan_training (`gan_mnist.py`, `gan_toy.py`,
  `gan_cifar_resnet.py`).
- DCGAN: Radford, Metz and Chintala 2015, arXiv 1511.06434, as the WGAN
  code builds it (`models/dcgan.py`).

The image generators (`dcgan_generator`, `resnet_generator`) do use
BatchNormalization: the penalty differentiates the critic only.
"""

from keras_wgan.architectures.dcgan import dcgan_critic, dcgan_generator
from keras_wgan.architectures.mlp import mlp_critic, mlp_generator, toy_critic, toy_generator
from keras_wgan.architectures.mnist import mnist_critic, mnist_generator
from keras_wgan.architectures.resnet import resnet_critic, resnet_generator

__all__ = [
    "dcgan_critic",
    "dcgan_generator",
    "mlp_critic",
    "mlp_generator",
    "mnist_critic",
    "mnist_generator",
    "resnet_critic",
    "resnet_generator",
    "toy_critic",
    "toy_generator",
]
