"""WGAN and WGAN-GP under Keras's mixed_bfloat16 and mixed_float16 policies.

The networks compute in bfloat16 / float16 with float32 variables; the
scores, the losses, the gradient norm and the penalty are float32, and under
mixed_float16 both optimizers are LossScaleOptimizers whose scaling is
undone before the update.
"""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.backends import current as backend
from keras_wgan.datasets import eight_gaussians

POLICIES = ["mixed_bfloat16", "mixed_float16"]


@pytest.fixture
def policy(request):
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy("float32")


def mlp(input_dim, output_dim, units=32, depth=2):
    inputs = x = keras.Input((input_dim,))
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(output_dim)(x))


def float32_copy(model):
    keras.config.set_dtype_policy("float32")
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_nets_compute_in_low_precision(policy):
    critic = mlp(2, 1)
    assert critic.layers[1].compute_dtype == policy.split("_")[1]
    assert critic.layers[1].kernel.dtype == "float32"


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_penalty_is_float32_and_matches_float32(policy):
    keras.utils.set_random_seed(0)
    critic = mlp(4, 1, units=64)
    reference = float32_copy(critic)
    keras.config.set_dtype_policy(policy)
    real = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    fake = np.random.default_rng(1).normal(size=(64, 4)).astype("float32")
    (low, _), grads = backend.value_and_gradients(
        lambda: (kw.gradient_penalty(critic, real, fake, seed=7), {}), critic.trainable_variables
    )
    high = kw.gradient_penalty(reference, real, fake, seed=7)
    assert keras.backend.standardize_dtype(low.dtype) == "float32"
    assert float(low) == pytest.approx(float(high), rel=0.05)
    # The output bias does not change the input gradient: no gradient there.
    grads = [g for g, v in zip(grads, critic.trainable_variables, strict=False) if "kernel" in v.path]
    assert len(grads) == 3
    for g in grads:
        assert keras.backend.standardize_dtype(g.dtype) == "float32"
        assert np.isfinite(keras.ops.convert_to_numpy(g)).all()


@pytest.mark.slow  # Hundreds of toy steps per policy; float16 runs slowly on CPU.
@pytest.mark.parametrize("variant", ["gp", "clip"])
@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_toy_training_stays_finite(policy, variant):
    # 300 generator steps (1,500 critic iterations) on 8 gaussians.
    keras.utils.set_random_seed(0)
    critic, generator = mlp(2, 1, units=64), mlp(2, 2, units=64)
    if variant == "gp":
        model = kw.WGANGP(critic, generator, gp_weight=0.1, seed=0)
        model.compile(
            critic_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
            generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
        )
    else:
        model = kw.WGAN(critic, generator, seed=0)
        model.compile()
    expected = (
        keras.optimizers.LossScaleOptimizer if policy == "mixed_float16" else keras.optimizers.Optimizer
    )
    assert isinstance(model.critic_optimizer, expected) and isinstance(model.generator_optimizer, expected)
    real = eight_gaussians(64 * 5 * 60, seed=0)
    history = model.fit(real, batch_size=64, epochs=5, verbose=0).history
    for name, values in history.items():
        assert np.isfinite(values).all(), name
    assert all(np.isfinite(w).all() for w in model.get_weights())
    samples = model.generate(256, seed=0)
    assert np.isfinite(samples).all()
    if variant == "gp":
        assert np.isfinite(history["gradient_penalty"]).all()


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_updates_match_float32(policy):
    # One train step (critic_steps=1) with SGD, whose update is proportional
    # to the gradient: a loss scale that was not undone, or a penalty in low
    # precision gone wrong, would show. Same weights, same seed: same noise.
    keras.utils.set_random_seed(0)
    critic, generator = mlp(2, 1, units=64), mlp(2, 2, units=64)
    critic32, generator32 = float32_copy(critic), float32_copy(generator)
    keras.config.set_dtype_policy(policy)
    real = eight_gaussians(64, seed=0)
    deltas = []
    for c, g, low in ((critic, generator, True), (critic32, generator32, False)):
        # `compile` picks loss scaling from the global policy.
        keras.config.set_dtype_policy(policy if low else "float32")
        model = kw.WGANGP(c, g, critic_steps=1, gp_weight=10.0, seed=3)
        critic_sgd, generator_sgd = keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1)
        if low and policy == "mixed_float16":
            critic_sgd = keras.optimizers.LossScaleOptimizer(critic_sgd, initial_scale=1024.0)
            generator_sgd = keras.optimizers.LossScaleOptimizer(generator_sgd, initial_scale=1024.0)
        model.compile(critic_optimizer=critic_sgd, generator_optimizer=generator_sgd)
        before = [w.copy() for w in c.get_weights() + g.get_weights()]
        model.fit(real, batch_size=64, epochs=1, verbose=0, shuffle=False)
        deltas.append([a - b for a, b in zip(c.get_weights() + g.get_weights(), before, strict=False)])
    for low_delta, high_delta in zip(*deltas, strict=False):
        scale = np.linalg.norm(high_delta) + 1e-8
        assert np.linalg.norm(low_delta - high_delta) / scale < 0.1


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_conditional_updates_match_float32_and_stay_finite(policy):
    # As above, for a conditional WGAN-GP (projection critic, label
    # embedding in the generator): one SGD step in low precision moves the
    # weights as float32 does, and a few more steps stay finite.
    from keras_wgan.architectures import toy_critic, toy_generator

    keras.utils.set_random_seed(0)
    critic, generator = toy_critic(64, 2, num_classes=3), toy_generator(2, 64, 2, num_classes=3)
    critic32, generator32 = float32_copy(critic), float32_copy(generator)
    keras.config.set_dtype_policy(policy)
    assert critic.get_layer("score").compute_dtype == "float32"
    real = eight_gaussians(64 * 4, seed=0)
    labels = np.random.default_rng(0).integers(0, 3, size=len(real))
    deltas = []
    for c, g, low in ((critic, generator, True), (critic32, generator32, False)):
        keras.config.set_dtype_policy(policy if low else "float32")
        model = kw.WGANGP(c, g, critic_steps=1, gp_weight=10.0, seed=3, num_classes=3)
        critic_sgd, generator_sgd = keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1)
        if low and policy == "mixed_float16":
            # Gradients reach ~150 here (JAX's noise): a scale of 1024 would
            # overflow float16 and, rightly, skip the step.
            critic_sgd = keras.optimizers.LossScaleOptimizer(critic_sgd, initial_scale=32.0)
            generator_sgd = keras.optimizers.LossScaleOptimizer(generator_sgd, initial_scale=32.0)
        model.compile(critic_optimizer=critic_sgd, generator_optimizer=generator_sgd)
        before = [w.copy() for w in c.get_weights() + g.get_weights()]
        model.fit(real[:64], labels[:64], batch_size=64, epochs=1, verbose=0, shuffle=False)
        deltas.append([a - b for a, b in zip(c.get_weights() + g.get_weights(), before, strict=True)])
    for low_delta, high_delta in zip(*deltas, strict=True):
        scale = np.linalg.norm(high_delta) + 1e-8
        assert np.linalg.norm(low_delta - high_delta) / scale < 0.1
    keras.config.set_dtype_policy(policy)
    keras.utils.set_random_seed(0)  # Fresh nets: the SGD step above moved these far.
    critic, generator = toy_critic(64, 2, num_classes=3), toy_generator(2, 64, 2, num_classes=3)
    model = kw.WGANGP(critic, generator, seed=3, num_classes=3)
    model.compile()  # The paper's Adam, with loss scaling under mixed_float16.
    history = model.fit(real, labels, batch_size=32, epochs=5, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    assert np.isfinite(model.generate(32, labels=2, seed=0)).all()


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_generate_returns_float32(policy):
    keras.utils.set_random_seed(0)
    generator = mlp(2, 2)
    assert keras.backend.standardize_dtype(generator(np.zeros((1, 2))).dtype) == policy.split("_")[1]
    model = kw.WGANGP(mlp(2, 1), generator)
    samples = model.generate(8, seed=0)
    assert isinstance(samples, np.ndarray) and samples.dtype == np.float32
    np.testing.assert_array_equal(
        samples,
        keras.ops.convert_to_numpy(keras.ops.cast(generator(keras.random.normal((8, 2), seed=0)), "float32")),
    )
