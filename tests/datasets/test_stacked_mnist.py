"""Tests for keras_wgan.datasets.stacked_mnist: three digits stacked as R, G and B."""

import numpy as np
import pytest

from keras_wgan.datasets import split_holdout, stacked_mnist


def test_channels_are_digits_of_the_split_and_labels_their_triple(digits):
    images, labels = stacked_mnist(200, seed=3, split="held_out", allow_download=False)
    assert images.shape == (200, 28, 28, 3) and images.dtype == np.uint8
    assert labels.shape == (200,) and labels.dtype == np.int32
    # Each channel is one of the MNIST job's held-out digits (split_holdout,
    # 1,000 digits, seed 0), and the label spells the three digits.
    heldout, heldout_labels = (split_holdout(array, 1000, seed=0)[1] for array in digits)
    flat = heldout.reshape(len(heldout), -1)
    for image, label in zip(images[:20], labels[:20], strict=True):
        triple = []
        for channel in range(3):
            matches = np.flatnonzero((flat == image[..., channel].reshape(1, -1)).all(axis=1))
            assert len(matches) >= 1
            triple.append(int(heldout_labels[matches[0]]))
        assert label == 100 * triple[0] + 10 * triple[1] + triple[2]


def test_train_and_held_out_use_disjoint_digits(digits):
    train, _ = stacked_mnist(300, split="train", allow_download=False)
    heldout_digits = split_holdout(digits[0], 1000, seed=0)[1].reshape(1000, -1)
    train_channels = np.moveaxis(train, -1, 1).reshape(-1, 28 * 28)
    heldout_set = {row.tobytes() for row in heldout_digits}
    # Bundled MNIST has a few duplicate digits; none of the 900 channels here
    # is a held-out digit.
    assert not any(row.tobytes() in heldout_set for row in train_channels)


def test_deterministic_per_seed_and_uniform_modes():
    first = stacked_mnist(20000, seed=1, allow_download=False)
    again = stacked_mnist(20000, seed=1, allow_download=False)
    other = stacked_mnist(20000, seed=2, allow_download=False)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])
    counts = np.bincount(first[1], minlength=1000)
    assert len(counts) == 1000 and counts.min() > 0  # All 1,000 triples, about 20 each.
    # Each channel's digit is drawn on its own: digit shares near 1/10.
    for place in (100, 10, 1):
        shares = np.bincount(first[1] // place % 10, minlength=10) / 20000
        np.testing.assert_allclose(shares, 0.1, atol=0.02)


def test_image_size_32_pads_with_black():
    small, labels = stacked_mnist(50, seed=4, allow_download=False)
    padded, padded_labels = stacked_mnist(50, seed=4, image_size=32, allow_download=False)
    assert padded.shape == (50, 32, 32, 3)
    np.testing.assert_array_equal(padded[:, 2:30, 2:30], small)
    assert padded.sum() == small.sum()
    np.testing.assert_array_equal(padded_labels, labels)


def test_bad_arguments():
    with pytest.raises(ValueError, match="split"):
        stacked_mnist(10, split="test", allow_download=False)
    with pytest.raises(ValueError, match="image_size"):
        stacked_mnist(10, image_size=64, allow_download=False)
    with pytest.raises(ValueError, match="num_samples"):
        stacked_mnist(0, allow_download=False)
    with pytest.raises(TypeError, match="seed"):
        stacked_mnist(10, seed=1.5, allow_download=False)
