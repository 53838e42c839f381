"""Tests for keras_wgan.callbacks.QualityMetric (also keras_wgan.kw.callbacks.QualityMetric)."""

import csv
import math

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan import evaluation
from keras_wgan.evaluation.samples import sample_indices
from keras_wgan.models.generator_utils import generate_samples
from tests.testing_utils import mlp


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
    callback = kw.callbacks.QualityMetric(Counter())
    logged = run_epochs(callback, 3)
    assert [logs["counter"] for logs in logged] == [10.0, 20.0, 30.0]
    assert callback.epochs == [0, 1, 2] and callback.values == [10.0, 20.0, 30.0]


def test_quality_metric_every_two_epochs_fills_nan_and_measures_the_last():
    callback = kw.callbacks.QualityMetric(Counter(), every=2, name="q")
    values = [logs["q"] for logs in run_epochs(callback, 6)]
    assert values[0::2] == [10.0, 20.0, 30.0] and values[5] == 40.0  # 0, 2, 4 and the last
    assert math.isnan(values[1]) and math.isnan(values[3])
    assert callback.epochs == [0, 2, 4, 5]


def test_quality_metric_fill_value_none_leaves_the_key_out_and_resumes():
    callback = kw.callbacks.QualityMetric(Counter(), every=3, name="q", fill_value=None)
    logged = run_epochs(callback, 5)
    assert ["q" in logs for logs in logged] == [True, False, False, True, True]
    # A resumed fit measures its first epoch, whatever `every` says.
    logged = run_epochs(callback, 9, initial_epoch=7)
    assert ["q" in logs for logs in logged] == [True, True]
    assert callback.epochs == [0, 3, 4, 7, 8]


def test_quality_metric_names_and_errors():
    assert kw.callbacks.QualityMetric(lambda model: 1.0).name == "quality"

    def sharpness(model):
        return 1.0

    assert kw.callbacks.QualityMetric(sharpness).name == "sharpness"
    with pytest.raises(TypeError, match="callable"):
        kw.callbacks.QualityMetric(3.0)
    with pytest.raises(ValueError, match="every"):
        kw.callbacks.QualityMetric(sharpness, every=0)
    with pytest.raises(ValueError, match="name"):
        kw.callbacks.QualityMetric(sharpness, name="")
    with pytest.raises(TypeError, match="fill_value"):
        kw.callbacks.QualityMetric(sharpness, fill_value="NA")
    with pytest.raises(ValueError, match="overwrite"):
        run_epochs(kw.callbacks.QualityMetric(sharpness, name="critic_loss"), 1)
    with pytest.raises(ValueError, match="exceeds"):
        kw.callbacks.QualityMetric.w1(np.zeros((10, 2)), n=20)
    assert kw.callbacks.QualityMetric.w1(np.zeros((10, 2)), n=5, fill_value=None).fill_value is None


@pytest.mark.slow  # Trains a WGAN for several epochs.
def test_quality_metric_reaches_history_and_a_csv_logger_after_it(tmp_path):
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), critic_steps=2, seed=1)
    model.compile()
    real = np.random.default_rng(0).normal(1.0, 0.5, size=(256, 2)).astype("float32")
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    quality = kw.callbacks.QualityMetric.w1(real, n=100, every=2)
    history = model.fit(
        real,
        batch_size=32,
        epochs=4,
        verbose=0,
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
    callback = kw.callbacks.QualityMetric.frechet(real, n=300, classifier=classifier)
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
        kw.callbacks.QualityMetric.frechet(real, n=1, classifier=classifier)


def test_quality_metric_stacked_mnist_logs_modes_and_kl_of_one_evaluation(
    small_classifier, tmp_path, monkeypatch
):
    from keras_wgan.callbacks import quality_metric
    from keras_wgan.evaluation.stacked_mnist import generated_stacked_mnist_modes

    evaluations = []

    def counted(*args, **kwargs):
        evaluations.append(kwargs["seed"])
        return generated_stacked_mnist_modes(*args, **kwargs)

    monkeypatch.setattr(quality_metric, "generated_stacked_mnist_modes", counted)
    images, _ = kw.datasets.stacked_mnist(64, allow_download=False)
    keras.utils.set_random_seed(0)
    wgan = kw.WGANGP(
        kw.architectures.mnist_critic((28, 28, 3), dim=4),
        kw.architectures.mnist_generator(8, dim=4, channels=3),
        critic_steps=1,
        seed=0,
    )
    wgan.compile()
    metrics = kw.callbacks.QualityMetric.stacked_mnist(n=300, classifier=small_classifier[0], seed=2)
    assert [metric.name for metric in metrics] == ["modes", "kl"]
    history = wgan.fit(
        images.astype("float32") / 127.5 - 1.0,
        batch_size=32,
        epochs=2,
        verbose=0,
        callbacks=[*metrics, keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))],
    )
    assert evaluations == [2, 2]  # One evaluation per epoch serves both values.
    expected = kw.evaluation.generated_stacked_mnist_modes(wgan, 300, classifier=small_classifier[0], seed=2)
    assert history.history["modes"][-1] == expected["modes"]
    assert history.history["kl"][-1] == pytest.approx(expected["kl"])
    with open(tmp_path / "log.csv") as file:
        assert {"modes", "kl"} <= set(next(csv.DictReader(file)))
