"""Tests for keras_wgan.evaluation: W1 to data, the MNIST classifier, FCD, QualityMetric.

The MNIST classifier is trained here with a tiny budget (one epoch on 2,000
digits), once per module: the full-size training (~30 s) does not belong in
the test suite.
"""

import csv
import json
import math
import os
import shutil
import warnings

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan import evaluation
from keras_wgan.datasets import load_mnist
from keras_wgan.evaluation import classifier as classifier_module
from keras_wgan.evaluation.samples import sample_indices
from keras_wgan.utils.generator_utils import generate_samples
from tests.conftest import mlp

SMALL = dict(epochs=1, train_size=2000, test_size=500, seed=0)
SMALL_STEM = "mnist_classifier_v1_e1_n2000_t500_s0"


@pytest.fixture(scope="module")
def digits():
    images, labels, _ = load_mnist(allow_download=False, verbose=False)
    return images, labels


@pytest.fixture(scope="module")
def small_classifier(tmp_path_factory):
    """A classifier trained with a tiny budget, and its cache folder."""
    cache = tmp_path_factory.mktemp("classifier_cache")
    with pytest.warns(UserWarning, match="unreliable"):  # 1 epoch: below 97%
        classifier = evaluation.mnist_classifier(cache, verbose=False, **SMALL)
    return classifier, cache


def shift_generator(v):
    """A keras.Model generator z -> z + v."""
    inputs = keras.Input((len(v),))
    outputs = keras.layers.Dense(
        len(v), kernel_initializer="identity", bias_initializer=keras.initializers.Constant(v)
    )(inputs)
    return keras.Model(inputs, outputs)


def random_spd(d, seed):
    a = np.random.default_rng(seed).normal(size=(d, d))
    return a @ a.T + 0.1 * np.eye(d)


# -- frechet_distance ----------------------------------------------------------


def test_frechet_distance_identical_statistics_is_zero():
    mu, sigma = np.arange(5.0), random_spd(5, 0)
    assert evaluation.frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_one_dimensional_closed_form():
    # (m1 - m2)^2 + (s1 - s2)^2 for standard deviations s1, s2.
    for m1, s1, m2, s2 in [(0.0, 2.0, 3.0, 1.0), (1.5, 0.5, -1.0, 3.0), (0.0, 1.0, 0.0, 1.0)]:
        expected = (m1 - m2) ** 2 + (s1 - s2) ** 2
        assert evaluation.frechet_distance(m1, s1**2, m2, s2**2) == pytest.approx(expected)
        assert evaluation.frechet_distance([m1], [[s1**2]], [m2], [[s2**2]]) == pytest.approx(expected)


def test_frechet_distance_diagonal_covariances():
    rng = np.random.default_rng(1)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    var1, var2 = rng.uniform(0.1, 4.0, 6), rng.uniform(0.1, 4.0, 6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    got = evaluation.frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2))
    assert got == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_general_covariances_match_symmetric_formula():
    # Tr (S1 S2)^(1/2) = Tr (S1^(1/2) S2 S1^(1/2))^(1/2), computed with eigh.
    s1, s2 = random_spd(8, 2), random_spd(8, 3)
    mu1, mu2 = np.zeros(8), np.ones(8)
    root1 = _psd_sqrt(s1)
    expected = 8.0 + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(_psd_sqrt(root1 @ s2 @ root1))
    assert evaluation.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)


def _psd_sqrt(matrix):
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def test_frechet_distance_singular_covariances_are_handled_quietly():
    # 5 samples in 20 dimensions: rank-4 covariances, a singular product.
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(5, 20)), rng.normal(1.0, 1.0, size=(5, 20))
    stats_a, stats_b = evaluation.feature_statistics(a), evaluation.feature_statistics(b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # No LinAlgWarning may escape.
        distance = evaluation.frechet_distance(*stats_a, *stats_b)
        same = evaluation.frechet_distance(*stats_a, *stats_a)
    assert np.isfinite(distance) and distance > 10.0
    assert same == pytest.approx(0.0, abs=1e-3)


def test_frechet_distance_rejects_bad_shapes():
    with pytest.raises(ValueError, match="same dimension"):
        evaluation.frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match=r"shape \(d, d\)"):
        evaluation.frechet_distance(np.zeros(2), np.eye(3), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="finite"):
        evaluation.frechet_distance(np.zeros(2), np.full((2, 2), np.nan), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="N >= 2"):
        evaluation.feature_statistics(np.zeros((1, 4)))


# -- mnist_classifier ------------------------------------------------------------


def test_mnist_classifier_is_cached_with_its_accuracy(small_classifier):
    classifier, cache = small_classifier
    assert sorted(os.listdir(cache)) == [SMALL_STEM + ".json", SMALL_STEM + ".keras"]  # no temp files
    with open(cache / (SMALL_STEM + ".json")) as file:
        info = json.load(file)
    assert 0.5 < info["test_accuracy"] <= 1.0
    assert info["data_source"].startswith("bundled MNIST test split")
    assert (info["train_size"], info["test_size"], info["epochs"], info["seed"]) == (2000, 500, 1, 0)
    assert info["feature_layer"] == "features" and info["training_seconds"] > 0
    assert evaluation.mnist_classifier_info(cache, **SMALL) == info
    assert evaluation.mnist_classifier_info(cache, **{**SMALL, "epochs": 2}) is None
    assert classifier.get_layer("features").units == 128
    assert classifier.output_shape == (None, 10)


def test_mnist_classifier_reloads_without_training(small_classifier, digits, monkeypatch, capsys):
    classifier, cache = small_classifier

    def no_training():
        raise AssertionError("the cached classifier must be loaded, not trained")

    monkeypatch.setattr(classifier_module, "_build_classifier", no_training)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. no optimizer-mismatch warning
        reloaded = evaluation.mnist_classifier(cache, **SMALL)
    assert "loaded" in capsys.readouterr().out
    x = digits[0][:64, ..., None].astype("float32") / 255.0
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(classifier(x)), keras.ops.convert_to_numpy(reloaded(x)))
    # Compiled, so that it can be evaluated directly.
    loss, accuracy = reloaded.evaluate(x, digits[1][:64], verbose=0)
    assert 0.0 <= accuracy <= 1.0

    # The default folder is $KERAS_WGAN_CACHE.
    monkeypatch.setenv("KERAS_WGAN_CACHE", str(cache))
    assert evaluation.mnist_classifier(verbose=False, **SMALL) is not None


@pytest.mark.filterwarnings("ignore:The MNIST classifier reaches only")
def test_mnist_classifier_rebuilds_a_damaged_cache_reproducibly(small_classifier, digits, tmp_path):
    classifier, cache = small_classifier
    shutil.copy(cache / (SMALL_STEM + ".json"), tmp_path)
    (tmp_path / (SMALL_STEM + ".keras")).write_bytes(b"not a zip file")
    with pytest.warns(UserWarning, match="Could not load the cached"):
        retrained = evaluation.mnist_classifier(tmp_path, verbose=False, **SMALL)
    # Same seed, same split, same training: the same network.
    x = digits[0][:64, ..., None].astype("float32") / 255.0
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(retrained(x)), keras.ops.convert_to_numpy(classifier(x)), atol=1e-5
    )
    with open(tmp_path / (SMALL_STEM + ".json")) as file:
        assert json.load(file)["test_accuracy"] == evaluation.mnist_classifier_info(cache, **SMALL)["test_accuracy"]


def test_mnist_classifier_rejects_bad_settings(tmp_path):
    with pytest.raises(ValueError, match="exceeds the 10,000 digits"):
        evaluation.mnist_classifier(tmp_path, train_size=9000, test_size=2000, verbose=False)
    with pytest.raises(ValueError, match="epochs"):
        evaluation.mnist_classifier(tmp_path, epochs=0, verbose=False)
    with pytest.raises(TypeError, match="train_size"):
        evaluation.mnist_classifier(tmp_path, train_size=100.5, verbose=False)
    assert os.listdir(tmp_path) == []


# -- classifier features and the FCD ---------------------------------------------


def test_classifier_features_shape_and_input_forms(small_classifier, digits):
    classifier, _ = small_classifier
    pixels = digits[0][:40]
    features = evaluation.classifier_features(pixels, classifier)
    assert features.shape == (40, 128) and features.dtype == np.float64
    unit = pixels.astype("float32") / 255.0
    for images, value_range in [
        (unit, (0, 1)),
        (unit[..., None], (0, 1)),
        (unit.reshape(40, 784), (0, 1)),
        (unit * 2.0 - 1.0, (-1, 1)),
    ]:
        np.testing.assert_allclose(
            evaluation.classifier_features(images, classifier, value_range), features, rtol=1e-5, atol=1e-5
        )


def test_classifier_features_errors(small_classifier):
    classifier, _ = small_classifier
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        evaluation.classifier_features(np.zeros((3, 32, 32)), classifier)
    with pytest.raises(ValueError, match="NaN"):
        evaluation.classifier_features(np.full((3, 28, 28), np.nan), classifier)
    with pytest.raises(ValueError, match="value_range"):
        evaluation.classifier_features(np.zeros((3, 28, 28)), classifier, value_range=(1, 0))
    plain = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="no layer named 'features'"):
        evaluation.classifier_features(np.zeros((3, 28, 28)), plain)
    with pytest.raises(ValueError, match="at least 2 images"):
        evaluation.frechet_classifier_distance(np.zeros((1, 28, 28)), np.zeros((5, 28, 28)), classifier)


def test_fcd_real_vs_real_is_far_below_real_vs_noise(small_classifier, digits):
    classifier, _ = small_classifier
    images = digits[0]
    real_a, real_b = images[:500], images[500:1000]
    noise = np.random.default_rng(0).uniform(0.0, 1.0, size=(500, 28, 28))
    fcd = evaluation.FrechetClassifierDistance(classifier)
    real_vs_real = fcd(real_a, real_b)
    real_vs_noise = evaluation.frechet_classifier_distance(real_a, noise, classifier)
    assert 0.0 < real_vs_real < real_vs_noise / 10.0
    assert fcd(real_a, real_a) == pytest.approx(0.0, abs=1e-3)
    # The same digits as floats in [-1, 1] are at the same distance.
    scaled = real_b.astype("float32") / 127.5 - 1.0
    minus_one = evaluation.FrechetClassifierDistance(classifier, value_range=(-1, 1))
    assert minus_one(real_a, scaled) == pytest.approx(real_vs_real, rel=1e-4)


# -- w1_to_data ------------------------------------------------------------------


def test_w1_to_data_translation_with_shared_latents_is_exact():
    v = np.array([1.0, 0.5], "float32")
    # The latent vectors w1_to_data draws for seed 3: the real samples are
    # z, the generated ones z + v, so the identity plan is optimal.
    real = keras.ops.convert_to_numpy(keras.random.normal((300, 2), seed=3))
    w1 = evaluation.w1_to_data(shift_generator(v), real, seed=3)
    assert w1 == pytest.approx(float(np.linalg.norm(v)), abs=1e-5)


def test_w1_to_data_translation_with_independent_samples_is_close():
    v = np.array([1.0, 0.5], "float32")
    real = np.random.default_rng(0).normal(size=(2000, 2))
    w1 = evaluation.w1_to_data(shift_generator(v), real, n=1000, seed=0)
    assert w1 == pytest.approx(float(np.linalg.norm(v)), abs=0.15)  # noise floor ~0.1


def test_w1_to_data_accepts_a_wgan_and_gives_its_generators_value(small_nets):
    critic, generator = small_nets
    model = kw.WGANGP(critic, generator)
    real = np.random.default_rng(0).normal(size=(200, 2))
    via_model = evaluation.w1_to_data(model, real, n=100, seed=7)
    assert via_model == evaluation.w1_to_data(generator, real, n=100, seed=7)
    assert via_model == evaluation.w1_to_data(model, real, n=100, seed=7)  # seeded
    assert via_model != evaluation.w1_to_data(model, real, n=100, seed=8)


def test_w1_to_data_flattens_images():
    inputs = keras.Input((4,))
    images = keras.layers.Reshape((2, 2, 1))(keras.layers.Dense(4, kernel_initializer="zeros")(inputs))
    generator = keras.Model(inputs, images)  # always the zero image
    real = np.full((50, 2, 2), 0.5, "float32")  # no channel axis: accepted
    assert evaluation.w1_to_data(generator, real, seed=0) == pytest.approx(1.0)  # ||0.5 * ones(4)||


def test_w1_to_data_errors():
    generator = shift_generator(np.zeros(2, "float32"))
    real = np.zeros((10, 2))
    with pytest.raises(ValueError, match="at least 1"):
        evaluation.w1_to_data(generator, real, n=0)
    with pytest.raises(ValueError, match="exceeds the 10 samples"):
        evaluation.w1_to_data(generator, real, n=11)
    with pytest.raises(TypeError, match="`n` must be an int"):
        evaluation.w1_to_data(generator, real, n=2.5)
    with pytest.raises(ValueError, match="must match"):
        evaluation.w1_to_data(generator, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="uint8"):
        evaluation.w1_to_data(generator, np.zeros((10, 2), "uint8"))
    with pytest.raises(ValueError, match="non-empty"):
        evaluation.w1_to_data(generator, np.zeros((0, 2)))
    with pytest.raises(TypeError, match="keras_wgan model"):
        evaluation.w1_to_data(lambda z: z, real)


# -- QualityMetric ---------------------------------------------------------------


class Counter:
    """A metric returning 10 * (number of calls)."""

    __name__ = "counter"

    def __init__(self):
        self.calls = 0

    def __call__(self, model):
        self.calls += 1
        return 10.0 * self.calls


def run_epochs(callback, epochs, initial_epoch=0):
    callback.set_params({"epochs": epochs})
    callback.on_train_begin()
    logged = []
    for epoch in range(initial_epoch, epochs):
        logs = {"critic_loss": 0.0}
        callback.on_epoch_end(epoch, logs)
        logged.append(logs)
    return logged


def test_quality_metric_every_epoch():
    callback = evaluation.QualityMetric(Counter())
    logged = run_epochs(callback, 3)
    assert [logs["counter"] for logs in logged] == [10.0, 20.0, 30.0]
    assert callback.epochs == [0, 1, 2] and callback.values == [10.0, 20.0, 30.0]


def test_quality_metric_every_two_epochs_fills_nan_and_measures_the_last():
    callback = evaluation.QualityMetric(Counter(), every=2, name="q")
    values = [logs["q"] for logs in run_epochs(callback, 6)]
    assert values[0::2] == [10.0, 20.0, 30.0] and values[5] == 40.0  # 0, 2, 4 and the last
    assert math.isnan(values[1]) and math.isnan(values[3])
    assert callback.epochs == [0, 2, 4, 5]


def test_quality_metric_fill_value_none_leaves_the_key_out_and_resumes():
    callback = evaluation.QualityMetric(Counter(), every=3, name="q", fill_value=None)
    logged = run_epochs(callback, 5)
    assert ["q" in logs for logs in logged] == [True, False, False, True, True]
    # A resumed fit measures its first epoch, whatever `every` says.
    logged = run_epochs(callback, 9, initial_epoch=7)
    assert ["q" in logs for logs in logged] == [True, True]
    assert callback.epochs == [0, 3, 4, 7, 8]


def test_quality_metric_names_and_errors():
    assert evaluation.QualityMetric(lambda model: 1.0).name == "quality"

    def sharpness(model):
        return 1.0

    assert evaluation.QualityMetric(sharpness).name == "sharpness"
    with pytest.raises(TypeError, match="callable"):
        evaluation.QualityMetric(3.0)
    with pytest.raises(ValueError, match="every"):
        evaluation.QualityMetric(sharpness, every=0)
    with pytest.raises(ValueError, match="name"):
        evaluation.QualityMetric(sharpness, name="")
    with pytest.raises(TypeError, match="fill_value"):
        evaluation.QualityMetric(sharpness, fill_value="NA")
    with pytest.raises(ValueError, match="overwrite"):
        run_epochs(evaluation.QualityMetric(sharpness, name="critic_loss"), 1)
    with pytest.raises(ValueError, match="exceeds"):
        evaluation.QualityMetric.w1(np.zeros((10, 2)), n=20)
    assert evaluation.QualityMetric.w1(np.zeros((10, 2)), n=5, fill_value=None).fill_value is None


def test_quality_metric_reaches_history_and_a_csv_logger_after_it(tmp_path):
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), critic_steps=2, seed=1)
    model.compile()
    real = np.random.default_rng(0).normal(1.0, 0.5, size=(256, 2)).astype("float32")
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    quality = evaluation.QualityMetric.w1(real, n=100, every=2)
    history = model.fit(
        real, batch_size=32, epochs=4, verbose=0,
        callbacks=[keras.callbacks.CSVLogger(before), quality, keras.callbacks.CSVLogger(after)],
    )
    w1 = history.history["w1"]
    assert len(w1) == 4 and math.isnan(w1[1])  # aligned with the epochs
    assert all(value > 0.0 for value in (w1[0], w1[2], w1[3]))  # 0, 2 and the last
    assert quality.epochs == [0, 2, 3] and quality.values == [w1[0], w1[2], w1[3]]

    with open(after, newline="") as file:
        rows = list(csv.DictReader(file))
    assert [float(row["w1"]) for row in rows][0] == pytest.approx(w1[0])
    assert rows[1]["w1"] == "nan" and float(rows[3]["w1"]) == pytest.approx(w1[3])
    # A CSVLogger placed BEFORE the QualityMetric has written its row already.
    with open(before, newline="") as file:
        assert "w1" not in csv.DictReader(file).fieldnames


def test_quality_metric_frechet_scores_a_generator(small_classifier, digits):
    classifier, _ = small_classifier
    keras.utils.set_random_seed(0)
    latent = keras.Input((8,))
    generator = keras.Model(  # untrained: tanh images that look like noise
        latent, keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784, activation="tanh")(latent))
    )
    real = digits[0][:1000]
    callback = evaluation.QualityMetric.frechet(real, n=300, classifier=classifier)
    assert callback.name == "fcd"
    callback.set_model(generator)
    score = run_epochs(callback, 1)[0]["fcd"]
    fake = generate_samples(generator, 300, 0)
    chosen = real[sample_indices(len(real), 300, 0)]
    expected = evaluation.frechet_classifier_distance(chosen, fake, classifier, value_range=(-1, 1))
    assert score == pytest.approx(expected, rel=1e-6)
    real_vs_real = evaluation.frechet_classifier_distance(real[:300], real[300:600], classifier)
    assert score > 10.0 * real_vs_real
    with pytest.raises(ValueError, match="n >= 2"):
        evaluation.QualityMetric.frechet(real, n=1, classifier=classifier)
