"""Shared runs of the callback tests: a 2-D and an image WGAN-GP trained with callbacks."""

import types

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan import callbacks
from tests.testing_utils import mlp

POINTS = np.random.default_rng(0).normal(1.0, 0.5, size=(128, 2)).astype("float32")
IMAGES = np.random.default_rng(1).uniform(-1.0, 1.0, size=(64, 28, 28, 1)).astype("float32")


def toy_wgan():
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), critic_steps=2, seed=1)
    model.compile()
    return model


def image_wgan():
    keras.utils.set_random_seed(0)
    latent = keras.Input((8,), name="latent")
    x = keras.layers.Dense(28 * 28, activation="tanh")(latent)
    generator = keras.Model(latent, keras.layers.Reshape((28, 28, 1))(x))
    image = keras.Input((28, 28, 1), name="image")
    x = keras.layers.Conv2D(4, 3, strides=2)(image)
    critic = keras.Model(image, keras.layers.Dense(1)(keras.layers.Flatten()(x)))
    model = kw.WGANGP(critic, generator, critic_steps=2, seed=1)
    model.compile()
    return model


def fit_toy(model, callback_list=()):
    return model.fit(
        POINTS,
        batch_size=32,
        epochs=2,
        verbose=0,
        shuffle=False,
        validation_data=POINTS[:64],
        callbacks=list(callback_list),
    )


class LatentRecorder(keras.callbacks.Callback):
    def __init__(self, sampler):
        super().__init__()
        self.sampler, self.seen = sampler, []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(self.sampler.latent.copy())


@pytest.fixture(scope="session")
def toy_run(tmp_path_factory):
    """A 2-D WGAN-GP trained 2 epochs with SampleGrid, TrainingCurves and CSVLogger."""
    root = tmp_path_factory.mktemp("toy")
    grid = callbacks.SampleGrid(root / "samples", num_samples=32, reference=POINTS)
    curves = callbacks.TrainingCurves(root / "curves.png")
    recorder = LatentRecorder(grid)
    csv_log = keras.callbacks.CSVLogger(str(root / "log.csv"))
    history = fit_toy(toy_wgan(), [grid, recorder, curves, csv_log])
    return types.SimpleNamespace(root=root, grid=grid, curves=curves, recorder=recorder, history=history)


@pytest.fixture(scope="session")
def image_run(tmp_path_factory):
    """A 28x28 image WGAN-GP trained 2 epochs, with grids every 2nd epoch and TensorBoard."""
    root = tmp_path_factory.mktemp("images")
    grid = callbacks.SampleGrid(root / "samples", num_samples=16, every=2)
    board = callbacks.TensorBoardSamples(root / "logs", num_samples=16)
    model = image_wgan()
    model.fit(
        IMAGES,
        batch_size=16,
        epochs=2,
        verbose=0,
        callbacks=[grid, board, keras.callbacks.TensorBoard(str(root / "logs"), write_graph=False)],
    )
    return types.SimpleNamespace(root=root, grid=grid, board=board, model=model)
