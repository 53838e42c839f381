"""A small CNN trained on MNIST: the feature extractor of the Frechet classifier distance.

Trained once, reproducibly, and cached on disk (`mnist_classifier`); what
was recorded when it was trained is in `mnist_classifier_info`.
"""

import json
import os
import time
import warnings
import weakref

import keras
import numpy as np

from keras_wgan.datasets.mnist import load_mnist
from keras_wgan.evaluation.samples import as_sample_array
from keras_wgan.utils import argument_validation
from keras_wgan.utils.file_utils import write_atomically, write_text_atomically

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
    8,000 / 2,000 split. Its training time and accuracy are in
    `docs/mnist_example.md`.

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
    classifier = mnist_classifier()  # trains once, then loads from the cache
    info = mnist_classifier_info()
    print(info["test_accuracy"], info["data_source"])
    ```
    """
    epochs = argument_validation.check_positive_int(epochs, "epochs")
    train_size = argument_validation.check_positive_int(train_size, "train_size")
    test_size = argument_validation.check_positive_int(test_size, "test_size")
    seed = argument_validation.check_seed(seed)
    allow_download = argument_validation.check_bool(allow_download, "allow_download")
    verbose = argument_validation.check_bool(verbose, "verbose")
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

    images, labels, source = load_mnist(allow_download=allow_download, verbose=verbose)
    if train_size + test_size > len(images):
        raise ValueError(
            f"`train_size + test_size` = {train_size} + {test_size} exceeds the "
            f"{len(images):,} digits available from {source}."
        )
    train, test = _split_indices(len(images), train_size, test_size, seed)
    x = classifier_inputs(images)
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
    write_atomically(model_path, classifier.save, suffix=".keras")
    # The JSON last: a model file without its JSON is treated as incomplete.
    write_text_atomically(info_path, json.dumps(info, indent=2) + "\n")

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


def classifier_inputs(images, value_range=(0.0, 1.0)):
    """Images as float32 `(N, 28, 28, 1)` in [0, 1], the classifier's input.

    Args:
        images: `(N, 28, 28)`, `(N, 28, 28, 1)` or `(N, 784)` images: uint8
            pixels 0..255, or floats in `value_range` (mapped to [0, 1] and
            clipped there).
        value_range: `(low, high)` of float images.
    """
    """Images as float32 `(N, 28, 28, 1)` in [0, 1], the classifier's input."""
    x = as_sample_array(images, "images")
    if x.ndim == 2 and x.shape[1] == 28 * 28:
        x = x.reshape(-1, 28, 28)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.shape[1:] != (28, 28, 1):
        raise ValueError(
            "MNIST images must have shape (N, 28, 28), (N, 28, 28, 1) or "
            f"(N, 784). Received: images.shape={x.shape}"
        )
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    low, high = argument_validation.check_value_range(value_range)
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("`images` contain NaN or infinite values.")
    # Clipped as when the images are saved or shown: a linear-output generator
    # may overshoot, and the classifier never saw values outside [0, 1].
    return np.clip((x - low) / (high - low), 0.0, 1.0)


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


def _describe(info):
    return (
        f"test accuracy {info['test_accuracy']:.2%} on {info['test_size']:,} held-out "
        f"digits of {info['data_source']}"
    )


def default_classifier():
    """`mnist_classifier()` with its default settings, loaded once per process."""
    key = _cache_paths(None, 10, 8000, 2000, 0)[0]
    if key not in _DEFAULT_CLASSIFIERS:
        _DEFAULT_CLASSIFIERS[key] = mnist_classifier()
    return _DEFAULT_CLASSIFIERS[key]


def feature_model(classifier):
    """The model mapping classifier inputs to the `"features"` layer (built once per classifier)."""
    if not isinstance(classifier, keras.Model):
        raise TypeError(
            f"`classifier` must be a keras.Model. Received: classifier={classifier!r} of type {type(classifier).__name__}"
        )
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
