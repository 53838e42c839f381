"""FID and KID of images on both feature networks (random weights, offline), the weights lookup."""

import keras
import numpy as np
import pytest

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
    features = inception.inception_features(pixels, network="keras_imagenet", weights=None)
    assert features.shape == (3, 2048) and features.dtype == np.float64
    assert np.all(np.isfinite(features)) and np.all(features >= 0)  # ReLU, then the mean
    as_floats = inception.inception_features(pixels / 127.5 - 1.0, network="keras_imagenet", weights=None)
    np.testing.assert_allclose(as_floats, features, rtol=1e-4, atol=1e-5)
    grey = pixels[..., :1]
    np.testing.assert_allclose(
        inception.inception_features(grey, network="keras_imagenet", weights=None),
        inception.inception_features(np.repeat(grey, 3, axis=-1), network="keras_imagenet", weights=None),
        rtol=1e-5,
        atol=1e-6,
    )
    assert inception.inception_model(weights=None) is random_inception  # built once


@pytest.mark.slow
def test_kid_and_features_of_images_on_the_fid_inception():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(7)
    images = rng.uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    # (FID itself is fid_from_features of these features: SciPy's sqrtm of a
    # 2048x2048 product takes minutes on two cores, so not here.)
    darker = np.clip(images - 0.8, -1, 1)
    kid = inception.kernel_inception_distance(images, darker, weights=None, subsets=2)
    assert np.isfinite(kid)
    # uint8 pixels p are p / 127.5 - 1, as pytorch-fid's p / 255 * 2 - 1.
    pixels = rng.integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    outputs = inception.inception_outputs(pixels, weights=None)
    np.testing.assert_allclose(
        outputs["pool"],
        inception.inception_features(pixels / 127.5 - 1.0, weights=None),
        rtol=1e-4,
        atol=1e-5,
    )
    assert outputs["logits"].shape == (2, 1008)


def test_unknown_network_is_refused():
    with pytest.raises(ValueError, match="network"):
        inception.inception_features(np.zeros((2, 8, 8, 3)), network="inception_v4")


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
