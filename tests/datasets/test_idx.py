"""Tests for keras_wgan.datasets.idx: reading IDX files."""

import gzip
import os

import numpy as np
import pytest

from keras_wgan.datasets import mnist
from tests.datasets.conftest import fake_digits, write_idx

# --------------------------------------------------------------------------
# read_idx


def test_read_idx_bundled_images():
    path = os.path.join(mnist._BUNDLED_DIR, "t10k-images-idx3-ubyte.gz")
    images = mnist.read_idx(path)
    assert images.shape == (10000, 28, 28)
    assert images.dtype == np.uint8
    assert images.flags.writeable


def test_read_idx_uncompressed_and_wider_dtype(tmp_path):
    images, _ = fake_digits(3)
    plain = write_idx(tmp_path / "plain-idx3-ubyte", images, compress=False)
    np.testing.assert_array_equal(mnist.read_idx(plain), images)

    values = np.array([[1, -2], [300, 4]], dtype=">i4")
    path = tmp_path / "int32.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 2]) + (2).to_bytes(4, "big") * 2 + values.tobytes())
    result = mnist.read_idx(path)
    assert result.dtype == np.int32 and result.dtype.isnative
    np.testing.assert_array_equal(result, values)


def test_read_idx_bad_magic_names_the_file(tmp_path):
    path = tmp_path / "not-idx.gz"
    with gzip.open(path, "wb") as file:
        file.write(b"PK\x03\x04" + bytes(100))
    with pytest.raises(ValueError, match="not-idx.gz.*magic number"):
        mnist.read_idx(path)


def test_read_idx_truncated_data(tmp_path):
    images, _ = fake_digits(4)
    path = write_idx(tmp_path / "cut-images-idx3-ubyte", images, compress=False)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="cut-images-idx3-ubyte.*truncated"):
        mnist.read_idx(path)


def test_read_idx_corrupt_gzip(tmp_path):
    images, _ = fake_digits(4)
    path = write_idx(tmp_path / "broken-images-idx3-ubyte.gz", images)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ValueError, match="broken-images-idx3-ubyte.gz"):
        mnist.read_idx(path)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        mnist.read_idx(tmp_path / "absent-idx3-ubyte.gz")
