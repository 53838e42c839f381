"""The Frechet classifier distance (FCD): FID with an MNIST classifier's features."""

import keras
import numpy as np

from keras_wgan.evaluation.classifier import classifier_inputs, default_classifier, feature_model
from keras_wgan.evaluation.frechet import feature_statistics, frechet_distance
from keras_wgan.utils import argument_validation

# Images per call of the feature model: bounded memory for large sets.
_FEATURE_BATCH = 500


class FrechetClassifierDistance:
    """The Frechet distance in the feature space of an MNIST classifier (FCD).

    `FCD(A, B) = ||mu_A - mu_B||^2 + Tr(S_A + S_B - 2 (S_A S_B)^(1/2))`

    where `mu`, `S` are the mean and covariance of the 128 `"features"`
    activations of the classifier over each set of images: FID with a small
    MNIST CNN in place of Inception-v3 (whose weights are not available
    offline). Lower is better; two sets of real digits are not at 0 but at
    a noise floor that shrinks as the sets grow, so compare values computed
    with the same classifier and the same numbers of images.

    Reference values (real against real, against noise, against a
    collapse onto one class) are in `docs/mnist_example.md`.

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
        self.classifier = default_classifier() if classifier is None else classifier
        self.value_range = argument_validation.check_value_range(value_range)
        self._feature_model = feature_model(self.classifier)

    def features(self, images):
        """Returns the `(N, 128)` float64 `"features"` activations of `images`.

        Args:
            images: `(N, 28, 28)`, `(N, 28, 28, 1)` or `(N, 784)` images,
                uint8 pixels or floats in `value_range`.
        """
        x = classifier_inputs(images, self.value_range)
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
            raise ValueError(
                f"The Frechet distance needs at least 2 images per set. Received: len(images)={len(images)}"
            )
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
