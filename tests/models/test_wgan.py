import keras
import numpy as np
import pytest

import keras_wgan as kw
from tests.conftest import mlp

DATA = np.random.default_rng(0).normal(0.0, 1.0, size=(1280, 2)).astype("float32")


@pytest.mark.slow
def test_every_critic_variable_is_clipped_after_fit():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((2,))
    x = keras.layers.Dense(32, activation="relu")(inputs)
    x = keras.layers.LayerNormalization()(x)  # gamma starts at 1 > c
    critic = keras.Model(inputs, keras.layers.Dense(1)(x))
    model = kw.WGAN(critic, mlp(2, 2), clip_value=0.05)
    model.compile(critic_optimizer=keras.optimizers.RMSprop(1e-2))
    assert any(np.abs(v.numpy()).max() > 0.05 for v in critic.trainable_variables)
    model.fit(DATA, batch_size=64, epochs=1, verbose=0)
    names = set()
    for variable in critic.trainable_variables:
        assert np.abs(variable.numpy()).max() <= 0.05 + 1e-7, variable.path
        names.add(variable.path.split("/")[-1])
    assert {"kernel", "bias", "gamma", "beta"} <= names
    # and the clipped critic is not degenerate: some weights sit at the bound.
    assert any(np.isclose(np.abs(v.numpy()).max(), 0.05) for v in critic.trainable_variables)


def test_default_optimizers_follow_the_paper():
    model = kw.WGAN(mlp(2, 1), mlp(2, 2))
    model.compile()
    for optimizer in (model.critic_optimizer, model.generator_optimizer):
        assert isinstance(optimizer, keras.optimizers.RMSprop)
        assert float(optimizer.learning_rate) == pytest.approx(5e-5)
    assert model.critic_optimizer is not model.generator_optimizer
    assert model.critic_steps == 5 and model.clip_value == 0.01


def test_custom_optimizers_are_used():
    model = kw.WGAN(mlp(2, 1), mlp(2, 2))
    model.compile(critic_optimizer="sgd", generator_optimizer=keras.optimizers.Adam(1e-3))
    assert isinstance(model.critic_optimizer, keras.optimizers.SGD)
    assert isinstance(model.generator_optimizer, keras.optimizers.Adam)


@pytest.mark.parametrize("clip_value", [-0.01, 0.0])
def test_rejects_non_positive_clip_value(clip_value):
    with pytest.raises(ValueError, match="clip_value"):
        kw.WGAN(mlp(2, 1), mlp(2, 2), clip_value=clip_value)


def test_batch_normalization_is_allowed_without_warning(recwarn):
    inputs = keras.Input((2,))
    x = keras.layers.BatchNormalization()(keras.layers.Dense(8)(inputs))
    kw.WGAN(keras.Model(inputs, keras.layers.Dense(1)(x)), mlp(2, 2))
    assert not [w for w in recwarn if "BatchNormalization" in str(w.message)]
