"""A folder of your own images as the real data of a WGAN.

`image_folder(directory, image_size=64)` finds every PNG, JPEG, BMP and GIF
under `directory` (recursively), checks that each one decodes, and returns a
`tf.data` pipeline of square, batched images in the generator's output
range: the DCGAN preprocessing (centre crop to a square, then resize) with
Keras's own image loading, the decoding and the aspect-ratio-preserving
resize of `keras.utils.image_dataset_from_directory`.

Files that do not decode (truncated downloads, HTML saved as `.jpg`, empty
files) are found BEFORE training, left out, and reported in one warning, so
that a scraped folder with a few broken files trains instead of crashing
hours in. TensorFlow is imported when the function is called, not when
`keras_wgan` is imported.
"""

import os
import warnings

import numpy as np

from keras_wgan.utils import argument_validation
from keras_wgan.utils.optional_imports import import_tensorflow

# The formats of `keras.utils.image_dataset_from_directory`.
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")

# Paths named in the warning about unreadable files; the rest are counted.
_PATHS_SHOWN = 5


def image_folder(
    directory,
    *,
    image_size,
    channels=3,
    batch_size=64,
    value_range=(-1.0, 1.0),
    shuffle=True,
    seed=None,
    cache=False,
    repeat=False,
    verbose=True,
):
    """Real images from a folder, as a batched, prefetched `tf.data.Dataset`.

    Every file under `directory` (subfolders included, links not followed)
    ending in `.png`, `.jpg`, `.jpeg`, `.bmp` or `.gif` (any case) is read;
    other files are ignored. Each image is

    1. decoded as `keras.utils.image_dataset_from_directory` decodes it
       (`tf.io.decode_image`, first frame of an animated GIF), to RGB; with
       `channels=1` then converted to grey (ITU-R 601 luma, as PIL's `"L"`:
       this also works for BMP and GIF, which TensorFlow cannot decode to one
       channel directly);
    2. centre-cropped to the largest square and resized to
       `image_size x image_size` (`keras.layers.Resizing` with
       `crop_to_aspect_ratio=True`, bilinear with antialiasing, so that large
       photos shrink without aliasing): the DCGAN preprocessing;
    3. rounded to 8-bit pixels (what `cache` keeps in memory) and mapped
       linearly to `value_range` per batch: 0 -> `low`, 255 -> `high`.

    Before the pipeline is built, every file is decoded once (in parallel,
    with the same decoder). Those that fail are left out and reported in ONE
    `UserWarning` giving their count and the first few paths; images smaller
    than `image_size` (which are upscaled, hence blurry) are counted in
    another. This pass costs one decode per file, e.g. a minute or two for
    100,000 small JPEGs on two CPU cores. A file that becomes unreadable
    after the check is skipped during training (`ignore_errors`) rather
    than ending it.

    Batches are built with `drop_remainder=True`, so every batch has the
    same static shape (one XLA trace; the gradient penalty never sees a
    short batch).

    Args:
        directory: path of the folder.
        image_size: side of the square images in pixels, e.g. 32 or 64.
        channels: 3 for RGB, 1 for grey.
        batch_size: images per batch, at most the number of readable images.
        value_range: `(low, high)` the pixels are mapped to: `(-1, 1)` for a
            `tanh` generator, `(0, 1)` for a `sigmoid` one.
        shuffle: whether to shuffle the images, in a new order on every pass.
        seed: optional int seed of the shuffle, for a reproducible order.
        cache: whether to keep the decoded, resized images in memory after
            the first pass (`image_size**2 * channels` bytes each), so that
            later epochs skip reading and decoding.
        repeat: whether to repeat forever (then pass `steps_per_epoch` to
            `fit`). Otherwise one pass yields `N // batch_size` batches.
        verbose: whether to print how many images were found.

    Returns:
        A `tf.data.Dataset` of `float32` tensors of shape
        `(batch_size, image_size, image_size, channels)`.

    Raises:
        ValueError: if `directory` is not a folder, holds no image file or no
            readable image, holds fewer readable images than `batch_size`,
            or an argument is out of range.

    Warns:
        UserWarning: naming the unreadable files that were left out, and
            counting the images smaller than `image_size`.

    Example:

    ```python
    dataset = kw.datasets.image_folder("faces/", image_size=64, seed=0)
    wgan.fit(dataset, epochs=10)
    ```
    """
    directory = os.fspath(directory)
    image_size = argument_validation.check_positive_int(image_size, "image_size")
    batch_size = argument_validation.check_positive_int(batch_size, "batch_size")
    argument_validation.check_one_of(channels, "channels", (1, 3))
    low, high = argument_validation.check_value_range(value_range)
    seed = argument_validation.check_seed(seed, allow_none=True)
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` is not a folder. Received: directory={directory!r}")

    paths = list_image_files(directory)
    if not paths:
        raise ValueError(
            f"No image files in {directory!r} or its subfolders (looked for "
            f"{', '.join(IMAGE_EXTENSIONS)} files). Received: directory={directory!r}"
        )
    readable, sizes = _readable_images(paths)
    unreadable = [path for path, ok in zip(paths, readable, strict=True) if not ok]
    paths = [path for path, ok in zip(paths, readable, strict=True) if ok]
    if unreadable:
        shown = "\n  ".join(unreadable[:_PATHS_SHOWN])
        more = f"\n  ... and {len(unreadable) - _PATHS_SHOWN} more" if len(unreadable) > _PATHS_SHOWN else ""
        warnings.warn(
            f"Skipping {len(unreadable)} of {len(paths) + len(unreadable)} image files in "
            f"{directory!r} that cannot be decoded (corrupt, truncated or not images):\n  {shown}{more}",
            stacklevel=2,
        )
    if not paths:
        raise ValueError(
            f"None of the {len(unreadable)} image files in {directory!r} can be decoded: "
            "there is nothing to train on."
        )
    small = int(np.sum(np.min(sizes[readable], axis=1) < image_size))
    if small:
        warnings.warn(
            f"{small} of the {len(paths)} images in {directory!r} are smaller than "
            f"{image_size}x{image_size} after cropping to a square and will be upscaled (blurry). "
            "Use a smaller `image_size` or larger images.",
            stacklevel=2,
        )
    if len(paths) < batch_size:
        raise ValueError(
            f"Only {len(paths)} readable images in {directory!r} for batch_size={batch_size}: "
            "with drop_remainder=True the dataset would be empty. Received: "
            f"batch_size={batch_size}"
        )
    if verbose:
        print(
            f"image_folder: {len(paths):,} images in {directory}"
            + (f" ({len(unreadable)} unreadable skipped)" if unreadable else "")
        )
    return _pipeline(paths, image_size, channels, batch_size, (low, high), shuffle, seed, cache, repeat)


def list_image_files(directory):
    """Sorted paths of the image files under `directory`, recursively.

    The extensions of `keras.utils.image_dataset_from_directory` (`.bmp`,
    `.gif`, `.jpeg`, `.jpg`, `.png`, any case); symbolic links to folders
    are not followed. The order does not depend on the file system.
    """
    found = []
    for root, folders, files in os.walk(directory):
        folders.sort()
        found.extend(
            os.path.join(root, name) for name in sorted(files) if name.lower().endswith(IMAGE_EXTENSIONS)
        )
    return found


def _decode(tf, contents, channels):
    # Always RGB first: TensorFlow decodes BMP and GIF to 3 channels only.
    image = tf.io.decode_image(contents, channels=3, expand_animations=False)
    image.set_shape((None, None, 3))
    return tf.image.rgb_to_grayscale(image) if channels == 1 else image


def _readable_images(paths):
    """Decodes every file once; returns (ok mask, (N, 2) heights and widths)."""
    tf = import_tensorflow("image_folder")

    def shape_of(index, path):
        return index, tf.shape(_decode(tf, tf.io.read_file(path), 3))[:2]

    # A failed decode raises inside the pipeline; `ignore_errors` drops that
    # element, so the indices that come out are those of readable files.
    probe = (
        tf.data.Dataset.from_tensor_slices((np.arange(len(paths)), paths))
        .map(shape_of, num_parallel_calls=tf.data.AUTOTUNE)
        .ignore_errors()
        .batch(1024)
    )
    readable = np.zeros(len(paths), dtype=bool)
    sizes = np.zeros((len(paths), 2), dtype=np.int64)
    for indices, shapes in probe.as_numpy_iterator():
        readable[indices] = True
        sizes[indices] = shapes
    return readable, sizes


def _pipeline(paths, image_size, channels, batch_size, value_range, shuffle, seed, cache, repeat):
    import keras

    tf = import_tensorflow("image_folder")
    # Keras's preprocessing layer runs on TensorFlow inside tf.data whatever
    # the Keras backend, so this pipeline also feeds a JAX model.
    resize = keras.layers.Resizing(
        image_size, image_size, interpolation="bilinear", crop_to_aspect_ratio=True, antialias=True
    )

    def load(path):
        image = _decode(tf, tf.io.read_file(path), channels)
        image = resize(tf.cast(image, tf.float32))
        image = tf.cast(tf.round(tf.clip_by_value(image, 0.0, 255.0)), tf.uint8)
        image.set_shape((image_size, image_size, channels))
        return image

    low, high = value_range
    scale = (high - low) / 255.0

    def to_value_range(batch):
        return tf.cast(batch, tf.float32) * scale + low

    dataset = tf.data.Dataset.from_tensor_slices(paths)
    if shuffle and not cache:
        # Shuffling the paths is cheap; the decoded images are not held.
        dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE).ignore_errors()
    if cache:
        dataset = dataset.cache()
        if shuffle:
            dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=True)
    # One vectorised op per batch instead of one per image.
    dataset = dataset.map(to_value_range, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
