import keras
import numpy as np
import pytest

import keras_wgan as kw

# TF-GAN's published test values (losses_impl_test.py).
REAL_SCORES = np.array([[-5.0], [1.4], [12.5], [2.7]], "float32")
FAKE_SCORES = np.array([[10.0], [4.4], [-5.5], [3.6]], "float32")


def test_labels():
    assert kw.REAL_LABEL == 1.0
    assert kw.FAKE_LABEL == -1.0


def test_loss_is_minus_mean_of_label_times_score():
    y_pred = np.array([[2.0], [-1.0], [4.0]], "float32")
    assert float(kw.wasserstein_loss(kw.REAL_LABEL, y_pred)) == pytest.approx(-5.0 / 3.0)
    assert float(kw.wasserstein_loss(kw.FAKE_LABEL, y_pred)) == pytest.approx(5.0 / 3.0)
    labels = np.array([[1.0], [-1.0], [1.0]], "float32")
    assert float(kw.wasserstein_loss(labels, y_pred)) == pytest.approx(-(2.0 + 1.0 + 4.0) / 3.0)


def test_tf_gan_published_values():
    generator_loss = kw.wasserstein_loss(kw.REAL_LABEL, FAKE_SCORES)
    critic_loss = kw.wasserstein_loss(kw.REAL_LABEL, REAL_SCORES) + kw.wasserstein_loss(
        kw.FAKE_LABEL, FAKE_SCORES
    )
    assert float(generator_loss) == pytest.approx(-3.125)
    assert float(critic_loss) == pytest.approx(0.225)


def test_critic_loss_is_minus_wasserstein_estimate():
    critic_loss = kw.wasserstein_loss(kw.REAL_LABEL, REAL_SCORES) + kw.wasserstein_loss(
        kw.FAKE_LABEL, FAKE_SCORES
    )
    estimate = REAL_SCORES.mean() - FAKE_SCORES.mean()
    assert float(critic_loss) == pytest.approx(-estimate)


def test_usable_as_keras_loss_and_saved(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss=kw.wasserstein_loss)
    x = np.ones((8, 3), "float32")
    labels = np.full((8, 1), kw.REAL_LABEL, "float32")
    loss = model.evaluate(x, labels, verbose=0)
    assert loss == pytest.approx(-float(np.mean(model.predict(x, verbose=0))), rel=1e-5)
    path = tmp_path / "critic.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert restored.loss is kw.wasserstein_loss
