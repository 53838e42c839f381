"""The DCGAN critic and generator for 32x32 and 64x64 images.

DCGAN (Radford, Metz and Chintala 2015, arXiv 1511.06434) is the network of
the WGAN paper's image experiments (Arjovsky et al. 2017, LSUN bedrooms at
64x64), as its official code builds it (`models/dcgan.py` of
github.com/martinarjovsky/WassersteinGAN, `DCGAN_D` and `DCGAN_G` with no
extra layers): stride-2 4x4 convolutions that halve the image and double the
channels down to 4x4, and the mirror image with transposed convolutions.
Weights start from N(0, 0.02), the DCGAN initialisation.
"""

import keras
from keras import layers

from keras_wgan.architectures import conditioning
from keras_wgan.architectures.spectral_normalization import spectrally_normalized
from keras_wgan.utils import argument_validation
from keras_wgan.utils.argument_validation import check_activation, check_positive_int

_LEAKY_RELU_SLOPE = 0.2
_SIZES = (32, 64)
_NORMALIZATIONS = (None, "layer", "batch", "spectral")
# PyTorch's default (its momentum=0.1 weighs the new batch as Keras's 0.9
# does), which the official code used. Keras's 0.99 leaves the moving
# averages, and so `generator(z, training=False)`, near their initial values
# for the first few hundred steps: grey samples early in a run.
_BN_MOMENTUM = 0.9


def _init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def _widths(image_size, dim):
    # 32 px: dim, 2 dim, 4 dim; 64 px: up to 8 dim; each layer halves the side.
    steps = {32: 3, 64: 4}[image_size]
    return [dim * 2**index for index in range(steps)]


def dcgan_critic(image_size=64, channels=3, *, dim=64, normalization=None, num_classes=None):
    """The DCGAN critic of the WGAN paper (official `DCGAN_D`).

    Architecture, for 64x64 images: `Conv2D(dim, 4, strides=2)` (32x32) ->
    `Conv2D(2 dim)` (16x16) -> `Conv2D(4 dim)` (8x8) -> `Conv2D(8 dim)`
    (4x4), all 4x4 kernels with stride 2 and `"same"` padding, each followed
    by `LeakyReLU(0.2)`, then a linear score (`Flatten` -> `Dense(1)`, the
    official last 4x4 convolution with one output). For 32x32 images the
    `8 dim` layer is left out. No sigmoid: a WGAN critic outputs a score.
    The official convolutions have no biases; here those not followed by a
    normalisation have one.

    Normalisation after every convolution but the first (before its
    activation), as DCGAN does:

    - `None` (default): none, the critic for the gradient penalty (WGAN-GP
      paper, section 4: batch normalisation mixes the examples of a batch,
      so the penalty's per-example gradient is no longer per-example);
    - `"layer"`: `LayerNormalization` over each feature map (height, width
      and channels), the replacement the WGAN-GP paper recommends;
    - `"batch"`: `BatchNormalization`, the WGAN paper's critic, for weight
      clipping only (`keras_wgan.WGANGP` warns about it);
    - `"spectral"`: every convolution and the final `Dense` wrapped in
      `keras.layers.SpectralNormalization` (`W / sigma(W)`, SN-GAN, Miyato
      et al. 2018), the first convolution included; small-data GAN recipes
      combine it with the gradient penalty or use it alone.

    Args:
        image_size: 32 or 64.
        channels: 3 for RGB, 1 for grey.
        dim: width of the first convolution (the official `ndf = 64`).
        normalization: `None`, `"layer"`, `"batch"` or `"spectral"`.
        num_classes: None, or the number of classes of a conditional critic
            with a projection (Miyato and Koyama 2018): a second input
            `"labels"` (int class ids, `(batch,)`) and the score
            `psi(phi(x)) + <embed(y), phi(x)>`, with `phi(x)` the flattened
            4x4 features and `psi` the `Dense(1)` above.

    Returns:
        A `keras.Model` named `"dcgan_critic"` mapping images of shape
        `(batch, image_size, image_size, channels)` (input `"image"`) to
        float32 scores of shape `(batch, 1)`; with `num_classes`,
        `[images, labels]` to scores.

    Example:

    >>> dcgan_critic(64).count_params()
    2764737
    """
    image_size, channels = _check_image(image_size, channels)
    dim = check_positive_int(dim, "dim")
    num_classes = argument_validation.check_num_classes(num_classes)
    if normalization not in _NORMALIZATIONS:
        raise ValueError(
            f'`normalization` must be None, "layer", "batch" (for weight clipping only) or "spectral". '
            f"Received: normalization={normalization!r}"
        )
    spectral = normalization == "spectral"
    inputs = keras.Input((image_size, image_size, channels), name="image")
    x = inputs
    for index, filters in enumerate(_widths(image_size, dim), start=1):
        conv = layers.Conv2D(
            filters,
            4,
            strides=2,
            padding="same",
            use_bias=index == 1 or normalization in (None, "spectral"),
            kernel_initializer=_init(),
            name=f"conv_{index}",
        )
        x = (spectrally_normalized(conv) if spectral else conv)(x)
        if index > 1 and normalization == "layer":
            x = layers.LayerNormalization(axis=(1, 2, 3), name=f"layer_norm_{index}")(x)
        elif index > 1 and normalization == "batch":
            x = layers.BatchNormalization(name=f"batch_norm_{index}")(x)
        x = layers.LeakyReLU(negative_slope=_LEAKY_RELU_SLOPE, name=f"leaky_relu_{index}")(x)
    x = layers.Flatten(name="flatten")(x)
    if num_classes is not None:
        labels = conditioning.labels_input()
        outputs = conditioning.projection_score(x, labels, num_classes, spectral_normalization=spectral)
        return keras.Model([inputs, labels], outputs, name="dcgan_critic")
    score = layers.Dense(1, dtype="float32", kernel_initializer=_init(), name="score")
    outputs = (spectrally_normalized(score) if spectral else score)(x)
    return keras.Model(inputs, outputs, name="dcgan_critic")


def dcgan_generator(
    latent_dim=100,
    image_size=64,
    channels=3,
    *,
    dim=64,
    output_activation="tanh",
    num_classes=None,
    label_embedding_dim=None,
):
    """The DCGAN generator of the WGAN paper (official `DCGAN_G`).

    Architecture, for 64x64 images: `Dense(4*4*8 dim)` (the official 4x4
    transposed convolution of the 1x1 noise) -> reshape to 4x4 ->
    `Conv2DTranspose(4 dim)` (8x8) -> `Conv2DTranspose(2 dim)` (16x16) ->
    `Conv2DTranspose(dim)` (32x32) -> `Conv2DTranspose(channels)` (64x64) ->
    `output_activation`; 4x4 kernels with stride 2 and `"same"` padding,
    `BatchNormalization` and ReLU after every layer but the last (harmless
    to the penalty, which differentiates the critic only). For 32x32 the
    widths start at `4 dim`. The batch normalisation's moving averages use
    momentum 0.9 (the official PyTorch code's), so that samples drawn in
    inference mode look like those of training after tens of steps, not
    hundreds.

    Args:
        latent_dim: size of the noise vector (the official `nz = 100`).
        image_size: 32 or 64.
        channels: 3 for RGB, 1 for grey.
        dim: width of the last hidden layer (the official `ngf = 64`).
        output_activation: `"tanh"` for data in [-1, 1], `"sigmoid"` for
            [0, 1], None for linear.
        num_classes: None, or the number of classes of a conditional
            generator: a second input `"labels"` (int class ids, `(batch,)`)
            whose learned embedding is concatenated to the latent vector
            before the first `Dense`.
        label_embedding_dim: size of that embedding (default `latent_dim`).

    Returns:
        A `keras.Model` named `"dcgan_generator"` mapping noise
        `(batch, latent_dim)` (input `"latent"`) to float32 images
        `(batch, image_size, image_size, channels)`; with `num_classes`,
        `[latent, labels]` to images.

    Example:

    >>> dcgan_generator(100, 64).output_shape
    (None, 64, 64, 3)
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    image_size, channels = _check_image(image_size, channels)
    dim = check_positive_int(dim, "dim")
    output_activation = check_activation(output_activation)
    widths = _widths(image_size, dim)[::-1]

    inputs, x = conditioning.generator_inputs(latent_dim, num_classes, label_embedding_dim)
    x = layers.Dense(4 * 4 * widths[0], use_bias=False, kernel_initializer=_init(), name="dense")(x)
    x = layers.Reshape((4, 4, widths[0]), name="reshape")(x)
    x = layers.BatchNormalization(momentum=_BN_MOMENTUM, name="batch_norm_1")(x)
    x = layers.ReLU(name="relu_1")(x)
    for index, filters in enumerate(widths[1:], start=2):
        x = layers.Conv2DTranspose(
            filters,
            4,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=_init(),
            name=f"deconv_{index}",
        )(x)
        x = layers.BatchNormalization(momentum=_BN_MOMENTUM, name=f"batch_norm_{index}")(x)
        x = layers.ReLU(name=f"relu_{index}")(x)
    x = layers.Conv2DTranspose(
        channels, 4, strides=2, padding="same", kernel_initializer=_init(), name=f"deconv_{len(widths) + 1}"
    )(x)
    outputs = layers.Activation(output_activation, dtype="float32", name="image")(x)
    return keras.Model(inputs, outputs, name="dcgan_generator")


def _check_image(image_size, channels):
    argument_validation.check_one_of(image_size, "image_size", _SIZES)
    argument_validation.check_one_of(channels, "channels", (1, 3))
    return image_size, channels
