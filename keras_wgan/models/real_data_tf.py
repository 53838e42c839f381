"""The `tf.data` pipeline of `real_data`: the TensorFlow backend's, and any
backend's for `tf.data.Dataset` inputs. Batches as in `real_data`."""

import itertools

import numpy as np
import tensorflow as tf

from keras_wgan.models.real_data import (
    check_batch_size,
    check_samples,
    first_of,
    is_array_like,
    reject_batch_size,
)


def training_batches(data, *, batch_size, sample_shape, critic_steps, shuffle=True):
    """As `real_data.training_batches`, returning a `tf.data.Dataset`."""
    dataset, batch_size = real_batches(data, batch_size=batch_size, sample_shape=sample_shape, shuffle=shuffle)
    return critic_batches(dataset, critic_steps), batch_size


def real_batches(data, *, batch_size, sample_shape, shuffle=True, seed=None, name="x"):
    """Returns `(dataset, batch_size)`: a `tf.data.Dataset` of real batches."""
    sample_shape = tuple(sample_shape)
    if isinstance(data, tf.data.Dataset):
        if batch_size is not None:
            raise ValueError(
                "`batch_size` must not be given when `x` is a tf.data.Dataset: "
                "batch the dataset itself, e.g. `dataset.batch(64, drop_remainder=True)`."
            )
        dataset = data.map(first_of)
        first = _peek(dataset, name)
    elif is_array_like(data):
        array = np.asarray(data)
        check_samples(array.dtype, array.shape[1:], sample_shape, name)
        batch_size = check_batch_size(batch_size, len(array), name)
        dataset = tf.data.Dataset.from_tensor_slices(array.astype("float32", copy=False))
        if shuffle:
            dataset = dataset.shuffle(len(array), seed=seed, reshuffle_each_iteration=True)
        return dataset.batch(batch_size, drop_remainder=True), batch_size
    elif hasattr(data, "__next__") or hasattr(data, "__iter__"):
        reject_batch_size(batch_size, "a generator")
        iterator = iter(data)
        try:
            first = np.asarray(first_of(next(iterator)))
        except StopIteration:
            raise ValueError(f"`{name}` is empty: the generator yielded no batch.") from None
        signature = tf.TensorSpec((None,) + first.shape[1:], first.dtype)
        batches = itertools.chain([first], (np.asarray(first_of(b)) for b in iterator))
        dataset = tf.data.Dataset.from_generator(lambda: batches, output_signature=signature)
    else:
        raise TypeError(
            f"`{name}` must be a NumPy array, a keras.utils.PyDataset, a tf.data.Dataset or a "
            f"generator of batches. Received: {type(data).__name__}"
        )

    check_samples(first.dtype, first.shape[1:], sample_shape, name)
    batch_size = int(first.shape[0])
    if dataset.element_spec.shape[0] != batch_size:
        # A smaller last batch would break the stacking of critic batches
        # and make XLA compile a second time: drop it. The filter hides the
        # dataset's length from Keras, so batch with `drop_remainder=True`
        # where the length matters.
        dataset = dataset.filter(lambda x: tf.shape(x)[0] == batch_size)
    if first.dtype != np.float32:
        dataset = dataset.map(lambda x: tf.cast(x, "float32"))
    return dataset, batch_size


def critic_batches(dataset, critic_steps):
    """Groups consecutive real batches: `(m, ...) -> (m, critic_steps, ...)`."""
    cardinality = int(dataset.cardinality())
    if 0 <= cardinality < critic_steps:
        raise ValueError(
            f"The training data has {cardinality} batches, fewer than "
            f"`critic_steps={critic_steps}` that one generator step needs."
        )
    grouped = dataset.batch(critic_steps, drop_remainder=True)
    grouped = grouped.map(lambda x: tf.experimental.numpy.swapaxes(x, 0, 1))
    return grouped.prefetch(tf.data.AUTOTUNE)


def _peek(dataset, name):
    for first in dataset.take(1):
        return first.numpy()
    raise ValueError(f"`{name}` is empty: the dataset yields no batch.")
