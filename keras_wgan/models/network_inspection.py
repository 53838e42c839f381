"""Everything keras_wgan reads from a critic and a generator, in one place.

`check_networks` decides at construction whether the two networks fit
together as a WGAN (conditional or not) and returns the latent size and the
sample shape the model works with. It reads:

- their inputs and outputs: a functional model's `inputs` and `outputs`,
  or, for a subclassed `keras.Model` built by calling it once, the input
  shape of that call (`get_build_config`) and the output shape Keras
  traces symbolically (`compute_output_spec`);
- a conditional network's label embedding (`Embedding.input_dim`,
  `CategoryEncoding.num_tokens`): it must cover `num_classes`;
- their last activation (`output_range`, `check_critic_activation`):

  - a critic must end linear: its score `f(x)` is unbounded, and the mean
    score difference `E f(real) - E f(fake)` is the Wasserstein estimate;
  - a generator ending in `tanh` produces values in [-1, 1], one ending in
    `sigmoid` values in [0, 1]: real data outside that range cannot be
    matched.
"""

import warnings

import keras

# Activations whose range is bounded: (low, high).
_BOUNDED_ACTIVATIONS = {
    "tanh": (-1.0, 1.0),
    "hard_tanh": (-1.0, 1.0),
    "softsign": (-1.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "hard_sigmoid": (0.0, 1.0),
    "softmax": (0.0, 1.0),
}
# Layers that move or drop values without changing them, so the activation
# before them still bounds the model's output (a float32 `Activation("linear")`
# ends mixed-precision models; a `Reshape` ends image generators).
_VALUE_PRESERVING_LAYERS = (
    "Reshape",
    "Flatten",
    "Permute",
    "Identity",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
)


def check_networks(critic, generator, num_classes=None):
    """Raises `TypeError`/`ValueError` unless `critic` and `generator` fit together.

    Unconditional (`num_classes=None`): each takes one input and returns
    one output. Conditional: the critic takes `[samples, labels]`, the
    generator `[latent, labels]`, labels being integer class ids of shape
    `(batch,)` or `(batch, 1)` that their label embeddings cover. Either
    way the critic returns one value per example and the generator maps
    flat latent vectors to samples of the critic's sample shape.

    Args:
        critic: a built `keras.Model`.
        generator: a built `keras.Model`.
        num_classes: the model's classes, or None.

    Returns:
        `(latent_dim, sample_shape)`.

    Example:

    >>> check_networks(mlp_critic((2,)), mlp_generator(8, (2,)))  # (8, (2,))
    """
    critic_inputs, critic_outputs = network_signature(critic, "critic")
    generator_inputs, generator_outputs = network_signature(generator, "generator")
    _check_not_swapped(critic_outputs, generator_outputs)
    if num_classes is None:
        for name, inputs, outputs in (
            ("critic", critic_inputs, critic_outputs),
            ("generator", generator_inputs, generator_outputs),
        ):
            if len(inputs) == 2 and len(outputs) == 1:
                classes = label_classes(critic) or label_classes(generator) or "<number of classes>"
                raise ValueError(
                    f"The {name} takes two inputs, {inputs}: it looks conditional (`[samples or latent, "
                    f"labels]`), but the model was given no `num_classes`, and without it the {name} "
                    f"must have exactly one input and one output. Pass `num_classes={classes}` to "
                    "the model to train on labels."
                )
            if len(inputs) != 1 or len(outputs) != 1:
                raise ValueError(f"The {name} must have exactly one input and one output.")
    else:
        for name, network, inputs, outputs, first in (
            ("critic", critic, critic_inputs, critic_outputs, "samples"),
            ("generator", generator, generator_inputs, generator_outputs, "latent"),
        ):
            _check_conditional(name, network, inputs, outputs, first, num_classes)
    if critic_outputs[0][1:] not in ((), (1,)):
        raise ValueError(
            "The critic must return one value per example, shape (batch_size, 1). "
            f"Its output shape is {critic_outputs[0]}: end it with `Dense(1)` "
            "(linear, no sigmoid)."
        )
    latent_shape = generator_inputs[0]
    if len(latent_shape) != 2:
        raise ValueError(
            f"The generator must take flat latent vectors (batch_size, latent_dim). "
            f"Its input shape is {latent_shape}."
        )
    sample_shape = critic_inputs[0][1:]
    if generator_outputs[0][1:] != sample_shape:
        raise ValueError(
            f"The generator's output shape {generator_outputs[0]} differs from the "
            f"critic's input shape {critic_inputs[0]}."
        )
    return int(latent_shape[-1]), sample_shape


def network_signature(network, name):
    """Returns `(input_shapes, output_shapes)` of a built `keras.Model`, as tuples.

    A functional model's are read from its `inputs` and `outputs`. A
    subclassed model has neither: it is read from the input shape it was
    built with (by calling it once, or `build`), the batch axis unknown,
    and its output traced symbolically from it.
    """
    if not isinstance(network, keras.Model):
        raise TypeError(f"`{name}` must be a keras.Model. Received: {type(network).__name__}")
    if not network.built:
        raise ValueError(
            f"The {name} must be built with a known input shape, e.g. a functional model "
            "starting with `keras.Input(shape=...)`, or a subclassed keras.Model called once on "
            f"a batch (`{name}(batch)`) or built with `{name}.build((None, ...))`."
        )
    inputs = getattr(network, "inputs", None)  # Subclassed models have no `inputs`.
    if inputs:
        return [tuple(t.shape) for t in inputs], [tuple(t.shape) for t in network.outputs]
    config = network.get_build_config() or {}
    if "input_shape" not in config or not isinstance(config["input_shape"], (tuple, list)):
        raise ValueError(
            f"The {name} is a subclassed keras.Model built without one known input shape "
            f"(its build: {config}), so its inputs cannot be inspected. Call it once on a batch, "
            f"`{name}(batch)`, or build it as a functional model with `keras.Input` (a conditional "
            "network, with two inputs, must be functional)."
        )
    input_shape = (None, *config["input_shape"][1:])
    try:
        outputs = keras.tree.flatten(network.compute_output_spec(keras.KerasTensor(input_shape)))
    except Exception as error:  # Whatever the user's `call` raises on a symbolic input.
        raise ValueError(
            f"The {name} is a subclassed keras.Model whose output shape cannot be traced from "
            f"its input shape {input_shape} ({type(error).__name__}: {error}). Build it as a "
            "functional model with `keras.Input`, or make its `call` work on symbolic inputs."
        ) from error
    return [input_shape], [tuple(output.shape) for output in outputs]


def label_classes(network):
    """The classes the label embeddings of `network` cover, or None without one."""
    sizes = [size for _, size in _label_layers(network)]
    return min(sizes) if sizes else None


def output_range(model):
    """Returns `(low, high, activation)` bounding `model`'s output, or None.

    Read from the activation of the layer producing the output, looking
    through value-preserving layers (`Reshape`, `Flatten`, a linear
    `Activation`, ...). None for a linear or unrecognised last layer.

    Example:

    >>> output_range(kw.architectures.mnist_generator())  # (-1.0, 1.0, "tanh")
    """
    activation = last_activation(model)
    if activation not in _BOUNDED_ACTIVATIONS:
        return None
    return (*_BOUNDED_ACTIVATIONS[activation], activation)


def last_activation(model):
    """Returns the name of the activation that ends `model`, or None."""
    layer = _output_layer(model)
    while layer is not None:
        if isinstance(layer, keras.Model):
            layer = _output_layer(layer)
            continue
        name = getattr(getattr(layer, "activation", None), "__name__", None)
        if name is not None and name != "linear":
            return name
        # Look further back through layers that pass values on unchanged,
        # never through a linear Dense or Conv: they map values anywhere.
        if type(layer).__name__ in _VALUE_PRESERVING_LAYERS or (
            isinstance(layer, keras.layers.Activation) and name == "linear"
        ):
            layer = _input_layer_of(layer)
            continue
        return None
    return None


def check_critic_activation(critic):
    """Warns if the critic's output goes through a squashing activation."""
    activation = last_activation(critic)
    if activation in _BOUNDED_ACTIVATIONS:
        warnings.warn(
            f"The critic ends in a {activation} activation. A Wasserstein "
            "critic must be linear: its unbounded score f(x) estimates the "
            "Wasserstein distance as E f(real) - E f(fake), and a squashing "
            "activation caps that estimate and flattens the critic's "
            "gradients (the vanishing gradients of the standard GAN), so "
            "the generator learns little. End the critic with `Dense(1)`, "
            "no activation.",
            stacklevel=4,
        )


def _check_not_swapped(critic_outputs, generator_outputs):
    # A generator returning one value per example and a critic returning
    # more is the two networks given in each other's place.
    if len(critic_outputs) == len(generator_outputs) == 1:
        critic_output, generator_output = critic_outputs[0][1:], generator_outputs[0][1:]
        if generator_output in ((), (1,)) and critic_output not in ((), (1,)):
            raise ValueError(
                "The critic and the generator look swapped: the network given as `generator` "
                f"returns one value per example (shape {generator_outputs[0]}, a critic's score) "
                f"and the one given as `critic` returns samples (shape {critic_outputs[0]}). Pass "
                "the critic first, `WGANGP(critic, generator)`, or by keyword: "
                "`WGANGP(critic=critic, generator=generator)`."
            )


def _check_conditional(name, network, inputs, outputs, first, num_classes):
    if len(inputs) != 2 or len(outputs) != 1:
        raise ValueError(
            f"With `num_classes={num_classes}` the {name} must take two inputs, "
            f"`[{first}, labels]` (labels: integer class ids of shape (batch,) or "
            f"(batch, 1)), and return one output; build it with e.g. "
            f"`keras_wgan.architectures.mnist_{name}(num_classes={num_classes})`. "
            f"Received: a {name} with {len(inputs)} input(s) {inputs} and {len(outputs)} output(s)"
        )
    if inputs[1][1:] not in ((), (1,)):
        raise ValueError(
            f"The {name}'s second input takes the labels and must have shape (batch,) "
            f"or (batch, 1), e.g. `keras.Input(shape=(), dtype='int32', name='labels')`. "
            f"Received: labels input shape {inputs[1]}"
        )
    for layer, size in _label_layers(network):
        if size < num_classes:
            raise ValueError(
                f"The {name} was built for {size} classes (its layer {layer.name!r} takes class "
                f"ids below {size}), fewer than the model's `num_classes={num_classes}`: labels "
                f"{size} to {num_classes - 1} would fail on TensorFlow and turn every loss NaN on "
                f"JAX. Build both networks with `num_classes={num_classes}`, or pass "
                f"`num_classes={size}` to the model. Received: num_classes={num_classes}"
            )


def _label_layers(network):
    """`(layer, classes)` of the layers of `network` that index by class id.

    A conditional network's only integer input is its labels, so its
    `Embedding` and `CategoryEncoding` layers read them.
    """
    found = []
    for layer in getattr(network, "layers", []):
        if isinstance(layer, keras.Model):
            found += _label_layers(layer)
        elif isinstance(layer, keras.layers.Embedding):
            found.append((layer, int(layer.input_dim)))
        elif isinstance(layer, keras.layers.CategoryEncoding):
            found.append((layer, int(layer.num_tokens)))
    return found


def _output_layer(model):
    try:
        return model.outputs[0]._keras_history.operation
    except (AttributeError, IndexError, TypeError, ValueError):
        return model.layers[-1] if getattr(model, "layers", None) else None


def _input_layer_of(layer):
    """The layer feeding `layer`, if it has exactly one; else None."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if len(nodes) != 1 or len(nodes[0].input_tensors) != 1:
        return None
    history = getattr(nodes[0].input_tensors[0], "_keras_history", None)
    return None if history is None else history.operation
