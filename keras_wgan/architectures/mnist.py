"""The WGAN-GP paper's MNIST critic and generator (official `gan_mnist.py`).

Critics end in a linear `Dense(1)` that computes in float32 under a mixed
precision policy; no critic uses `BatchNormalization` (see
`keras_wgan.architectures`).
"""

import keras
from keras import layers

from keras_wgan.architectures import conditioning
from keras_wgan.utils import argument_validation

_MNIST_SHAPE = (28, 28)
# gan_mnist.py's DIM: the critic's widths are DIM, 2*DIM and 4*DIM.
_MNIST_DIM = 64
_LEAKY_RELU_SLOPE = 0.2


def mnist_critic(image_shape=(28, 28, 1), *, dim=_MNIST_DIM, normalization=None, num_classes=None):
    """The WGAN-GP paper's MNIST critic (official `gan_mnist.py`).

    Architecture: `Conv2D(64, 5, strides=2)` -> `Conv2D(128, 5, strides=2)`
    -> `Conv2D(256, 5, strides=2)` (28x28 -> 14x14 -> 7x7 -> 4x4, `"same"`
    padding), each followed by `LeakyReLU(0.2)`, then `Flatten` and a linear
    `Dense(1)`. The paper's text only lists the layer widths; the LeakyReLU
    activations are what the official code actually uses in the critic.

    The official code has BatchNormalization after convolutions 2 and 3, but
    only in its weight-clipping mode; with the gradient penalty (its
    `MODE == 'wgan-gp'`) it has no normalisation, which is the default here.

    Args:
        image_shape: shape of one image, `(28, 28, channels)`.
        dim: width of the first convolution (the official `DIM = 64`); the
            others have `2 * dim` and `4 * dim` filters. Smaller values give
            a faster, weaker critic.
        normalization: `None` (the official WGAN-GP critic) or `"layer"`,
            which adds `LayerNormalization` after convolutions 2 and 3 (before
            their activations), the normalisation the WGAN-GP paper recommends
            for a critic trained with the gradient penalty.
        num_classes: None, or the number of classes of a conditional critic
            with a projection (Miyato and Koyama 2018): a second input
            `"labels"` (int class ids, `(batch,)`) and the score
            `psi(phi(x)) + <embed(y), phi(x)>`, with `phi(x)` the flattened
            features and `psi` the `Dense(1)` above.

    Returns:
        A `keras.Model` named `"mnist_critic"` mapping `float32` images of
        shape `(batch, *image_shape)` (input `"image"`) to scores of shape
        `(batch, 1)`; with `num_classes`, `[images, labels]` to scores.

    Raises:
        TypeError: if `image_shape` or `dim` is not made of ints.
        ValueError: if `image_shape` is not `(28, 28, channels)`, `dim` is
            below 1, or `normalization` is not `None` or `"layer"`.

    Example:

    >>> critic = mnist_critic()
    >>> critic.output_shape
    (None, 1)
    """
    image_shape = _check_mnist_image_shape(image_shape)
    dim = argument_validation.check_positive_int(dim, "dim")
    num_classes = argument_validation.check_num_classes(num_classes)
    if normalization not in (None, "layer"):
        raise ValueError(
            '`normalization` must be None or "layer" (BatchNormalization is '
            "not offered: it breaks the gradient penalty). "
            f"Received: normalization={normalization!r}"
        )

    inputs = keras.Input(shape=image_shape, name="image")
    x = inputs
    for index, filters in enumerate((dim, 2 * dim, 4 * dim), start=1):
        x = layers.Conv2D(filters, 5, strides=2, padding="same", name=f"conv_{index}")(x)
        if normalization == "layer" and index > 1:
            # Normalise over the whole feature map (height, width, channels),
            # as layer normalisation (Ba et al. 2016) does over all units of
            # a layer; Keras's default axis=-1 would normalise each pixel's
            # channel vector on its own.
            x = layers.LayerNormalization(axis=(1, 2, 3), name=f"layer_norm_{index}")(x)
        x = layers.LeakyReLU(negative_slope=_LEAKY_RELU_SLOPE, name=f"leaky_relu_{index}")(x)
    x = layers.Flatten(name="flatten")(x)
    if num_classes is not None:
        labels = conditioning.labels_input()
        outputs = conditioning.projection_score(x, labels, num_classes)
        return keras.Model([inputs, labels], outputs, name="mnist_critic")
    outputs = layers.Dense(1, dtype="float32", name="score")(x)
    return keras.Model(inputs, outputs, name="mnist_critic")


def mnist_generator(
    latent_dim=128,
    *,
    dim=_MNIST_DIM,
    output_activation="tanh",
    batch_normalization=True,
    num_classes=None,
    label_embedding_dim=None,
    channels=1,
):
    """The WGAN-GP paper's MNIST generator (official `gan_mnist.py`).

    Architecture: `Dense(4*4*256)` -> ReLU -> reshape to 4x4x256 ->
    `Conv2DTranspose(128, 5, strides=2)` -> ReLU (8x8) -> crop to 7x7 ->
    `Conv2DTranspose(64, 5, strides=2)` -> ReLU (14x14) ->
    `Conv2DTranspose(channels, 5, strides=2)` (28x28) -> `output_activation`, with
    `"same"` padding. The crop keeps the top-left 7x7, as the official
    `output[:, :, :7, :7]` does. With `batch_normalization`, each of the
    three hidden layers is batch-normalised before its ReLU, as in the
    official code's weight-clipping mode (its WGAN-GP mode has none).
    BatchNormalization is harmless in a generator: the penalty only
    differentiates the critic. Note that `generator(z, training=False)`
    normalises with Keras's moving averages, whereas the official code always
    used the statistics of the current batch.

    The official generator ends in a sigmoid (data in [0, 1]); the default
    `"tanh"` here matches `make_image_dataset`'s default range (-1, 1).

    Args:
        latent_dim: size of the noise vector `z`.
        dim: width multiplier (the official `DIM = 64`): the layers have
            `4 * dim`, `2 * dim` and `dim` channels.
        output_activation: activation of the last layer, any Keras activation
            identifier: `"tanh"` for data in [-1, 1], `"sigmoid"` for data in
            [0, 1], or `None` for a linear output.
        batch_normalization: whether to batch-normalise the hidden layers.
        num_classes: None, or the number of classes of a conditional
            generator: a second input `"labels"` (int class ids, `(batch,)`)
            whose learned embedding is concatenated to the latent vector
            before the first `Dense`.
        label_embedding_dim: size of that embedding (default `latent_dim`:
            the label enters the first layer with as many numbers as the
            noise, so the generator separates the classes early).
        channels: channels of the images: 1 for MNIST, 3 for Stacked MNIST
            (`keras_wgan.datasets.stacked_mnist`).

    Returns:
        A `keras.Model` named `"mnist_generator"` mapping noise of shape
        `(batch, latent_dim)` (input `"latent"`) to images of shape
        `(batch, 28, 28, channels)`; with `num_classes`, `[latent, labels]` to
        images.

    Raises:
        TypeError: if `latent_dim` or `dim` is not an int.
        ValueError: if `latent_dim` or `dim` is below 1, or
            `output_activation` is unknown.

    Example:

    >>> generator = mnist_generator(latent_dim=128)
    >>> generator.output_shape
    (None, 28, 28, 1)
    """
    latent_dim = argument_validation.check_positive_int(latent_dim, "latent_dim")
    dim = argument_validation.check_positive_int(dim, "dim")
    output_activation = argument_validation.check_activation(output_activation)
    batch_normalization = argument_validation.check_bool(batch_normalization, "batch_normalization")
    channels = argument_validation.check_positive_int(channels, "channels")

    def normalize_and_activate(x, index):
        if batch_normalization:
            x = layers.BatchNormalization(name=f"batch_norm_{index}")(x)
        return layers.ReLU(name=f"relu_{index}")(x)

    # A bias right before BatchNormalization is cancelled by its centring.
    use_bias = not batch_normalization
    inputs, x = conditioning.generator_inputs(latent_dim, num_classes, label_embedding_dim)
    x = layers.Dense(4 * 4 * 4 * dim, use_bias=use_bias, name="dense")(x)
    x = normalize_and_activate(x, 1)
    x = layers.Reshape((4, 4, 4 * dim), name="reshape")(x)
    x = layers.Conv2DTranspose(
        2 * dim,
        5,
        strides=2,
        padding="same",
        use_bias=use_bias,
        name="deconv_2",
    )(x)
    x = normalize_and_activate(x, 2)
    # 8x8 -> 7x7, so that two more stride-2 upsamplings reach 28x28.
    x = layers.Cropping2D(((0, 1), (0, 1)), name="crop_to_7x7")(x)
    x = layers.Conv2DTranspose(
        dim,
        5,
        strides=2,
        padding="same",
        use_bias=use_bias,
        name="deconv_3",
    )(x)
    x = normalize_and_activate(x, 3)
    x = layers.Conv2DTranspose(channels, 5, strides=2, padding="same", name="deconv_4")(x)
    outputs = layers.Activation(output_activation, name="image")(x)
    model = keras.Model(inputs, outputs, name="mnist_generator")
    if model.output_shape[1:] != _MNIST_SHAPE + (channels,):
        raise AssertionError(f"mnist_generator produced {model.output_shape}, not 28x28x{channels}.")
    return model


def _check_mnist_image_shape(image_shape):
    image_shape = argument_validation.check_shape(image_shape, "image_shape")
    if len(image_shape) != 3 or image_shape[:2] != _MNIST_SHAPE:
        raise ValueError(
            "`image_shape` must be (28, 28, channels): the MNIST "
            "architectures are sized for 28x28 images (three stride-2 "
            f"convolutions end at 4x4). Received: image_shape={image_shape}"
        )
    return image_shape
