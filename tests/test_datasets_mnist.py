"""Tests for keras_wgan.datasets.mnist: loading, splitting and tf.data input."""

import gzip
import os
import time

import keras
import numpy as np
import pytest

from keras_wgan.datasets import mnist

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


@pytest.fixture(scope="module")
def bundled():
    return mnist._load_bundled()


def write_idx(path, array, compress=True):
    """Writes `array` as an IDX file (uint8 data)."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(dim).to_bytes(4, "big") for dim in array.shape
    )
    opener = gzip.open if compress else open
    with opener(path, "wb") as file:
        file.write(header + array.tobytes())
    return path


def fake_digits(count, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=(count,), dtype=np.uint8)
    return images, labels


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
    path.write_bytes(
        bytes([0, 0, 0x0C, 2]) + (2).to_bytes(4, "big") * 2 + values.tobytes()
    )
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

    monkeypatch.setattr(mnist, "_host_reachable", lambda *args: False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", must_not_download)
    data = mnist.load_mnist(verbose=False)
    assert data.source == BUNDLED_SOURCE


def test_load_mnist_failed_download_falls_back(empty_home, monkeypatch, capsys):
    def failing_download():
        raise Exception("URL fetch failure")

    monkeypatch.setattr(mnist, "_host_reachable", lambda *args: True)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", failing_download)
    data = mnist.load_mnist()
    assert data.source == BUNDLED_SOURCE
    assert "URL fetch failure" in capsys.readouterr().out


def test_load_mnist_download_success(empty_home, monkeypatch):
    images, labels = fake_digits(20)
    monkeypatch.setattr(mnist, "_host_reachable", lambda *args: True)
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
    assert not mnist._host_reachable("keras-wgan.invalid", 443, 1.0)
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


# --------------------------------------------------------------------------
# split_holdout


def test_split_holdout_count_is_deterministic_and_disjoint():
    values = np.arange(100)
    train, heldout = mnist.split_holdout(values, holdout=10, seed=3)
    assert len(train) == 90 and len(heldout) == 10
    assert sorted(np.concatenate([train, heldout]).tolist()) == list(range(100))
    again_train, again_heldout = mnist.split_holdout(values, holdout=10, seed=3)
    np.testing.assert_array_equal(train, again_train)
    np.testing.assert_array_equal(heldout, again_heldout)
    _, other_heldout = mnist.split_holdout(values, holdout=10, seed=4)
    assert not np.array_equal(heldout, other_heldout)


def test_split_holdout_fraction_on_images(bundled):
    images, _ = bundled
    train, heldout = mnist.split_holdout(images, holdout=0.1)
    assert train.shape == (9000, 28, 28) and heldout.shape == (1000, 28, 28)
    assert train.dtype == np.uint8


@pytest.mark.parametrize(
    "holdout, error",
    [(0, ValueError), (100, ValueError), (-1, ValueError), (0.0, ValueError), (1.0, ValueError),
     (1.5, ValueError), (True, TypeError), ("10", TypeError)],
)
def test_split_holdout_errors(holdout, error):
    with pytest.raises(error, match="holdout"):
        mnist.split_holdout(np.arange(100), holdout=holdout)


# --------------------------------------------------------------------------
# make_image_dataset, scale_images, unscale_images


def test_dataset_batches_of_bundled_digits(bundled):
    images, _ = bundled
    dataset = mnist.make_image_dataset(images, batch_size=256, seed=0)
    batches = list(dataset)
    assert len(batches) == 10000 // 256
    for batch in batches:
        assert tuple(batch.shape) == (256, 28, 28, 1)
        assert batch.dtype.name == "float32"
    values = np.concatenate([batch.numpy() for batch in batches])
    assert values.min() == pytest.approx(-1.0)
    assert values.max() == pytest.approx(1.0)
    assert dataset.element_spec.shape.as_list() == [256, 28, 28, 1]


def test_dataset_unit_value_range_and_channel_input():
    images = np.array([0, 51, 255], dtype=np.uint8).reshape(3, 1, 1, 1)
    images = np.broadcast_to(images, (3, 28, 28, 1))
    dataset = mnist.make_image_dataset(
        images, 3, value_range=(0.0, 1.0), shuffle=False
    )
    (batch,) = list(dataset)
    np.testing.assert_allclose(batch.numpy()[:, 0, 0, 0], [0.0, 0.2, 1.0])


def test_dataset_drops_remainder_and_repeats():
    images = np.zeros((100, 28, 28), dtype=np.uint8)
    assert len(list(mnist.make_image_dataset(images, 32))) == 3
    repeated = mnist.make_image_dataset(images, 32, repeat=True)
    assert len(list(repeated.take(7))) == 7


def test_dataset_shuffle_is_seeded_and_reshuffles():
    images = np.arange(64, dtype=np.uint8).reshape(64, 1, 1)
    images = np.broadcast_to(images, (64, 28, 28))

    def epoch_orders(dataset):
        return [
            np.concatenate([batch.numpy()[:, 0, 0, 0] for batch in dataset])
            for _ in range(2)
        ]

    first = epoch_orders(mnist.make_image_dataset(images, 16, seed=7))
    second = epoch_orders(mnist.make_image_dataset(images, 16, seed=7))
    np.testing.assert_array_equal(first[0], second[0])
    assert not np.array_equal(first[0], first[1])
    unshuffled = mnist.make_image_dataset(images, 16, shuffle=False)
    expected = np.arange(64) / 255.0 * 2.0 - 1.0
    np.testing.assert_allclose(epoch_orders(unshuffled)[0], expected, atol=1e-6)


@pytest.mark.parametrize(
    "images, batch_size, value_range, error, message",
    [
        (np.zeros((0, 28, 28), np.uint8), 1, (-1, 1), ValueError, "empty"),
        (np.zeros((10, 28, 28), np.uint8), 11, (-1, 1), ValueError, "batch_size=11"),
        (np.zeros((10, 784), np.uint8), 2, (-1, 1), ValueError, "shape"),
        (np.zeros((10, 28, 28), np.float32), 2, (-1, 1), ValueError, "uint8"),
        (np.zeros((10, 28, 28), np.uint8), 0, (-1, 1), ValueError, "at least 1"),
        (np.zeros((10, 28, 28), np.uint8), 2.0, (-1, 1), TypeError, "int"),
        (np.zeros((10, 28, 28), np.uint8), 2, (1, -1), ValueError, "low < high"),
        (np.zeros((10, 28, 28), np.uint8), 2, (0,), TypeError, "pair"),
    ],
)
def test_dataset_errors(images, batch_size, value_range, error, message):
    with pytest.raises(error, match=message):
        mnist.make_image_dataset(images, batch_size, value_range=value_range)


def test_scale_and_unscale_images():
    pixels = np.array([0, 51, 255], dtype=np.uint8)
    scaled = keras.ops.convert_to_numpy(mnist.scale_images(pixels))
    np.testing.assert_allclose(scaled, [-1.0, -0.6, 1.0], atol=1e-6)
    assert scaled.dtype == np.float32
    unit = keras.ops.convert_to_numpy(mnist.unscale_images(scaled))
    np.testing.assert_allclose(unit, [0.0, 0.2, 1.0], atol=1e-6)
    # Out-of-range generator outputs are clipped to [0, 1].
    clipped = mnist.unscale_images(np.array([-3.0, 0.5, 2.0]), (0.0, 1.0))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clipped), [0, 0.5, 1])
    with pytest.raises(ValueError, match="uint8"):
        mnist.scale_images(np.array([0.5]))
    with pytest.raises(ValueError, match="value_range"):
        mnist.unscale_images(np.zeros(2), value_range=(1.0, 1.0))


def test_scale_images_matches_dataset():
    images, _ = fake_digits(8)
    (batch,) = list(mnist.make_image_dataset(images, 8, shuffle=False))
    expected = keras.ops.convert_to_numpy(mnist.scale_images(images[..., None]))
    np.testing.assert_allclose(batch.numpy(), expected, atol=1e-6)
