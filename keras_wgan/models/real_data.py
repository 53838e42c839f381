"""Turns what users pass to `fit` into the batches a WGAN train step needs.

Algorithm 1 of both WGAN papers gives every critic iteration a fresh real
batch of `m` samples. A train step here runs `critic_steps` critic
iterations and one generator iteration, so it receives `critic_steps` real
batches at once: an element of shape `(m, critic_steps, *sample_shape)`.
The batch axis stays first so that `tf.distribute` splits each of the
`critic_steps` batches across replicas, exactly as it splits one batch.
"""

import itertools

import numpy as np
import tensorflow as tf


def real_batches(data, *, batch_size, sample_shape, shuffle=True, seed=None, name="x"):
    """Returns `(dataset, batch_size)`: a `tf.data.Dataset` of real batches.

    Accepts a NumPy array (batched here, the last partial batch dropped), a
    `tf.data.Dataset` of batches, or a Python iterator of batches. Labels in
    `(x, y)` elements are dropped. Raises `TypeError`/`ValueError` naming
    the problem for integer samples, a wrong sample shape or no data.
    """
    sample_shape = tuple(sample_shape)
    if isinstance(data, tf.data.Dataset):
        if batch_size is not None:
            raise ValueError(
                "`batch_size` must not be given when `x` is a tf.data.Dataset: "
                "batch the dataset itself, e.g. `dataset.batch(64, drop_remainder=True)`."
            )
        dataset = data.map(_first_of)
        first = _peek(dataset, name)
    elif is_array_like(data):
        array = np.asarray(data)
        _check_samples(array.dtype, array.shape[1:], sample_shape, name)
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
        return dataset.batch(batch_size, drop_remainder=True), batch_size
    elif hasattr(data, "__next__") or hasattr(data, "__iter__"):
        if batch_size is not None:
            raise ValueError(
                "`batch_size` must not be given when `x` is a generator: it "
                "yields batches already."
            )
        iterator = iter(data)
        try:
            first = np.asarray(_first_of(next(iterator)))
        except StopIteration:
            raise ValueError(f"`{name}` is empty: the generator yielded no batch.") from None
        signature = tf.TensorSpec((None,) + first.shape[1:], first.dtype)
        batches = itertools.chain([first], (np.asarray(_first_of(b)) for b in iterator))
        dataset = tf.data.Dataset.from_generator(lambda: batches, output_signature=signature)
    else:
        raise TypeError(
            f"`{name}` must be a NumPy array, a tf.data.Dataset or a generator of "
            f"batches. Received: {type(data).__name__}"
        )

    _check_samples(first.dtype, first.shape[1:], sample_shape, name)
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


def _first_of(*element):
    # tf.data passes tuple elements as separate arguments; iterators yield
    # tuples. Either way, keep the samples and drop labels.
    while isinstance(element, (tuple, list)):
        element = element[0]
    return element


def is_array_like(data):
    return isinstance(data, np.ndarray) or (
        hasattr(data, "shape") and hasattr(data, "dtype") and hasattr(data, "__array__")
    )


def _peek(dataset, name):
    for first in dataset.take(1):
        return first.numpy()
    raise ValueError(f"`{name}` is empty: the dataset yields no batch.")


def _check_samples(dtype, shape, sample_shape, name):
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.integer) or dtype == np.bool_:
        raise TypeError(
            f"`{name}` holds {dtype} samples. Scale them to floats in the "
            "generator's output range first, e.g. `x / 127.5 - 1` for uint8 "
            "images and a tanh generator."
        )
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"`{name}` must hold floating-point samples. Received dtype {dtype}.")
    if tuple(shape) != sample_shape:
        raise ValueError(
            f"`{name}` has samples of shape {tuple(shape)}, but the critic "
            f"takes samples of shape {sample_shape}."
        )
