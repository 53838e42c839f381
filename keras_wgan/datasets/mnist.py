"""MNIST for keras_wgan: where the digits come from.

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

The IDX reader is in `keras_wgan.datasets.idx`, the image helpers
(`split_holdout`, `make_image_dataset`, ...) in `keras_wgan.datasets.images`;
they are re-exported here, where they were first defined.
"""

import os
import zipfile
from typing import NamedTuple

import keras
import numpy as np

# Re-exported: importable from here before the image helpers had their own modules.
from keras_wgan.datasets.idx import read_idx
from keras_wgan.datasets.images import make_image_dataset, scale_images, split_holdout, unscale_images
from keras_wgan.utils import argument_validation, network

__all__ = [
    "MNIST_IMAGE_SHAPE",
    "MNISTData",
    "load_mnist",
    "make_image_dataset",
    "read_idx",
    "scale_images",
    "split_holdout",
    "unscale_images",
]

MNIST_IMAGE_SHAPE = (28, 28)

_BUNDLED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_data")
_BUNDLED_SOURCE = "bundled MNIST test split (10,000 digits, CC BY-SA 3.0)"
_DOWNLOAD_HOST = "storage.googleapis.com"  # Where keras.datasets.mnist lives.
_DOWNLOAD_PROBE_TIMEOUT = 3.0


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
    allow_download = argument_validation.check_bool(allow_download, "allow_download")
    verbose = argument_validation.check_bool(verbose, "verbose")
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
        if network.host_reachable(_DOWNLOAD_HOST, 443, _DOWNLOAD_PROBE_TIMEOUT):
            try:
                (images, labels), _ = keras.datasets.mnist.load_data()
            except Exception as error:
                # `keras.utils.get_file` raises a bare `Exception` for fetch
                # failures, so nothing narrower catches them all.
                fallback_reason += f", download failed ({error})"
            else:
                images, labels = _validated(images, labels, "keras.datasets")
                source = f"keras.datasets.mnist ({len(images):,} training digits)"
                return _report(MNISTData(images, labels, source), verbose)
        else:
            fallback_reason += f", {_DOWNLOAD_HOST} unreachable (offline?)"
    else:
        fallback_reason += ", download not allowed"

    images, labels = _load_bundled()
    return _report(MNISTData(images, labels, _BUNDLED_SOURCE), verbose, fallback_reason)


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
                images, labels = _validated(read_idx(images_path), read_idx(labels_path), images_path)
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
    labels_name = name.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1")
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
        f"Labels file for {images_path} not found: expected {stem}[.gz] in {directory or '.'}."
    )


def _load_npz(path):
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"Could not read {path} as an .npz: {error}") from error
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
            f"Images from {origin} have shape {images.shape}; MNIST images must have shape (N, 28, 28)."
        )
    if labels.shape != (len(images),):
        raise ValueError(
            f"Labels from {origin} have shape {labels.shape}; expected ({len(images)},), one per image."
        )
    if len(images) == 0:
        raise ValueError(f"{origin} holds no images.")
    images = _as_uint8(images, "Images", origin, 255)
    labels = _as_uint8(labels, "Labels", origin, 9)
    return images, labels


def _as_uint8(array, what, origin, maximum):
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{what} from {origin} have dtype {array.dtype}; expected integers (uint8).")
    if array.min() < 0 or array.max() > maximum:
        raise ValueError(
            f"{what} from {origin} range over [{array.min()}, {array.max()}]; "
            f"expected values in [0, {maximum}]."
        )
    return array.astype(np.uint8, copy=False)
