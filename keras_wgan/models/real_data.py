"""Turns what users pass to `fit` into the batches a WGAN train step needs.

Algorithm 1 of both WGAN papers gives every critic iteration a fresh real
batch of `m` samples. A train step here runs `critic_steps` critic
iterations and one generator iteration, so it receives `critic_steps` real
batches at once: an element of shape `(m, critic_steps, *sample_shape)`.
The batch axis stays first so that `tf.distribute` splits each of the
`critic_steps` batches across replicas, exactly as it splits one batch.
"""

import functools
import itertools

import numpy as np
import tensorflow as tf

from keras_wgan.models import data_checks


def real_batches(
    data, *, batch_size, sample_shape, shuffle=True, seed=None, name="x", repeat=False, value_range=None
):
    """Returns `(dataset, batch_size)`: a `tf.data.Dataset` of real batches.

    Accepts a NumPy array (batched here, the last partial batch dropped;
    with `repeat`, repeated without end, reshuffled on every pass), a dict
    of arrays or a list holding one array, a `tf.data.Dataset` of batches,
    or a Python iterator of batches. Labels in `(x, y)` elements are
    dropped; dict elements give their samples (`data_checks.samples_of`).
    Raises `TypeError`/`ValueError` naming the problem for integer samples,
    a wrong sample shape, no data, or NaN/inf in an array; warns when the
    array, or a stream's first batch, lies outside `value_range`
    (`data_checks.output_range(generator)`).
    """
    sample_shape = tuple(sample_shape)
    data = data_checks.standardize_input(data, name)
    if isinstance(data, tf.data.Dataset):
        if batch_size is not None:
            raise ValueError(
                "`batch_size` must not be given when `x` is a tf.data.Dataset: "
                "batch the dataset itself, e.g. `dataset.batch(64, drop_remainder=True)`."
            )
        key = data_checks.sample_key(data.element_spec, name=name)  # Raises here, not while tf.data traces.
        dataset = data.map(functools.partial(data_checks.samples_of, name=name))
        first = _peek(dataset, name)
        sample = "x" if key is None else f'd["{key}"]'
        scaling = f'dataset.map(lambda {sample[0]}: tf.cast({sample}, "float32") / 127.5 - 1)'
    elif data_checks.is_array_like(data):
        array = np.asarray(data)
        data_checks.check_samples(array.dtype, array.shape, sample_shape, name)
        data_checks.check_finite(array, name)
        data_checks.check_value_range(array, value_range, name)
        batch_size = 64 if batch_size is None else int(batch_size)
        if batch_size < 1:
            raise ValueError(f"`batch_size` must be at least 1. Received: {batch_size}")
        if len(array) < batch_size:
            raise ValueError(
                f"`{name}` has {len(array)} samples, fewer than one batch of "
                f"{batch_size}."
            )
        dataset = tf.data.Dataset.from_tensor_slices(array.astype("float32", copy=False))
        if shuffle:
            dataset = dataset.shuffle(len(array), seed=seed, reshuffle_each_iteration=True)
        dataset = dataset.batch(batch_size, drop_remainder=True)
        # Repeating after shuffling reshuffles on every pass.
        return (dataset.repeat() if repeat else dataset), batch_size
    elif hasattr(data, "__next__") or hasattr(data, "__iter__"):
        if batch_size is not None:
            raise ValueError(
                "`batch_size` must not be given when `x` is a generator: it "
                "yields batches already."
            )
        iterator = iter(data)
        samples_of = functools.partial(data_checks.samples_of, name=name, hint='(d["{key}"] for d in batches)')
        try:
            first = np.asarray(samples_of(next(iterator)))
        except StopIteration:
            raise ValueError(f"`{name}` is empty: the generator yielded no batch.") from None
        signature = tf.TensorSpec((None,) + first.shape[1:], first.dtype)
        scaling = "batch / 127.5 - 1"
        batches = itertools.chain([first], (np.asarray(samples_of(b)) for b in iterator))
        dataset = tf.data.Dataset.from_generator(lambda: batches, output_signature=signature)
    else:
        raise TypeError(
            f"`{name}` must be a NumPy array, a tf.data.Dataset or a generator of "
            f"batches. Received: {type(data).__name__}"
        )

    data_checks.check_samples(first.dtype, first.shape, sample_shape, name, scaling)
    data_checks.check_value_range(first, value_range, name)
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
