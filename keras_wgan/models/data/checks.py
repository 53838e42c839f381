"""Every check of the data users bring to `fit` and `evaluate`, in one place.

Backend-independent: plain NumPy and Keras, no TensorFlow import. The
adapters (`keras_wgan.models.data.adapters`) turn each input kind into
batches; what a batch must be is decided here, by `DataSpec`:

- samples: floating-point, of the critic's sample shape, batched;
- arrays: finite, and at least one batch (`check_batch_size`);
- values inside the generator's output range, or a warning;
- a conditional model's labels (`check_labels`): integer class ids in
  `[0, num_classes)`, one per sample;
- enough batches for one train step (`check_enough_batches`), not empty.

Arrays are checked whole before training; streams have their first batch
checked in full before training and every later batch's shape and labels
as it comes. A later batch's error is recorded by the `DataSpec`, so that
`fit` raises it as it is instead of inside a TensorFlow "Graph execution
error".
"""

import sys
import warnings

import keras
import numpy as np

from keras_wgan.utils import argument_validation

ACCEPTED_TYPES = (
    "a NumPy array, a dict of arrays, a tf.data.Dataset of batches, a "
    "keras.utils.PyDataset or a Python generator of batches"
)
DEFAULT_BATCH_SIZE = 64
# TensorFlow Datasets' keys of a labelled element.
SAMPLE_KEY = "image"
LABEL_KEY = "label"
# Data further than this fraction of the range outside it gets a warning:
# small overshoots (interpolation, augmentation) are harmless.
_RANGE_MARGIN = 0.1


class DataSpec:
    """What the batches of one input (`x` or `validation_data`) must be.

    Args:
        sample_shape: the critic's input shape, batch axis excluded.
        num_classes: a conditional model's classes, or None: then labels
            are dropped from the elements.
        value_range: `network_inspection.output_range(generator)`, or None.
        name: how the messages call the data.
        errors: a list shared by the specs of one `fit`; a later batch's
            error is appended to it (see `raise_recorded`).
    """

    def __init__(self, sample_shape, num_classes=None, value_range=None, name="x", errors=None):
        self.sample_shape = tuple(sample_shape)
        self.num_classes = num_classes
        self.value_range = value_range
        self.name = name
        self.errors = [] if errors is None else errors

    @property
    def conditional(self):
        return self.num_classes is not None

    def split(self, element, hint='(d["{key}"] for d in batches)'):
        """Returns `(samples, labels)` of an element; labels None for an unconditional model."""
        if not self.conditional:
            return samples_of(element, name=self.name, hint=hint), None
        if isinstance(element, dict):
            missing = [key for key in (SAMPLE_KEY, LABEL_KEY) if key not in element]
            if missing:
                raise ValueError(
                    f"A conditional model reads dicts by the keys {SAMPLE_KEY!r} and {LABEL_KEY!r} "
                    f"(TensorFlow Datasets' form); `{self.name}` lacks {missing}. "
                    f"Received: keys {sorted(element)}"
                )
            return element[SAMPLE_KEY], element[LABEL_KEY]
        if isinstance(element, (tuple, list)):
            return element[0], (element[1] if len(element) >= 2 else None)
        return element, None

    def parts(self, samples, labels):
        """The batch as the train step receives it: `(samples,)` or `(samples, labels)`."""
        return (samples,) if labels is None else (samples, labels)

    def check_array(self, samples, labels):
        """Checks a whole array (and its labels); returns `(samples, labels)` as NumPy."""
        samples = np.asarray(samples)
        check_samples(samples.dtype, samples.shape, self.sample_shape, self.name)
        check_finite(samples, self.name)
        check_value_range(samples, self.value_range, self.name)
        if self.conditional:
            label_name = "y" if self.name == "x" else f"{self.name}'s labels"
            labels = check_labels(labels, self.num_classes, count=len(samples), name=label_name)
        return samples, labels

    def check_first(self, element, scaling="batch / 127.5 - 1"):
        """Checks a stream's first batch in full; returns its parts as NumPy."""
        samples, labels = self.split(element)
        samples = np.asarray(samples)
        check_samples(samples.dtype, samples.shape, self.sample_shape, self.name, scaling)
        check_value_range(samples, self.value_range, self.name)
        return self.check_labels_of(samples, labels)

    def check_later(self, element):
        """Checks a later batch of a stream (shape, labels); returns its float32 parts.

        Its error is recorded for `raise_recorded` before it is raised.
        """
        try:
            samples, labels = self.split(element)
            samples = np.asarray(samples)
            check_samples(samples.dtype, samples.shape, self.sample_shape, self.name)
            return self.check_labels_of(samples.astype("float32", copy=False), labels)
        except (TypeError, ValueError) as error:
            self.errors.append(error)
            raise

    def check_labels_of(self, samples, labels):
        if self.conditional:
            labels = check_labels(
                labels, self.num_classes, count=len(samples), name=f"the labels of `{self.name}`"
            )
        return self.parts(samples, labels)

    def refuse_labels(self, count, labels):
        """Raises (and records) the error of a later batch's bad labels; for tf.data."""
        self.check_later((np.zeros((int(count), *self.sample_shape), "float32"), labels))
        return np.asarray(labels, "int32").reshape(-1)  # Not reached for bad labels.

    def raise_recorded(self):
        """Raises the first error recorded for a later batch, if any."""
        if self.errors:
            raise self.errors[0] from None


def is_array_like(data):
    """True for NumPy arrays and objects that convert to one (JAX, Torch)."""
    return isinstance(data, np.ndarray) or (
        hasattr(data, "shape") and hasattr(data, "dtype") and hasattr(data, "__array__")
    )


def is_tf_dataset(data):
    tf = sys.modules.get("tensorflow")  # Loaded by whoever made a dataset.
    return tf is not None and isinstance(data, tf.data.Dataset)


def standardize_input(data, name="x"):
    """Returns `data` as a NumPy array or a dict of arrays, or the stream it is.

    A list or tuple holding one array (or dict) gives that; a
    `tf.data.Dataset`, a `keras.utils.PyDataset` or an iterator is returned
    unchanged.

    Raises:
        TypeError: for anything else, naming the accepted types.
    """
    if isinstance(data, (list, tuple)):
        if len(data) == 1 and (is_array_like(data[0]) or isinstance(data[0], dict)):
            return standardize_input(data[0], name)
        raise TypeError(
            f"`{name}` must be {ACCEPTED_TYPES}; a list or tuple is accepted "
            f"only when it holds exactly one array (GANs have one input and "
            f"no targets). Received: {name}={_describe(data)}"
        )
    if is_array_like(data):
        return np.asarray(data)
    if isinstance(data, dict) or is_tf_dataset(data) or isinstance(data, keras.utils.PyDataset):
        return data
    if isinstance(data, (str, bytes, set, frozenset)) or not (
        hasattr(data, "__next__") or hasattr(data, "__iter__")
    ):
        raise TypeError(f"`{name}` must be {ACCEPTED_TYPES}. Received: {name}={_describe(data)}")
    return data


def samples_of(*element, name="x", hint='dataset.map(lambda d: d["{key}"])'):
    """Returns the samples of a data element, dropping labels and weights.

    Works on NumPy arrays and on (symbolic) tensors, so it can be mapped
    over a `tf.data.Dataset`. Tuples `(x, y)` and `(x, y, sample_weight)`
    give `x`. Dicts, such as TensorFlow Datasets' `{"image": ...,
    "label": ...}`, give the value of the key `"image"`, else of the only
    key holding floating-point or image-shaped (rank 3 or more, batch
    included) data.

    Args:
        *element: the element; tf.data passes a tuple element's parts as
            separate arguments.
        name: how the error message calls the data.
        hint: the fix the error message suggests, with `{key}` standing
            for one of the keys.

    Raises:
        ValueError: for a dict where no single key holds the samples.

    Example:

    >>> samples_of({"image": images, "label": labels})  # images
    >>> samples_of(images, labels)  # images
    >>> dataset.map(samples_of)  # a dataset of samples alone
    """
    while isinstance(element, (tuple, list)):
        element = element[0]
    if not isinstance(element, dict):
        return element
    return element[sample_key(element, name=name, hint=hint)]


def sample_key(element, name="x", hint='dataset.map(lambda d: d["{key}"])'):
    """Returns the key holding the samples in a dict element, else None.

    See `samples_of`. Takes elements or their specs (a `tf.data.Dataset`'s
    `element_spec`), so that a dataset's error is raised before tf.data
    traces anything.
    """
    while isinstance(element, (tuple, list)):
        element = element[0]
    if not isinstance(element, dict):
        return None
    if SAMPLE_KEY in element:
        return SAMPLE_KEY
    candidates = [key for key, value in element.items() if _is_float(value) or _rank(value) >= 3]
    if len(candidates) == 1:
        return candidates[0]
    keys = list(element)
    reason = (
        f"several keys hold floating-point or image-shaped data ({candidates})"
        if candidates
        else "no key holds floating-point or image-shaped data"
    )
    example = hint.format(key=(candidates or keys)[0])
    raise ValueError(
        f'`{name}` gives dicts without an "image" key, and {reason}, so which '
        f"key holds the samples is unclear. Pass the samples alone, e.g. "
        f"`{example}`. Received: dicts with keys {keys}"
    )


def held_out_parts(data, conditional):
    """Returns `(x, y)` of held-out data: `(x, y[, sample_weight])` tuples of arrays give both.

    An unconditional model ignores the labels; every other form is `x`.
    """
    if (
        isinstance(data, (tuple, list))
        and len(data) in (2, 3)
        and (is_array_like(data[0]) or isinstance(data[0], dict))
        and all(part is None or is_array_like(part) for part in data[1:])
    ):
        return data[0], (data[1] if conditional else None)
    return data, None


def split_validation(data, validation_split, name="x"):
    """Returns `(train, held_out)`: the last `validation_split` of an array.

    As Keras does, the split is taken before any shuffling, so the same
    samples are held out in every epoch and every run. None stays None
    (absent labels).

    Raises:
        ValueError: if `validation_split` is not in (0, 1), if `data` is
            not an array (pass `validation_data` then), or if either part
            would be empty.

    Example:

    >>> train, held_out = split_validation(np.arange(10.0), 0.2)
    >>> held_out  # array([8., 9.])
    """
    if not 0.0 < validation_split < 1.0:
        raise ValueError(
            f"`validation_split` must be between 0 and 1. Received: validation_split={validation_split}"
        )
    if data is None:
        return None, None
    if not is_array_like(data):
        raise ValueError(
            "`validation_split` is only supported when `x` is an array: a "
            "dataset or generator cannot be split without reading it all. "
            "Pass held-out samples as `validation_data` instead. Received: "
            f"{name}={_describe(data)}, validation_split={validation_split}"
        )
    data = np.asarray(data)
    split_at = int(np.floor(len(data) * (1.0 - validation_split)))
    if split_at == 0 or split_at == len(data):
        raise ValueError(
            f"`validation_split={validation_split}` of {len(data)} samples leaves "
            f"{split_at} for training and {len(data) - split_at} held out: both "
            "need samples."
        )
    return data[:split_at], data[split_at:]


def check_samples(dtype, batch_shape, sample_shape, name="x", scaling="x / 127.5 - 1"):
    """Raises `TypeError`/`ValueError` unless a batch holds float samples of `sample_shape`.

    Args:
        dtype: the batch's dtype, any form `keras.backend.standardize_dtype`
            takes.
        batch_shape: the shape of the array or of a stream's first batch.
        sample_shape: the critic's input shape, batch axis excluded.
        name: how the message calls the data.
        scaling: the scaling the integer-dtype message suggests.
    """
    try:
        dtype = keras.backend.standardize_dtype(dtype)
    except ValueError:  # Strings, objects: no Keras dtype.
        raise TypeError(f"`{name}` must hold floating-point samples. Received dtype {dtype}.") from None
    if "int" in dtype or dtype == "bool":
        raise TypeError(
            f"`{name}` holds {dtype} samples. Scale them to floats in the "
            f"generator's output range first, e.g. `{scaling}` for {dtype} "
            "images and a tanh generator."
        )
    if not keras.backend.is_float_dtype(dtype):
        raise TypeError(f"`{name}` must hold floating-point samples. Received dtype {dtype}.")
    batch_shape, sample_shape = tuple(batch_shape), tuple(sample_shape)
    if batch_shape == sample_shape:
        raise ValueError(
            f"`{name}` gives single samples of shape {batch_shape}, not batches: "
            "batch a dataset, e.g. `dataset.batch(64, drop_remainder=True)`; "
            "an array needs the batch axis first, e.g. `x[None]` for one sample."
        )
    if batch_shape[1:] != sample_shape:
        raise ValueError(
            f"`{name}` has samples of shape {batch_shape[1:]}, but the critic "
            f"takes samples of shape {sample_shape}."
        )


def check_finite(array, name="x"):
    """Raises `ValueError` if `array` holds NaN or inf, naming how many and where."""
    if not np.issubdtype(array.dtype, np.floating) or not array.size:
        return
    # min and max propagate NaN and reach inf: no array-sized temporary
    # unless something is wrong.
    if not (np.isfinite(array.min()) and np.isfinite(array.max())):
        bad = ~np.isfinite(array)
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        count = int(np.count_nonzero(bad))
        raise ValueError(
            f"`{name}` holds {count} non-finite value{'s' if count > 1 else ''} "
            f"(NaN or inf); the first is {name}[{', '.join(map(str, first))}] = "
            f"{array[first]}. One of them makes every loss and estimate NaN: "
            "drop or replace them first, e.g. keep the finite samples with "
            "`x[np.isfinite(x).reshape(len(x), -1).all(axis=1)]`."
        )


def check_value_range(samples, value_range, name="x"):
    """Warns if `samples` lie clearly outside the generator's output range.

    Args:
        samples: a NumPy array: the whole data set or its first batch.
        value_range: `network_inspection.output_range(generator)`, a
            `(low, high, activation)` tuple; None checks nothing.
        name: how the warning calls the data.
    """
    if value_range is None or not np.size(samples):
        return
    low, high, activation = value_range
    data_low, data_high = float(np.min(samples)), float(np.max(samples))
    if not (np.isfinite(data_low) and np.isfinite(data_high)):
        # A stream's batch may hold NaN (arrays are checked for it first).
        finite = samples[np.isfinite(samples)]
        if not finite.size:
            return
        data_low, data_high = float(finite.min()), float(finite.max())
    margin = _RANGE_MARGIN * (high - low)
    if data_low >= low - margin and data_high <= high + margin:
        return
    fix = "`x / 127.5 - 1` for 8-bit images" if low < 0 else "`x / 255` for 8-bit images"
    warnings.warn(
        f"`{name}` holds values in [{data_low:g}, {data_high:g}], but the "
        f"generator ends in {activation} and produces values in [{low:g}, "
        f"{high:g}] only: it can never match such data. Scale the data to "
        f"the generator's range, usually {fix}.",
        stacklevel=5,
    )


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


def check_batch_size(batch_size, samples, name="x"):
    """Returns the batch size of an array of `samples` samples (default 64)."""
    batch_size = (
        DEFAULT_BATCH_SIZE
        if batch_size is None
        else argument_validation.check_positive_int(batch_size, "batch_size")
    )
    if samples < batch_size:
        raise ValueError(f"`{name}` has {samples} samples, fewer than one batch of {batch_size}.")
    return batch_size


def reject_batch_size(batch_size, kind, name="x"):
    if batch_size is not None:
        raise ValueError(
            f"`batch_size` must not be given when `{name}` is {kind}: it yields batches already. "
            f"Received: batch_size={batch_size}"
        )


def reject_labels(labels, kind, name="x"):
    if labels is not None:
        raise ValueError(
            f"`y` must be None when `{name}` is {kind}: its elements carry the labels, as "
            f"`(x, y)` pairs or dicts with {SAMPLE_KEY!r} and {LABEL_KEY!r}. Received: y={type(labels).__name__}"
        )


def check_not_empty(first, kind, name="x"):
    """Returns the first batch of a stream; raises if there is none (`first` is None)."""
    if first is None:
        raise ValueError(f"`{name}` is empty: the {kind} yields no batch.")
    return first


def check_enough_batches(batches, critic_steps):
    """Raises unless `batches` (None: unknown) feed at least one train step."""
    if batches is not None and 0 <= batches < critic_steps:
        raise ValueError(
            f"The training data has {batches} batches, fewer than "
            f"`critic_steps={critic_steps}` that one generator step needs."
        )


def check_finite_length(infinite, steps_per_epoch, name="x"):
    """Raises for a dataset that repeats forever given without `steps_per_epoch`."""
    if infinite and steps_per_epoch is None:
        raise ValueError(
            f"`{name}` repeats forever (infinite cardinality, e.g. `.repeat()`), so without "
            "`steps_per_epoch` the first epoch would never end and no callback (backup, "
            "checkpoint, sample grid) would ever run. Pass `steps_per_epoch` (generator steps "
            f"per epoch), or drop the `.repeat()`. Received: steps_per_epoch=None"
        )


def _is_float(value):
    try:
        return keras.backend.is_float_dtype(keras.backend.standardize_dtype(value.dtype))
    except (AttributeError, ValueError):
        return False


def _rank(value):
    try:
        return len(value.shape)
    except (AttributeError, TypeError, ValueError):  # Unknown rank.
        return 0


def _describe(data):
    if isinstance(data, (list, tuple)):
        parts = ", ".join(type(part).__name__ for part in data[:4])
        more = ", ..." if len(data) > 4 else ""
        return f"{type(data).__name__} of {len(data)} items ({parts}{more})"
    return type(data).__name__
