"""keras_wgan.callbacks.inception_metrics: FID, KID and the Inception Score logged during fit."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import dcgan_critic, dcgan_generator
from keras_wgan.evaluation import inception


@pytest.mark.slow
def test_inception_metrics_log_kid_and_is_during_fit(monkeypatch):
    # FID is fid_from_features of the same features (SciPy's sqrtm of a
    # 2048x2048 product takes minutes on two cores, so it is left out here).
    keras.utils.set_random_seed(1)
    critic, generator = dcgan_critic(32, dim=4), dcgan_generator(8, 32, dim=4)
    wgan = kw.WGANGP(critic, generator, critic_steps=1, seed=0)
    wgan.compile()
    real = np.random.default_rng(8).uniform(-1, 1, (6, 32, 32, 3)).astype("float32")
    callbacks = kw.callbacks.inception_metrics(
        real, n=4, weights=None, kid_subsets=3, metrics=("kid", "inception_score"), is_splits=2
    )
    assert [callback.name for callback in callbacks] == ["kid", "inception_score"]
    calls = []
    original = inception.inception_outputs

    def counting(images, **kwargs):
        calls.append(len(images))
        return original(images, **kwargs)

    monkeypatch.setattr(inception, "inception_outputs", counting)
    history = wgan.fit(real, batch_size=2, epochs=1, steps_per_epoch=1, callbacks=callbacks, verbose=0)
    assert np.isfinite(history.history["kid"][0])
    assert 1.0 <= history.history["inception_score"][0] <= 1008
    assert calls == [4]  # the generated images went through Inception once, for both


def test_default_metrics_are_fid_and_kid(monkeypatch):
    monkeypatch.setattr(
        inception, "inception_outputs", lambda images, **kwargs: {"pool": np.zeros((len(images), 4))}
    )
    callbacks = kw.callbacks.inception_metrics(np.zeros((4, 8, 8, 3), "float32"), n=2)
    assert [callback.name for callback in callbacks] == ["fid", "kid"]


def test_bad_arguments_are_refused():
    real = np.zeros((4, 8, 8, 3), "float32")
    with pytest.raises(ValueError, match="metrics"):
        kw.callbacks.inception_metrics(real, n=2, metrics=("fid", "lpips"))
    with pytest.raises(ValueError, match='network="fid"'):
        kw.callbacks.inception_metrics(real, n=2, network="keras_imagenet", metrics=("inception_score",))
    with pytest.raises(ValueError, match="n >= 2"):
        kw.callbacks.inception_metrics(real, n=1, weights=None)
