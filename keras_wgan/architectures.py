"""Generators and critics from the WGAN and WGAN-GP papers, as Keras models.

Every builder returns a functional `keras.Model` with a named `keras.Input`:
generators take `"latent"`, image critics `"image"` and the other critics
`"sample"`. Critics end in a linear `Dense(1)` with no sigmoid: a WGAN critic
outputs a score whose mean difference estimates the Wasserstein-1 distance,
not a probability. That layer computes in float32 under a mixed precision
policy, so that scores and losses keep full precision.

No critic uses `BatchNormalization`: it couples the examples of a batch, so
the gradient penalty's per-example input gradient is no longer per-example
(Gulrajani et al. 2017, section 4). Layer normalisation is the replacement
the WGAN-GP paper recommends; see `mnist_critic(normalization="layer")`.

Sources:
- WGAN: Arjovsky, Chintala and Bottou 2017, arXiv 1701.07875, and its
  official code github.com/martinarjovsky/WassersteinGAN (`models/mlp.py`).
- WGAN-GP: Gulrajani et al. 2017, arXiv 1704.00028, and its official code
  github.com/igul222/improved_wgan_training (`gan_mnist.py`, `gan_toy.py`).
"""

import math

import keras
import numpy as np
from keras import layers

_MNIST_SHAPE = (28, 28)
# gan_mnist.py's DIM: the critic's widths are DIM, 2*DIM and 4*DIM.
_MNIST_DIM = 64
_LEAKY_RELU_SLOPE = 0.2


def mnist_critic(image_shape=(28, 28, 1), *, dim=_MNIST_DIM, normalization=None):
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

    Returns:
        A `keras.Model` named `"mnist_critic"` mapping `float32` images of
        shape `(batch, *image_shape)` (input `"image"`) to scores of shape
        `(batch, 1)`.

    Raises:
        ValueError: if `image_shape` is not `(28, 28, channels)` or
            `normalization` is not `None` or `"layer"`.

    Example:

    >>> critic = mnist_critic()
    >>> critic.output_shape
    (None, 1)
    """
    image_shape = _check_mnist_image_shape(image_shape)
    dim = _check_positive_int("dim", dim)
    if normalization not in (None, "layer"):
        raise ValueError(
            '`normalization` must be None or "layer" (BatchNormalization is '
            "not offered: it breaks the gradient penalty). "
            f"Received: normalization={normalization!r}"
        )

    inputs = keras.Input(shape=image_shape, name="image")
    x = inputs
    for index, filters in enumerate(
        (dim, 2 * dim, 4 * dim), start=1
    ):
        x = layers.Conv2D(
            filters, 5, strides=2, padding="same", name=f"conv_{index}"
        )(x)
        if normalization == "layer" and index > 1:
            # Normalise over the whole feature map (height, width, channels),
            # as layer normalisation (Ba et al. 2016) does over all units of
            # a layer; Keras's default axis=-1 would normalise each pixel's
            # channel vector on its own.
            x = layers.LayerNormalization(
                axis=(1, 2, 3), name=f"layer_norm_{index}"
            )(x)
        x = layers.LeakyReLU(
            negative_slope=_LEAKY_RELU_SLOPE, name=f"leaky_relu_{index}"
        )(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(1, dtype="float32", name="score")(x)
    return keras.Model(inputs, outputs, name="mnist_critic")


def mnist_generator(
    latent_dim=128, *, dim=_MNIST_DIM, output_activation="tanh", batch_normalization=True
):
    """The WGAN-GP paper's MNIST generator (official `gan_mnist.py`).

    Architecture: `Dense(4*4*256)` -> ReLU -> reshape to 4x4x256 ->
    `Conv2DTranspose(128, 5, strides=2)` -> ReLU (8x8) -> crop to 7x7 ->
    `Conv2DTranspose(64, 5, strides=2)` -> ReLU (14x14) ->
    `Conv2DTranspose(1, 5, strides=2)` (28x28) -> `output_activation`, with
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

    Returns:
        A `keras.Model` named `"mnist_generator"` mapping noise of shape
        `(batch, latent_dim)` (input `"latent"`) to images of shape
        `(batch, 28, 28, 1)`.

    Raises:
        ValueError: if `latent_dim` is not a positive int or
            `output_activation` is unknown.

    Example:

    >>> generator = mnist_generator(latent_dim=128)
    >>> generator.output_shape
    (None, 28, 28, 1)
    """
    latent_dim = _check_positive_int("latent_dim", latent_dim)
    dim = _check_positive_int("dim", dim)
    output_activation = _check_activation(output_activation)

    def normalize_and_activate(x, index):
        if batch_normalization:
            x = layers.BatchNormalization(name=f"batch_norm_{index}")(x)
        return layers.ReLU(name=f"relu_{index}")(x)

    # A bias right before BatchNormalization is cancelled by its centring.
    use_bias = not batch_normalization
    inputs = keras.Input(shape=(latent_dim,), name="latent")
    x = layers.Dense(4 * 4 * 4 * dim, use_bias=use_bias, name="dense")(
        inputs
    )
    x = normalize_and_activate(x, 1)
    x = layers.Reshape((4, 4, 4 * dim), name="reshape")(x)
    x = layers.Conv2DTranspose(
        2 * dim, 5, strides=2, padding="same", use_bias=use_bias,
        name="deconv_2",
    )(x)
    x = normalize_and_activate(x, 2)
    # 8x8 -> 7x7, so that two more stride-2 upsamplings reach 28x28.
    x = layers.Cropping2D(((0, 1), (0, 1)), name="crop_to_7x7")(x)
    x = layers.Conv2DTranspose(
        dim, 5, strides=2, padding="same", use_bias=use_bias,
        name="deconv_3",
    )(x)
    x = normalize_and_activate(x, 3)
    x = layers.Conv2DTranspose(
        1, 5, strides=2, padding="same", name="deconv_4"
    )(x)
    outputs = layers.Activation(output_activation, name="image")(x)
    model = keras.Model(inputs, outputs, name="mnist_generator")
    if model.output_shape[1:] != _MNIST_SHAPE + (1,):
        raise AssertionError(
            f"mnist_generator produced {model.output_shape}, not 28x28x1."
        )
    return model


def mlp_critic(input_shape, *, units=512, depth=4):
    """The WGAN paper's MLP critic.

    Architecture: `Flatten` (for inputs of rank > 1) -> `depth` x
    `Dense(units, "relu")` -> linear `Dense(1)`. The WGAN paper (Arjovsky et
    al. 2017, section 4) trains MLPs "with 4 hidden layers and 512 units at
    each layer", the default here; its official `models/mlp.py` (`MLP_D`)
    has 3 hidden layers (`depth=3`).

    Args:
        input_shape: shape of one sample, e.g. `(28, 28, 1)` or `(2,)`.
        units: width of each hidden layer.
        depth: number of hidden layers.

    Returns:
        A `keras.Model` named `"mlp_critic"` mapping `(batch, *input_shape)`
        (input `"sample"`) to scores of shape `(batch, 1)`.

    Raises:
        ValueError: if `input_shape` has a non-positive dimension, or `units`
            or `depth` is not a positive int.

    Example:

    >>> critic = mlp_critic((28, 28, 1))
    >>> critic.output_shape
    (None, 1)
    """
    input_shape = _check_shape("input_shape", input_shape)
    units = _check_positive_int("units", units)
    depth = _check_positive_int("depth", depth)

    inputs = keras.Input(shape=input_shape, name="sample")
    x = inputs
    if len(input_shape) > 1:
        x = layers.Flatten(name="flatten")(x)
    for index in range(1, depth + 1):
        x = layers.Dense(units, activation="relu", name=f"dense_{index}")(x)
    outputs = layers.Dense(1, dtype="float32", name="score")(x)
    return keras.Model(inputs, outputs, name="mlp_critic")


def mlp_generator(
    latent_dim, output_shape, *, units=512, depth=4, output_activation="tanh"
):
    """The WGAN paper's MLP generator.

    Architecture: `depth` x `Dense(units, "relu")` ->
    `Dense(prod(output_shape))` -> `output_activation` -> reshape to
    `output_shape`. The paper's MLPs have 4 hidden layers of 512 units (the
    default); its official `MLP_G` has 3 hidden layers (`depth=3`) and a
    linear output (`output_activation=None`).

    Args:
        latent_dim: size of the noise vector `z`.
        output_shape: shape of one generated sample, e.g. `(28, 28, 1)`.
        units: width of each hidden layer.
        depth: number of hidden layers.
        output_activation: activation of the output, any Keras activation
            identifier: `"tanh"` for data in [-1, 1], `"sigmoid"` for [0, 1],
            `None` for a linear output.

    Returns:
        A `keras.Model` named `"mlp_generator"` mapping noise of shape
        `(batch, latent_dim)` (input `"latent"`) to `(batch, *output_shape)`.

    Raises:
        ValueError: for a non-positive `latent_dim`, `units` or `depth`, an
            `output_shape` with a non-positive dimension, or an unknown
            `output_activation`.

    Example:

    >>> generator = mlp_generator(128, (28, 28, 1))
    >>> generator.output_shape
    (None, 28, 28, 1)
    """
    latent_dim = _check_positive_int("latent_dim", latent_dim)
    output_shape = _check_shape("output_shape", output_shape)
    units = _check_positive_int("units", units)
    depth = _check_positive_int("depth", depth)
    output_activation = _check_activation(output_activation)

    inputs = keras.Input(shape=(latent_dim,), name="latent")
    x = inputs
    for index in range(1, depth + 1):
        x = layers.Dense(units, activation="relu", name=f"dense_{index}")(x)
    x = layers.Dense(math.prod(output_shape), name="dense_output")(x)
    x = layers.Activation(output_activation, name="output_activation")(x)
    outputs = layers.Reshape(output_shape, name="sample")(x)
    return keras.Model(inputs, outputs, name="mlp_generator")


def toy_critic(units=512, depth=3, input_dim=2):
    """The WGAN-GP toy critic (official `gan_toy.py`).

    Architecture: `depth` x `Dense(units, "relu")` -> linear `Dense(1)`. The
    hidden layers use He-uniform initialisation, as `gan_toy.py`'s
    `ReLULayer` does (`initialization='he'`).

    Args:
        units: width of each hidden layer (512 in `gan_toy.py`).
        depth: number of hidden layers (3 in `gan_toy.py`).
        input_dim: dimension of a sample (2 for the toy data sets).

    Returns:
        A `keras.Model` named `"toy_critic"` mapping `(batch, input_dim)`
        (input `"sample"`) to scores of shape `(batch, 1)`.

    Raises:
        ValueError: if `units`, `depth` or `input_dim` is not a positive int.

    Example:

    >>> toy_critic().count_params()
    527361
    """
    units = _check_positive_int("units", units)
    depth = _check_positive_int("depth", depth)
    input_dim = _check_positive_int("input_dim", input_dim)

    inputs = keras.Input(shape=(input_dim,), name="sample")
    x = _relu_stack(inputs, units, depth)
    outputs = layers.Dense(1, dtype="float32", name="score")(x)
    return keras.Model(inputs, outputs, name="toy_critic")


def toy_generator(latent_dim=2, units=512, depth=3, output_dim=2):
    """The WGAN-GP toy generator (official `gan_toy.py`).

    Architecture: `depth` x `Dense(units, "relu")` -> linear
    `Dense(output_dim)`, fed with noise `z ~ N(0, I_latent_dim)`. The hidden
    layers use He-uniform initialisation, as in `gan_toy.py`.

    Args:
        latent_dim: size of the noise vector (2 in `gan_toy.py`).
        units: width of each hidden layer (512 in `gan_toy.py`).
        depth: number of hidden layers (3 in `gan_toy.py`).
        output_dim: dimension of a generated sample (2 for the toy data).

    Returns:
        A `keras.Model` named `"toy_generator"` mapping `(batch, latent_dim)`
        (input `"latent"`) to samples of shape `(batch, output_dim)`.

    Raises:
        ValueError: if an argument is not a positive int.

    Example:

    >>> toy_generator().output_shape
    (None, 2)
    """
    latent_dim = _check_positive_int("latent_dim", latent_dim)
    units = _check_positive_int("units", units)
    depth = _check_positive_int("depth", depth)
    output_dim = _check_positive_int("output_dim", output_dim)

    inputs = keras.Input(shape=(latent_dim,), name="latent")
    x = _relu_stack(inputs, units, depth)
    outputs = layers.Dense(output_dim, name="sample")(x)
    return keras.Model(inputs, outputs, name="toy_generator")


def _relu_stack(x, units, depth):
    for index in range(1, depth + 1):
        x = layers.Dense(
            units,
            activation="relu",
            kernel_initializer="he_uniform",
            name=f"dense_{index}",
        )(x)
    return x


def _check_positive_int(name, value):
    # bool is an int subclass, but `units=True` is surely a mistake.
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, np.integer))
        or value < 1
    ):
        raise ValueError(
            f"`{name}` must be a positive int. Received: {name}={value!r}"
        )
    return int(value)


def _check_shape(name, shape):
    if isinstance(shape, int):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(
            f"`{name}` must be a tuple of positive ints. Received: {shape!r}"
        ) from None
    if not shape:
        raise ValueError(f"`{name}` must not be empty. Received: {shape!r}")
    for dimension in shape:
        _check_positive_int(f"{name} dimension", dimension)
    return tuple(int(dimension) for dimension in shape)


def _check_mnist_image_shape(image_shape):
    image_shape = _check_shape("image_shape", image_shape)
    if len(image_shape) != 3 or image_shape[:2] != _MNIST_SHAPE:
        raise ValueError(
            "`image_shape` must be (28, 28, channels): the MNIST "
            "architectures are sized for 28x28 images (three stride-2 "
            f"convolutions end at 4x4). Received: image_shape={image_shape}"
        )
    return image_shape


def _check_activation(activation):
    try:
        keras.activations.get(activation)
    except ValueError as error:
        raise ValueError(
            "`output_activation` must be a Keras activation (e.g. \"tanh\", "
            f'"sigmoid" or None). Received: {activation!r}'
        ) from error
    return activation
