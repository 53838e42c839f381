"""Class labels for a conditional WGAN: network checks and label tensors.

A conditional model (`num_classes` set) has a generator taking
`[latent, labels]` and a critic taking `[samples, labels]`, with labels
integer class ids of shape `(batch,)` or `(batch, 1)`. These helpers check
the two networks once, at construction, and bring labels to the shape the
networks' label inputs declare, so that the train step can pass labels of
shape `(batch,)` to either kind of network.
"""

import keras
import numpy as np
from keras import ops

from keras_wgan.utils import argument_validation


def check_num_classes(num_classes):
    """Returns `num_classes` as an int >= 2, or None."""
    if num_classes is None:
        return None
    return argument_validation.check_int(num_classes, "num_classes", minimum=2)


def check_conditional_networks(critic, generator, num_classes):
    """Raises `ValueError` unless both networks take labels as a second input.

    Args:
        critic: must take `[samples, labels]` and return one score per example.
        generator: must take `[latent, labels]` and return samples of the
            critic's sample shape.
        num_classes: the number of classes (for the message).
    """
    for name, network, first in (("critic", critic, "samples"), ("generator", generator, "latent")):
        if not isinstance(network, keras.Model):
            raise TypeError(f"`{name}` must be a keras.Model. Received: {type(network).__name__}")
        if not network.built or not network.inputs:
            raise ValueError(
                f"The {name} must be built with known input shapes, e.g. a functional "
                f"model starting with `keras.Input` layers for {first} and labels."
            )
        if len(network.inputs) != 2 or len(network.outputs) != 1:
            raise ValueError(
                f"With `num_classes={num_classes}` the {name} must take two inputs, "
                f"`[{first}, labels]` (labels: integer class ids of shape (batch,) or "
                f"(batch, 1)), and return one output; build it with e.g. "
                f"`keras_wgan.architectures.mnist_{name}(num_classes={num_classes})`. "
                f"Received: a {name} with {len(network.inputs)} input(s) "
                f"{[tuple(t.shape) for t in network.inputs]} and {len(network.outputs)} output(s)"
            )
        label_shape = tuple(network.inputs[1].shape[1:])
        if label_shape not in ((), (1,)):
            raise ValueError(
                f"The {name}'s second input takes the labels and must have shape (batch,) "
                f"or (batch, 1), e.g. `keras.Input(shape=(), dtype='int32', name='labels')`. "
                f"Received: labels input shape {tuple(network.inputs[1].shape)}"
            )
    critic_output = tuple(critic.output_shape[1:])
    if critic_output not in ((), (1,)):
        raise ValueError(
            "The critic must return one value per example, shape (batch_size, 1). "
            f"Its output shape is {critic.output_shape}: end it with a linear score."
        )
    latent_shape = tuple(generator.inputs[0].shape)
    if len(latent_shape) != 2:
        raise ValueError(
            "The generator's first input must take flat latent vectors (batch_size, latent_dim). "
            f"Its shape is {latent_shape}."
        )
    sample_shape = tuple(critic.inputs[0].shape[1:])
    if tuple(generator.output_shape[1:]) != sample_shape:
        raise ValueError(
            f"The generator's output shape {generator.output_shape} differs from the "
            f"critic's sample input shape {(None,) + sample_shape}."
        )


def network_labels(labels, network):
    """Returns `labels` as int32 in the shape of `network`'s labels input.

    Args:
        labels: integer class ids, shape `(batch,)` or `(batch, 1)`.
        network: a conditional critic or generator (labels second input).
    """
    labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
    if len(network.inputs[1].shape) == 2:
        labels = ops.expand_dims(labels, -1)
    return labels


def check_labels(labels, num_classes, *, count=None, name="y"):
    """Returns labels as an int32 array of shape `(n,)`, or raises.

    Args:
        labels: integer class ids, shape `(n,)` or `(n, 1)`.
        num_classes: labels must lie in `[0, num_classes)`.
        count: the number of samples the labels belong to, if known.
        name: how the error messages call the labels.

    Raises:
        ValueError: for missing labels, one-hot or float labels, a wrong
            shape or count, or labels out of range.
    """
    if labels is None:
        raise ValueError(
            f"A conditional model (`num_classes={num_classes}`) trains on labelled "
            f"samples: pass integer class ids as `y`, e.g. `fit(x, y)`, or a dataset of "
            f'`(x, y)` batches or of dicts with "image" and "label". Received: {name}=None'
        )
    array = np.asarray(labels)
    if array.ndim == 2 and array.shape[1] == num_classes and num_classes > 1:
        raise ValueError(
            f"`{name}` looks one-hot encoded (shape {array.shape}): pass integer class ids, "
            f"e.g. `np.argmax({name}, axis=-1)`. Received: {name}.shape={array.shape}"
        )
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"`{name}` must hold one integer class id per sample, shape (n,) or (n, 1). "
            f"Received: {name}.shape={array.shape}"
        )
    if not (np.issubdtype(array.dtype, np.integer) or array.dtype == np.bool_):
        raise ValueError(
            f"`{name}` must hold integer class ids in [0, {num_classes}). "
            f"Received: {name}.dtype={array.dtype}"
        )
    if count is not None and len(array) != count:
        raise ValueError(
            f"`{name}` must have one label per sample: {count} samples but "
            f"{len(array)} labels. Received: {name}.shape={array.shape}"
        )
    if len(array):
        low, high = int(array.min()), int(array.max())
        if low < 0 or high >= num_classes:
            bad = array[(array < 0) | (array >= num_classes)]
            raise ValueError(
                f"`{name}` must hold class ids in [0, {num_classes}) for `num_classes={num_classes}`; "
                f"{len(bad)} label(s) lie outside, e.g. {int(bad[0])}. Received: labels from {low} to {high}"
            )
    return array.astype("int32")


def generation_labels(labels, n, num_classes, seed=None):
    """Returns the `n` int32 labels `generate` uses.

    Args:
        labels: None (drawn uniformly from `[0, num_classes)`), an int (all
            samples of that class) or `n` integer class ids.
        n: number of samples.
        num_classes: number of classes.
        seed: int seed of the uniform draw, or None (NumPy's global RNG,
            which `keras.utils.set_random_seed` seeds).
    """
    if labels is None:
        if seed is None:
            return np.random.randint(0, num_classes, size=n).astype("int32")
        return np.random.default_rng(seed).integers(0, num_classes, size=n).astype("int32")
    if argument_validation.is_int(labels):
        return check_labels(np.full((n,), int(labels)), num_classes, name="labels")
    return check_labels(labels, num_classes, count=n, name="labels")
