"""Turns what users pass to `fit` into the batches a WGAN train step needs.

Algorithm 1 of both WGAN papers gives every critic iteration a fresh real
batch of `m` samples. A train step here runs `critic_steps` critic
iterations and one generator iteration, so it receives `critic_steps` real
batches at once: an element of shape `(m, critic_steps, *sample_shape)`.
The batch axis stays first so that `tf.distribute` and
`keras.distribution.DataParallel` split each of the `critic_steps` batches
across devices, exactly as they split one batch.

Two pipelines give the same batches: `tf.data` on the TensorFlow backend
(and for `tf.data.Dataset` inputs on any backend), NumPy and
`keras.utils.PyDataset` otherwise, so that JAX needs no TensorFlow. The
checks of what users bring (dict elements, non-finite values, data outside
the generator's range) are `data_checks`', shared by both.
"""

import functools
import itertools

import keras
import numpy as np

from keras_wgan.models import data_checks
from keras_wgan.utils import argument_validation

DEFAULT_BATCH_SIZE = 64


def training_batches(
    data, *, batch_size, sample_shape, critic_steps, shuffle=True, repeat=False, value_range=None
):
    """Returns `(batches, batch_size)`: what `keras.Model.fit` receives.

    Args:
        data: a NumPy array (batched here, the last partial batch dropped,
            reshuffled every epoch if `shuffle`), a dict of arrays or a list
            holding one array, a `keras.utils.PyDataset` or a Python
            iterator of batches, or a `tf.data.Dataset` of batches. Labels
            in `(x, y)` elements are dropped; dict elements give their
            samples (`data_checks.samples_of`).
        batch_size: samples per batch, for arrays only (default 64).
        sample_shape: the critic's input shape.
        critic_steps: real batches per train step.
        shuffle: reshuffle arrays every epoch.
        repeat: repeat an array without end, reshuffled on every pass
            (`fit` with `steps_per_epoch`: every epoch runs the steps asked
            for).
        value_range: the generator's output range
            (`data_checks.output_range`), or None: data clearly outside it
            gets a warning.

    Returns:
        Batches of shape `(batch_size, critic_steps, *sample_shape)`, as a
        `tf.data.Dataset`, a `PyDataset` or a generator, and `batch_size`.

    Raises:
        TypeError, ValueError: naming the problem, for integer samples, a
        wrong sample shape, no data, NaN/inf in an array or fewer batches
        than `critic_steps`.
    """
    data = data_checks.standardize_input(data, "x")
    if _use_tf_data(data):
        from keras_wgan.models import real_data_tf

        return real_data_tf.training_batches(
            data,
            batch_size=batch_size,
            sample_shape=sample_shape,
            critic_steps=critic_steps,
            shuffle=shuffle,
            repeat=repeat,
            value_range=value_range,
        )
    batches, batch_size = _batches(
        data,
        batch_size=batch_size,
        sample_shape=sample_shape,
        shuffle=shuffle,
        name="x",
        repeat=repeat,
        value_range=value_range,
    )
    if isinstance(batches, keras.utils.PyDataset):
        if len(batches) < critic_steps:
            raise ValueError(
                f"The training data has {len(batches)} batches, fewer than "
                f"`critic_steps={critic_steps}` that one generator step needs."
            )
        return Grouped(batches, critic_steps), batch_size
    return grouped_generator(batches, critic_steps), batch_size


def held_out_batches(data, *, batch_size, sample_shape, name="validation_data", value_range=None):
    """Returns `(batches, batch_size)` of held-out samples, `(m, *sample_shape)`."""
    data = data_checks.standardize_input(data, name)
    if not data_checks.is_array_like(data):
        batch_size = None  # Datasets and generators come batched.
    if _use_tf_data(data):
        from keras_wgan.models import real_data_tf

        return real_data_tf.real_batches(
            data,
            batch_size=batch_size,
            sample_shape=sample_shape,
            shuffle=False,
            name=name,
            value_range=value_range,
        )
    batches, batch_size = _batches(
        data,
        batch_size=batch_size,
        sample_shape=sample_shape,
        shuffle=False,
        name=name,
        value_range=value_range,
    )
    if not isinstance(batches, keras.utils.PyDataset):
        batches = ((batch,) for batch in batches)  # Keras wants tuples from generators.
    return batches, batch_size


def _use_tf_data(data):
    if keras.backend.backend() == "tensorflow" and not isinstance(data, keras.utils.PyDataset):
        return True
    return data_checks.is_tf_dataset(data)


def _batches(data, *, batch_size, sample_shape, shuffle, name, repeat=False, value_range=None):
    """Returns `(batches, batch_size)`: a `PyDataset` or a generator of float32 batches."""
    sample_shape = tuple(sample_shape)
    if data_checks.is_array_like(data):
        array = check_array(
            data, batch_size=batch_size, sample_shape=sample_shape, name=name, value_range=value_range
        )
        batch_size = check_batch_size(batch_size, len(array), name)
        if repeat:
            return repeated(_ArrayBatches(array, batch_size, shuffle)), batch_size
        return _ArrayBatches(array, batch_size, shuffle), batch_size
    if isinstance(data, keras.utils.PyDataset):
        reject_batch_size(batch_size, "a keras.utils.PyDataset")
        if len(data) < 1:
            raise ValueError(f"`{name}` is empty: the PyDataset has no batch.")
        samples_of = functools.partial(data_checks.samples_of, name=name, hint='d["{key}"]')
        first = np.asarray(samples_of(data[0]))
        check_first_batch(first, sample_shape=sample_shape, name=name, value_range=value_range)
        return _FullBatches(data, int(first.shape[0]), samples_of), int(first.shape[0])
    reject_batch_size(batch_size, "a generator")
    iterator = iter(data)
    samples_of = functools.partial(data_checks.samples_of, name=name, hint='(d["{key}"] for d in batches)')
    try:
        first = np.asarray(samples_of(next(iterator)))
    except StopIteration:
        raise ValueError(f"`{name}` is empty: the generator yielded no batch.") from None
    check_first_batch(
        first, sample_shape=sample_shape, name=name, value_range=value_range, scaling="batch / 127.5 - 1"
    )
    batch_size = int(first.shape[0])
    batches = (np.asarray(samples_of(b), dtype="float32") for b in itertools.chain([first], iterator))
    # A smaller last batch would break the stacking of critic batches
    # and make XLA compile a second time: drop it.
    return (b for b in batches if b.shape[0] == batch_size), batch_size


def check_array(array, *, batch_size, sample_shape, name, value_range):
    """The checks of an array before training; returns it as a NumPy array."""
    array = np.asarray(array)
    data_checks.check_samples(array.dtype, array.shape, sample_shape, name)
    data_checks.check_finite(array, name)
    data_checks.check_value_range(array, value_range, name)
    return array


def check_first_batch(first, *, sample_shape, name, value_range, scaling="x / 127.5 - 1"):
    """The checks of a stream's first batch (a stream cannot be read ahead)."""
    data_checks.check_samples(first.dtype, first.shape, sample_shape, name, scaling)
    data_checks.check_value_range(first, value_range, name)


class _ArrayBatches(keras.utils.PyDataset):
    """Batches of an array, reshuffled every epoch with NumPy's global RNG.

    `keras.utils.set_random_seed` seeds that RNG, so runs reproduce.
    """

    def __init__(self, array, batch_size, shuffle):
        super().__init__()
        self.array = array
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.order = np.arange(len(array))
        self.on_epoch_end()

    def __len__(self):
        return len(self.array) // self.batch_size

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return np.asarray(self.array[rows], dtype="float32")

    def on_epoch_end(self):
        if self.shuffle:
            self.order = np.random.permutation(len(self.array))


def repeated(batches):
    """The elements of a `PyDataset` without end, its epoch hooks run between passes.

    An array's `_ArrayBatches` thus reshuffle on every pass.
    """
    while True:
        for index in range(len(batches)):
            yield batches[index]
        batches.on_epoch_end()


class _FullBatches(keras.utils.PyDataset):
    """A user's `PyDataset` without a smaller last batch, labels dropped, as float32."""

    def __init__(self, source, batch_size, samples_of):
        super().__init__(workers=source.workers, use_multiprocessing=source.use_multiprocessing)
        self.source = source
        self.batch_size = batch_size
        self.samples_of = samples_of
        self.length = len(source)
        if self.length > 1 and len(samples_of(source[self.length - 1])) != batch_size:
            self.length -= 1

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        return np.asarray(self.samples_of(self.source[index]), dtype="float32")

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


def stack_batches(group):
    """`critic_steps` batches `(m, ...)` as one element `(m, critic_steps, ...)`."""
    return np.stack(group, axis=1)


class Grouped(keras.utils.PyDataset):
    """Groups `critic_steps` consecutive batches of a `PyDataset` with `stack`."""

    def __init__(self, source, critic_steps, stack=stack_batches):
        super().__init__(workers=source.workers, use_multiprocessing=source.use_multiprocessing)
        self.source = source
        self.critic_steps = critic_steps
        self.stack = stack

    def __len__(self):
        return len(self.source) // self.critic_steps

    def __getitem__(self, index):
        start = index * self.critic_steps
        return self.stack([self.source[start + i] for i in range(self.critic_steps)])

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


def grouped_generator(batches, critic_steps, stack=stack_batches):
    """Groups `critic_steps` consecutive batches of an iterator with `stack`."""
    while True:
        group = list(itertools.islice(batches, critic_steps))
        if len(group) < critic_steps:
            return
        element = stack(group)
        yield element if isinstance(element, tuple) else (element,)  # Keras wants tuples from generators.


def reject_batch_size(batch_size, kind):
    if batch_size is not None:
        raise ValueError(f"`batch_size` must not be given when `x` is {kind}: it yields batches already.")


def check_batch_size(batch_size, samples, name):
    batch_size = (
        DEFAULT_BATCH_SIZE
        if batch_size is None
        else argument_validation.check_positive_int(batch_size, "batch_size")
    )
    if samples < batch_size:
        raise ValueError(f"`{name}` has {samples} samples, fewer than one batch of {batch_size}.")
    return batch_size
