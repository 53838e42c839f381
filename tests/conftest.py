import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402


def mlp(input_dim, output_dim, units=32, depth=2, name=None):
    inputs = x = keras.Input((input_dim,))
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(output_dim)(x), name=name)


@pytest.fixture
def small_nets():
    """A 2-D critic and generator, seeded."""
    keras.utils.set_random_seed(0)
    return mlp(2, 1, name="critic"), mlp(2, 2, name="generator")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: end-to-end runs of a script (tens of seconds)")
