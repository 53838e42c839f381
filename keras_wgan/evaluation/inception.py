"""Frechet and Kernel Inception Distances (FID, KID) and Inception features of images.

Both compare two sets of images through 2048 Inception pool features:

- FID (Heusel et al. 2017, arXiv 1706.08500): the Frechet distance between
  Gaussians fitted to the two sets of features,
  `||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))`. Biased upward
  for small sets: compare values at equal set sizes.
- KID (Binkowski et al. 2018, arXiv 1801.01401): the squared maximum mean
  discrepancy with the polynomial kernel `k(x, y) = (x.y / d + 1)^3`,
  estimated without bias, averaged over random subsets. Its expectation does
  not depend on the set size, so small sets (a few hundred images) give
  usable values, and two samples of one distribution are at 0 on average.

The maths on the features is in `keras_wgan.evaluation.feature_distances`.

Two networks give the features (`network=`):

- `"fid"` (default): the 2015-12-05 TF1 Inception graph of the papers and
  of pytorch-fid (`keras_wgan.evaluation.fid_network`), with its TF1
  resize: numbers comparable with published ones. Its weights come from
  a file the user downloads once (`weights="auto"`; see `fid_inception`).
- `"keras_imagenet"`: `keras.applications.InceptionV3` with Keras's
  ImageNet weights (other weights, average instead of max pooling in the
  last block, another resize): numbers comparable only with each other,
  NOT with published FIDs. Its `weights` are `"imagenet"` (Keras's cache or
  download; `"auto"` means the same), a local
  `inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`, or None.

Example:

```python
from keras_wgan.evaluation import inception

fid = inception.frechet_inception_distance(fake_images, real_images)
kid = inception.kernel_inception_distance(fake_images, real_images)
```

`keras_wgan.callbacks.inception_metrics` logs them during `fit`.
"""

import os

import keras
import numpy as np

from keras_wgan.evaluation import fid_network
from keras_wgan.evaluation.feature_distances import fid_from_features, kid_from_features
from keras_wgan.utils import argument_validation
from keras_wgan.utils.network import host_reachable

NETWORKS = ("fid", "keras_imagenet")
"""The feature networks: the FID Inception of the papers, and Keras's ImageNet InceptionV3."""

INCEPTION_SIZE = 299
"""Side of the square images Inception-v3 is given."""

FEATURE_DIM = 2048
WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
_WEIGHTS_HOST = "storage.googleapis.com"
_PROBE_TIMEOUT = 3.0
_MODELS = {}


# ---------------------------------------------------------------------------
# Inception-v3 features
# ---------------------------------------------------------------------------


def inception_model(weights="imagenet"):
    """Inception-v3 up to its 2048-d average pool, built once per `weights`.

    Args:
        weights: `"imagenet"` (Keras's cache, else its download), the path of
            a local `inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`,
            or None for random weights (tests only: their distances mean
            nothing).

    Returns:
        A float32 `keras.Model` mapping `(N, 299, 299, 3)` images in [-1, 1]
        to `(N, 2048)` features.

    Raises:
        FileNotFoundError: if `weights` is a path that does not exist.
        RuntimeError: if the ImageNet weights are neither cached nor
            downloadable; the message names the cache path.
    """
    key = _weights_key(weights)
    if key not in _MODELS:
        source = _weights_file(weights)
        previous = keras.config.dtype_policy()
        # The features are a fixed yardstick: float32 whatever the policy the
        # networks being trained use.
        keras.config.set_dtype_policy("float32")
        try:
            _MODELS[key] = keras.applications.InceptionV3(
                include_top=False,
                weights=source,
                input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3),
                pooling="avg",
            )
        finally:
            keras.config.set_dtype_policy(previous)
    return _MODELS[key]


def inception_outputs(images, *, value_range=(-1.0, 1.0), weights="auto", batch_size=32):
    """The FID Inception's `"pool"` features and `"logits"` of each image.

    Each image is mapped from `value_range` to [-1, 1] (values outside are
    clipped; uint8 pixels `p` become `p / 127.5 - 1`, as in pytorch-fid);
    `fid_inception` then repeats grey images to three channels and resizes
    them to 299x299 with TF1's bilinear resize.

    Args:
        images: `(N, H, W, 3)` or `(N, H, W, 1)` images, uint8 pixels 0..255
            or floats in `value_range`.
        value_range: `(low, high)` of float images, e.g. `(-1, 1)` for the
            output of a `tanh` generator.
        weights: see `fid_inception`.
        batch_size: images per forward pass (memory grows with it).

    Returns:
        `{"pool": (N, 2048), "logits": (N, 1008)}`, float64 arrays.
    """
    model = fid_network.fid_inception(weights)
    outputs = [model(batch, training=False) for batch in _batches(images, value_range, batch_size)]
    return {
        key: np.concatenate([keras.ops.convert_to_numpy(output[key]) for output in outputs]).astype(
            np.float64
        )
        for key in ("pool", "logits")
    }


def inception_features(images, *, value_range=(-1.0, 1.0), network="fid", weights="auto", batch_size=32):
    """The 2048 Inception pool features of each image, those of FID and KID.

    Args:
        images: `(N, H, W, 3)` or `(N, H, W, 1)` images, uint8 pixels 0..255
            or floats in `value_range`.
        value_range: `(low, high)` of float images.
        network: `"fid"` (the 2015-12-05 Inception of published FIDs) or
            `"keras_imagenet"` (Keras's InceptionV3: not comparable with
            published numbers); see the module docstring.
        weights: for `"fid"`, see `fid_inception`; for `"keras_imagenet"`,
            see `inception_model` (`"auto"` means `"imagenet"`).
        batch_size: images per forward pass (memory grows with it).

    Returns:
        A float64 array `(N, 2048)`.
    """
    argument_validation.check_one_of(network, "network", NETWORKS)
    if network == "fid":
        return inception_outputs(images, value_range=value_range, weights=weights, batch_size=batch_size)[
            "pool"
        ]
    model = inception_model("imagenet" if weights == "auto" else weights)
    features = []
    for batch in _batches(images, value_range, batch_size):
        if batch.shape[-1] == 1:
            batch = np.repeat(batch, 3, axis=-1)
        batch = keras.ops.image.resize(batch, (INCEPTION_SIZE, INCEPTION_SIZE), interpolation="bilinear")
        features.append(keras.ops.convert_to_numpy(model(batch, training=False)))
    return np.concatenate(features).astype(np.float64)


def frechet_inception_distance(images_a, images_b, *, value_range=(-1.0, 1.0), network="fid", weights="auto"):
    """FID between two sets of images (Heusel et al. 2017).

    `||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))` over the
    Inception pool features of each set. Use thousands of images per set
    (the usual 10,000 or 50,000 for reported numbers) and equal sizes when
    comparing: the estimate is biased upward for small sets.

    Args:
        images_a, images_b: images as for `inception_features`, at least 2.
        value_range: `(low, high)` of float images.
        network, weights: see `inception_features`.

    Returns:
        A non-negative Python float.
    """
    return fid_from_features(
        inception_features(images_a, value_range=value_range, network=network, weights=weights),
        inception_features(images_b, value_range=value_range, network=network, weights=weights),
    )


def kernel_inception_distance(
    images_a,
    images_b,
    *,
    value_range=(-1.0, 1.0),
    network="fid",
    weights="auto",
    subsets=50,
    subset_size=1000,
    seed=0,
    return_std=False,
):
    """KID between two sets of images (Binkowski et al. 2018).

    The unbiased polynomial-kernel MMD^2 of the Inception pool features,
    averaged over random subsets: see `kid_from_features`. Often reported
    times 1000.

    Args:
        images_a, images_b: images as for `inception_features`, at least 2.
        value_range: `(low, high)` of float images.
        network, weights: see `inception_features`.
        subsets, subset_size, seed, return_std: see `kid_from_features`.

    Returns:
        A Python float (negative values are possible), or `(mean, std)`.
    """
    return kid_from_features(
        inception_features(images_a, value_range=value_range, network=network, weights=weights),
        inception_features(images_b, value_range=value_range, network=network, weights=weights),
        subsets=subsets,
        subset_size=subset_size,
        seed=seed,
        return_std=return_std,
    )


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def weights_cache_path():
    """Where Keras keeps (or would download) the InceptionV3 no-top weights."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    home = os.path.expanduser(home)
    if not os.access(home if os.path.isdir(home) else os.path.dirname(home) or ".", os.W_OK):
        home = os.path.join("/tmp", ".keras")  # Keras's own fallback.
    return os.path.join(home, "models", WEIGHTS_FILE)


def _weights_key(weights):
    if weights is None or weights == "imagenet":
        return weights
    return os.path.abspath(os.fspath(weights))


def _weights_file(weights):
    """What to give `InceptionV3(weights=...)`: a path, or None."""
    if weights is None:
        return None
    if weights != "imagenet":
        path = os.fspath(weights)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"No InceptionV3 weights file at {path!r}: pass the path of {WEIGHTS_FILE} "
                f"(or weights='imagenet'). Received: weights={weights!r}"
            )
        return path
    cached = weights_cache_path()
    if os.path.isfile(cached):
        return cached  # No network access at all.
    if host_reachable(_WEIGHTS_HOST, 443, _PROBE_TIMEOUT):
        try:
            keras.applications.InceptionV3(include_top=False, weights="imagenet")
        except Exception as error:  # get_file raises a bare Exception.
            raise RuntimeError(_missing_weights_message(cached, f"the download failed: {error}")) from error
        if os.path.isfile(cached):
            return cached
        return "imagenet"
    raise RuntimeError(_missing_weights_message(cached, f"{_WEIGHTS_HOST} cannot be reached (offline?)"))


def _missing_weights_message(cached, reason):
    return (
        f"FID and KID need InceptionV3's ImageNet weights, which are not in Keras's cache ({cached}) "
        f"and {reason}. Copy {WEIGHTS_FILE} to that path (from a machine with network access, where "
        "`keras.applications.InceptionV3(include_top=False)` downloads it), or pass "
        "`weights=PATH` with the path of a local copy."
    )


def check_images(images):
    """`images` as a NumPy array `(N, H, W, 1 or 3)`, checked."""
    if keras.ops.is_tensor(images):
        images = keras.ops.convert_to_numpy(images)
    x = np.asarray(images)
    if x.ndim != 4 or x.shape[-1] not in (1, 3) or len(x) == 0:
        raise ValueError(
            f"`images` must have shape (N, H, W, 3) or (N, H, W, 1) with N >= 1. Received shape {x.shape}."
        )
    if x.dtype != np.uint8 and not np.all(np.isfinite(x)):
        raise ValueError("`images` contain NaN or infinite values.")
    return x


def _batches(images, value_range, batch_size):
    """Float32 batches of `images` mapped to [-1, 1]."""
    x = check_images(images)
    low, high = (0.0, 255.0) if x.dtype == np.uint8 else argument_validation.check_value_range(value_range)
    batch_size = argument_validation.check_positive_int(batch_size, "batch_size")
    for start in range(0, len(x), batch_size):
        batch = x[start : start + batch_size].astype(np.float32)
        yield np.clip((batch - low) / (high - low), 0.0, 1.0) * 2.0 - 1.0
