"""Catches the mistakes users make with their data before training starts.

Backend-independent: plain NumPy and Keras, no TensorFlow import. These
functions take data as users bring it (arrays, dicts of arrays, TensorFlow
Datasets' dict elements, `(x, y)` tuples) and return the real samples, or
raise an error that names the problem and the fix. The checks that need a
model read its last activation:

- a critic must end linear: its score `f(x)` is unbounded, and the mean
  score difference `E f(real) - E f(fake)` is the Wasserstein estimate;
- a generator ending in `tanh` produces values in [-1, 1], one ending in
  `sigmoid` values in [0, 1]: real data outside that range cannot be
  matched.
"""

import sys
import warnings

import keras
import numpy as np

ACCEPTED_TYPES = (
    "a NumPy array, a dict of arrays, a tf.data.Dataset of batches, a "
    "keras.utils.PyDataset or a Python generator of batches"
)

# Activations whose range is bounded: (low, high).
_BOUNDED_ACTIVATIONS = {
    "tanh": (-1.0, 1.0),
    "hard_tanh": (-1.0, 1.0),
    "softsign": (-1.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "hard_sigmoid": (0.0, 1.0),
    "softmax": (0.0, 1.0),
}
# Layers that move or drop values without changing them, so the activation
# before them still bounds the model's output (a float32 `Activation("linear")`
# ends mixed-precision models; a `Reshape` ends image generators).
_VALUE_PRESERVING_LAYERS = (
    "Reshape",
    "Flatten",
    "Permute",
    "Identity",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
)
# Data further than this fraction of the range outside it gets a warning:
# small overshoots (interpolation, augmentation) are harmless.
_RANGE_MARGIN = 0.1


def is_array_like(data):
    """True for NumPy arrays and objects that convert to one (JAX, Torch)."""
    return isinstance(data, np.ndarray) or (
        hasattr(data, "shape") and hasattr(data, "dtype") and hasattr(data, "__array__")
    )


def is_tf_dataset(data):
    tf = sys.modules.get("tensorflow")  # Loaded by whoever made a dataset.
    return tf is not None and isinstance(data, tf.data.Dataset)


def standardize_input(data, name="x"):
    """Returns `data` as a NumPy array, or the stream it is.

    A dict of arrays gives its samples' array (see `samples_of`); a list or
    tuple holding one array gives that array; a `tf.data.Dataset`, a
    `keras.utils.PyDataset` or an iterator is returned unchanged.

    Raises:
        TypeError: for anything else, naming the accepted types.
    """
    if isinstance(data, dict):
        data = samples_of(data, name=name, hint=f'{name}["{{key}}"]')
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
    if is_tf_dataset(data) or isinstance(data, keras.utils.PyDataset):
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
    if "image" in element:
        return "image"
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


def validation_samples(validation_data):
    """Strips labels and sample weights from `validation_data`.

    `(x, y)` and `(x, y, sample_weight)` tuples of arrays, Keras's usual
    form, give `x`; every other form is returned as it is, for
    `standardize_input` to handle.
    """
    if (
        isinstance(validation_data, (tuple, list))
        and len(validation_data) in (2, 3)
        and (is_array_like(validation_data[0]) or isinstance(validation_data[0], dict))
        and all(part is None or is_array_like(part) for part in validation_data[1:])
    ):
        return validation_data[0]
    return validation_data


def split_validation(data, validation_split):
    """Returns `(train, held_out)`: the last `validation_split` of an array.

    As Keras does, the split is taken before any shuffling, so the same
    samples are held out in every epoch and every run.

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
    data = standardize_input(data)
    if not isinstance(data, np.ndarray):
        raise ValueError(
            "`validation_split` is only supported when `x` is an array: a "
            "dataset or generator cannot be split without reading it all. "
            "Pass held-out samples as `validation_data` instead. Received: "
            f"x={_describe(data)}, validation_split={validation_split}"
        )
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


def output_range(model):
    """Returns `(low, high, activation)` bounding `model`'s output, or None.

    Read from the activation of the layer producing the output, looking
    through value-preserving layers (`Reshape`, `Flatten`, a linear
    `Activation`, ...). None for a linear or unrecognised last layer.

    Example:

    >>> output_range(kw.architectures.mnist_generator())  # (-1.0, 1.0, "tanh")
    """
    activation = last_activation(model)
    if activation not in _BOUNDED_ACTIVATIONS:
        return None
    return (*_BOUNDED_ACTIVATIONS[activation], activation)


def last_activation(model):
    """Returns the name of the activation that ends `model`, or None."""
    layer = _output_layer(model)
    while layer is not None:
        if isinstance(layer, keras.Model):
            layer = _output_layer(layer)
            continue
        name = getattr(getattr(layer, "activation", None), "__name__", None)
        if name is not None and name != "linear":
            return name
        # Look further back through layers that pass values on unchanged,
        # never through a linear Dense or Conv: they map values anywhere.
        if type(layer).__name__ in _VALUE_PRESERVING_LAYERS or (
            isinstance(layer, keras.layers.Activation) and name == "linear"
        ):
            layer = _input_layer_of(layer)
            continue
        return None
    return None


def check_value_range(samples, value_range, name="x"):
    """Warns if `samples` lie clearly outside the generator's output range.

    Args:
        samples: a NumPy array: the whole data set or its first batch.
        value_range: `output_range(generator)`; None checks nothing.
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
        stacklevel=4,
    )


def check_critic_activation(critic):
    """Warns if the critic's output goes through a squashing activation."""
    activation = last_activation(critic)
    if activation in _BOUNDED_ACTIVATIONS:
        warnings.warn(
            f"The critic ends in a {activation} activation. A Wasserstein "
            "critic must be linear: its unbounded score f(x) estimates the "
            "Wasserstein distance as E f(real) - E f(fake), and a squashing "
            "activation caps that estimate and flattens the critic's "
            "gradients (the vanishing gradients of the standard GAN), so "
            "the generator learns little. End the critic with `Dense(1)`, "
            "no activation.",
            stacklevel=4,
        )


def _output_layer(model):
    try:
        return model.outputs[0]._keras_history.operation
    except (AttributeError, IndexError, TypeError, ValueError):
        return model.layers[-1] if getattr(model, "layers", None) else None


def _input_layer_of(layer):
    """The layer feeding `layer`, if it has exactly one; else None."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if len(nodes) != 1 or len(nodes[0].input_tensors) != 1:
        return None
    history = getattr(nodes[0].input_tensors[0], "_keras_history", None)
    return None if history is None else history.operation


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
