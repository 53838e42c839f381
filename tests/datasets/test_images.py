"""Tests for keras_wgan.datasets.images: held-out split, scaling and the tf.data input."""

import keras
import numpy as np
import pytest

from keras_wgan.datasets import mnist
from tests.datasets.conftest import fake_digits

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
    [
        (0, ValueError),
        (100, ValueError),
        (-1, ValueError),
        (0.0, ValueError),
        (1.0, ValueError),
        (1.5, ValueError),
        (True, TypeError),
        ("10", TypeError),
    ],
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
    dataset = mnist.make_image_dataset(images, 3, value_range=(0.0, 1.0), shuffle=False)
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
        return [np.concatenate([batch.numpy()[:, 0, 0, 0] for batch in dataset]) for _ in range(2)]

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
