"""keras_wgan.evaluation.tf1_resize against TensorFlow's TF1 bilinear resize, on any backend."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_wgan.evaluation.tf1_resize import TF1Resize, resize_bilinear_tf1


@pytest.mark.parametrize(
    "shape, size",
    [
        ((2, 32, 32, 3), (299, 299)),
        ((1, 28, 28, 1), (299, 299)),
        ((2, 7, 13, 3), (11, 5)),
        ((1, 400, 350, 2), (299, 299)),
    ],
)
def test_resize_equals_tf_compat_v1_resize_bilinear(shape, size):
    images = np.random.default_rng(0).uniform(-1, 1, shape).astype("float32")
    expected = tf.compat.v1.image.resize_bilinear(
        images, size, align_corners=False, half_pixel_centers=False
    ).numpy()
    got = keras.ops.convert_to_numpy(resize_bilinear_tf1(images, size))
    np.testing.assert_array_equal(got, expected)  # bit-exact: the same float32 operations


def test_resize_is_not_the_half_pixel_resize():
    # The reason for this module: today's resizes sample at half-pixel centres.
    images = np.random.default_rng(1).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    modern = keras.ops.convert_to_numpy(keras.ops.image.resize(images, (299, 299), interpolation="bilinear"))
    legacy = keras.ops.convert_to_numpy(resize_bilinear_tf1(images, (299, 299)))
    assert np.max(np.abs(modern - legacy)) > 0.1


def test_layer_repeats_grey_images_and_resizes_any_size():
    layer = TF1Resize(299)
    grey = np.random.default_rng(2).uniform(-1, 1, (2, 20, 30, 1)).astype("float32")
    out = keras.ops.convert_to_numpy(layer(grey))
    assert out.shape == (2, 299, 299, 3)
    np.testing.assert_array_equal(out[..., 0], out[..., 2])
    np.testing.assert_array_equal(
        out[..., :1], keras.ops.convert_to_numpy(resize_bilinear_tf1(grey, (299, 299)))
    )
    assert TF1Resize.from_config(layer.get_config()).size == 299
    with pytest.raises(ValueError, match="size"):
        TF1Resize(0)
