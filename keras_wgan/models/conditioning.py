"""Class labels for a conditional WGAN: the label tensors of its networks.

A conditional model (`num_classes` set) has a generator taking
`[latent, labels]` and a critic taking `[samples, labels]`, with labels
integer class ids of shape `(batch,)` or `(batch, 1)`
(`network_inspection.check_networks` checks them at construction). These
helpers bring labels to the shape the networks' label inputs declare, so
that the train step can pass labels of shape `(batch,)` to either kind of
network, and draw the labels `generate` uses.
"""

import numpy as np
from keras import ops

from keras_wgan.models.data.checks import check_labels
from keras_wgan.utils import argument_validation


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
