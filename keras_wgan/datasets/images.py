"""Image arrays for a WGAN: a held-out split, pixel scaling and the `tf.data` input.

`scale_images` and `unscale_images` map `uint8` pixels to a generator's
output range and back; `split_holdout` sets held-out images aside for the
held-out critic estimate; `make_image_dataset` is the `tf.data` pipeline
(the only function here that needs TensorFlow, imported when called).
"""

import keras
import numpy as np
from keras import ops

from keras_wgan.utils import argument_validation
from keras_wgan.utils.optional_imports import import_tensorflow


def split_holdout(images, holdout=1000, seed=0):
    """Splits images into a training part and a held-out part.

    The held-out part serves the held-out critic estimate: WGAN-GP's paper
    (Gulrajani et al. 2017, Fig. 5b) compares the critic's loss on training
    and on held-out digits to see when the critic overfits. The split is
    deterministic for a given `seed`, and both parts keep the original order.

    Args:
        images: array whose first axis indexes examples (at least 2 of them).
        holdout: how many examples to hold out: an `int` count
            (`1 <= holdout < len(images)`), or a `float` fraction in
            `(0, 1)` rounded to a count that must satisfy the same bounds.
        seed: seed of the random choice of held-out examples.

    Returns:
        A tuple `(train, heldout)` of arrays, with `len(heldout)` equal to the
        held-out count and `len(train) + len(heldout) == len(images)`.

    Raises:
        ValueError: if `holdout` is not a valid count or fraction.

    Example:

    >>> train, heldout = split_holdout(np.zeros((10000, 28, 28)), 1000)
    >>> train.shape, heldout.shape
    ((9000, 28, 28), (1000, 28, 28))
    """
    images = np.asarray(images)
    if images.ndim == 0:
        raise ValueError("`images` must have a first (example) axis.")
    count = len(images)
    if isinstance(holdout, (float, np.floating)):
        fraction = argument_validation.check_number(
            holdout, "holdout", minimum=0.0, maximum=1.0, exclusive_minimum=True, exclusive_maximum=True
        )
        heldout_count = int(round(fraction * count))
    elif argument_validation.is_int(holdout):
        heldout_count = int(holdout)
    else:
        raise TypeError(
            f"`holdout` must be an int (a count) or a float (a fraction). Received: holdout={holdout!r}"
        )
    seed = argument_validation.check_seed(seed, allow_none=True)
    if not 1 <= heldout_count < count:
        raise ValueError(
            "`holdout` must leave at least one example on each side: it holds out "
            f"{heldout_count} of {count} examples. Received: holdout={holdout!r}"
        )
    order = np.random.default_rng(seed).permutation(count)
    heldout_indices = np.sort(order[:heldout_count])
    train_indices = np.sort(order[heldout_count:])
    return images[train_indices], images[heldout_indices]


def make_image_dataset(
    images,
    batch_size,
    *,
    value_range=(-1.0, 1.0),
    shuffle=True,
    seed=None,
    repeat=False,
    labels=None,
):
    """Builds the `tf.data` pipeline that feeds real images to a WGAN.

    Images are stored as `uint8` and scaled to `float32` per batch, which
    keeps the in-memory copy four times smaller. Batches are built with
    `drop_remainder=True`: every batch has the same static shape, so a
    compiled (XLA) train step is traced once, and the gradient penalty's
    per-example interpolation never sees a short batch.

    Args:
        images: `uint8` array of shape `(N, H, W)` or `(N, H, W, C)`, e.g.
            MNIST's `(N, 28, 28)`.
        batch_size: number of images per batch, `1 <= batch_size <= N`.
        value_range: `(low, high)` the pixels are mapped to: 0 -> `low` and
            255 -> `high`. Match the generator's output activation:
            `(-1.0, 1.0)` for `"tanh"`, `(0.0, 1.0)` for `"sigmoid"`.
        shuffle: whether to shuffle the images (with a buffer that holds them
            all), in a new order on every pass.
        seed: optional seed of the shuffle, for a reproducible order.
        repeat: whether to repeat forever (then pass `steps_per_epoch` to
            `fit`). Otherwise one pass yields `N // batch_size` batches.
        labels: optional integer class ids, one per image, for a
            conditional WGAN (`num_classes` set): batches are then
            `(images, labels)` pairs, shuffled together.

    Returns:
        A `tf.data.Dataset` of `float32` tensors of shape
        `(batch_size, H, W, C)` (with `C = 1` for `(N, H, W)` input), or of
        `(images, labels)` pairs with int32 labels of shape `(batch_size,)`.

    Raises:
        ValueError: for images that are empty, not `uint8`, of the wrong rank
            or fewer than `batch_size`; a `batch_size` below 1; or a bad
            `value_range`.

    Example:

    >>> images = np.zeros((100, 28, 28), dtype="uint8")
    >>> dataset = make_image_dataset(images, batch_size=32, seed=0)
    >>> [tuple(batch.shape) for batch in dataset]
    [(32, 28, 28, 1), (32, 28, 28, 1), (32, 28, 28, 1)]
    """
    low, high = argument_validation.check_value_range(value_range)
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(
            "`images` must be uint8 (pixel values 0..255); scale float images yourself or convert them. "
            f"Received: images.dtype={images.dtype}"
        )
    if images.ndim == 3:
        images = images[..., np.newaxis]
    elif images.ndim != 4:
        raise ValueError(
            f"`images` must have shape (N, H, W) or (N, H, W, C). Received: images.shape={images.shape}"
        )
    if len(images) == 0:
        raise ValueError("`images` is empty: there is nothing to train on.")
    batch_size = argument_validation.check_positive_int(batch_size, "batch_size")
    shuffle = argument_validation.check_bool(shuffle, "shuffle")
    seed = argument_validation.check_seed(seed, allow_none=True)
    repeat = argument_validation.check_bool(repeat, "repeat")
    if len(images) < batch_size:
        raise ValueError(
            f"Only {len(images)} images for batch_size={batch_size}: with "
            "drop_remainder=True the dataset would be empty."
        )

    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"`labels` must hold one integer class id per image, shape ({len(images)},). "
                f"Received: labels.shape={labels.shape}, labels.dtype={labels.dtype}"
            )
        labels = labels.astype("int32")

    tf = import_tensorflow("make_image_dataset")
    scale = (high - low) / 255.0

    def to_value_range(batch, batch_labels=None):
        batch = tf.cast(batch, tf.float32) * scale + low
        return batch if batch_labels is None else (batch, batch_labels)

    dataset = tf.data.Dataset.from_tensor_slices(images if labels is None else (images, labels))
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(int(batch_size), drop_remainder=True)
    # Scaling whole batches is one vectorised op instead of N small ones.
    dataset = dataset.map(to_value_range, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def scale_images(images, value_range=(-1.0, 1.0)):
    """Maps `uint8` pixels 0..255 linearly to `float32` in `value_range`.

    The same mapping as `make_image_dataset`, for data outside `tf.data`.

    Args:
        images: `uint8` array or tensor, any shape.
        value_range: `(low, high)`: 0 maps to `low` and 255 to `high`.

    Returns:
        A `float32` tensor of the same shape (a backend tensor; use
        `keras.ops.convert_to_numpy` for a NumPy array).

    Example:

    >>> x = scale_images(np.array([0, 255], dtype="uint8"))
    >>> keras.ops.convert_to_numpy(x).tolist()
    [-1.0, 1.0]
    """
    low, high = argument_validation.check_value_range(value_range)
    images = ops.convert_to_tensor(images)
    dtype = keras.backend.standardize_dtype(images.dtype)
    if dtype != "uint8":
        raise ValueError(f"`images` must be uint8 (pixel values 0..255). Received: images.dtype={dtype}")
    return ops.cast(images, "float32") * ((high - low) / 255.0) + low


def unscale_images(images, value_range=(-1.0, 1.0)):
    """Maps images in `value_range` (e.g. generator outputs) to [0, 1].

    Values outside `value_range` are clipped, so the result can be saved as an
    image even from a generator with a linear output.

    Args:
        images: float array or tensor with values in `value_range`.
        value_range: `(low, high)` of the input, e.g. `(-1.0, 1.0)` for a
            `tanh` generator and `(0.0, 1.0)` for a `sigmoid` one.

    Returns:
        A `float32` tensor of the same shape with values in [0, 1].

    Example:

    >>> x = unscale_images(np.array([-1.0, 0.0, 1.0, 3.0]))
    >>> keras.ops.convert_to_numpy(x).tolist()
    [0.0, 0.5, 1.0, 1.0]
    """
    low, high = argument_validation.check_value_range(value_range)
    images = ops.cast(ops.convert_to_tensor(images), "float32")
    return ops.clip((images - low) / (high - low), 0.0, 1.0)
