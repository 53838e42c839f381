"""Conditional accuracy: does a conditional generator draw the class it is asked for?"""

import keras
import numpy as np

from keras_wgan.evaluation.classifier import classifier_inputs, default_classifier
from keras_wgan.models.wasserstein_gan import WassersteinGAN
from keras_wgan.utils import argument_validation

# Images per classifier call: bounded memory for large sets.
_BATCH = 500


def conditional_accuracy(model, n_per_class=100, classifier=None, value_range=(-1.0, 1.0), *, seed=0):
    """Share of generated digits that an MNIST classifier assigns to the requested class.

        accuracy = mean over c, i of [argmax classifier(G(z_ci, c)) == c]

    with `n_per_class` latents `z_ci` per class `c`, the classifier being
    the one whose features the Frechet classifier distance uses
    (`mnist_classifier()`; its own accuracy on real held-out digits is the
    ceiling of this score; measured runs in docs/conditional.md). A
    generator that ignores its labels scores about `1 / num_classes`. It
    measures whether the label is obeyed, not
    sample quality or diversity: report it with the FCD.

    Args:
        model: a conditional `WassersteinGAN` (`num_classes` set) making
            28x28 images; `num_classes` at most the classifier's outputs.
        n_per_class: samples generated per class (an int >= 1).
        classifier: a `keras.Model` from `(N, 28, 28, 1)` images in [0, 1]
            to class probabilities; defaults to `mnist_classifier()`.
        value_range: `(low, high)` of the generator's images: `(-1, 1)`
            for `tanh`, `(0, 1)` for `sigmoid`.
        seed: int, seeds the latent vectors (the same samples every call
            for the same weights).

    Returns:
        The accuracy, a Python float in [0, 1].

    Raises:
        ValueError: for an unconditional model, or more classes than the
            classifier knows.

    Example:

    ```python
    wgan = kw.WGANGP(critic, generator, num_classes=10)
    ...
    kw.evaluation.conditional_accuracy(wgan, n_per_class=100)  # e.g. 0.95
    ```
    """
    return float(np.mean(_hits(model, n_per_class, classifier, value_range, seed)))


def conditional_accuracy_per_class(
    model, n_per_class=100, classifier=None, value_range=(-1.0, 1.0), *, seed=0
):
    """As `conditional_accuracy`, one value per class: a float array `(num_classes,)`."""
    return _hits(model, n_per_class, classifier, value_range, seed).mean(axis=1)


def _hits(model, n_per_class, classifier, value_range, seed):
    if not isinstance(model, WassersteinGAN) or model.num_classes is None:
        raise ValueError(
            "`conditional_accuracy` measures a conditional model (a keras_wgan WGAN or WGANGP "
            f"built with `num_classes`). Received: model={type(model).__name__}"
            + ("" if not isinstance(model, WassersteinGAN) else " with num_classes=None")
        )
    n_per_class = argument_validation.check_positive_int(n_per_class, "n_per_class")
    seed = argument_validation.check_seed(seed)
    classifier = default_classifier() if classifier is None else classifier
    num_classes = model.num_classes
    classes = int(classifier.output_shape[-1])
    if num_classes > classes:
        raise ValueError(
            f"The model has {num_classes} classes but the classifier tells only {classes} apart. "
            f"Received: num_classes={num_classes}"
        )
    labels = np.repeat(np.arange(num_classes, dtype="int32"), n_per_class)
    images = classifier_inputs(model.generate(len(labels), labels=labels, seed=seed), value_range)
    predictions = np.concatenate(
        [
            np.argmax(keras.ops.convert_to_numpy(classifier(images[i : i + _BATCH], training=False)), axis=-1)
            for i in range(0, len(images), _BATCH)
        ]
    )
    return (predictions == labels).reshape(num_classes, n_per_class)
