"""MNIST for keras_wgan: loading, a held-out split and the `tf.data` input.

`load_mnist()` finds the digits in this order:

1. an explicit `path` (a `mnist.npz`, a folder of IDX files, or an IDX images
   file). A bad path is an error, never a reason to use something else;
2. Keras's cache `~/.keras/datasets/mnist.npz` (or `$KERAS_HOME/datasets`),
   the 60,000 training digits;
3. a download through `keras.datasets.mnist.load_data()`, guarded so that an
   offline machine falls back within a few seconds instead of hanging;
4. the MNIST test split bundled with this package (10,000 digits), so the
   examples and tests work offline.

MNIST is by Y. LeCun, C. Cortes and C. J. C. Burges, under CC BY-SA 3.0; see
`keras_wgan/datasets/_data/README.md` for the bundled files.
"""

import gzip
import math
import os
import socket
import threading
import zipfile
from typing import NamedTuple

import keras
import numpy as np
from keras import ops

MNIST_IMAGE_SHAPE = (28, 28)

_BUNDLED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_data")
_BUNDLED_SOURCE = "bundled MNIST test split (10,000 digits, CC BY-SA 3.0)"
_DOWNLOAD_HOST = "storage.googleapis.com"  # Where keras.datasets.mnist lives.
_DOWNLOAD_PROBE_TIMEOUT = 3.0

# IDX type codes (third magic byte) -> big-endian NumPy dtypes.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


class MNISTData(NamedTuple):
    """What `load_mnist()` returns.

    Attributes:
        images: `uint8` array of shape `(N, 28, 28)`, pixel values 0..255.
        labels: `uint8` array of shape `(N,)`, digits 0..9.
        source: a human-readable description of where the digits came from,
            e.g. `"keras.datasets.mnist (60,000 training digits)"`.
    """

    images: np.ndarray
    labels: np.ndarray
    source: str


def read_idx(path):
    """Reads an IDX file (the format MNIST is distributed in).

    The file may be gzip-compressed or not; compression is detected from the
    file's first bytes, not from its name.

    Args:
        path: path of the IDX file, e.g. `"train-images-idx3-ubyte.gz"`.

    Returns:
        A NumPy array in native byte order whose shape is the dimensions
        stored in the file, e.g. `(60000, 28, 28)` of `uint8` for MNIST
        training images.

    Raises:
        FileNotFoundError: if `path` does not exist.
        ValueError: if the file is not a valid IDX file (bad magic number,
            unknown type code, or a size that does not match its header).

    Example:

    ```python
    labels = read_idx("t10k-labels-idx1-ubyte.gz")
    assert labels.shape == (10000,) and labels.dtype == "uint8"
    ```
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        compressed = file.read(2) == _GZIP_MAGIC
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as file:
            raw = file.read()
    except (OSError, EOFError) as error:
        # A truncated or corrupt .gz file; gzip.BadGzipFile is an OSError.
        raise ValueError(f"Could not read IDX file {path}: {error}") from error

    if len(raw) < 4:
        raise ValueError(
            f"{path} is not an IDX file: it holds only {len(raw)} bytes, "
            "fewer than the 4-byte magic number."
        )
    type_code, ndim = raw[2], raw[3]
    if raw[:2] != b"\x00\x00" or type_code not in _IDX_DTYPES or ndim == 0:
        magic = int.from_bytes(raw[:4], "big")
        raise ValueError(
            f"{path} is not an IDX file: bad magic number 0x{magic:08X}. "
            "Expected 0x0000TTDD with a type code TT in "
            "{08, 09, 0B, 0C, 0D, 0E} and DD >= 1 dimensions "
            "(MNIST images: 0x00000803, labels: 0x00000801)."
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(
            f"IDX file {path} is truncated: its magic number announces "
            f"{ndim} dimensions but the header is cut short."
        )
    shape = tuple(
        int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    dtype = _IDX_DTYPES[type_code]
    expected_bytes = math.prod(shape) * dtype.itemsize
    actual_bytes = len(raw) - header_size
    if actual_bytes != expected_bytes:
        raise ValueError(
            f"IDX file {path} is corrupt or truncated: its header gives "
            f"dimensions {shape} ({expected_bytes} bytes of data) but it "
            f"holds {actual_bytes} bytes of data."
        )
    array = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    # `astype` copies, which also makes the array writable (frombuffer over
    # `bytes` is read-only).
    return array.astype(dtype.newbyteorder("="))


def load_mnist(path=None, *, allow_download=True, verbose=True):
    """Loads MNIST digits from a file, Keras's cache, a download or the bundle.

    The sources are tried in this order:

    1. `path`, when given: a `mnist.npz` (Keras's format; its `x_train` and
       `y_train` are used), a folder holding IDX files
       (`train-images-idx3-ubyte[.gz]` and `train-labels-idx1-ubyte[.gz]`,
       or the `t10k-` files when there are no `train-` ones), or an IDX
       images file with its labels file beside it. A missing or invalid path
       raises an error rather than silently loading something else.
    2. Keras's cached `mnist.npz` (`$KERAS_HOME/datasets/mnist.npz`, by
       default `~/.keras/datasets/mnist.npz`): the 60,000 training digits.
    3. if `allow_download`, `keras.datasets.mnist.load_data()`. The host is
       probed first (at most 3 seconds), so an offline call does not hang.
    4. the MNIST test split bundled with keras_wgan (10,000 digits).

    Args:
        path: optional path of a `mnist.npz`, an IDX folder or an IDX images
            file (`str` or `os.PathLike`; `~` is expanded).
        allow_download: whether to try downloading MNIST when no path is
            given and Keras has no cached copy.
        verbose: whether to print one line saying which source was used.

    Returns:
        An `MNISTData` named tuple `(images, labels, source)`: `images` is a
        `uint8` array of shape `(N, 28, 28)`, `labels` a `uint8` array of
        shape `(N,)` and `source` a human-readable string such as
        `"bundled MNIST test split (10,000 digits, CC BY-SA 3.0)"`.

    Raises:
        FileNotFoundError: if `path` (or a file it needs) does not exist.
        ValueError: if `path` or Keras's cached file does not hold MNIST-like
            data (28x28 images with one label each).

    Example:

    ```python
    images, labels, source = load_mnist(allow_download=False)
    # Prints e.g. "load_mnist: using bundled MNIST test split (10,000 digits,
    # CC BY-SA 3.0) (no keras cache at ..., download not allowed)".
    train, heldout = split_holdout(images, holdout=1000)
    dataset = make_image_dataset(train, batch_size=50, value_range=(-1, 1))
    ```
    """
    if path is not None:
        images, labels, source = _load_from_path(path)
        return _report(MNISTData(images, labels, source), verbose)

    cache_path = _keras_cache_path()
    if os.path.isfile(cache_path):
        images, labels = _load_npz(cache_path)
        source = f"keras cache {cache_path} ({len(images):,} training digits)"
        return _report(MNISTData(images, labels, source), verbose)

    fallback_reason = f"no keras cache at {cache_path}"
    if allow_download:
        if _host_reachable(_DOWNLOAD_HOST, 443, _DOWNLOAD_PROBE_TIMEOUT):
            try:
                (images, labels), _ = keras.datasets.mnist.load_data()
            except Exception as error:
                # `keras.utils.get_file` raises a bare `Exception` for fetch
                # failures, so nothing narrower catches them all.
                fallback_reason += f", download failed ({error})"
            else:
                images, labels = _validated(images, labels, "keras.datasets")
                source = (
                    f"keras.datasets.mnist ({len(images):,} training digits)"
                )
                return _report(MNISTData(images, labels, source), verbose)
        else:
            fallback_reason += f", {_DOWNLOAD_HOST} unreachable (offline?)"
    else:
        fallback_reason += ", download not allowed"

    images, labels = _load_bundled()
    return _report(
        MNISTData(images, labels, _BUNDLED_SOURCE), verbose, fallback_reason
    )


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
    if isinstance(holdout, (bool, np.bool_)):
        raise ValueError(f"`holdout` must be an int or a float, not {holdout}.")
    if isinstance(holdout, (int, np.integer)):
        heldout_count = int(holdout)
    elif isinstance(holdout, (float, np.floating)):
        if not 0.0 < holdout < 1.0:
            raise ValueError(
                "A float `holdout` is a fraction and must lie in (0, 1). "
                f"Received: holdout={holdout}"
            )
        heldout_count = int(round(holdout * count))
    else:
        raise ValueError(
            f"`holdout` must be an int or a float. Received: {holdout!r}"
        )
    if not 1 <= heldout_count < count:
        raise ValueError(
            "`holdout` must leave at least one example on each side: "
            f"got {heldout_count} held-out examples out of {count} "
            f"(holdout={holdout})."
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

    Returns:
        A `tf.data.Dataset` of `float32` tensors of shape
        `(batch_size, H, W, C)` (with `C = 1` for `(N, H, W)` input).

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
    low, high = _check_value_range(value_range)
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(
            f"`images` must be uint8 (pixel values 0..255). Received dtype "
            f"{images.dtype}. Scale float images yourself or convert them."
        )
    if images.ndim == 3:
        images = images[..., np.newaxis]
    elif images.ndim != 4:
        raise ValueError(
            "`images` must have shape (N, H, W) or (N, H, W, C). "
            f"Received shape {images.shape}."
        )
    if len(images) == 0:
        raise ValueError("`images` is empty: there is nothing to train on.")
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(
        batch_size, (int, np.integer)
    ):
        raise ValueError(
            f"`batch_size` must be an int. Received: {batch_size!r}"
        )
    if batch_size < 1:
        raise ValueError(f"`batch_size` must be >= 1. Received: {batch_size}")
    if len(images) < batch_size:
        raise ValueError(
            f"Only {len(images)} images for batch_size={batch_size}: with "
            "drop_remainder=True the dataset would be empty."
        )

    import tensorflow as tf  # Only tf.data needs it (JAX runs without it).

    scale = (high - low) / 255.0

    def to_value_range(batch):
        return tf.cast(batch, tf.float32) * scale + low

    dataset = tf.data.Dataset.from_tensor_slices(images)
    if shuffle:
        dataset = dataset.shuffle(
            len(images), seed=seed, reshuffle_each_iteration=True
        )
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
    low, high = _check_value_range(value_range)
    images = ops.convert_to_tensor(images)
    dtype = keras.backend.standardize_dtype(images.dtype)
    if dtype != "uint8":
        raise ValueError(
            f"`images` must be uint8 (pixel values 0..255). Received {dtype}."
        )
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
    low, high = _check_value_range(value_range)
    images = ops.cast(ops.convert_to_tensor(images), "float32")
    return ops.clip((images - low) / (high - low), 0.0, 1.0)


def _check_value_range(value_range):
    try:
        low, high = (float(value) for value in value_range)
    except (TypeError, ValueError):
        raise ValueError(
            "`value_range` must be a pair of numbers (low, high), e.g. "
            f"(-1.0, 1.0). Received: {value_range!r}"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(
            "`value_range` must be finite with low < high. "
            f"Received: {value_range!r}"
        )
    return low, high


def _report(data, verbose, reason=None):
    if verbose:
        line = f"load_mnist: using {data.source}"
        if reason:
            line += f" ({reason})"
        print(line)
    return data


def _keras_cache_path():
    # Keras fixes its home when it is imported; this mirrors that rule at call
    # time so that a changed $HOME or $KERAS_HOME (tests, notebooks) counts.
    if "KERAS_HOME" in os.environ:
        keras_home = os.environ["KERAS_HOME"]
    else:
        base = os.path.expanduser("~")
        if not os.access(base, os.W_OK):
            base = "/tmp"
        keras_home = os.path.join(base, ".keras")
    return os.path.join(os.path.expanduser(keras_home), "datasets", "mnist.npz")


def _host_reachable(host, port, timeout):
    # Name resolution ignores socket timeouts and can block far longer than
    # `timeout`, so the probe runs in a daemon thread that is waited for at
    # most `timeout` seconds and then abandoned.
    outcome = {"reachable": False}
    finished = threading.Event()

    def probe():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                outcome["reachable"] = True
        except OSError:
            pass  # Unresolvable or refused: offline, as far as we can tell.
        finally:
            finished.set()

    threading.Thread(target=probe, daemon=True).start()
    finished.wait(timeout)
    return outcome["reachable"]


def _load_bundled():
    images = read_idx(os.path.join(_BUNDLED_DIR, "t10k-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(_BUNDLED_DIR, "t10k-labels-idx1-ubyte.gz"))
    return _validated(images, labels, "the bundled MNIST test split")


def _load_from_path(path):
    path = os.path.expanduser(os.fspath(path))
    if not os.path.exists(path):
        raise FileNotFoundError(f"MNIST path {path} does not exist.")
    if os.path.isdir(path):
        return _load_directory(path)
    if path.endswith(".npz") or zipfile.is_zipfile(path):
        images, labels = _load_npz(path)
        return images, labels, f"local file {path} ({len(images):,} digits)"
    labels_path = _labels_path_for(path)
    images, labels = _validated(read_idx(path), read_idx(labels_path), path)
    return images, labels, f"local IDX file {path} ({len(images):,} digits)"


def _idx_candidates(directory, prefix, kind, rank):
    # Both spellings occur in the wild: "train-images-idx3-ubyte" (LeCun's
    # site) and "train-images.idx3-ubyte" (some mirrors).
    for separator in ("-", "."):
        for suffix in ("", ".gz"):
            name = f"{prefix}-{kind}{separator}idx{rank}-ubyte{suffix}"
            yield os.path.join(directory, name)


def _load_directory(directory):
    for prefix in ("train", "t10k"):
        for images_path in _idx_candidates(directory, prefix, "images", 3):
            if os.path.isfile(images_path):
                labels_path = _labels_path_for(images_path)
                images, labels = _validated(
                    read_idx(images_path), read_idx(labels_path), images_path
                )
                count = len(images)
                source = f"local IDX files {images_path} ({count:,} digits)"
                return images, labels, source
    npz_path = os.path.join(directory, "mnist.npz")
    if os.path.isfile(npz_path):
        images, labels = _load_npz(npz_path)
        return images, labels, f"local file {npz_path} ({len(images):,} digits)"
    raise FileNotFoundError(
        f"No MNIST files in folder {directory}: expected "
        "train-images-idx3-ubyte[.gz] (or t10k-images-idx3-ubyte[.gz]) with "
        "the matching labels file, or mnist.npz."
    )


def _labels_path_for(images_path):
    directory, name = os.path.split(images_path)
    labels_name = name.replace("images-idx3", "labels-idx1").replace(
        "images.idx3", "labels.idx1"
    )
    if labels_name == name:
        raise ValueError(
            f"Cannot tell which labels file goes with IDX images file "
            f"{images_path}: expected a name like train-images-idx3-ubyte.gz "
            "next to train-labels-idx1-ubyte.gz."
        )
    stem = labels_name.removesuffix(".gz")
    for candidate in (stem, stem + ".gz"):
        candidate_path = os.path.join(directory, candidate)
        if os.path.isfile(candidate_path):
            return candidate_path
    raise FileNotFoundError(
        f"Labels file for {images_path} not found: expected {stem}[.gz] in "
        f"{directory or '.'}."
    )


def _load_npz(path):
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"Could not read {path} as an .npz: {error}"
        ) from error
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} is a single .npy array, not an .npz archive.")
    with archive:
        missing = [key for key in ("x_train", "y_train") if key not in archive]
        if missing:
            raise ValueError(
                f"{path} lacks the arrays {missing}: an MNIST .npz must hold "
                "x_train and y_train (and may hold x_test, y_test). "
                f"Found: {sorted(archive.files)}"
            )
        try:
            images, labels = archive["x_train"], archive["y_train"]
        except (OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
            raise ValueError(f"Could not read {path}: {error}") from error
    return _validated(images, labels, path)


def _validated(images, labels, origin):
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != MNIST_IMAGE_SHAPE:
        raise ValueError(
            f"Images from {origin} have shape {images.shape}; MNIST images "
            "must have shape (N, 28, 28)."
        )
    if labels.shape != (len(images),):
        raise ValueError(
            f"Labels from {origin} have shape {labels.shape}; expected "
            f"({len(images)},), one per image."
        )
    if len(images) == 0:
        raise ValueError(f"{origin} holds no images.")
    images = _as_uint8(images, "Images", origin, 255)
    labels = _as_uint8(labels, "Labels", origin, 9)
    return images, labels


def _as_uint8(array, what, origin, maximum):
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"{what} from {origin} have dtype {array.dtype}; expected "
            "integers (uint8)."
        )
    if array.min() < 0 or array.max() > maximum:
        raise ValueError(
            f"{what} from {origin} range over [{array.min()}, {array.max()}]; "
            f"expected values in [0, {maximum}]."
        )
    return array.astype(np.uint8, copy=False)
