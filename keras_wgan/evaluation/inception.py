"""Frechet and Kernel Inception Distances (FID, KID) for RGB images.

Both compare two sets of images through the 2048 activations of the last
pooling layer of Inception-v3 trained on ImageNet
(`keras.applications.InceptionV3(include_top=False, pooling="avg")`), the
images first resized to 299x299 as the FID reference code does:

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

Values from Keras's InceptionV3 differ slightly from those of the TF1
Inception graph (`pool_3`) the papers used (other weights conversion and
resizing), so compare numbers computed here with each other, not with
published ones.

The ImageNet weights come from Keras's cache
(`~/.keras/models/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`)
or its download; `weights=PATH` loads a local copy of that file, and
`weights=None` gives a randomly initialised network (for tests only).

Example:

```python
from keras_wgan.evaluation import inception

fid = inception.frechet_inception_distance(fake_images, real_images)
kid = inception.kernel_inception_distance(fake_images, real_images)
callbacks = inception.inception_metrics(real_images, n=1000, every=5)  # logs "fid", "kid"
```
"""

import os
import zlib

import keras
import numpy as np

from keras_wgan.evaluation import samples
from keras_wgan.evaluation.feature_distances import fid_from_features, kid_from_features
from keras_wgan.models.generator_utils import generate_samples
from keras_wgan.utils import argument_validation
from keras_wgan.utils.network import host_reachable

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


def inception_features(images, *, value_range=(-1.0, 1.0), weights="imagenet", batch_size=32):
    """The 2048 Inception-v3 pool features of each image.

    Each image is mapped from `value_range` to [-1, 1] (Inception's input
    range; values outside are clipped), grey images are repeated to three
    channels, and all are resized bilinearly to 299x299.

    Args:
        images: `(N, H, W, 3)` or `(N, H, W, 1)` images, uint8 pixels 0..255
            or floats in `value_range`.
        value_range: `(low, high)` of float images, e.g. `(-1, 1)` for the
            output of a `tanh` generator.
        weights: see `inception_model`.
        batch_size: images per forward pass (memory grows with it).

    Returns:
        A float64 array `(N, 2048)`.
    """
    model = inception_model(weights)
    x = _images(images)
    low, high = (0.0, 255.0) if x.dtype == np.uint8 else argument_validation.check_value_range(value_range)
    batch_size = argument_validation.check_positive_int(batch_size, "batch_size")
    batches = []
    for start in range(0, len(x), batch_size):
        batch = x[start : start + batch_size].astype(np.float32)
        batch = np.clip((batch - low) / (high - low), 0.0, 1.0) * 2.0 - 1.0
        if batch.shape[-1] == 1:
            batch = np.repeat(batch, 3, axis=-1)
        batch = keras.ops.image.resize(batch, (INCEPTION_SIZE, INCEPTION_SIZE), interpolation="bilinear")
        batches.append(keras.ops.convert_to_numpy(model(batch, training=False)))
    return np.concatenate(batches).astype(np.float64)


def frechet_inception_distance(images_a, images_b, *, value_range=(-1.0, 1.0), weights="imagenet"):
    """FID between two sets of images (Heusel et al. 2017).

    `||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))` over the
    Inception-v3 pool features of each set. Use thousands of images per set
    (the usual 10,000 or 50,000 for reported numbers) and equal sizes when
    comparing: the estimate is biased upward for small sets.

    Args:
        images_a, images_b: images as for `inception_features`, at least 2.
        value_range: `(low, high)` of float images.
        weights: see `inception_model`.

    Returns:
        A non-negative Python float.
    """
    return fid_from_features(
        inception_features(images_a, value_range=value_range, weights=weights),
        inception_features(images_b, value_range=value_range, weights=weights),
    )


def kernel_inception_distance(
    images_a,
    images_b,
    *,
    value_range=(-1.0, 1.0),
    weights="imagenet",
    subsets=50,
    subset_size=1000,
    seed=0,
    return_std=False,
):
    """KID between two sets of images (Binkowski et al. 2018).

    The unbiased polynomial-kernel MMD^2 of the Inception-v3 pool features,
    averaged over random subsets: see `kid_from_features`. Often reported
    times 1000.

    Args:
        images_a, images_b: images as for `inception_features`, at least 2.
        value_range: `(low, high)` of float images.
        weights: see `inception_model`.
        subsets, subset_size, seed, return_std: see `kid_from_features`.

    Returns:
        A Python float (negative values are possible), or `(mean, std)`.
    """
    return kid_from_features(
        inception_features(images_a, value_range=value_range, weights=weights),
        inception_features(images_b, value_range=value_range, weights=weights),
        subsets=subsets,
        subset_size=subset_size,
        seed=seed,
        return_std=return_std,
    )


def inception_metrics(
    real_images,
    n=1000,
    *,
    value_range=(-1.0, 1.0),
    weights="imagenet",
    every=1,
    seed=0,
    kid_subsets=50,
    kid_subset_size=1000,
):
    """Two `QualityMetric` callbacks logging `"fid"` and `"kid"` during `fit`.

    The real images' features are computed once, here. At each due epoch
    the first callback generates `n` images (the same latent vectors every
    time, from `seed`) and computes their features; the second one reuses
    them, so Inception runs once per evaluation for both values. Put both
    before `CSVLogger` (see `QualityMetric`).

    Args:
        real_images: real images (uint8 or floats in `value_range`), at
            least `n`; `n` of them are drawn with `seed`.
        n: images per set (>= 2; thousands for stable FIDs).
        value_range: the generator's output range (and that of float
            `real_images`).
        weights: see `inception_model`.
        every: evaluate every `every` epochs.
        seed: seeds the latent vectors and the choice of real images.
        kid_subsets, kid_subset_size: see `kid_from_features`.

    Returns:
        `[QualityMetric(name="fid"), QualityMetric(name="kid")]`.
    """
    # Here, not at the top: the callbacks package imports the evaluation one.
    from keras_wgan.callbacks.quality_metric import QualityMetric

    real = _images(real_images)
    n = samples.check_sample_count(n, len(real), "real_images")
    if n < 2:
        raise ValueError(f"FID and KID need n >= 2 images. Received: n={n}")
    real_features = inception_features(
        real[samples.sample_indices(len(real), n, seed)], value_range=value_range, weights=weights
    )
    last = {}

    def fake_features(model):
        fake = generate_samples(model, n, seed)
        key = zlib.crc32(np.ascontiguousarray(fake).view(np.uint8))
        if last.get("key") != key:
            last.update(key=key, features=inception_features(fake, value_range=value_range, weights=weights))
        return last["features"]

    def fid(model):
        return fid_from_features(fake_features(model), real_features)

    def kid(model):
        return kid_from_features(
            fake_features(model), real_features, subsets=kid_subsets, subset_size=kid_subset_size, seed=seed
        )

    return [QualityMetric(fid, every=every, name="fid"), QualityMetric(kid, every=every, name="kid")]


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


def _images(images):
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
