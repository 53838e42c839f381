"""`keras_wgan.evaluation.conditional_accuracy` and its `QualityMetric`."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import mnist_critic, mnist_generator
from keras_wgan.callbacks import QualityMetric
from keras_wgan.evaluation import conditional_accuracy, conditional_accuracy_per_class


def band_patterns():
    """Class c: rows 2c and 2c + 1 of a 28x28 image lit."""
    patterns = np.zeros((10, 28, 28, 1), "float32")
    for c in range(10):
        patterns[c, 2 * c : 2 * c + 2] = 1.0
    return patterns


def band_classifier():
    """Scores class c by the brightness of its band: right on the band images."""
    inputs = keras.Input((28, 28, 1))
    dense = keras.layers.Dense(10, activation="softmax", use_bias=False)
    outputs = dense(keras.layers.Flatten()(inputs))
    dense.kernel.assign(band_patterns().reshape(10, -1).T * 10.0)
    return keras.Model(inputs, outputs)


def band_generator(shift=0):
    """G(z, y) draws the band of class (y + shift) mod 10, in tanh's range."""
    latent = keras.Input((4,))
    labels = keras.Input((), dtype="int32")
    rows = np.roll(band_patterns(), -shift, axis=0).reshape(10, -1) * 2.0 - 1.0
    table = keras.layers.Embedding(10, 28 * 28, embeddings_initializer=keras.initializers.Constant(rows))
    ignore_latent = keras.layers.Dense(28 * 28, kernel_initializer="zeros", use_bias=False)(latent)
    images = keras.layers.Add()([table(labels), ignore_latent])
    return keras.Model([latent, labels], keras.layers.Reshape((28, 28, 1))(images))


def model_with(generator):
    return kw.WGANGP(mnist_critic(dim=2, num_classes=10), generator, num_classes=10)


def test_a_generator_that_draws_the_class_asked_for_scores_one():
    classifier = band_classifier()
    assert conditional_accuracy(model_with(band_generator()), n_per_class=3, classifier=classifier) == 1.0
    per_class = conditional_accuracy_per_class(
        model_with(band_generator()), n_per_class=3, classifier=classifier
    )
    np.testing.assert_array_equal(per_class, np.ones(10))


def test_a_generator_that_draws_the_next_class_scores_zero():
    classifier = band_classifier()
    assert (
        conditional_accuracy(model_with(band_generator(shift=1)), n_per_class=3, classifier=classifier) == 0.0
    )


def test_a_generator_that_ignores_its_label_scores_one_tenth():
    # Every label draws class 3's band: right for class 3 only.
    latent = keras.Input((4,))
    labels = keras.Input((), dtype="int32")
    band = band_patterns()[3].reshape(-1) * 2.0 - 1.0
    const = keras.layers.Dense(
        28 * 28, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(band)
    )
    model = model_with(keras.Model([latent, labels], keras.layers.Reshape((28, 28, 1))(const(latent))))
    per_class = conditional_accuracy_per_class(model, n_per_class=2, classifier=band_classifier())
    np.testing.assert_array_equal(per_class, np.eye(10)[3])
    assert conditional_accuracy(model, n_per_class=2, classifier=band_classifier()) == pytest.approx(0.1)


def test_quality_metric_logs_it():
    metric = QualityMetric.conditional_accuracy(n_per_class=2, classifier=band_classifier())
    assert metric.name == "conditional_accuracy"
    assert metric.metric(model_with(band_generator())) == 1.0


def test_refuses_unconditional_models_and_too_many_classes():
    with pytest.raises(ValueError, match="measures a conditional model"):
        conditional_accuracy(
            kw.WGANGP(mnist_critic(dim=2), mnist_generator(4, dim=2)), classifier=band_classifier()
        )
    eleven = kw.WGANGP(
        mnist_critic(dim=2, num_classes=11), mnist_generator(4, dim=2, num_classes=11), num_classes=11
    )
    with pytest.raises(ValueError, match="11 classes but the classifier tells only 10 apart"):
        conditional_accuracy(eleven, n_per_class=1, classifier=band_classifier())
