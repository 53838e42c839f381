import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan import penalty as penalty_module
from keras_wgan.backends import current as backend


def gradients_of(function, variables):
    """`(value, gradients)` of `function()` on the running backend."""
    (value, _), gradients = backend.value_and_gradients(lambda: (function(), {}), variables)
    return value, gradients


def doubling_critic(x):
    return 2.0 * x  # On 4-D inputs ||grad sum(2x)|| = 4 everywhere.


REAL = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
FAKE = np.random.default_rng(1).normal(size=(6, 4)).astype("float32")


def test_published_values():
    assert float(kw.gradient_penalty(doubling_critic, REAL, FAKE)) == pytest.approx(9.0)
    assert float(kw.gradient_penalty(doubling_critic, REAL, FAKE, target=2.0)) == pytest.approx(1.0)
    assert float(kw.gradient_penalty(doubling_critic, REAL, FAKE, one_sided=True)) == pytest.approx(9.0)


def test_one_sided_ignores_small_gradients():
    def half(x):
        return 0.1 * x  # norm 0.2 < 1

    assert float(kw.gradient_penalty(half, REAL, FAKE, one_sided=True)) == 0.0
    assert float(kw.gradient_penalty(half, REAL, FAKE)) == pytest.approx(0.64)


def test_linear_critic_gradient_norm_is_weight_norm():
    inputs = keras.Input((4,))
    critic = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    w = np.array([[0.5], [0.5], [0.5], [0.5]], "float32")  # unit norm
    critic.layers[-1].set_weights([w, np.zeros(1, "float32")])
    assert float(kw.gradient_penalty(critic, REAL, FAKE)) == pytest.approx(0.0, abs=1e-6)
    critic.layers[-1].set_weights([3.0 * w, np.zeros(1, "float32")])
    assert float(kw.gradient_penalty(critic, REAL, FAKE)) == pytest.approx(4.0, rel=1e-5)


def test_image_norm_over_all_non_batch_axes():
    images = np.ones((3, 5, 5, 2), "float32")
    penalty = kw.gradient_penalty(lambda x: keras.ops.sum(x, axis=(1, 2, 3)), images, 0 * images)
    assert float(penalty) == pytest.approx((np.sqrt(50.0) - 1.0) ** 2, rel=1e-5)


def test_zero_gradient_gives_finite_penalty_and_gradient():
    w = keras.Variable(0.0)
    penalty, (grad,) = gradients_of(
        lambda: kw.gradient_penalty(lambda x: w * keras.ops.sum(x, axis=1), REAL, FAKE), [w]
    )
    assert float(penalty) == pytest.approx(1.0, abs=1e-5)
    assert np.isfinite(float(grad))  # sqrt(0) alone would give NaN here


def test_gradient_reaches_critic_weights():
    inputs = keras.Input((4,))
    critic = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    penalty, grads = gradients_of(
        lambda: kw.gradient_penalty(critic, REAL, FAKE, seed=3), critic.trainable_variables
    )
    kernel = critic.layers[-1].kernel.numpy()
    norm = np.linalg.norm(kernel)
    # A linear critic's input gradient is w everywhere: penalty (||w|| - 1)^2
    # and d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||.
    assert float(penalty) == pytest.approx((norm - 1) ** 2, rel=1e-5)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(grads[0]), 2 * (norm - 1) * kernel / norm, rtol=1e-4
    )


def test_one_eps_per_example_not_per_pixel(monkeypatch):
    # With eps per example every interpolate of real=1 and fake=0 has all
    # pixels equal. The interpolates are recorded where they enter the
    # differentiation (inside it JAX sees tracers only).
    captured = []
    input_gradients = backend.input_gradients

    def recording_input_gradients(function, inputs):
        captured.append(keras.ops.convert_to_numpy(inputs))
        return input_gradients(function, inputs)

    monkeypatch.setattr(penalty_module.backend, "input_gradients", recording_input_gradients)
    real = np.ones((16, 3, 3, 1), "float32")
    kw.gradient_penalty(lambda x: x[:, 0, 0, 0], real, np.zeros_like(real), seed=0)
    interpolates = captured[0].reshape(16, -1)
    np.testing.assert_allclose(interpolates, np.repeat(interpolates[:, :1], 9, axis=1))
    assert interpolates[:, 0].std() > 0.1  # and they differ between examples


def test_seed_makes_it_reproducible():
    def critic(x):
        return keras.ops.sum(x**2, axis=1)

    a = kw.gradient_penalty(critic, REAL, FAKE, seed=7)
    b = kw.gradient_penalty(critic, REAL, FAKE, seed=7)
    assert float(a) == float(b)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="same sample shape"):
        kw.gradient_penalty(doubling_critic, REAL, np.zeros((6, 3), "float32"))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_low_precision_samples_are_interpolated_in_float32(dtype):
    captured = []

    def recording_critic(x):
        captured.append(x)
        return 2.0 * x

    real = keras.ops.cast(REAL, dtype)
    penalty = kw.gradient_penalty(recording_critic, real, keras.ops.cast(FAKE, dtype))
    assert keras.backend.standardize_dtype(captured[0].dtype) == "float32"
    assert keras.backend.standardize_dtype(penalty.dtype) == "float32"
    assert float(penalty) == pytest.approx(9.0, rel=1e-5)
