"""Small networks and the example runner shared by the tests."""

import contextlib
import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import keras
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def mlp(input_dim, output_dim, units=32, depth=2, name=None):
    """A small ReLU MLP `(input_dim,) -> (output_dim,)` with a linear output."""
    inputs = x = keras.Input((input_dim,))
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(output_dim)(x), name=name)


def run_example(name, *args, timeout=600):
    """Runs `examples/<name>` as a user would, from the repository root.

    Returns the `subprocess.CompletedProcess`, with its output as text.
    """
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )


def open_png(path):
    """Opens a PNG file, checking that it is one and not empty; returns a PIL image."""
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "PNG"
        image.load()
        assert image.width > 0 and image.height > 0
        return image.copy()


# `mnist_classifier` settings for a classifier trained in seconds (one epoch on
# 2,000 digits), and the stem of its cache files.
SMALL_CLASSIFIER = dict(epochs=1, train_size=2000, test_size=500, seed=0)
SMALL_CLASSIFIER_STEM = "mnist_classifier_v1_e1_n2000_t500_s0"


# A tiny 2-D WGAN for the checkpoint and fault tests: 64 samples, batch 16 and
# one critic step give TINY_STEPS generator steps per epoch.
TINY_DATA = np.random.default_rng(0).normal(1.0, 0.5, size=(64, 2)).astype("float32")
TINY_STEPS = 4


def tiny_wgan(cls=None):
    """A compiled, seeded WGAN-GP (or `cls`) with 8-unit MLPs and one critic step."""
    import keras_wgan as kw

    keras.utils.set_random_seed(0)
    model = (cls or kw.WGANGP)(mlp(2, 1, units=8), mlp(2, 2, units=8), critic_steps=1, seed=1)
    model.compile()
    return model


def fit_tiny(model, data=TINY_DATA, epochs=2, callbacks=()):
    """Fits `model` on `data` in batches of 16, in order, quietly."""
    return model.fit(data, batch_size=16, epochs=epochs, verbose=0, shuffle=False, callbacks=list(callbacks))


def optimizer_steps(model):
    """`(generator steps, critic steps)` taken so far."""
    return int(model.generator_optimizer.iterations), int(model.critic_optimizer.iterations)


@contextlib.contextmanager
def agg_renderers_alive(monkeypatch):
    """Yields a function counting the Agg renderers still alive, with the cyclic GC off.

    Every `RendererAgg` created inside is tracked by a weak reference. With
    the garbage collector off, a renderer left in a reference cycle (a
    figure thrown away without `release_figure`) stays alive, as it does
    between the rare full collections of a long training run.
    """
    from matplotlib.backends import backend_agg

    created = []

    class TrackedRenderer(backend_agg.RendererAgg):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            created.append(weakref.ref(self))

    monkeypatch.setattr(backend_agg, "RendererAgg", TrackedRenderer)
    gc.collect()
    gc.disable()
    try:
        yield lambda: (len(created), sum(ref() is not None for ref in created))
    finally:
        gc.enable()


def count_optimizers_created(monkeypatch):
    """Returns a list that gets one entry per `keras.optimizers.Optimizer` built from now on.

    Keras's saving once built a throw-away `Optimizer(1.0)` at every save
    (see `keras_wgan.callbacks.callback_utils.cache_keras_saving_skipsets`),
    which on TensorFlow leaves native memory behind: a callback saving every
    epoch must build none after its first save.
    """
    created = []
    original = keras.optimizers.Optimizer.__init__

    def counting_init(self, *args, **kwargs):
        created.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(keras.optimizers.Optimizer, "__init__", counting_init)
    return created
