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
`keras.utils.PyDataset` otherwise, so that JAX needs no TensorFlow.
"""

import itertools
import sys

import keras
import numpy as np

DEFAULT_BATCH_SIZE = 64


def training_batches(data, *, batch_size, sample_shape, critic_steps, shuffle=True):
    """Returns `(batches, batch_size)`: what `keras.Model.fit` receives.

    Args:
        data: a NumPy array (batched here, the last partial batch dropped,
            reshuffled every epoch if `shuffle`), a `keras.utils.PyDataset`
            or a Python iterator of batches, or a `tf.data.Dataset` of
            batches. Labels in `(x, y)` elements are dropped.
        batch_size: samples per batch, for arrays only (default 64).
        sample_shape: the critic's input shape.
        critic_steps: real batches per train step.
        shuffle: reshuffle arrays every epoch.

    Returns:
        Batches of shape `(batch_size, critic_steps, *sample_shape)`, as a
        `tf.data.Dataset`, a `PyDataset` or a generator, and `batch_size`.

    Raises:
        TypeError, ValueError: naming the problem, for integer samples, a
        wrong sample shape, no data or fewer batches than `critic_steps`.
    """
    if _use_tf_data(data):
        from keras_wgan.models import real_data_tf

        return real_data_tf.training_batches(
            data, batch_size=batch_size, sample_shape=sample_shape, critic_steps=critic_steps, shuffle=shuffle
        )
    batches, batch_size = _batches(data, batch_size=batch_size, sample_shape=sample_shape, shuffle=shuffle, name="x")
    if isinstance(batches, keras.utils.PyDataset):
        if len(batches) < critic_steps:
            raise ValueError(
                f"The training data has {len(batches)} batches, fewer than "
                f"`critic_steps={critic_steps}` that one generator step needs."
            )
        return _Grouped(batches, critic_steps), batch_size
    return _grouped_generator(batches, critic_steps), batch_size


def held_out_batches(data, *, batch_size, sample_shape, name="validation_data"):
    """Returns `(batches, batch_size)` of held-out samples, `(m, *sample_shape)`."""
    if not is_array_like(data):
        batch_size = None  # Datasets and generators come batched.
    if _use_tf_data(data):
        from keras_wgan.models import real_data_tf

        return real_data_tf.real_batches(data, batch_size=batch_size, sample_shape=sample_shape, shuffle=False, name=name)
    batches, batch_size = _batches(data, batch_size=batch_size, sample_shape=sample_shape, shuffle=False, name=name)
    if not isinstance(batches, keras.utils.PyDataset):
        batches = ((batch,) for batch in batches)  # Keras wants tuples from generators.
    return batches, batch_size


def _use_tf_data(data):
    if keras.backend.backend() == "tensorflow" and not isinstance(data, keras.utils.PyDataset):
        return True
    tf = sys.modules.get("tensorflow")  # A tf.data.Dataset implies TensorFlow is imported.
    return tf is not None and isinstance(data, tf.data.Dataset)


def _batches(data, *, batch_size, sample_shape, shuffle, name):
    """Returns `(batches, batch_size)`: a `PyDataset` or a generator of float32 batches."""
    sample_shape = tuple(sample_shape)
    if is_array_like(data):
        array = np.asarray(data)
        check_samples(array.dtype, array.shape[1:], sample_shape, name)
        batch_size = check_batch_size(batch_size, len(array), name)
        return _ArrayBatches(array, batch_size, shuffle), batch_size
    if isinstance(data, keras.utils.PyDataset):
        reject_batch_size(batch_size, "a keras.utils.PyDataset")
        if len(data) < 1:
            raise ValueError(f"`{name}` is empty: the PyDataset has no batch.")
        first = np.asarray(first_of(data[0]))
        check_samples(first.dtype, first.shape[1:], sample_shape, name)
        return _FullBatches(data, int(first.shape[0])), int(first.shape[0])
    if hasattr(data, "__next__") or hasattr(data, "__iter__"):
        reject_batch_size(batch_size, "a generator")
        iterator = iter(data)
        try:
            first = np.asarray(first_of(next(iterator)))
        except StopIteration:
            raise ValueError(f"`{name}` is empty: the generator yielded no batch.") from None
        check_samples(first.dtype, first.shape[1:], sample_shape, name)
        batch_size = int(first.shape[0])
        batches = (np.asarray(first_of(b), dtype="float32") for b in itertools.chain([first], iterator))
        # A smaller last batch would break the stacking of critic batches
        # and make XLA compile a second time: drop it.
        return (b for b in batches if b.shape[0] == batch_size), batch_size
    raise TypeError(
        f"`{name}` must be a NumPy array, a keras.utils.PyDataset, a tf.data.Dataset or a "
        f"generator of batches. Received: {type(data).__name__}"
    )


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


class _FullBatches(keras.utils.PyDataset):
    """A user's `PyDataset` without a smaller last batch, labels dropped, as float32."""

    def __init__(self, source, batch_size):
        super().__init__(workers=source.workers, use_multiprocessing=source.use_multiprocessing)
        self.source = source
        self.batch_size = batch_size
        self.length = len(source)
        if self.length > 1 and len(first_of(source[self.length - 1])) != batch_size:
            self.length -= 1

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        return np.asarray(first_of(self.source[index]), dtype="float32")

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


class _Grouped(keras.utils.PyDataset):
    """Groups `critic_steps` consecutive batches: `(m, ...) -> (m, critic_steps, ...)`."""

    def __init__(self, source, critic_steps):
        super().__init__(workers=source.workers, use_multiprocessing=source.use_multiprocessing)
        self.source = source
        self.critic_steps = critic_steps

    def __len__(self):
        return len(self.source) // self.critic_steps

    def __getitem__(self, index):
        start = index * self.critic_steps
        return np.stack([self.source[start + i] for i in range(self.critic_steps)], axis=1)

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


def _grouped_generator(batches, critic_steps):
    while True:
        group = list(itertools.islice(batches, critic_steps))
        if len(group) < critic_steps:
            return
        yield (np.stack(group, axis=1),)  # Keras wants tuples from generators.


def first_of(*element):
    # tf.data passes tuple elements as separate arguments; iterators yield
    # tuples. Either way, keep the samples and drop labels.
    while isinstance(element, (tuple, list)):
        element = element[0]
    return element


def is_array_like(data):
    return isinstance(data, np.ndarray) or (
        hasattr(data, "shape") and hasattr(data, "dtype") and hasattr(data, "__array__")
    )


def reject_batch_size(batch_size, kind):
    if batch_size is not None:
        raise ValueError(f"`batch_size` must not be given when `x` is {kind}: it yields batches already.")


def check_batch_size(batch_size, samples, name):
    batch_size = DEFAULT_BATCH_SIZE if batch_size is None else int(batch_size)
    if batch_size < 1:
        raise ValueError(f"`batch_size` must be at least 1. Received: {batch_size}")
    if samples < batch_size:
        raise ValueError(f"`{name}` has {samples} samples, fewer than one batch of {batch_size}.")
    return batch_size


def check_samples(dtype, shape, sample_shape, name):
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.integer) or dtype == np.bool_:
        raise TypeError(
            f"`{name}` holds {dtype} samples. Scale them to floats in the "
            "generator's output range first, e.g. `x / 127.5 - 1` for uint8 "
            "images and a tanh generator."
        )
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"`{name}` must hold floating-point samples. Received dtype {dtype}.")
    if tuple(shape) != tuple(sample_shape):
        raise ValueError(
            f"`{name}` has samples of shape {tuple(shape)}, but the critic "
            f"takes samples of shape {tuple(sample_shape)}."
        )
