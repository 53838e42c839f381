"""Multi-layer perceptrons: the WGAN paper's MLPs and the WGAN-GP toy networks.

Critics end in a linear `Dense(1)` that computes in float32 under a mixed
precision policy (see `keras_wgan.architectures`).
"""

import math

import keras
from keras import layers

from keras_wgan.architectures import conditioning
from keras_wgan.utils import argument_validation


def mlp_critic(input_shape, *, units=512, depth=4, num_classes=None):
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
        num_classes: None, or the number of classes of a conditional
            projection critic (see `mnist_critic`): a second input
            `"labels"` and the score `psi(phi(x)) + <embed(y), phi(x)>` on
            the last hidden layer `phi(x)`.

    Returns:
        A `keras.Model` named `"mlp_critic"` mapping `(batch, *input_shape)`
        (input `"sample"`) to scores of shape `(batch, 1)`; with
        `num_classes`, `[samples, labels]` to scores.

    Raises:
        TypeError: if `input_shape`, `units` or `depth` is not made of ints.
        ValueError: if `input_shape` has a non-positive dimension, or `units`
            or `depth` is below 1.

    Example:

    >>> critic = mlp_critic((28, 28, 1))
    >>> critic.output_shape
    (None, 1)
    """
    input_shape = argument_validation.check_shape(input_shape, "input_shape")
    units = argument_validation.check_positive_int(units, "units")
    depth = argument_validation.check_positive_int(depth, "depth")

    inputs = keras.Input(shape=input_shape, name="sample")
    x = inputs
    if len(input_shape) > 1:
        x = layers.Flatten(name="flatten")(x)
    for index in range(1, depth + 1):
        x = layers.Dense(units, activation="relu", name=f"dense_{index}")(x)
    return _critic_model(inputs, x, num_classes, "mlp_critic")


def mlp_generator(
    latent_dim, output_shape, *, units=512, depth=4, output_activation="tanh", num_classes=None
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
        num_classes: None, or the number of classes of a conditional
            generator: a second input `"labels"` whose learned embedding
            (`num_classes` numbers) is concatenated to the latent vector.

    Returns:
        A `keras.Model` named `"mlp_generator"` mapping noise of shape
        `(batch, latent_dim)` (input `"latent"`) to `(batch, *output_shape)`;
        with `num_classes`, `[latent, labels]` to samples.

    Raises:
        TypeError: if `latent_dim`, `output_shape`, `units` or `depth` is
            not made of ints.
        ValueError: for a `latent_dim`, `units` or `depth` below 1, an
            `output_shape` with a non-positive dimension, or an unknown
            `output_activation`.

    Example:

    >>> generator = mlp_generator(128, (28, 28, 1))
    >>> generator.output_shape
    (None, 28, 28, 1)
    """
    latent_dim = argument_validation.check_positive_int(latent_dim, "latent_dim")
    output_shape = argument_validation.check_shape(output_shape, "output_shape")
    units = argument_validation.check_positive_int(units, "units")
    depth = argument_validation.check_positive_int(depth, "depth")
    output_activation = argument_validation.check_activation(output_activation)

    inputs, x = _generator_inputs(latent_dim, num_classes)
    for index in range(1, depth + 1):
        x = layers.Dense(units, activation="relu", name=f"dense_{index}")(x)
    x = layers.Dense(math.prod(output_shape), name="dense_output")(x)
    x = layers.Activation(output_activation, name="output_activation")(x)
    outputs = layers.Reshape(output_shape, name="sample")(x)
    return keras.Model(inputs, outputs, name="mlp_generator")


def toy_critic(units=512, depth=3, input_dim=2, *, num_classes=None):
    """The WGAN-GP toy critic (official `gan_toy.py`).

    Architecture: `depth` x `Dense(units, "relu")` -> linear `Dense(1)`. The
    hidden layers use He-uniform initialisation, as `gan_toy.py`'s
    `ReLULayer` does (`initialization='he'`).

    Args:
        units: width of each hidden layer (512 in `gan_toy.py`).
        depth: number of hidden layers (3 in `gan_toy.py`).
        input_dim: dimension of a sample (2 for the toy data sets).
        num_classes: None, or the number of classes of a conditional
            projection critic (see `mlp_critic`).

    Returns:
        A `keras.Model` named `"toy_critic"` mapping `(batch, input_dim)`
        (input `"sample"`) to scores of shape `(batch, 1)`; with
        `num_classes`, `[samples, labels]` to scores.

    Raises:
        TypeError: if `units`, `depth` or `input_dim` is not an int.
        ValueError: if one of them is below 1.

    Example:

    >>> toy_critic().count_params()
    527361
    """
    units = argument_validation.check_positive_int(units, "units")
    depth = argument_validation.check_positive_int(depth, "depth")
    input_dim = argument_validation.check_positive_int(input_dim, "input_dim")

    inputs = keras.Input(shape=(input_dim,), name="sample")
    x = _relu_stack(inputs, units, depth)
    return _critic_model(inputs, x, num_classes, "toy_critic")


def toy_generator(latent_dim=2, units=512, depth=3, output_dim=2, *, num_classes=None):
    """The WGAN-GP toy generator (official `gan_toy.py`).

    Architecture: `depth` x `Dense(units, "relu")` -> linear
    `Dense(output_dim)`, fed with noise `z ~ N(0, I_latent_dim)`. The hidden
    layers use He-uniform initialisation, as in `gan_toy.py`.

    Args:
        latent_dim: size of the noise vector (2 in `gan_toy.py`).
        units: width of each hidden layer (512 in `gan_toy.py`).
        depth: number of hidden layers (3 in `gan_toy.py`).
        output_dim: dimension of a generated sample (2 for the toy data).
        num_classes: None, or the number of classes of a conditional
            generator (see `mlp_generator`).

    Returns:
        A `keras.Model` named `"toy_generator"` mapping `(batch, latent_dim)`
        (input `"latent"`) to samples of shape `(batch, output_dim)`; with
        `num_classes`, `[latent, labels]` to samples.

    Raises:
        TypeError: if an argument is not an int.
        ValueError: if an argument is below 1.

    Example:

    >>> toy_generator().output_shape
    (None, 2)
    """
    latent_dim = argument_validation.check_positive_int(latent_dim, "latent_dim")
    units = argument_validation.check_positive_int(units, "units")
    depth = argument_validation.check_positive_int(depth, "depth")
    output_dim = argument_validation.check_positive_int(output_dim, "output_dim")

    inputs, x = _generator_inputs(latent_dim, num_classes)
    x = _relu_stack(x, units, depth)
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


def _critic_model(inputs, features, num_classes, name):
    """The critic ending in a linear score, or in a projection score with labels."""
    num_classes = argument_validation.check_num_classes(num_classes)
    if num_classes is None:
        return keras.Model(inputs, layers.Dense(1, dtype="float32", name="score")(features), name=name)
    labels = conditioning.labels_input()
    return keras.Model(
        [inputs, labels], conditioning.projection_score(features, labels, num_classes), name=name
    )


def _generator_inputs(latent_dim, num_classes):
    """Returns `(inputs, x)`: the latent input, or `[latent, labels]` and their join."""
    num_classes = argument_validation.check_num_classes(num_classes)
    latent = keras.Input(shape=(latent_dim,), name="latent")
    if num_classes is None:
        return latent, latent
    labels = conditioning.labels_input()
    return [latent, labels], conditioning.latent_with_label(latent, labels, num_classes, num_classes)
