"""Shared data of the dataset tests: the bundled digits and IDX files written on the fly."""

import gzip

import numpy as np
import pytest

from keras_wgan.datasets import mnist


@pytest.fixture(scope="session")
def bundled():
    return mnist._load_bundled()


def write_idx(path, array, compress=True):
    """Writes `array` as an IDX file (uint8 data)."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(dim).to_bytes(4, "big") for dim in array.shape)
    opener = gzip.open if compress else open
    with opener(path, "wb") as file:
        file.write(header + array.tobytes())
    return path


def fake_digits(count, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=(count,), dtype=np.uint8)
    return images, labels
