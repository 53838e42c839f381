"""One adapter per input kind: the real batches a train step receives.

Algorithm 1 of both WGAN papers gives every critic iteration a fresh real
batch of `m` samples. A train step runs `critic_steps` critic iterations
and one generator iteration, so it receives `critic_steps` real batches at
once: an element `(samples,)` of shape `(m, critic_steps, *sample_shape)`,
or `(samples, labels)` with labels `(m, critic_steps)` for a conditional
model. The batch axis stays first so that `tf.distribute` and
`keras.distribution.DataParallel` split each of the `critic_steps` batches
across devices, exactly as they split one batch.

As Keras's own data adapters, each adapter hands out its batches in the
form the backend reads best: `batches()` gives a `tf.data.Dataset` on the
TensorFlow backend (and for `tf.data.Dataset` inputs on any backend), a
`keras.utils.PyDataset` or a generator of NumPy batches otherwise, so that
JAX needs no TensorFlow. What the batches must be is checked by the
`checks.DataSpec` every adapter is given; `group` stacks them by
`critic_steps`, for every adapter.

- `ArrayAdapter`: arrays and dicts of arrays, batched here (the last
  partial batch dropped), reshuffled every epoch if asked;
- `DeviceArrayAdapter`: the same arrays kept whole in device memory on
  JAX (`fit(device_data=...)`, see `keeps_on_device`): each step's real
  batches are gathered there, only their row indices cross from the host;
- `TFDatasetAdapter`: a `tf.data.Dataset` of batches;
- `PyDatasetAdapter`: a `keras.utils.PyDataset` of batches;
- `GeneratorAdapter`: a Python iterator of batches.

Streams come batched; a smaller last batch is dropped (it would break the
stacking of critic batches and make XLA compile a second time).
"""

import itertools

import keras
import numpy as np

from keras_wgan.models.data import checks

DEVICE_DATA = ("auto", True, False)
# `device_data="auto"` keeps arrays up to this fraction of the accelerator's
# memory: the networks, their optimizer state and XLA's buffers need the rest.
AUTO_DEVICE_FRACTION = 0.25


def get_adapter(
    x,
    y,
    spec,
    *,
    batch_size=None,
    shuffle=False,
    repeat=False,
    training=False,
    steps_per_epoch=None,
    device_data=False,
):
    """Returns the adapter of `x` (and array labels `y`).

    Args:
        x: what the user passed; see `WassersteinGAN.fit`.
        y: a conditional model's labels of an array `x`, else None.
        spec: the `checks.DataSpec` of the batches.
        batch_size: samples per batch, arrays only (default 64).
        shuffle: reshuffle arrays every epoch.
        repeat: repeat arrays without end (`fit` with `steps_per_epoch`).
        training: the training data (not held out): a dataset of infinite
            cardinality then needs `steps_per_epoch`, as given to `fit`.
        steps_per_epoch: as given to `fit`.
        device_data: `"auto"`, True or False: arrays kept whole in device
            memory (`DeviceArrayAdapter`), see `keeps_on_device`.
    """
    x = checks.standardize_input(x, spec.name)
    if isinstance(x, dict):
        if y is not None and spec.conditional:
            raise ValueError(
                f"`y` must be None when `{spec.name}` is a dict holding the labels. "
                f"Received: y={type(y).__name__}"
            )
        x, labels = spec.split(x, hint=f'{spec.name}["{{key}}"]')
        y = labels if spec.conditional else None
        x = checks.standardize_input(x, spec.name)
    if checks.is_array_like(x):
        adapter = DeviceArrayAdapter if keeps_on_device(x, device_data) else ArrayAdapter
        return adapter(x, y, spec, batch_size=batch_size, shuffle=shuffle, repeat=repeat)
    if checks.is_tf_dataset(x):
        adapter, kind = TFDatasetAdapter, "a tf.data.Dataset"
    elif isinstance(x, keras.utils.PyDataset):
        adapter, kind = PyDatasetAdapter, "a keras.utils.PyDataset"
    else:
        adapter, kind = GeneratorAdapter, "a generator"
    checks.reject_labels(y, kind, spec.name)
    checks.reject_batch_size(batch_size, kind, spec.name)
    if adapter is TFDatasetAdapter:
        return TFDatasetAdapter(x, spec, training=training, steps_per_epoch=steps_per_epoch)
    return adapter(x, spec)


class DataAdapter:
    """The batches of one input.

    Attributes:
        batch_size: samples per batch (`m`).
        num_batches: batches per pass, or None where unknown.
    """

    batch_size = None
    num_batches = None

    def batches(self):
        """Batches of parts `(samples,)` or `(samples, labels)`, as the backend reads them best."""
        raise NotImplementedError


def _use_tf_data():
    return keras.backend.backend() == "tensorflow"


class ArrayAdapter(DataAdapter):
    """Arrays (and their labels), checked whole; batches reshuffled every epoch."""

    def __init__(self, samples, labels, spec, *, batch_size=None, shuffle=False, repeat=False):
        self.samples, self.labels = spec.check_array(samples, labels)
        self.spec = spec
        self.batch_size = checks.check_batch_size(batch_size, len(self.samples), spec.name)
        self.num_batches = None if repeat else len(self.samples) // self.batch_size
        self.shuffle = shuffle
        self.repeat = repeat

    def batches(self):
        if _use_tf_data():
            return self.tf_dataset()
        batches = _ArrayBatches(self.samples, self.labels, self.batch_size, self.shuffle)
        return repeated(batches) if self.repeat else batches

    def tf_dataset(self):
        import tensorflow as tf

        samples = self.samples.astype("float32", copy=False)
        dataset = tf.data.Dataset.from_tensor_slices(self.spec.parts(samples, self.labels))
        if self.shuffle:
            dataset = dataset.shuffle(len(samples), reshuffle_each_iteration=True)
        dataset = dataset.batch(self.batch_size, drop_remainder=True)
        # Repeating after shuffling and batching: every pass is a new
        # permutation, and no batch straddles two passes.
        return dataset.repeat() if self.repeat else dataset


class _ArrayBatches(keras.utils.PyDataset):
    """Batches of arrays, reshuffled every epoch with NumPy's global RNG.

    `keras.utils.set_random_seed` seeds that RNG, so runs reproduce.
    """

    def __init__(self, samples, labels, batch_size, shuffle):
        super().__init__()
        self.samples = samples
        self.labels = labels
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.order = np.arange(len(samples))
        self.on_epoch_end()

    def __len__(self):
        return len(self.samples) // self.batch_size

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        samples = np.asarray(self.samples[rows], dtype="float32")
        return (samples,) if self.labels is None else (samples, self.labels[rows])

    def on_epoch_end(self):
        if self.shuffle:
            self.order = np.random.permutation(len(self.samples))


def keeps_on_device(samples, device_data):
    """Whether `fit` keeps the training array `samples` whole in device memory.

    Only on JAX, and not under a `keras.distribution` (whose data layouts
    split each batch across devices as it arrives). `device_data=True`
    always does there; `"auto"` does on an accelerator (GPU, TPU) when the
    float32 samples take at most `AUTO_DEVICE_FRACTION` of its memory. On
    the CPU the host copy already is the device's, and on TensorFlow
    `tf.data` prepares the batches on its own threads, ahead of the step:
    `device_data` changes nothing there.
    """
    if device_data not in DEVICE_DATA or not isinstance(device_data, (str, bool)):
        raise ValueError(
            f'`device_data` must be "auto", True or False. Received: device_data={device_data!r}'
        )
    if (
        device_data is False
        or keras.backend.backend() != "jax"
        or keras.distribution.distribution() is not None
    ):
        return False
    if device_data is True:
        return True
    import jax

    device = jax.devices()[0]
    if device.platform == "cpu":
        return False
    limit = (device.memory_stats() or {}).get("bytes_limit")
    return limit is not None and 4 * np.size(samples) <= AUTO_DEVICE_FRACTION * limit


class DeviceArrayAdapter(ArrayAdapter):
    """Arrays kept whole in device memory (JAX); each step's batches gathered there.

    Shuffling and batching are `ArrayAdapter`'s, on row indices: the same
    permutations from the same NumPy RNG at the same moments, so training
    is exactly that of an `ArrayAdapter` of the same arrays, shuffled or
    not. What crosses from the host per train step is the
    `(m, critic_steps)` indices of its rows; one jitted gather makes the
    `(m, critic_steps, *sample_shape)` element on the device, instead of
    NumPy assembling it on the host and copying it over.
    """

    def __init__(self, samples, labels, spec, *, batch_size=None, shuffle=False, repeat=False):
        super().__init__(samples, labels, spec, batch_size=batch_size, shuffle=shuffle, repeat=repeat)
        import jax

        self.device_parts = jax.device_put(
            spec.parts(self.samples.astype("float32", copy=False), self.labels)
        )
        self.samples = self.labels = None  # The device holds them; the host copy may go.
        self.num_samples = int(self.device_parts[0].shape[0])
        self._take = jax.jit(_take_rows)

    def gather(self, element):
        """`(rows,)` of indices -> the parts' rows, on the device, in the indices' shape."""
        (rows,) = element
        return tuple(self._take(part, rows) for part in self.device_parts)

    def _rows(self):
        return _IndexBatches(self.num_samples, self.batch_size, self.shuffle)

    def batches(self):
        rows = self._rows()
        # Keras takes generators, not other iterators.
        return _Mapped(rows, self.gather) if not self.repeat else (self.gather(e) for e in repeated(rows))

    def grouped(self, critic_steps):
        """The elements of `group`, gathered on the device from grouped indices."""
        rows = self._rows()
        if self.repeat:
            return (self.gather(e) for e in _grouped_generator(repeated(rows), critic_steps))
        return _Mapped(_Grouped(rows, critic_steps), self.gather)


def _take_rows(part, rows):
    return part[rows]


class _IndexBatches(_ArrayBatches):
    """The row indices of `_ArrayBatches`' batches: `(rows,)`, int32."""

    def __init__(self, num_samples, batch_size, shuffle):
        super().__init__(np.arange(num_samples, dtype="int32"), None, batch_size, shuffle)

    def __getitem__(self, index):
        return (self.order[index * self.batch_size : (index + 1) * self.batch_size].astype("int32"),)


class _Mapped(keras.utils.PyDataset):
    """`function` of every element of a `PyDataset`, its epoch hooks passed on."""

    def __init__(self, source, function):
        super().__init__(workers=source.workers, use_multiprocessing=source.use_multiprocessing)
        self.source = source
        self.function = function

    def __len__(self):
        return len(self.source)

    def __getitem__(self, index):
        return self.function(self.source[index])

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


class TFDatasetAdapter(DataAdapter):
    """A `tf.data.Dataset` of batches: first batch checked, later labels asserted as read."""

    def __init__(self, dataset, spec, *, training=False, steps_per_epoch=None):
        import tensorflow as tf

        name = spec.name
        # Read from the element spec: raises here, not while tf.data traces.
        if spec.conditional:
            element_spec = dataset.element_spec
            if isinstance(element_spec, dict):
                spec.split(element_spec)
            elif not isinstance(element_spec, (tuple, list)) or len(element_spec) < 2:
                raise ValueError(
                    f"A conditional model needs labelled batches: `{name}` must yield `(x, y)` pairs or "
                    f'dicts with "image" and "label". Received: elements {element_spec}'
                )
            sample = "x"
        else:
            key = checks.sample_key(dataset.element_spec, name=name)
            sample = "x" if key is None else f'd["{key}"]'
        cardinality = int(dataset.cardinality())
        if training:
            checks.check_finite_length(cardinality == tf.data.INFINITE_CARDINALITY, steps_per_epoch, name)
        dataset = dataset.map(
            lambda *element: spec.parts(*spec.split(element[0] if len(element) == 1 else element))
        )
        first = next(iter(dataset.take(1)), None)
        first = checks.check_not_empty(first, "dataset", name)
        scaling = f'dataset.map(lambda {sample[0]}: tf.cast({sample}, "float32") / 127.5 - 1)'
        first = spec.check_first(tuple(part.numpy() for part in first), scaling=scaling)
        self.batch_size = int(first[0].shape[0])
        self.spec = spec
        self.num_batches = cardinality if cardinality >= 0 else None
        dataset = dataset.map(self._checked)
        if dataset.element_spec[0].shape[0] != self.batch_size:
            # The filter hides the dataset's length from Keras: batch with
            # `drop_remainder=True` where the length matters.
            dataset = dataset.filter(lambda samples, *labels: tf.shape(samples)[0] == self.batch_size)
        self.dataset = dataset

    def _checked(self, samples, labels=None):
        import tensorflow as tf

        samples = tf.cast(samples, "float32")
        if labels is None:
            return (samples,)
        labels = tf.reshape(tf.cast(labels, "int64"), (-1,))  # Integer or bool, as the first batch.
        good = tf.logical_and(
            tf.equal(tf.size(labels), tf.shape(samples)[0]),
            tf.reduce_all((labels >= 0) & (labels < self.spec.num_classes)),
        )
        # Python runs only for a bad batch, to raise `check_labels`'s error
        # naming the bad label (recorded for `fit`, see `DataSpec`).
        labels = tf.cond(
            good,
            lambda: tf.cast(labels, "int32"),
            lambda: tf.numpy_function(self.spec.refuse_labels, [tf.shape(samples)[0], labels], "int32"),
        )
        return samples, tf.reshape(labels, (-1,))

    def batches(self):
        return self.dataset


class PyDatasetAdapter(DataAdapter):
    """A `keras.utils.PyDataset` of batches, read as it is on every backend."""

    def __init__(self, source, spec):
        first = checks.check_not_empty(source[0] if len(source) else None, "PyDataset", spec.name)
        self.batch_size = len(spec.check_first(first, scaling="x / 127.5 - 1")[0])
        self.num_batches = len(source)
        if self.num_batches > 1 and len(spec.split(source[self.num_batches - 1])[0]) != self.batch_size:
            self.num_batches -= 1
        self.source = source
        self.spec = spec

    def batches(self):
        return _CheckedBatches(self.source, self.spec, self.num_batches)


class _CheckedBatches(keras.utils.PyDataset):
    """A user's `PyDataset`, every batch checked, without a smaller last batch."""

    def __init__(self, source, spec, length):
        super().__init__(workers=source.workers, use_multiprocessing=source.use_multiprocessing)
        self.source = source
        self.spec = spec
        self.length = length

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        return self.spec.check_later(self.source[index])

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


class GeneratorAdapter(DataAdapter):
    """A Python iterator of batches; Keras turns it into a `tf.data` pipeline on TensorFlow."""

    def __init__(self, iterable, spec):
        self.iterator = iter(iterable)
        first = checks.check_not_empty(next(self.iterator, None), "generator", spec.name)
        self.first = spec.check_first(first)
        self.batch_size = len(self.first[0])
        self.spec = spec

    def batches(self):
        batches = itertools.chain([self.first], map(self.spec.check_later, self.iterator))
        return (b for b in batches if len(b[0]) == self.batch_size)


def repeated(batches):
    """The elements of a `PyDataset` without end, its epoch hooks run between passes.

    An array's batches are thus reshuffled on every pass.
    """
    while True:
        for index in range(len(batches)):
            yield batches[index]
        batches.on_epoch_end()


def group(adapter, critic_steps):
    """The adapter's batches grouped by train step: `(m, ...) -> (m, critic_steps, ...)`.

    Consecutive batches form one element, each part stacked on axis 1.
    Raises if a pass holds fewer than `critic_steps` batches.
    """
    checks.check_enough_batches(adapter.num_batches, critic_steps)
    if isinstance(adapter, DeviceArrayAdapter):
        return adapter.grouped(critic_steps)
    batches = adapter.batches()
    if checks.is_tf_dataset(batches):
        import tensorflow as tf

        def steps_second(*parts):
            parts = tuple(tf.experimental.numpy.swapaxes(part, 0, 1) for part in parts)
            # Unlabelled batches as a bare tensor: under a multi-worker
            # MultiWorkerMirroredStrategy Keras reduces the first batch to
            # build the model, and that reduction refuses a tuple.
            return parts[0] if len(parts) == 1 else parts

        grouped = batches.batch(critic_steps, drop_remainder=True).map(steps_second)
        return grouped.prefetch(tf.data.AUTOTUNE)
    if isinstance(batches, keras.utils.PyDataset):
        return _Grouped(batches, critic_steps)
    return _grouped_generator(batches, critic_steps)


def _stack(group):
    return tuple(np.stack(parts, axis=1) for parts in zip(*group, strict=True))


class _Grouped(keras.utils.PyDataset):
    """Groups `critic_steps` consecutive batches of a `PyDataset`."""

    def __init__(self, source, critic_steps):
        super().__init__(workers=source.workers, use_multiprocessing=source.use_multiprocessing)
        self.source = source
        self.critic_steps = critic_steps

    def __len__(self):
        return len(self.source) // self.critic_steps

    def __getitem__(self, index):
        start = index * self.critic_steps
        return _stack([self.source[start + i] for i in range(self.critic_steps)])

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


def _grouped_generator(batches, critic_steps):
    while True:
        group = list(itertools.islice(batches, critic_steps))
        if len(group) < critic_steps:
            return
        yield _stack(group)
