"""TensorFlow 1's bilinear resize, the one inside the FID Inception graph, in `keras.ops`.

The 2015-12-05 Inception graph resizes its input with TF1's
`ResizeBilinear` (`align_corners=False`, no half-pixel centres): output
pixel `i` samples the input at `src = i * (in_size / out_size)` (float32),
between the pixels `floor(src)` and `min(floor(src) + 1, in_size - 1)`:

`top    = p[y0, x0] + (p[y0, x1] - p[y0, x0]) * (src_x - x0)`
`bottom = p[y1, x0] + (p[y1, x1] - p[y1, x0]) * (src_x - x0)`
`out    = top + (bottom - top) * (src_y - y0)`

Current resizes (`keras.ops.image.resize`, `tf.image.resize`, PyTorch's
`interpolate`) sample at half-pixel centres instead, which shifts the image
by up to half an input pixel and changes FID. TensorFlow still computes the
old one as `tf.compat.v1.image.resize_bilinear`; this version is written as
a gather and two linear interpolations so that it runs on every backend.

Example:

>>> images = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
>>> keras.ops.convert_to_numpy(resize_bilinear_tf1(images, (2, 2)))[0, :, :, 0]
array([[ 0.,  2.],
       [ 8., 10.]], dtype=float32)
"""

import keras
from keras import ops

from keras_wgan.utils import argument_validation


def resize_bilinear_tf1(images, size):
    """Resizes `(N, H, W, C)` images to `size` as TF1's `resize_bilinear` does.

    See the module docstring for the formula (`align_corners=False`,
    `half_pixel_centers=False`).

    Args:
        images: a float tensor or array `(N, H, W, C)`.
        size: `(height, width)` of the output.

    Returns:
        A float32 tensor `(N, height, width, C)`.
    """
    height, width = argument_validation.check_shape(size, "size")
    images = ops.cast(ops.convert_to_tensor(images), "float32")
    shape = ops.shape(images)
    rows = _sample_positions(shape[1], height)
    columns = _sample_positions(shape[2], width)
    # Along the width first, as the TF1 kernel (`top`, `bottom`), then along
    # the height: the same float32 operations in the same order.
    images = _interpolate(images, *columns, axis=2)
    return _interpolate(images, *rows, axis=1)


def _sample_positions(in_size, out_size):
    # Float32 throughout, as the TF1 kernel computes them: the scale is
    # float(in) / float(out) and the source position index * scale.
    scale = ops.cast(in_size, "float32") / ops.cast(out_size, "float32")
    source = ops.arange(out_size, dtype="float32") * scale
    low = ops.floor(source)
    fraction = ops.expand_dims(source - low, -1)  # broadcast over channels
    low = ops.cast(low, "int32")
    high = ops.minimum(low + 1, ops.cast(in_size, "int32") - 1)
    return low, high, fraction


def _interpolate(images, low, high, fraction, axis):
    lower = ops.take(images, low, axis=axis)
    upper = ops.take(images, high, axis=axis)
    if axis == 1:
        fraction = ops.expand_dims(fraction, 1)  # (out, 1, 1): over width and channels
    return lower + (upper - lower) * fraction


@keras.saving.register_keras_serializable(package="keras_wgan")
class TF1Resize(keras.layers.Layer):
    """Grey or RGB images of any size to `(N, size, size, 3)` with `resize_bilinear_tf1`.

    One-channel images are repeated to three channels (by broadcasting, so
    that the layer works whatever the static shape of its input).

    Args:
        size: side of the square output.
    """

    def __init__(self, size=299, **kwargs):
        super().__init__(**kwargs)
        self.size = argument_validation.check_positive_int(size, "size")

    def call(self, images):
        images = resize_bilinear_tf1(images, (self.size, self.size))
        return images + ops.zeros((3,), dtype=images.dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, 3)

    def get_config(self):
        return {**super().get_config(), "size": self.size}
