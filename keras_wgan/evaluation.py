"""Evaluating a trained generator: exact W1 to data and a Frechet distance.

The critic's `wasserstein_estimate` is what a WGAN optimises, but it is
measured by a critic that is itself being trained, so it is not comparable
between runs. This module provides the two fixed yardsticks used instead:

- `w1_to_data`: the exact Wasserstein-1 distance between generated and real
  samples (`keras_wgan.distances.wasserstein_distance`), the quantity the
  critic estimates. Meant for low-dimensional data (the 2-D toys) and, with
  a few thousand samples, for pixels.
- the Frechet classifier distance (FCD) for MNIST: the Frechet (FID)
  formula applied in the feature space of a small CNN trained on MNIST
  itself. FID proper needs Inception-v3 weights, which cannot be downloaded
  on an offline machine; an MNIST classifier is the usual stand-in. FCD
  values are NOT comparable to published FIDs (Lucic et al. 2018 report
  WGAN 6.7 and WGAN-GP 20.3 on MNIST with Inception features), only to
  other FCDs computed with the same classifier.

`QualityMetric` runs either of them (or any `metric(model) -> float`) during
`fit()` and writes the value into the epoch logs, next to the
`wasserstein_estimate`, so that `History`, `CSVLogger` and plots see it.

Example:

```python
import keras_wgan as kw
from keras_wgan import evaluation

images, _, _ = kw.datasets.load_mnist(allow_download=False)
train, heldout = kw.datasets.split_holdout(images, 1000)
callbacks = [
    evaluation.QualityMetric.frechet(heldout, n=1000, every=5),  # "fcd"
    keras.callbacks.CSVLogger("log.csv"),  # AFTER the QualityMetric
]
wgan.fit(dataset, epochs=50, callbacks=callbacks)
```
"""

import json
import math
import os
import time
import warnings
import weakref

import keras
import numpy as np
from scipy import linalg

from keras_wgan import distances
from keras_wgan.callbacks import _save_atomically
from keras_wgan.datasets import mnist
from keras_wgan.models.wasserstein_gan import WassersteinGAN

FEATURE_LAYER = "features"
"""Name of the classifier layer whose outputs are the FCD features."""

# Bump when the architecture or the training recipe changes, so that a cache
# written by an older version is not silently reused.
_CLASSIFIER_VERSION = 1
_CACHE_ENV = "KERAS_WGAN_CACHE"
_MIN_ACCURACY = 0.97
_FEATURE_BATCH = 500

# Feature extractors built for classifiers, so that repeated calls (one per
# epoch in `QualityMetric`) do not rebuild one. Weak keys: a classifier that
# is dropped takes its extractor with it.
_FEATURE_MODELS = weakref.WeakKeyDictionary()
# The classifier used when none is given, per cache file, loaded once.
_DEFAULT_CLASSIFIERS = {}


# ---------------------------------------------------------------------------
# Exact W1 to the data
# ---------------------------------------------------------------------------


def w1_to_data(generator, real_samples, n=None, *, seed=0):
    """Exact Wasserstein-1 distance between generated and real samples.

    `W1 = min_{gamma in Pi(P_n, Q_n)} sum_ij gamma_ij * ||x_i - y_j||_2`

    between `n` generated samples `x_i` and `n` real samples `y_j` drawn
    without replacement from `real_samples`, each sample flattened to a
    vector. It is the quantity a WGAN critic estimates, computed exactly
    (network simplex, `keras_wgan.distances.wasserstein_distance`).

    Two finite samples of the SAME distribution are at a positive distance
    that shrinks with `n` (the noise floor; e.g. 0.073 for two sets of 1000
    points of the 8-gaussians toy data), so compare values at equal `n`.
    Time and memory grow as `n**2`: use up to a few thousand samples.

    The same `seed` gives the same latent vectors and the same real subset,
    so evaluating successive checkpoints with one seed removes most of the
    sampling noise from their comparison.

    Args:
        generator: a `keras_wgan` model (`WGAN`, `WGANGP`, any
            `WassersteinGAN`: its `generate(n, seed)` is used) or a
            `keras.Model` generator mapping `(latent_dim,)` noise to samples
            (latent vectors are drawn from N(0, I) as `generate` draws them,
            so both forms give the same samples for the same seed).
        real_samples: array of real samples, shape `(N, ...)`, in the
            generator's output range (scale uint8 images first, e.g. with
            `keras_wgan.datasets.scale_images`).
        n: number of samples on each side, `1 <= n <= N`. Defaults to `N`
            (all real samples).
        seed: int, seeds both the latent vectors and the choice of the real
            subset.

    Returns:
        The distance, a Python float.

    Raises:
        ValueError: if `n < 1`, `n > len(real_samples)`, the real samples are
            uint8 pixels, or generated and real samples differ in shape.
        TypeError: if `generator` is neither a `WassersteinGAN` nor a
            `keras.Model`.

    Example:

    >>> inputs = keras.Input((2,))
    >>> shift = keras.Model(inputs, inputs + np.array([3.0, 4.0], "float32"))
    >>> real = keras.ops.convert_to_numpy(keras.random.normal((500, 2), seed=1))
    >>> round(w1_to_data(shift, real, seed=1), 4)  # same z: exactly ||v||
    5.0
    """
    real = _real_array(real_samples, "real_samples")
    if real.dtype == np.uint8:
        raise ValueError(
            "`real_samples` are uint8 pixels (0..255) but generated samples are "
            "floats in the generator's output range. Scale them first, e.g. "
            "`keras_wgan.datasets.scale_images(images, value_range=(-1, 1))`."
        )
    n = len(real) if n is None else _check_count(n, len(real), "real_samples")
    fake = _generate(generator, n, seed)
    real = real[_subset(len(real), n, seed)]
    fake, real = _matching_shapes(fake, real)
    return distances.wasserstein_distance(fake.reshape(n, -1), real.reshape(n, -1))


# ---------------------------------------------------------------------------
# The MNIST classifier
# ---------------------------------------------------------------------------


def mnist_classifier(
    cache_dir=None,
    *,
    epochs=10,
    train_size=8000,
    test_size=2000,
    seed=0,
    allow_download=False,
    verbose=True,
):
    """Returns a small CNN trained on MNIST, the feature extractor of the FCD.

    Architecture (inputs: images in [0, 1] of shape `(N, 28, 28, 1)`):

        Conv2D(32, 3, relu) -> MaxPool(2) -> Conv2D(64, 3, relu) -> MaxPool(2)
        -> Dropout(0.25) -> Flatten -> Dense(128, relu, name="features")
        -> Dropout(0.5) -> Dense(10, softmax)

    The 128 outputs of the `"features"` layer are the FCD's feature space.

    On the first call the network is trained and cached in `cache_dir` as
    `mnist_classifier_v1_e{epochs}_n{train_size}_t{test_size}_s{seed}.keras`
    with a `.json` beside it that records the held-out accuracy, the data
    source and the training time. Later calls with the same settings load the
    file (with Keras's default `safe_mode`) instead of training. Both files
    are written to a temporary name first and then moved into place with
    `os.replace`, so an interrupted or concurrent run never leaves a
    half-written cache behind.

    Training is reproducible: the digits come from
    `keras_wgan.datasets.load_mnist(allow_download=allow_download)`, a fixed
    permutation (NumPy, `seed`) puts the first `test_size` of them aside and
    trains on the next `train_size`; `keras.utils.set_random_seed(seed)`
    fixes the initial weights, dropout and the batch order. (Multi-threaded
    CPU kernels may still differ in the last bits between machines.) Offline,
    `load_mnist` gives the bundled 10,000-digit test split, hence the default
    8,000 / 2,000 split. Measured on 2 CPU cores: about 25 to 35 s of
    training, 98.4% accuracy on the 2,000 held-out digits.

    Note that training calls `keras.utils.set_random_seed(seed)`, which
    reseeds Python's, NumPy's and TensorFlow's global generators. Loading
    from the cache does not.

    Args:
        cache_dir: folder of the cached model. Defaults to
            `$KERAS_WGAN_CACHE`, or `~/.cache/keras_wgan` when unset.
        epochs: training epochs (Adam 1e-3, batch 128).
        train_size: number of training digits.
        test_size: number of held-out digits the accuracy is measured on.
        seed: int, seeds the split, the initial weights and the training.
        allow_download: passed to `load_mnist`: whether MNIST may be
            downloaded when Keras has no cached copy. Off by default, so the
            classifier does not depend on the network being reachable.
        verbose: whether to print where the classifier came from and its
            accuracy (and per-epoch progress when training).

    Returns:
        A compiled `keras.Model` (10 class probabilities, metric
        `"accuracy"`), with a layer named `"features"`.

    Raises:
        ValueError: if `train_size + test_size` exceeds the available digits.

    Warns:
        UserWarning: if the held-out accuracy is below 97%: features of a
            weak classifier make FCD values hard to interpret.

    Example:

    ```python
    classifier = mnist_classifier()  # trains once (~30 s), then loads
    info = mnist_classifier_info()
    print(info["test_accuracy"], info["data_source"])
    ```
    """
    epochs = _check_positive_int(epochs, "epochs")
    train_size = _check_positive_int(train_size, "train_size")
    test_size = _check_positive_int(test_size, "test_size")
    seed = _check_seed(seed)
    model_path, info_path = _cache_paths(cache_dir, epochs, train_size, test_size, seed)

    if os.path.isfile(model_path) and os.path.isfile(info_path):
        try:
            with open(info_path, encoding="utf-8") as file:
                info = json.load(file)
            # Without the saved optimizer (none worth restoring, see below)
            # and compiled afresh, so that `evaluate` works on the result.
            classifier = keras.saving.load_model(model_path, compile=False)
            classifier.compile(**_compile_arguments())
        except Exception as error:  # A damaged cache is rebuilt, not fatal.
            warnings.warn(
                f"Could not load the cached MNIST classifier {model_path} "
                f"({type(error).__name__}: {error}); training a new one.",
                stacklevel=2,
            )
        else:
            if verbose:
                print(f"mnist_classifier: loaded {model_path} ({_describe(info)})")
            return classifier

    images, labels, source = mnist.load_mnist(allow_download=allow_download, verbose=verbose)
    if train_size + test_size > len(images):
        raise ValueError(
            f"`train_size + test_size` = {train_size} + {test_size} exceeds the "
            f"{len(images):,} digits available from {source}."
        )
    train, test = _split_indices(len(images), train_size, test_size, seed)
    x = _unit_images(images)
    if verbose:
        print(
            f"mnist_classifier: training on {train_size:,} digits for {epochs} "
            f"epochs (seed {seed}), holding out {test_size:,}"
        )

    start = time.perf_counter()
    keras.utils.set_random_seed(seed)
    classifier = _build_classifier()
    classifier.compile(**_compile_arguments())
    classifier.fit(
        x[train], labels[train], batch_size=128, epochs=epochs, shuffle=True, verbose=2 if verbose else 0
    )
    probabilities = classifier.predict(x[test], batch_size=_FEATURE_BATCH, verbose=0)
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == labels[test]))
    seconds = time.perf_counter() - start

    info = {
        "version": _CLASSIFIER_VERSION,
        "test_accuracy": accuracy,
        "test_size": test_size,
        "train_size": train_size,
        "epochs": epochs,
        "seed": seed,
        "data_source": source,
        "training_seconds": round(seconds, 2),
        "feature_layer": FEATURE_LAYER,
        "keras_version": keras.__version__,
    }
    # A fresh optimizer before saving: Adam's moment estimates (twice the
    # weights) would triple the file for nothing, the model is not trained
    # further. Loading skips the optimizer.
    classifier.compile(**_compile_arguments())
    os.makedirs(os.path.dirname(model_path), exist_ok=True)
    _save_atomically(model_path, classifier.save, ".keras")
    # The JSON last: a model file without its JSON is treated as incomplete.
    _save_atomically(info_path, lambda path: _write_json(path, info), ".json")

    if verbose:
        print(f"mnist_classifier: saved {model_path} ({_describe(info)})")
    if accuracy < _MIN_ACCURACY:
        warnings.warn(
            f"The MNIST classifier reaches only {accuracy:.2%} on held-out digits "
            f"(below {_MIN_ACCURACY:.0%}); Frechet distances in its feature space "
            "are unreliable. Train it longer or on more digits.",
            stacklevel=2,
        )
    return classifier


def mnist_classifier_info(cache_dir=None, *, epochs=10, train_size=8000, test_size=2000, seed=0):
    """Returns what was recorded when the cached MNIST classifier was trained.

    Args:
        cache_dir, epochs, train_size, test_size, seed: the settings given to
            `mnist_classifier`, which select the cached file.

    Returns:
        A dict with `test_accuracy` (a fraction), `test_size`, `train_size`,
        `epochs`, `seed`, `data_source`, `training_seconds`,
        `feature_layer` and `keras_version`; or None when no classifier with
        these settings is cached yet.
    """
    _, info_path = _cache_paths(cache_dir, epochs, train_size, test_size, seed)
    if not os.path.isfile(info_path):
        return None
    with open(info_path, encoding="utf-8") as file:
        return json.load(file)


# ---------------------------------------------------------------------------
# Frechet distance
# ---------------------------------------------------------------------------


def frechet_distance(mu1, sigma1, mu2, sigma2, *, eps=1e-6):
    """Frechet distance between two Gaussians.

    `d^2 = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))`

    the squared Wasserstein-2 distance between `N(mu1, S1)` and
    `N(mu2, S2)`, the formula of FID (Heusel et al. 2017). The matrix square
    root is `scipy.linalg.sqrtm`. As in the reference FID code, when
    `S1 S2` is singular (SciPy says so; fewer samples than features or dead
    ReLU features make it common) or its root comes out non-finite or with
    an imaginary part above 1e-3 on the diagonal, `eps` is added to the
    diagonals of both covariances and the root is taken again; the real part is kept (the
    imaginary part of the root of a product of two PSD matrices is rounding
    error).

    Args:
        mu1: mean of the first Gaussian, shape `(d,)` (or a number for d=1).
        sigma1: its covariance, shape `(d, d)` (or a number: the variance).
        mu2: mean of the second Gaussian, shape `(d,)`.
        sigma2: its covariance, shape `(d, d)`.
        eps: diagonal offset used when the plain square root fails.

    Returns:
        The squared distance, a non-negative Python float.

    Example:

    In one dimension it is `(m1 - m2)^2 + (s1 - s2)^2`:

    >>> round(frechet_distance(0.0, 4.0, 3.0, 1.0), 6)  # 3^2 + (2 - 1)^2
    10.0
    """
    mu1, sigma1 = _gaussian(mu1, sigma1, "1")
    mu2, sigma2 = _gaussian(mu2, sigma2, "2")
    if mu1.shape != mu2.shape:
        raise ValueError(
            "The two Gaussians must have the same dimension. Received: "
            f"mu1.shape={mu1.shape}, mu2.shape={mu2.shape}"
        )
    diff = mu1 - mu2

    covmean, singular = _sqrtm(sigma1 @ sigma2)
    if singular or not _usable_root(covmean):
        offset = np.eye(len(mu1)) * eps
        # The fallback of the reference FID code; SciPy may still call the
        # offset product ill-conditioned, which is what the offset accepts.
        covmean, _ = _sqrtm((sigma1 + offset) @ (sigma2 + offset))
        if not np.all(np.isfinite(covmean)):
            raise ValueError(
                "The matrix square root of sigma1 @ sigma2 is not finite even "
                f"with eps={eps} added to the diagonals: are the covariances "
                "finite and positive semi-definite?"
            )
        if not _usable_root(covmean):
            imaginary = float(np.max(np.abs(np.diagonal(covmean).imag)))
            warnings.warn(
                f"sqrtm(sigma1 @ sigma2) keeps an imaginary component up to "
                f"{imaginary:.3g} on its diagonal; its real part is used.",
                RuntimeWarning,
                stacklevel=2,
            )
    covmean = np.real(covmean)

    distance = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))
    # Equal statistics give -1e-12 and the like by rounding; the distance is
    # non-negative by definition.
    return max(distance, 0.0)


def feature_statistics(features):
    """Mean and covariance of a set of feature vectors.

    Args:
        features: array of shape `(N, d)` with `N >= 2`.

    Returns:
        `(mu, sigma)`: float64 arrays of shapes `(d,)` and `(d, d)`; the
        covariance is the unbiased one (`N - 1` in the denominator), as in
        FID.
    """
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(
            "`features` must have shape (N, d) with N >= 2 (a covariance "
            f"needs two samples). Received shape {features.shape}."
        )
    return features.mean(axis=0), np.cov(features, rowvar=False)


class FrechetClassifierDistance:
    """The Frechet distance in the feature space of an MNIST classifier (FCD).

    `FCD(A, B) = ||mu_A - mu_B||^2 + Tr(S_A + S_B - 2 (S_A S_B)^(1/2))`

    where `mu`, `S` are the mean and covariance of the 128 `"features"`
    activations of the classifier over each set of images: FID with a small
    MNIST CNN in place of Inception-v3 (whose weights are not available
    offline). Lower is better; two sets of real digits are not at 0 but at
    a noise floor that shrinks as the sets grow, so compare values computed
    with the same classifier and the same numbers of images.

    Measured with the default `mnist_classifier()` (98.4% held-out
    accuracy) on its 2,000 held-out digits: two disjoint halves of 1,000
    real digits are at 2.17 (two halves of 500: 6.7, the small-sample bias),
    1,000 real digits and 1,000 images of uniform noise at 256, and 1,000
    real digits and 1,000 ones (a collapse onto one class) at 279.

    Args:
        classifier: a `keras.Model` with a layer named `"features"` that
            takes `(N, 28, 28, 1)` images in [0, 1]; defaults to
            `mnist_classifier()` (trained and cached on first use).
        value_range: `(low, high)` of float images given to this object,
            e.g. `(-1, 1)` for a `tanh` generator. They are mapped to
            [0, 1] and clipped there. uint8 images are always read as
            pixels 0..255, whatever `value_range`.

    Example:

    ```python
    fcd = FrechetClassifierDistance(value_range=(-1, 1))
    score = fcd(generated_images, real_images)
    ```
    """

    def __init__(self, classifier=None, *, value_range=(0.0, 1.0)):
        self.classifier = _default_classifier() if classifier is None else classifier
        self.value_range = mnist._check_value_range(value_range)
        self._feature_model = _feature_model(self.classifier)

    def features(self, images):
        """Returns the `(N, 128)` float64 `"features"` activations of `images`.

        Args:
            images: `(N, 28, 28)`, `(N, 28, 28, 1)` or `(N, 784)` images,
                uint8 pixels or floats in `value_range`.
        """
        x = _unit_images(images, self.value_range)
        # Plain calls in batches rather than `predict`: no per-call dataset
        # and progress bar, and bounded memory for large sets.
        batches = [
            keras.ops.convert_to_numpy(self._feature_model(x[i : i + _FEATURE_BATCH], training=False))
            for i in range(0, len(x), _FEATURE_BATCH)
        ]
        return np.concatenate(batches).astype(np.float64)

    def statistics(self, images):
        """Returns `(mu, sigma)` of the features of `images` (N >= 2)."""
        if len(images) < 2:
            raise ValueError(f"The Frechet distance needs at least 2 images per set. Received {len(images)}.")
        return feature_statistics(self.features(images))

    def __call__(self, images_a, images_b):
        """Returns the FCD between two sets of images (a Python float)."""
        return frechet_distance(*self.statistics(images_a), *self.statistics(images_b))


def classifier_features(images, classifier=None, value_range=(0.0, 1.0)):
    """Features of images in the `"features"` layer of an MNIST classifier.

    Args:
        images: `(N, 28, 28)`, `(N, 28, 28, 1)` or `(N, 784)` images: uint8
            pixels 0..255, or floats in `value_range` (mapped to [0, 1] and
            clipped there).
        classifier: a `keras.Model` with a `"features"` layer, e.g. from
            `mnist_classifier()`; defaults to `mnist_classifier()`.
        value_range: `(low, high)` of float images, e.g. `(-1, 1)` for the
            output of a `tanh` generator.

    Returns:
        A float64 array of shape `(N, 128)` (the width of the layer).

    Example:

    ```python
    images, _, _ = keras_wgan.datasets.load_mnist(allow_download=False)
    features = classifier_features(images[:100])  # (100, 128)
    ```
    """
    return FrechetClassifierDistance(classifier, value_range=value_range).features(images)


def frechet_classifier_distance(images_a, images_b, classifier=None, value_range=(0.0, 1.0)):
    """Frechet distance between two sets of MNIST-like images (FCD).

    `||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))` over the
    `"features"` activations of an MNIST classifier; see
    `FrechetClassifierDistance`. Use at least a few hundred images per set
    (more than the 128 features, or the covariances are singular) and the
    same numbers when comparing values: the estimate is biased upward for
    small sets.

    Args:
        images_a: first set, `(N, 28, 28)`, `(N, 28, 28, 1)` or `(N, 784)`,
            uint8 pixels or floats in `value_range`, N >= 2.
        images_b: second set, same forms.
        classifier: a `keras.Model` with a `"features"` layer; defaults to
            `mnist_classifier()`.
        value_range: `(low, high)` of float images.

    Returns:
        The distance, a non-negative Python float.

    Example:

    ```python
    images, _, _ = keras_wgan.datasets.load_mnist(allow_download=False)
    fake = wgan.generate(1000, seed=0)  # tanh outputs in [-1, 1]
    real = keras_wgan.datasets.scale_images(images[:1000], (-1, 1))
    frechet_classifier_distance(fake, real, value_range=(-1, 1))
    ```
    """
    return FrechetClassifierDistance(classifier, value_range=value_range)(images_a, images_b)


# ---------------------------------------------------------------------------
# The callback
# ---------------------------------------------------------------------------


class QualityMetric(keras.callbacks.Callback):
    """Evaluates a sample-quality metric during `fit` and logs it per epoch.

    At the end of the epochs it is due, calls `metric(model)` and writes the
    result into the epoch's logs as `logs[name]`. The value then appears
    next to `wasserstein_estimate` in the progress bar, in
    `History.history[name]`, and for every callback that comes AFTER this
    one in the `callbacks` list: `CSVLogger`, `TrainingCurves`,
    `EarlyStopping`, `ModelCheckpoint(monitor=name)`, TensorBoard.

    Order matters: Keras calls the callbacks in list order with one logs
    dict, so a `CSVLogger` placed BEFORE this callback has already written
    its row (and fixed its columns at the first epoch) when the value is
    added, and never gets the column. Put `QualityMetric` first:

    ```python
    callbacks = [QualityMetric.w1(real), keras.callbacks.CSVLogger("log.csv")]
    ```

    (`History` and the progress bar are appended by Keras after all of your
    callbacks, so they always see the value.)

    Due epochs (counted as Keras counts them, from 0 and from
    `initial_epoch` when resuming): every `every`-th epoch (0, every,
    2 * every, ...), the first epoch of each `fit` call (so that `CSVLogger`,
    which fixes its columns from the first row, always gets this one), and
    the last epoch of the call (so the final model is always measured).

    On the other epochs `logs[name]` is `fill_value`:

    - NaN (default): `History.history[name]` stays aligned with the epochs
      and `CSVLogger` writes `nan`. But `EarlyStopping` and
      `ReduceLROnPlateau` monitoring `name` count a NaN epoch as one
      without improvement: scale their `patience` with `every`.
    - None: the key is left out. `EarlyStopping` and `ReduceLROnPlateau`
      then skip those epochs (with a warning), `CSVLogger` writes `NA`,
      and `History.history[name]` holds only the evaluated epochs (see
      `epochs` for which).

    The evaluated values are also kept on the callback, in `epochs` and
    `values` (accumulated over `fit` calls).

    Args:
        metric: a callable `metric(model) -> float`, called with the model
            being trained (e.g. a `WGANGP`). See the constructors
            `QualityMetric.w1` and `QualityMetric.frechet`.
        every: evaluate every `every` epochs (an int >= 1).
        name: key in the logs. Defaults to the metric's `__name__` (or
            `"quality"` for a lambda). Must not clash with a key the model
            logs itself.
        fill_value: what the logs hold on epochs it is not evaluated: a
            float (default NaN) or None to leave the key out.

    Example:

    ```python
    heldout = kw.datasets.eight_gaussians(2000, seed=1)  # held-out reals
    history = wgan.fit(
        train, epochs=20,
        callbacks=[QualityMetric.w1(heldout, n=1000, every=2),
                   keras.callbacks.CSVLogger("log.csv")],
    )
    history.history["w1"]  # one value per epoch, NaN on skipped ones
    ```
    """

    def __init__(self, metric, *, every=1, name=None, fill_value=math.nan):
        super().__init__()
        if not callable(metric):
            raise TypeError(f"`metric` must be a callable `metric(model) -> float`. Received: {metric!r}")
        self.metric = metric
        self.every = _check_positive_int(every, "every")
        if name is None:
            name = getattr(metric, "__name__", None)
            if not name or name == "<lambda>":
                name = "quality"
        if not isinstance(name, str) or not name:
            raise ValueError(f"`name` must be a non-empty string. Received: {name!r}")
        self.name = name
        if fill_value is not None:
            try:
                fill_value = float(fill_value)
            except (TypeError, ValueError):
                raise TypeError(f"`fill_value` must be a float or None. Received: {fill_value!r}") from None
        self.fill_value = fill_value
        self.epochs = []
        self.values = []
        self._first_epoch = True

    @classmethod
    def w1(cls, real_samples, n=1000, *, every=1, name="w1", seed=0, fill_value=math.nan):
        """A `QualityMetric` logging the exact W1 to real samples.

        Calls `w1_to_data(model, real_samples, n, seed=seed)` at the chosen
        epochs. The fixed `seed` reuses the same latent vectors and real
        subset every time, so the curve shows the generator's progress, not
        resampling noise.

        Args:
            real_samples: held-out real samples in the generator's output
                range, at least `n` of them.
            n: samples per side (time and memory grow as `n**2`).
            every: evaluate every `every` epochs.
            name: log key, `"w1"` by default.
            seed: seeds the latent vectors and the real subset.
            fill_value: logged on epochs it is not evaluated (NaN, or None
                to leave the key out); see the class.

        Returns:
            A `QualityMetric`.
        """
        real = _real_array(real_samples, "real_samples")
        n = _check_count(n, len(real), "real_samples")

        def w1(model):
            return w1_to_data(model, real, n, seed=seed)

        return cls(w1, every=every, name=name, fill_value=fill_value)

    @classmethod
    def frechet(
        cls,
        real_images,
        n=1000,
        classifier=None,
        value_range=(-1.0, 1.0),
        *,
        every=1,
        name="fcd",
        seed=0,
        fill_value=math.nan,
    ):
        """A `QualityMetric` logging the FCD between generated and real digits.

        The real images' feature statistics are computed once, here; each
        evaluation generates `n` images (the same latent vectors every time,
        from `seed`) and computes `frechet_distance` to them.

        Args:
            real_images: real MNIST-like images, at least `n`: uint8 pixels
                (e.g. from `load_mnist`) or floats in `value_range`.
            n: number of real and of generated images (>= 2; use several
                hundred or more).
            classifier: a classifier with a `"features"` layer; defaults to
                `mnist_classifier()` (trained on first use, ~30 s).
            value_range: the generator's output range (and that of float
                `real_images`): `(-1, 1)` for `tanh`, `(0, 1)` for `sigmoid`.
            every: evaluate every `every` epochs.
            name: log key, `"fcd"` by default.
            seed: seeds the latent vectors and the choice of real images.
            fill_value: logged on epochs it is not evaluated (NaN, or None
                to leave the key out); see the class.

        Returns:
            A `QualityMetric`.
        """
        real = _real_array(real_images, "real_images")
        n = _check_count(n, len(real), "real_images")
        if n < 2:
            raise ValueError(f"The Frechet distance needs n >= 2 images. Received: n={n}")
        distance = FrechetClassifierDistance(classifier, value_range=value_range)
        real_statistics = distance.statistics(real[_subset(len(real), n, seed)])

        def fcd(model):
            return frechet_distance(*real_statistics, *distance.statistics(_generate(model, n, seed)))

        return cls(fcd, every=every, name=name, fill_value=fill_value)

    def on_train_begin(self, logs=None):
        self._first_epoch = True

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return  # Nothing to write into (a direct call without logs).
        if self.name in logs:
            raise ValueError(
                f"QualityMetric(name={self.name!r}) would overwrite the logged "
                f"metric {self.name!r}. Choose another `name`."
            )
        due = self._due(epoch)
        self._first_epoch = False
        if not due:
            if self.fill_value is not None:
                logs[self.name] = self.fill_value
            return
        value = float(self.metric(self.model))
        self.epochs.append(epoch)
        self.values.append(value)
        logs[self.name] = value

    def _due(self, epoch):
        last = (self.params or {}).get("epochs")
        return self._first_epoch or epoch % self.every == 0 or (last is not None and epoch == last - 1)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _build_classifier():
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(128, activation="relu", name=FEATURE_LAYER),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name="mnist_classifier",
    )


def _compile_arguments():
    return {
        "optimizer": keras.optimizers.Adam(1e-3),
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
    }


def _split_indices(count, train_size, test_size, seed):
    """The held-out and training digits of `mnist_classifier`: disjoint, fixed."""
    order = np.random.default_rng(seed).permutation(count)
    return order[test_size : test_size + train_size], order[:test_size]


def _cache_paths(cache_dir, epochs, train_size, test_size, seed):
    if cache_dir is None:
        cache_dir = os.environ.get(_CACHE_ENV) or os.path.join("~", ".cache", "keras_wgan")
    cache_dir = os.path.abspath(os.path.expanduser(os.fspath(cache_dir)))
    stem = f"mnist_classifier_v{_CLASSIFIER_VERSION}_e{epochs}_n{train_size}_t{test_size}_s{seed}"
    return os.path.join(cache_dir, stem + ".keras"), os.path.join(cache_dir, stem + ".json")


def _write_json(path, data):
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2)
        file.write("\n")


def _describe(info):
    return (
        f"test accuracy {info['test_accuracy']:.2%} on {info['test_size']:,} held-out "
        f"digits of {info['data_source']}"
    )


def _default_classifier():
    key = _cache_paths(None, 10, 8000, 2000, 0)[0]
    if key not in _DEFAULT_CLASSIFIERS:
        _DEFAULT_CLASSIFIERS[key] = mnist_classifier()
    return _DEFAULT_CLASSIFIERS[key]


def _feature_model(classifier):
    if not isinstance(classifier, keras.Model):
        raise TypeError(f"`classifier` must be a keras.Model. Received: {type(classifier).__name__}")
    try:
        return _FEATURE_MODELS[classifier]
    except KeyError:
        pass
    try:
        layer = classifier.get_layer(FEATURE_LAYER)
    except ValueError:
        raise ValueError(
            f"The classifier has no layer named {FEATURE_LAYER!r}, whose outputs are "
            "the features of the Frechet distance. Use `mnist_classifier()` or name "
            f"the feature layer of your own classifier {FEATURE_LAYER!r}."
        ) from None
    if len(classifier.inputs or ()) != 1:
        raise ValueError("The classifier must have exactly one (image) input.")
    # The input tensor itself, not a one-element list: the feature model is
    # then called with a plain array, without Keras's structure warning.
    feature_model = keras.Model(classifier.inputs[0], layer.output)
    _FEATURE_MODELS[classifier] = feature_model
    return feature_model


def _unit_images(images, value_range=(0.0, 1.0)):
    """Images as float32 `(N, 28, 28, 1)` in [0, 1], the classifier's input."""
    x = _real_array(images, "images")
    if x.ndim == 2 and x.shape[1] == 28 * 28:
        x = x.reshape(-1, 28, 28)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.shape[1:] != (28, 28, 1):
        raise ValueError(
            "MNIST images must have shape (N, 28, 28), (N, 28, 28, 1) or "
            f"(N, 784). Received shape {x.shape}."
        )
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    low, high = mnist._check_value_range(value_range)
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("`images` contain NaN or infinite values.")
    # Clipped as when the images are saved or shown: a linear-output generator
    # may overshoot, and the classifier never saw values outside [0, 1].
    return np.clip((x - low) / (high - low), 0.0, 1.0)


def _real_array(values, name):
    if keras.ops.is_tensor(values):
        values = keras.ops.convert_to_numpy(values)
    array = np.asarray(values)
    if array.ndim == 0 or len(array) == 0:
        raise ValueError(f"`{name}` must be a non-empty array of samples. Received shape {array.shape}.")
    return array


def _generate(generator, n, seed):
    if isinstance(generator, WassersteinGAN):
        return np.asarray(generator.generate(n, seed=seed))
    if isinstance(generator, keras.Model):
        if len(generator.inputs or ()) != 1:
            raise ValueError("A generator model must have exactly one (latent) input.")
        latent_dim = int(generator.inputs[0].shape[-1])
        # Drawn exactly as WassersteinGAN.generate draws them, so a WGAN and
        # its `.generator` give the same samples for the same seed.
        latent = keras.random.normal((n, latent_dim), seed=seed)
        return keras.ops.convert_to_numpy(generator(latent, training=False))
    raise TypeError(
        "`generator` must be a keras_wgan model (WGAN, WGANGP) or a keras.Model "
        f"generator. Received: {type(generator).__name__}"
    )


def _matching_shapes(fake, real):
    if fake.shape[1:] == real.shape[1:]:
        return fake, real
    # (N, 28, 28, 1) against (N, 28, 28): the same pixels in the same order.
    squeeze = lambda shape: shape[:-1] if shape and shape[-1] == 1 else shape  # noqa: E731
    if squeeze(fake.shape[1:]) == squeeze(real.shape[1:]):
        return fake, real
    raise ValueError(
        f"Generated samples have shape {fake.shape[1:]} but real samples "
        f"{real.shape[1:]}: they must match (a trailing channel axis of size 1 "
        "may differ)."
    )


def _subset(count, n, seed):
    return np.random.default_rng(seed).choice(count, size=n, replace=False)


def _check_count(n, available, name):
    n = _check_int(n, "n")
    if n < 1:
        raise ValueError(f"`n` must be at least 1. Received: n={n}")
    if n > available:
        raise ValueError(f"`n` = {n} exceeds the {available} samples in `{name}`: pass a smaller `n`.")
    return n


def _check_positive_int(value, name):
    value = _check_int(value, name)
    if value < 1:
        raise ValueError(f"`{name}` must be at least 1. Received: {value}")
    return value


def _check_int(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int. Received: {value!r}")
    return int(value)


def _check_seed(seed):
    seed = _check_int(seed, "seed")
    if seed < 0:
        raise ValueError(f"`seed` must be non-negative. Received: {seed}")
    return seed


def _gaussian(mu, sigma, suffix):
    mu = np.atleast_1d(np.asarray(mu, dtype=np.float64))
    sigma = np.atleast_2d(np.asarray(sigma, dtype=np.float64))
    if mu.ndim != 1 or sigma.shape != (len(mu), len(mu)):
        raise ValueError(
            f"`mu{suffix}` must have shape (d,) and `sigma{suffix}` shape (d, d). "
            f"Received: mu{suffix}.shape={mu.shape}, sigma{suffix}.shape={sigma.shape}"
        )
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sigma))):
        raise ValueError(f"`mu{suffix}` and `sigma{suffix}` must be finite.")
    return mu, sigma


def _sqrtm(matrix):
    """`scipy.linalg.sqrtm`, and whether SciPy found the matrix singular.

    SciPy warns (LinAlgWarning) for singular or ill-conditioned input, which
    dead ReLU features or fewer samples than features make common: that is
    the case `frechet_distance` handles with its eps offset, so the warning
    is turned into a flag instead of reaching the user.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", linalg.LinAlgWarning)
        root = linalg.sqrtm(matrix)
    flagged = False
    for warning in caught:
        if issubclass(warning.category, linalg.LinAlgWarning):
            flagged = True
        else:  # Not ours to swallow.
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return root, flagged


def _usable_root(root):
    if not np.all(np.isfinite(root)):
        return False
    # The reference FID code's tolerance for the imaginary part of the
    # diagonal: above it the product was too close to singular.
    return not np.iscomplexobj(root) or np.allclose(np.diagonal(root).imag, 0.0, atol=1e-3)
