"""Labelled real batches for a conditional WGAN (`num_classes` set).

The labelled counterpart of `real_data`: a train step receives the
`critic_steps` real batches of one generator iteration together with their
labels, an element `(samples, labels)` of shapes
`(m, critic_steps, *sample_shape)` and `(m, critic_steps)` (int32), batch
axis first so that `tf.distribute` and `keras.distribution` split samples
and labels alike. Held-out batches are `(samples, labels)` of shapes
`(m, *sample_shape)` and `(m,)`.

Accepted data: arrays `x` and `y`; a dict of arrays with `"image"` and
`"label"`; a `tf.data.Dataset`, a `keras.utils.PyDataset` or a generator of
`(x, y)` batches or of such dicts (TensorFlow Datasets' form). Arrays are
checked entirely before training (count, dtype, range); streams have their
first batch checked before training and every later batch as it comes.
"""

import itertools

import keras
import numpy as np

from keras_wgan.models import conditioning, data_checks, real_data

LABEL_KEY = "label"
SAMPLE_KEY = "image"


def training_batches(
    x, y, *, num_classes, batch_size, sample_shape, critic_steps, shuffle=True, repeat=False, value_range=None
):
    """Returns `(batches, batch_size)` of labelled critic batches; see the module.

    `repeat`: arrays repeat without end, reshuffled on every pass (for
    `steps_per_epoch`); `value_range`: the generator's output range, for
    `data_checks.check_value_range`'s warning.
    """
    return _labelled(
        x,
        y,
        num_classes=num_classes,
        batch_size=batch_size,
        sample_shape=sample_shape,
        critic_steps=critic_steps,
        shuffle=shuffle,
        name="x",
        repeat=repeat,
        value_range=value_range,
    )


def held_out_batches(
    data, *, num_classes, batch_size, sample_shape, name="validation_data", value_range=None
):
    """Returns `(batches, batch_size)` of labelled held-out batches.

    `data` is an `(x, y)` tuple of arrays, a dict of arrays, or a stream of
    labelled batches (then `batch_size` is ignored).
    """
    x, y = data, None
    if isinstance(data, (tuple, list)) and len(data) in (2, 3) and data_checks.is_array_like(data[0]):
        x, y = data[0], data[1]
    elif not (isinstance(data, dict) or data_checks.is_array_like(data)):
        batch_size = None  # Streams come batched.
    return _labelled(
        x,
        y,
        num_classes=num_classes,
        batch_size=batch_size,
        sample_shape=sample_shape,
        critic_steps=None,
        shuffle=False,
        name=name,
        value_range=value_range,
    )


def _labelled(
    x,
    y,
    *,
    num_classes,
    batch_size,
    sample_shape,
    critic_steps,
    shuffle,
    name,
    repeat=False,
    value_range=None,
):
    if isinstance(x, dict):
        if y is not None:
            raise ValueError(
                f"`y` must be None when `{name}` is a dict holding the labels. Received: y={type(y).__name__}"
            )
        x, y = _split_dict(x, name)
    if data_checks.is_array_like(x):
        samples = real_data.check_array(
            x, batch_size=batch_size, sample_shape=sample_shape, name=name, value_range=value_range
        )
        labels = conditioning.check_labels(
            y, num_classes, count=len(samples), name="y" if name == "x" else f"{name}'s labels"
        )
        batch_size = real_data.check_batch_size(batch_size, len(samples), name)
        groups = 1 if critic_steps is None else critic_steps
        if len(samples) // batch_size < groups:
            raise ValueError(
                f"The training data has {len(samples) // batch_size} batches, fewer than "
                f"`critic_steps={critic_steps}` that one generator step needs."
            )
        if keras.backend.backend() == "tensorflow":
            from keras_wgan.models import labelled_data_tf

            return labelled_data_tf.array_batches(
                samples, labels, batch_size, critic_steps, shuffle, repeat
            ), batch_size
        batches = _ArrayBatches(samples, labels, batch_size, critic_steps, shuffle)
        return (real_data.repeated(batches) if repeat else batches), batch_size
    if y is not None:
        raise ValueError(
            f"`y` must be None when `{name}` is a dataset or a generator: its elements carry "
            f"the labels, as `(x, y)` pairs or dicts with {SAMPLE_KEY!r} and {LABEL_KEY!r}. "
            f"Received: y={type(y).__name__}"
        )
    real_data.reject_batch_size(batch_size, type(x).__name__)
    if data_checks.is_tf_dataset(x):
        from keras_wgan.models import labelled_data_tf

        return labelled_data_tf.dataset_batches(x, num_classes, sample_shape, critic_steps, name)
    checker = _BatchChecker(num_classes, sample_shape, name)
    if isinstance(x, keras.utils.PyDataset):
        if len(x) < 1:
            raise ValueError(f"`{name}` is empty: the PyDataset has no batch.")
        batch_size = len(checker(x[0])[0])
        batches = _CheckedPyDataset(x, checker, batch_size)
        if critic_steps is None:
            return batches, batch_size
        if len(batches) < critic_steps:
            raise ValueError(
                f"The training data has {len(batches)} batches, fewer than "
                f"`critic_steps={critic_steps}` that one generator step needs."
            )
        return real_data.Grouped(batches, critic_steps, stack=_stack), batch_size
    if hasattr(x, "__next__") or hasattr(x, "__iter__"):
        iterator = iter(x)
        try:
            first = checker(next(iterator))
        except StopIteration:
            raise ValueError(f"`{name}` is empty: the generator yielded no batch.") from None
        batch_size = len(first[0])
        batches = (checker(b) for b in itertools.chain([first], iterator))
        batches = (b for b in batches if len(b[0]) == batch_size)  # As in `real_data`.
        if critic_steps is None:
            return batches, batch_size
        return real_data.grouped_generator(batches, critic_steps, stack=_stack), batch_size
    raise TypeError(
        f"`{name}` must be a NumPy array with labels `y`, a dict of arrays, a tf.data.Dataset, a "
        f"keras.utils.PyDataset or a generator of labelled batches. Received: {type(x).__name__}"
    )


def split_element(element, name="x"):
    """Returns `(samples, labels)` of an `(x, y[, w])` tuple or a dict element (labels may be None)."""
    if isinstance(element, dict):
        return _split_dict(element, name)
    if isinstance(element, (tuple, list)):
        if len(element) >= 2:
            return element[0], element[1]
        return element[0], None
    return element, None


def _split_dict(element, name):
    missing = [key for key in (SAMPLE_KEY, LABEL_KEY) if key not in element]
    if missing:
        raise ValueError(
            f"A conditional model reads dicts by the keys {SAMPLE_KEY!r} and {LABEL_KEY!r} (TensorFlow "
            f"Datasets' form); `{name}` lacks {missing}. Received: keys {sorted(element)}"
        )
    return element[SAMPLE_KEY], element[LABEL_KEY]


class _BatchChecker:
    """Turns one labelled batch into `(float32 samples, int32 labels)`, checked."""

    def __init__(self, num_classes, sample_shape, name):
        self.num_classes = num_classes
        self.sample_shape = tuple(sample_shape)
        self.name = name

    def __call__(self, element):
        samples, labels = split_element(element, self.name)
        samples = np.asarray(samples)
        data_checks.check_samples(samples.dtype, samples.shape, self.sample_shape, self.name)
        labels = conditioning.check_labels(
            labels, self.num_classes, count=len(samples), name=f"the labels of `{self.name}`"
        )
        return samples.astype("float32", copy=False), labels


class _ArrayBatches(keras.utils.PyDataset):
    """Labelled batches of arrays, grouped by `critic_steps` (or not, if None).

    Reshuffled every epoch with NumPy's global RNG, which
    `keras.utils.set_random_seed` seeds.
    """

    def __init__(self, samples, labels, batch_size, critic_steps, shuffle):
        super().__init__()
        self.samples = samples
        self.labels = labels
        self.batch_size = batch_size
        self.critic_steps = critic_steps
        self.shuffle = shuffle
        self.order = np.arange(len(samples))
        self.on_epoch_end()

    def __len__(self):
        return len(self.samples) // (self.batch_size * (self.critic_steps or 1))

    def __getitem__(self, index):
        size = self.batch_size * (self.critic_steps or 1)
        rows = self.order[index * size : (index + 1) * size]
        if self.critic_steps is not None:
            # Row `i` of critic batch `s` is element `s * m + i`: (m, critic_steps).
            rows = rows.reshape(self.critic_steps, self.batch_size).T
        return np.asarray(self.samples[rows], dtype="float32"), self.labels[rows]

    def on_epoch_end(self):
        if self.shuffle:
            self.order = np.random.permutation(len(self.samples))


class _CheckedPyDataset(keras.utils.PyDataset):
    """A user's labelled `PyDataset`, checked, without a smaller last batch."""

    def __init__(self, source, checker, batch_size):
        super().__init__(workers=source.workers, use_multiprocessing=source.use_multiprocessing)
        self.source = source
        self.checker = checker
        self.length = len(source)
        if self.length > 1 and len(self.checker(source[self.length - 1])[0]) != batch_size:
            self.length -= 1

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        return self.checker(self.source[index])

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


def _stack(group):
    return np.stack([g[0] for g in group], axis=1), np.stack([g[1] for g in group], axis=1)
