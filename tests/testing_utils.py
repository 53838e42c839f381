"""Small networks and the example runner shared by the tests."""

import subprocess
import sys
from pathlib import Path

import keras

ROOT = Path(__file__).resolve().parents[1]


def mlp(input_dim, output_dim, units=32, depth=2, name=None):
    """A small ReLU MLP `(input_dim,) -> (output_dim,)` with a linear output."""
    inputs = x = keras.Input((input_dim,))
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(output_dim)(x), name=name)


def run_example(name, *args, timeout=600, env=None):
    """Runs `examples/<name>` as a user would, from the repository root."""
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
