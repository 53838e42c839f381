"""FID and KID of images: Inception-v3 features (random weights, offline), weights lookup, the callbacks."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import dcgan_critic, dcgan_generator
from keras_wgan.evaluation import inception

# -- Inception features (random weights: plumbing only) ----------------------


@pytest.fixture(scope="module")
def random_inception():
    keras.utils.set_random_seed(0)
    model = inception.inception_model(weights=None)
    # Keras's Glorot initialisation shrinks the signal through Inception's
    # 94 ReLU convolutions (features ~1e-3); He's scale keeps it ~1, so that
    # the distances below are not all rounding noise.
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            *window, fan_out = layer.kernel.shape
            fan_in = int(np.prod(window))
            fan_out *= int(np.prod(window[:2]))
            layer.kernel.assign(layer.kernel * np.sqrt((fan_in + fan_out) / fan_in))
    return model


@pytest.mark.slow
def test_features_of_rgb_grey_uint8_and_float_images(random_inception):
    rng = np.random.default_rng(6)
    pixels = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    features = inception.inception_features(pixels, weights=None)
    assert features.shape == (3, 2048) and features.dtype == np.float64
    assert np.all(np.isfinite(features)) and np.all(features >= 0)  # ReLU, then the mean
    as_floats = inception.inception_features(pixels / 127.5 - 1.0, weights=None)
    np.testing.assert_allclose(as_floats, features, rtol=1e-4, atol=1e-5)
    grey = pixels[..., :1]
    np.testing.assert_allclose(
        inception.inception_features(grey, weights=None),
        inception.inception_features(np.repeat(grey, 3, axis=-1), weights=None),
        rtol=1e-5,
        atol=1e-6,
    )
    assert inception.inception_model(weights=None) is random_inception  # built once


@pytest.mark.slow
def test_fid_and_kid_of_images(random_inception):
    rng = np.random.default_rng(7)
    images = rng.uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    assert inception.frechet_inception_distance(images, images, weights=None) == pytest.approx(0.0, abs=1e-6)
    darker = np.clip(images - 0.8, -1, 1)
    kid = inception.kernel_inception_distance(images, darker, weights=None, subsets=2)
    assert np.isfinite(kid)


def test_missing_imagenet_weights_offline_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(inception, "host_reachable", lambda *args: False)
    expected_path = str(tmp_path / "models" / inception.WEIGHTS_FILE)
    assert inception.weights_cache_path() == expected_path
    with pytest.raises(RuntimeError, match="weights=PATH") as error:
        inception.inception_model("imagenet")
    assert expected_path in str(error.value)
    with pytest.raises(FileNotFoundError, match="no_such.h5"):
        inception.inception_model(str(tmp_path / "no_such.h5"))


@pytest.mark.slow
def test_inception_metrics_log_fid_and_kid_during_fit(random_inception):
    keras.utils.set_random_seed(1)
    critic, generator = dcgan_critic(32, dim=4), dcgan_generator(8, 32, dim=4)
    wgan = kw.WGANGP(critic, generator, critic_steps=1, seed=0)
    wgan.compile()
    real = np.random.default_rng(8).uniform(-1, 1, (6, 32, 32, 3)).astype("float32")
    fid, kid = inception.inception_metrics(real, n=4, weights=None, kid_subsets=3)
    calls = []
    original = inception.inception_features

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return original(*args, **kwargs)

    inception.inception_features = counting
    try:
        history = wgan.fit(real, batch_size=2, epochs=1, steps_per_epoch=1, callbacks=[fid, kid], verbose=0)
    finally:
        inception.inception_features = original
    assert np.isfinite(history.history["fid"][0]) and history.history["fid"][0] > 0
    assert np.isfinite(history.history["kid"][0])
    assert calls == [4]  # the generated images went through Inception once, for both
