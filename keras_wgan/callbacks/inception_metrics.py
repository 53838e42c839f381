"""`inception_metrics`: FID, KID (and the Inception Score) of the generator, logged during `fit`."""

import math
import zlib

import numpy as np

from keras_wgan.callbacks.quality_metric import QualityMetric
from keras_wgan.evaluation import inception, samples
from keras_wgan.evaluation.feature_distances import fid_from_features, kid_from_features
from keras_wgan.evaluation.inception_scoring import class_probabilities, inception_score
from keras_wgan.models.generator_utils import generate_samples
from keras_wgan.utils import argument_validation

METRICS = ("fid", "kid", "inception_score")


def inception_metrics(
    real_images,
    n=1000,
    *,
    value_range=(-1.0, 1.0),
    network="fid",
    weights="auto",
    metrics=("fid", "kid"),
    every=1,
    seed=0,
    kid_subsets=50,
    kid_subset_size=1000,
    is_splits=10,
    fill_value=math.nan,
):
    """`QualityMetric` callbacks logging `"fid"`, `"kid"` (and `"inception_score"`) during `fit`.

    The real images' features are computed once, here. At each due epoch
    the first callback generates `n` images (the same latent vectors every
    time, from `seed`) and passes them through Inception once; the others
    reuse that pass. Put them before `CSVLogger` (see `QualityMetric`).

    By default the features are those of published FIDs: the 2015-12-05
    Inception (`network="fid"`, weights from a file downloaded once; see
    `keras_wgan.evaluation.fid_network`). `network="keras_imagenet"`
    uses Keras's ImageNet InceptionV3 instead: its values are comparable
    with each other only, not with published ones.

    Args:
        real_images: real images (uint8 or floats in `value_range`), at
            least `n`; `n` of them are drawn with `seed`.
        n: images per set (>= 2; thousands for stable FIDs).
        value_range: the generator's output range (and that of float
            `real_images`).
        network, weights: see `keras_wgan.evaluation.inception_features`.
        metrics: which to log, among `"fid"`, `"kid"` and
            `"inception_score"` (the mean over `is_splits` parts; needs
            `network="fid"`, whose head gives the class probabilities).
        every: evaluate every `every` epochs.
        seed: seeds the latent vectors and the choice of real images.
        kid_subsets, kid_subset_size: see `kid_from_features`.
        is_splits: see `inception_score`.
        fill_value: see `QualityMetric`.

    Returns:
        A list of `QualityMetric`, one per entry of `metrics`, in order.

    Example:

    ```python
    callbacks = [*kw.callbacks.inception_metrics(real, n=1000, every=5), keras.callbacks.CSVLogger("log.csv")]
    ```
    """
    argument_validation.check_one_of(network, "network", inception.NETWORKS)
    if isinstance(metrics, str) or not metrics:
        raise ValueError(f"`metrics` must be a non-empty tuple of names. Received: metrics={metrics!r}")
    for metric in metrics:
        argument_validation.check_one_of(metric, "metrics", METRICS)
    if "inception_score" in metrics and network != "fid":
        raise ValueError(
            "The Inception Score needs the class probabilities of the 2015-12-05 Inception: use "
            f'network="fid". Received: network={network!r}'
        )
    real = inception.check_images(real_images)
    n = samples.check_sample_count(n, len(real), "real_images")
    if n < 2:
        raise ValueError(f"FID and KID need n >= 2 images. Received: n={n}")
    needs_real = {"fid", "kid"} & set(metrics)
    real_features = (
        _outputs(real[samples.sample_indices(len(real), n, seed)], value_range, network, weights)["pool"]
        if needs_real
        else None
    )
    last = {}

    def fake_outputs(model):
        fake = generate_samples(model, n, seed)
        key = zlib.crc32(np.ascontiguousarray(fake).view(np.uint8))
        if last.get("key") != key:
            last.update(key=key, outputs=_outputs(fake, value_range, network, weights))
        return last["outputs"]

    def fid(model):
        return fid_from_features(fake_outputs(model)["pool"], real_features)

    def kid(model):
        return kid_from_features(
            fake_outputs(model)["pool"],
            real_features,
            subsets=kid_subsets,
            subset_size=kid_subset_size,
            seed=seed,
        )

    def score(model):
        probabilities = class_probabilities(fake_outputs(model)["pool"], weights=weights)
        return inception_score(probabilities, splits=min(is_splits, n))[0]

    functions = {"fid": fid, "kid": kid, "inception_score": score}
    return [QualityMetric(functions[name], every=every, name=name, fill_value=fill_value) for name in metrics]


def _outputs(images, value_range, network, weights):
    if network == "fid":
        return inception.inception_outputs(images, value_range=value_range, weights=weights)
    return {
        "pool": inception.inception_features(
            images, value_range=value_range, network=network, weights=weights
        )
    }
