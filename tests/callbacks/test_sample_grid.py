"""Tests for keras_wgan.callbacks.SampleGrid: fixed-latent sample grids and scatter plots."""

import os

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan import callbacks
from tests.callbacks.conftest import fit_toy, toy_wgan
from tests.testing_utils import open_png


def test_toy_samples_are_scatter_plots_every_epoch(toy_run):
    files = sorted(os.listdir(toy_run.root / "samples"))
    assert files == ["samples_epoch_001.png", "samples_epoch_002.png"]  # no temporary files left
    for name in files:
        open_png(toy_run.root / "samples" / name)
    assert toy_run.grid.last_path == str(toy_run.root / "samples" / "samples_epoch_002.png")


def test_latent_is_drawn_once_from_the_seed(toy_run):
    first, second = toy_run.recorder.seen
    np.testing.assert_array_equal(first, second)
    assert toy_run.grid.latent.shape == (32, 2)
    # The latents of `generate(n, seed)`: the grid shows what `generate` returns.
    expected = keras.ops.convert_to_numpy(keras.random.normal((32, 2), seed=0))
    np.testing.assert_array_equal(toy_run.grid.latent, expected)


@pytest.mark.slow  # Trains a second WGAN for comparison.
def test_callbacks_do_not_change_training(toy_run):
    plain = fit_toy(toy_wgan())
    assert plain.history == toy_run.history.history


def test_image_grid_has_the_pixel_size_of_its_tiles(image_run):
    # every=2 over 2 epochs: one file.
    assert sorted(os.listdir(image_run.root / "samples")) == ["samples_epoch_002.png"]
    image = open_png(image_run.grid.last_path)
    # 4 x 4 tiles of 28 pixels, 2 pixels of padding between and around.
    assert image.size == (4 * 30 + 2, 4 * 30 + 2) and image.mode == "L"
    tile = np.asarray(image)[2:30, 2:30]
    expected = keras.ops.convert_to_numpy(image_run.model.generate(1, seed=0))[0, ..., 0]
    np.testing.assert_allclose(tile, np.round((expected + 1.0) / 2.0 * 255.0), atol=1)


def test_a_second_fit_keeps_the_latent(tmp_path):
    grid = callbacks.SampleGrid(tmp_path, num_samples=4)
    grid.set_model(toy_wgan())
    grid.on_train_begin()
    latent = grid.latent
    grid.on_train_begin()
    assert grid.latent is latent


def test_sample_grid_rejects_a_bad_filename(tmp_path):
    with pytest.raises(ValueError, match="filename"):
        callbacks.SampleGrid(tmp_path, filename="{step}.png")


def test_conditional_grid_has_one_row_per_class(tmp_path):
    # 3 classes, 5 samples asked: ceil(5 / 3) = 2 columns of fixed latents,
    # each drawn as every class; row c is class c.
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(
        kw.architectures.mnist_critic(dim=2, num_classes=3),
        kw.architectures.mnist_generator(8, dim=2, num_classes=3),
        num_classes=3,
        critic_steps=1,
        seed=1,
    )
    model.compile()
    grid = callbacks.SampleGrid(tmp_path, num_samples=5)
    model.fit(
        np.random.default_rng(1).uniform(-1.0, 1.0, size=(32, 28, 28, 1)).astype("float32"),
        np.arange(32) % 3,
        batch_size=16,
        epochs=1,
        verbose=0,
        callbacks=[grid],
    )
    np.testing.assert_array_equal(grid.labels, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(grid.latent[0:2], grid.latent[2:4])
    np.testing.assert_array_equal(grid.latent[0:2], grid.latent[4:6])
    np.testing.assert_array_equal(grid.latent[0:2], kw.models.generator_utils.draw_latent(2, 8, 0))
    image = open_png(grid.last_path)
    assert image.size == (2 * 30 + 2, 3 * 30 + 2)  # 2 columns, 3 rows
    tile = np.asarray(image)[2 + 30 : 30 + 30, 2 + 30 : 30 + 30]  # row 1, column 1: class 1, latent 1
    expected = model.generator_output(grid.latent[3:4], np.array([1]), training=False)
    expected = keras.ops.convert_to_numpy(expected)[0, ..., 0]
    np.testing.assert_allclose(tile, np.round((expected + 1.0) / 2.0 * 255.0), atol=1)


@pytest.mark.parametrize("activation, value_range", [("sigmoid", (0.0, 1.0)), ("tanh", (-1.0, 1.0))])
def test_default_value_range_follows_the_generator(tmp_path, activation, value_range):
    keras.utils.set_random_seed(0)
    latent = keras.Input((8,), name="latent")
    x = keras.layers.Dense(6 * 6, activation=activation)(latent)
    generator = keras.Model(latent, keras.layers.Reshape((6, 6, 1))(x))
    image = keras.Input((6, 6, 1), name="image")
    critic = keras.Model(image, keras.layers.Dense(1)(keras.layers.Flatten()(image)))
    grid = callbacks.SampleGrid(tmp_path, num_samples=4)
    grid.set_model(kw.WGANGP(critic, generator))
    grid.on_train_begin()
    assert grid.value_range == value_range
    grid.on_epoch_end(0)
    samples = grid._samples()
    expected = np.round(np.clip((samples - value_range[0]) / (value_range[1] - value_range[0]), 0, 1) * 255)
    tile = np.asarray(open_png(grid.last_path))[2:8, 2:8]
    np.testing.assert_allclose(tile, expected[0, ..., 0], atol=1)
