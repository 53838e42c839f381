"""The subclassing hooks of WassersteinGAN keep their documented contract."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from tests.testing_utils import mlp


class LoggingWGAN(kw.WGANGP):
    """Logs an extra key from `critic_penalty`, with or without its tracker."""

    def __init__(self, *args, with_tracker=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_tracker = with_tracker
        self.penalty_norm_tracker = keras.metrics.Mean(name="penalty_norm")

    @property
    def metrics(self):
        extra = [self.penalty_norm_tracker] if self.with_tracker else []
        return super().metrics + extra

    def critic_penalty(self, real, fake, step=0):
        loss, logs = super().critic_penalty(real, fake, step)
        logs["penalty_norm"] = keras.ops.sqrt(keras.ops.abs(loss) + 1.0)
        return loss, logs


def data():
    return np.random.default_rng(0).normal(size=(64, 2)).astype("float32")


def test_a_logged_key_with_its_tracker_is_averaged_into_the_logs():
    keras.utils.set_random_seed(0)
    model = LoggingWGAN(mlp(2, 1), mlp(2, 2), critic_steps=2, seed=0)
    model.compile(run_eagerly=True)
    history = model.fit(data(), batch_size=16, epochs=1, verbose=0)
    assert np.isfinite(history.history["penalty_norm"][0]) and history.history["penalty_norm"][0] >= 1.0


def test_a_logged_key_without_a_tracker_names_the_fix():
    keras.utils.set_random_seed(0)
    model = LoggingWGAN(mlp(2, 1), mlp(2, 2), critic_steps=2, seed=0, with_tracker=False)
    model.compile(run_eagerly=True)
    with pytest.raises(KeyError, match=r"'penalty_norm'.*keras.metrics.Mean\(name='penalty_norm'\)"):
        model.fit(data(), batch_size=16, epochs=1, verbose=0)


def test_the_base_class_requires_default_optimizers():
    model = kw.WassersteinGAN(mlp(2, 1), mlp(2, 2))
    with pytest.raises(NotImplementedError, match="default_critic_optimizer"):
        model.compile()
