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

- `conditional_accuracy` for a conditional model (`num_classes` set): the
  share of generated digits that the same MNIST classifier assigns to the
  class they were generated for.
For RGB images, FID and KID on Inception features, by default those of
published FIDs: the 2015-12-05 TF1 Inception as a Keras model
(`fid_inception`; weights from a file downloaded once), the Inception Score
(`inception_score`, `inception_score_of_generator`), and precision, recall,
density and coverage on any features (`precision_recall_density_coverage`).
See `keras_wgan.evaluation.inception`.

This package computes; it does not import `keras_wgan.callbacks`. The
callbacks that log these values during `fit()` are
`keras_wgan.callbacks.QualityMetric` and
`keras_wgan.callbacks.inception_metrics`.

Example:

```python
import keras_wgan as kw
from keras_wgan import evaluation

images, _, _ = kw.datasets.load_mnist(allow_download=False)
train, heldout = kw.datasets.split_holdout(images, 1000)
callbacks = [
    kw.callbacks.QualityMetric.frechet(heldout, n=1000, every=5),  # "fcd"
    keras.callbacks.CSVLogger("log.csv"),  # AFTER the QualityMetric
]
wgan.fit(dataset, epochs=50, callbacks=callbacks)
```
"""

from keras_wgan.evaluation.classifier import FEATURE_LAYER, mnist_classifier, mnist_classifier_info
from keras_wgan.evaluation.conditional_accuracy import conditional_accuracy, conditional_accuracy_per_class
from keras_wgan.evaluation.feature_distances import fid_from_features, kid_from_features, mmd2_unbiased
from keras_wgan.evaluation.fid_network import fid_inception
from keras_wgan.evaluation.frechet import feature_statistics, frechet_distance
from keras_wgan.evaluation.frechet_classifier_distance import (
    FrechetClassifierDistance,
    classifier_features,
    frechet_classifier_distance,
)
from keras_wgan.evaluation.inception import (
    frechet_inception_distance,
    inception_features,
    inception_outputs,
    kernel_inception_distance,
)
from keras_wgan.evaluation.inception_scoring import (
    inception_score,
    inception_score_of_generator,
    inception_score_of_images,
)
from keras_wgan.evaluation.precision_recall import precision_recall_density_coverage
from keras_wgan.evaluation.stacked_mnist import generated_stacked_mnist_modes, stacked_mnist_modes
from keras_wgan.evaluation.tf1_resize import resize_bilinear_tf1
from keras_wgan.evaluation.wasserstein import w1_to_data

__all__ = [
    "classifier_features",
    "conditional_accuracy",
    "conditional_accuracy_per_class",
    "FEATURE_LAYER",
    "feature_statistics",
    "fid_from_features",
    "fid_inception",
    "frechet_classifier_distance",
    "frechet_distance",
    "frechet_inception_distance",
    "FrechetClassifierDistance",
    "generated_stacked_mnist_modes",
    "inception_features",
    "inception_outputs",
    "inception_score",
    "inception_score_of_generator",
    "inception_score_of_images",
    "kernel_inception_distance",
    "kid_from_features",
    "mmd2_unbiased",
    "mnist_classifier",
    "mnist_classifier_info",
    "precision_recall_density_coverage",
    "resize_bilinear_tf1",
    "stacked_mnist_modes",
    "w1_to_data",
]
