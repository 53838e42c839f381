"""keras-io's WGAN-GP example's networks, as Keras models (no TensorFlow needed).

Shared by `benchmarks/throughput.py --nets kerasio` and `benchmarks/gpu_step.py`.
"""

import keras
from keras import layers


def kerasio_nets(latent_dim=128):
    """The networks of keras-io's WGAN-GP example (examples/generative/wgan_gp.py), layer for layer.

    The speed targets' reference figure (436 GFLOP per step at batch 64)
    was measured on these; they are wider than the WGAN-GP paper's MNIST nets.
    Returns `(critic, generator)`.
    """
    image = keras.Input((28, 28, 1))
    x = layers.ZeroPadding2D(2)(image)
    for filters, dropout in ((64, 0.0), (128, 0.3), (256, 0.3), (512, 0.0)):
        x = layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    x = layers.Dropout(0.2)(layers.Flatten()(x))
    critic = keras.Model(image, layers.Dense(1, dtype="float32")(x), name="kerasio_critic")

    latent = keras.Input((latent_dim,))
    x = layers.Dense(4 * 4 * 256, use_bias=False)(latent)
    x = layers.LeakyReLU(0.2)(layers.BatchNormalization()(x))
    x = layers.Reshape((4, 4, 256))(x)
    for filters in (128, 64, 1):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(layers.UpSampling2D(2)(x))
        x = layers.BatchNormalization()(x)
        x = layers.Activation("tanh")(x) if filters == 1 else layers.LeakyReLU(0.2)(x)
    generator = keras.Model(latent, layers.Cropping2D(2)(x), name="kerasio_generator")
    return critic, generator
