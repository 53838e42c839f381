"""Checking and subsetting the real samples given to an evaluation."""

import keras
import numpy as np

from keras_wgan.utils import argument_validation


def as_sample_array(values, name):
    """Returns `values` (array or tensor) as a non-empty NumPy array of samples."""
    if keras.ops.is_tensor(values):
        values = keras.ops.convert_to_numpy(values)
    array = np.asarray(values)
    if array.ndim == 0 or len(array) == 0:
        raise ValueError(
            f"`{name}` must be a non-empty array of samples. Received: {name}.shape={array.shape}"
        )
    return array


def check_sample_count(n, available, name):
    """Returns `n` as an int in `[1, available]`; `name` is the samples' argument."""
    n = argument_validation.check_int(n, "n", minimum=1)
    if n > available:
        raise ValueError(
            f"`n` exceeds the {available} samples in `{name}`: pass a smaller `n`. Received: n={n}"
        )
    return n


def sample_indices(count, n, seed):
    """`n` distinct indices out of `count`, the same for the same `seed`."""
    return np.random.default_rng(seed).choice(count, size=n, replace=False)
