"""Tests for keras_wgan.datasets.mnist: where the digits come from."""

import time

import keras
import numpy as np
import pytest

from keras_wgan.datasets import mnist
from tests.datasets.conftest import fake_digits, write_idx

BUNDLED_SOURCE = "bundled MNIST test split (10,000 digits, CC BY-SA 3.0)"
# From shared/data/mnist/README.md.
BUNDLED_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
BUNDLED_FIRST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """A HOME without a Keras cache, and no KERAS_HOME override."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    return home


# --------------------------------------------------------------------------
# load_mnist


def test_bundled_split_matches_published_facts(bundled):
    images, labels = bundled
    assert images.shape == (10000, 28, 28)
    assert images.dtype == np.uint8 and labels.dtype == np.uint8
    assert labels.shape == (10000,)
    assert np.bincount(labels, minlength=10).tolist() == BUNDLED_LABEL_COUNTS
    assert labels[:10].tolist() == BUNDLED_FIRST_LABELS
    assert images.min() == 0 and images.max() == 255


def test_load_mnist_offline_without_cache_uses_bundled(empty_home, capsys):
    data = mnist.load_mnist(allow_download=False)
    assert isinstance(data, mnist.MNISTData)
    assert data.source == BUNDLED_SOURCE
    assert data.images.shape == (10000, 28, 28)
    assert data.images.dtype == np.uint8 and data.labels.dtype == np.uint8
    assert data.labels[:10].tolist() == BUNDLED_FIRST_LABELS
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1
    assert BUNDLED_SOURCE in printed[0] and "download not allowed" in printed[0]


def test_load_mnist_not_verbose_prints_nothing(empty_home, capsys):
    mnist.load_mnist(allow_download=False, verbose=False)
    assert capsys.readouterr().out == ""


def test_load_mnist_unreachable_host_skips_download(empty_home, monkeypatch):
    def must_not_download():
        raise AssertionError("load_data() called although offline")

    monkeypatch.setattr(mnist.network, "host_reachable", lambda *args: False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", must_not_download)
    data = mnist.load_mnist(verbose=False)
    assert data.source == BUNDLED_SOURCE


def test_load_mnist_failed_download_falls_back(empty_home, monkeypatch, capsys):
    def failing_download():
        raise Exception("URL fetch failure")

    monkeypatch.setattr(mnist.network, "host_reachable", lambda *args: True)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", failing_download)
    data = mnist.load_mnist()
    assert data.source == BUNDLED_SOURCE
    assert "URL fetch failure" in capsys.readouterr().out


def test_load_mnist_download_success(empty_home, monkeypatch):
    images, labels = fake_digits(20)
    monkeypatch.setattr(mnist.network, "host_reachable", lambda *args: True)
    monkeypatch.setattr(
        keras.datasets.mnist,
        "load_data",
        lambda: ((images, labels), (images[:5], labels[:5])),
    )
    data = mnist.load_mnist(verbose=False)
    assert data.source == "keras.datasets.mnist (20 training digits)"
    np.testing.assert_array_equal(data.images, images)


def test_host_probe_is_bounded():
    # ".invalid" never resolves (RFC 2606); either way the probe must return
    # False within its timeout rather than hang.
    start = time.monotonic()
    assert not mnist.network.host_reachable("keras-wgan.invalid", 443, 1.0)
    assert time.monotonic() - start < 2.0


def test_load_mnist_offline_download_returns_quickly(empty_home, monkeypatch):
    monkeypatch.setattr(mnist, "_DOWNLOAD_HOST", "keras-wgan.invalid")
    start = time.monotonic()
    data = mnist.load_mnist(verbose=False)
    assert data.source == BUNDLED_SOURCE
    assert time.monotonic() - start < 5.0


def test_load_mnist_uses_keras_cache(empty_home):
    images, labels = fake_digits(30)
    cache = empty_home / ".keras" / "datasets"
    cache.mkdir(parents=True)
    np.savez(cache / "mnist.npz", x_train=images, y_train=labels)
    data = mnist.load_mnist(allow_download=False, verbose=False)
    assert data.source.startswith("keras cache ")
    assert "mnist.npz" in data.source and "30 training digits" in data.source
    np.testing.assert_array_equal(data.images, images)


def test_load_mnist_respects_keras_home(empty_home, tmp_path, monkeypatch):
    images, labels = fake_digits(12)
    keras_home = tmp_path / "elsewhere"
    (keras_home / "datasets").mkdir(parents=True)
    cache_file = keras_home / "datasets" / "mnist.npz"
    np.savez(cache_file, x_train=images, y_train=labels)
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    data = mnist.load_mnist(allow_download=False, verbose=False)
    assert str(keras_home) in data.source
    assert len(data.images) == 12


def test_load_mnist_from_npz_uses_training_split(tmp_path):
    images, labels = fake_digits(50)
    path = tmp_path / "mnist.npz"
    np.savez(
        path,
        x_train=images,
        y_train=labels,
        x_test=images[:5],
        y_test=labels[:5],
    )
    data = mnist.load_mnist(path, verbose=False)
    np.testing.assert_array_equal(data.images, images)
    np.testing.assert_array_equal(data.labels, labels)
    assert data.source.startswith(f"local file {path}")


def test_load_mnist_npz_missing_keys(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, images=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="x_train"):
        mnist.load_mnist(path, verbose=False)


def test_load_mnist_npz_wrong_image_shape(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(
        path,
        x_train=np.zeros((4, 32, 32), np.uint8),
        y_train=np.zeros((4,), np.uint8),
    )
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        mnist.load_mnist(path, verbose=False)


def test_load_mnist_garbage_npz(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"this is not an archive")
    with pytest.raises(ValueError, match="mnist.npz"):
        mnist.load_mnist(path, verbose=False)


def test_load_mnist_idx_directory_prefers_train(tmp_path):
    train_images, train_labels = fake_digits(40, seed=1)
    test_images, test_labels = fake_digits(10, seed=2)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", train_images)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", train_labels)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", test_images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", test_labels)
    data = mnist.load_mnist(tmp_path, verbose=False)
    np.testing.assert_array_equal(data.images, train_images)
    np.testing.assert_array_equal(data.labels, train_labels)
    assert "train-images-idx3-ubyte.gz" in data.source


def test_load_mnist_idx_directory_test_files_uncompressed(tmp_path):
    images, labels = fake_digits(10)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images, compress=False)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels, compress=False)
    data = mnist.load_mnist(str(tmp_path), verbose=False)
    np.testing.assert_array_equal(data.images, images)
    assert "10 digits" in data.source


def test_load_mnist_idx_images_file(tmp_path):
    images, labels = fake_digits(8)
    images_path = write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels, compress=False)
    data = mnist.load_mnist(images_path, verbose=False)
    np.testing.assert_array_equal(data.labels, labels)


def test_load_mnist_missing_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mnist.load_mnist(tmp_path / "nowhere" / "mnist.npz", verbose=False)


def test_load_mnist_empty_directory_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No MNIST files"):
        mnist.load_mnist(tmp_path, verbose=False)


def test_load_mnist_missing_labels_is_an_error(tmp_path):
    images, _ = fake_digits(3)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        mnist.load_mnist(tmp_path, verbose=False)


def test_load_mnist_corrupt_idx_is_an_error(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x01\x02\x03\x04junk")
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(3))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte"):
        mnist.load_mnist(tmp_path, verbose=False)


def test_load_mnist_label_count_mismatch(tmp_path):
    images, labels = fake_digits(5)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", labels[:4])
    with pytest.raises(ValueError, match="one per image"):
        mnist.load_mnist(tmp_path, verbose=False)
