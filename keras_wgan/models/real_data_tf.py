"""The `tf.data` pipeline of `real_data`: the TensorFlow backend's, and any
backend's for `tf.data.Dataset` inputs. Batches and checks as in `real_data`."""

import functools
import itertools

import numpy as np
import tensorflow as tf

from keras_wgan.models import data_checks
from keras_wgan.models.real_data import check_array, check_batch_size, check_first_batch, reject_batch_size


def training_batches(
    data, *, batch_size, sample_shape, critic_steps, shuffle=True, repeat=False, value_range=None
):
    """As `real_data.training_batches`, returning a `tf.data.Dataset`."""
    dataset, batch_size = real_batches(
        data,
        batch_size=batch_size,
        sample_shape=sample_shape,
        shuffle=shuffle,
        repeat=repeat,
        value_range=value_range,
    )
    return critic_batches(dataset, critic_steps), batch_size


def real_batches(
    data, *, batch_size, sample_shape, shuffle=True, seed=None, name="x", repeat=False, value_range=None
):
    """Returns `(dataset, batch_size)`: a `tf.data.Dataset` of real batches.

    Arrays are batched here (the last partial batch dropped; with `repeat`,
    repeated without end and reshuffled on every pass); datasets and
    iterators come batched, and a smaller last batch is dropped.
    """
    sample_shape = tuple(sample_shape)
    data = data_checks.standardize_input(data, name)
    if isinstance(data, tf.data.Dataset):
        reject_batch_size(batch_size, "a tf.data.Dataset")
        key = data_checks.sample_key(data.element_spec, name=name)  # Raises here, not while tf.data traces.
        dataset = data.map(functools.partial(data_checks.samples_of, name=name))
        first = _peek(dataset, name)
        sample = "x" if key is None else f'd["{key}"]'
        scaling = f'dataset.map(lambda {sample[0]}: tf.cast({sample}, "float32") / 127.5 - 1)'
    elif data_checks.is_array_like(data):
        array = check_array(
            data, batch_size=batch_size, sample_shape=sample_shape, name=name, value_range=value_range
        )
        batch_size = check_batch_size(batch_size, len(array), name)
        dataset = tf.data.Dataset.from_tensor_slices(array.astype("float32", copy=False))
        if shuffle:
            dataset = dataset.shuffle(len(array), seed=seed, reshuffle_each_iteration=True)
        dataset = dataset.batch(batch_size, drop_remainder=True)
        # Repeating after shuffling reshuffles on every pass.
        return (dataset.repeat() if repeat else dataset), batch_size
    else:
        reject_batch_size(batch_size, "a generator")
        iterator = iter(data)
        samples_of = functools.partial(
            data_checks.samples_of, name=name, hint='(d["{key}"] for d in batches)'
        )
        try:
            first = np.asarray(samples_of(next(iterator)))
        except StopIteration:
            raise ValueError(f"`{name}` is empty: the generator yielded no batch.") from None
        signature = tf.TensorSpec((None,) + first.shape[1:], first.dtype)
        batches = itertools.chain([first], (np.asarray(samples_of(b)) for b in iterator))
        dataset = tf.data.Dataset.from_generator(lambda: batches, output_signature=signature)
        scaling = "batch / 127.5 - 1"

    check_first_batch(first, sample_shape=sample_shape, name=name, value_range=value_range, scaling=scaling)
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
