"""The WGAN-GP paper's ResNet critic and generator for CIFAR-10 (32x32).

Gulrajani et al. 2017 (arXiv 1704.00028, appendix F and Table 3) reach an
unconditional Inception score of 7.86 on CIFAR-10 with these networks; the
official code is `gan_cifar_resnet.py` of github.com/igul222/improved_wgan_training
(`DIM_G = DIM_D = 128`, batch normalisation in the generator only). Its
residual block is

    shortcut = x                               (same size and width)
             | Conv1x1(x) after/before resampling
    y = Conv3x3(ReLU(Norm(x))) -> Conv3x3(ReLU(Norm(y)))   (one of them resamples)
    output = shortcut + y

where downsampling is a 2x2 mean pool after the convolution
(`ConvMeanPool`; the shortcut pools first, `MeanPoolConv`) and upsampling a
nearest-neighbour doubling before it (`UpsampleConv`). Every piece is a
standard Keras layer (`AveragePooling2D`, `UpSampling2D`, `Add`), so the
models save and load with `safe_mode` and need no custom objects.
"""

import keras
from keras import layers

from keras_wgan.architectures import conditioning
from keras_wgan.architectures.spectral_normalization import spectrally_normalized
from keras_wgan.utils import argument_validation
from keras_wgan.utils.argument_validation import check_activation, check_positive_int

_SIZES = (32, 64)
_DIM = 128
# The official code normalises with the current batch's statistics, also
# when sampling; a faster-moving average (Keras's default is 0.99) makes
# `generator(z, training=False)` match that after tens of steps.
_BN_MOMENTUM = 0.9


def _conv(filters, kernel_size, name, he=True, spectral=False):
    # The official code initialises the block's convolutions with He's rule
    # and the 1x1 shortcuts with Glorot's.
    conv = layers.Conv2D(
        filters,
        kernel_size,
        padding="same",
        kernel_initializer="he_uniform" if he else "glorot_uniform",
        name=name,
    )
    return spectrally_normalized(conv) if spectral else conv


def residual_block(x, filters, resample, name, *, batch_normalization, spectral_normalization=False):
    """One residual block of `gan_cifar_resnet.py` (`ResidualBlock`).

    Args:
        x: the input tensor `(batch, H, W, C)`.
        filters: output channels.
        resample: `"down"` (H/2), `"up"` (2H) or None.
        name: prefix of the layer names.
        batch_normalization: whether to normalise before each ReLU (the
            generator's blocks; the critic's have no normalisation).
        spectral_normalization: whether every convolution is wrapped in
            `keras.layers.SpectralNormalization` (a spectral critic's).

    Returns:
        The output tensor.
    """
    in_filters = x.shape[-1]

    def normalize_and_activate(y, index):
        if batch_normalization:
            y = layers.BatchNormalization(momentum=_BN_MOMENTUM, name=f"{name}_batch_norm_{index}")(y)
        return layers.ReLU(name=f"{name}_relu_{index}")(y)

    if resample is None and in_filters == filters:
        shortcut = x
    elif resample == "down":
        shortcut = layers.AveragePooling2D(2, name=f"{name}_shortcut_pool")(x)
        shortcut = _conv(filters, 1, f"{name}_shortcut_conv", he=False, spectral=spectral_normalization)(
            shortcut
        )
    elif resample == "up":
        shortcut = layers.UpSampling2D(2, name=f"{name}_shortcut_upsample")(x)
        shortcut = _conv(filters, 1, f"{name}_shortcut_conv", he=False, spectral=spectral_normalization)(
            shortcut
        )
    else:
        shortcut = _conv(filters, 1, f"{name}_shortcut_conv", he=False, spectral=spectral_normalization)(x)

    y = normalize_and_activate(x, 1)
    if resample == "up":
        y = layers.UpSampling2D(2, name=f"{name}_upsample")(y)
    y = _conv(
        in_filters if resample == "down" else filters, 3, f"{name}_conv_1", spectral=spectral_normalization
    )(y)
    y = normalize_and_activate(y, 2)
    y = _conv(filters, 3, f"{name}_conv_2", spectral=spectral_normalization)(y)
    if resample == "down":
        y = layers.AveragePooling2D(2, name=f"{name}_pool")(y)
    return layers.Add(name=f"{name}_add")([shortcut, y])


def resnet_critic(image_size=32, channels=3, *, dim=_DIM, normalization=None, num_classes=None):
    """The WGAN-GP paper's CIFAR-10 ResNet critic (`gan_cifar_resnet.py`).

    Architecture for 32x32: the first block (`OptimizedResBlockDisc1`:
    `Conv3x3 -> ReLU -> Conv3x3 -> mean pool`, shortcut `mean pool ->
    Conv1x1`, 16x16) -> a `"down"` block (8x8) -> two blocks without
    resampling -> ReLU -> global mean over the 8x8 positions -> linear
    `Dense(1)`. All `dim` channels, no normalisation (the gradient
    penalty's per-example gradient must stay per-example). For 64x64 images
    (not in the paper) a second `"down"` block keeps the 8x8 end.

    Args:
        image_size: 32 (the paper) or 64.
        channels: 3 for RGB, 1 for grey.
        dim: channels of every layer (the official `DIM_D = 128`).
        normalization: None (the paper's critic) or `"spectral"`: every
            convolution and the final `Dense` wrapped in
            `keras.layers.SpectralNormalization` (`W / sigma(W)`, SN-GAN's
            ResNet critic, Miyato et al. 2018).
        num_classes: None, or the number of classes of a conditional critic
            with a projection (Miyato and Koyama 2018): a second input
            `"labels"` (int class ids, `(batch,)`) and the score
            `psi(phi(x)) + <embed(y), phi(x)>`, with `phi(x)` the pooled
            features and `psi` the `Dense(1)` above, as in the paper's
            ResNet.

    Returns:
        A `keras.Model` named `"resnet_critic"` mapping images
        `(batch, image_size, image_size, channels)` (input `"image"`) to
        float32 scores `(batch, 1)`; with `num_classes`, `[images, labels]`
        to scores.

    Example:

    >>> resnet_critic().count_params()
    1053825
    """
    image_size, channels = _check_image(image_size, channels)
    dim = check_positive_int(dim, "dim")
    num_classes = argument_validation.check_num_classes(num_classes)
    argument_validation.check_one_of(normalization, "normalization", (None, "spectral"))
    spectral = normalization == "spectral"
    inputs = keras.Input((image_size, image_size, channels), name="image")
    # The first block has no ReLU before its first convolution (the input is
    # an image) and pools its shortcut before the 1x1 convolution.
    shortcut = layers.AveragePooling2D(2, name="block_1_shortcut_pool")(inputs)
    shortcut = _conv(dim, 1, "block_1_shortcut_conv", he=False, spectral=spectral)(shortcut)
    y = _conv(dim, 3, "block_1_conv_1", spectral=spectral)(inputs)
    y = layers.ReLU(name="block_1_relu_2")(y)
    y = _conv(dim, 3, "block_1_conv_2", spectral=spectral)(y)
    y = layers.AveragePooling2D(2, name="block_1_pool")(y)
    x = layers.Add(name="block_1_add")([shortcut, y])
    index = 2
    for _ in range({32: 1, 64: 2}[image_size]):
        x = residual_block(
            x, dim, "down", f"block_{index}", batch_normalization=False, spectral_normalization=spectral
        )
        index += 1
    for _ in range(2):
        x = residual_block(
            x, dim, None, f"block_{index}", batch_normalization=False, spectral_normalization=spectral
        )
        index += 1
    x = layers.ReLU(name="relu")(x)
    x = layers.GlobalAveragePooling2D(name="mean_pool")(x)
    if num_classes is not None:
        labels = conditioning.labels_input()
        outputs = conditioning.projection_score(x, labels, num_classes, spectral_normalization=spectral)
        return keras.Model([inputs, labels], outputs, name="resnet_critic")
    score = layers.Dense(1, dtype="float32", name="score")
    outputs = (spectrally_normalized(score) if spectral else score)(x)
    return keras.Model(inputs, outputs, name="resnet_critic")


def resnet_generator(
    latent_dim=128,
    image_size=32,
    channels=3,
    *,
    dim=_DIM,
    output_activation="tanh",
    num_classes=None,
    label_embedding_dim=None,
):
    """The WGAN-GP paper's CIFAR-10 ResNet generator (`gan_cifar_resnet.py`).

    Architecture for 32x32: `Dense(4*4*dim)` -> reshape to 4x4 -> three
    `"up"` residual blocks (8x8, 16x16, 32x32) with batch normalisation ->
    BatchNormalization -> ReLU -> `Conv3x3(channels)` -> `output_activation`.
    All `dim` channels. For 64x64 images (not in the paper) a fourth `"up"`
    block.

    Args:
        latent_dim: size of the noise vector (128 in the paper).
        image_size: 32 (the paper) or 64.
        channels: 3 for RGB, 1 for grey.
        dim: channels of every layer (the official `DIM_G = 128`).
        output_activation: `"tanh"` for data in [-1, 1], `"sigmoid"` for
            [0, 1], None for linear.
        num_classes: None, or the number of classes of a conditional
            generator: a second input `"labels"` (int class ids, `(batch,)`)
            whose learned embedding is concatenated to the latent vector
            before the first `Dense`.
        label_embedding_dim: size of that embedding (default `latent_dim`).

    Returns:
        A `keras.Model` named `"resnet_generator"` mapping noise
        `(batch, latent_dim)` (input `"latent"`) to float32 images
        `(batch, image_size, image_size, channels)`; with `num_classes`,
        `[latent, labels]` to images.

    Example:

    >>> resnet_generator().output_shape
    (None, 32, 32, 3)
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    image_size, channels = _check_image(image_size, channels)
    dim = check_positive_int(dim, "dim")
    output_activation = check_activation(output_activation)
    inputs, x = conditioning.generator_inputs(latent_dim, num_classes, label_embedding_dim)
    x = layers.Dense(4 * 4 * dim, name="dense")(x)
    x = layers.Reshape((4, 4, dim), name="reshape")(x)
    for index in range(1, {32: 4, 64: 5}[image_size]):
        x = residual_block(x, dim, "up", f"block_{index}", batch_normalization=True)
    x = layers.BatchNormalization(momentum=_BN_MOMENTUM, name="batch_norm")(x)
    x = layers.ReLU(name="relu")(x)
    x = _conv(channels, 3, "conv", he=False)(x)
    outputs = layers.Activation(output_activation, dtype="float32", name="image")(x)
    return keras.Model(inputs, outputs, name="resnet_generator")


def _check_image(image_size, channels):
    argument_validation.check_one_of(image_size, "image_size", _SIZES)
    argument_validation.check_one_of(channels, "channels", (1, 3))
    return image_size, channels
