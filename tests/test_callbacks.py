"""Tests for keras_wgan.callbacks: sample grids, training curves, TensorBoard images."""

import csv
import glob
import os
import sys
import types

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import keras_wgan as kw
from keras_wgan import callbacks
from keras_wgan.utils.file_utils import write_atomically
from tests.conftest import mlp

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
        POINTS, batch_size=32, epochs=2, verbose=0, shuffle=False,
        validation_data=POINTS[:64], callbacks=list(callback_list),
    )


class LatentRecorder(keras.callbacks.Callback):
    def __init__(self, sampler):
        super().__init__()
        self.sampler, self.seen = sampler, []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(self.sampler.latent.copy())


def open_png(path):
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.load()
        assert image.width > 0 and image.height > 0
        return image.copy()


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    """A 2-D WGAN-GP trained 2 epochs with SampleGrid, TrainingCurves and CSVLogger."""
    root = tmp_path_factory.mktemp("toy")
    grid = callbacks.SampleGrid(root / "samples", num_samples=32, reference=POINTS)
    curves = callbacks.TrainingCurves(root / "curves.png")
    recorder = LatentRecorder(grid)
    csv_log = keras.callbacks.CSVLogger(str(root / "log.csv"))
    history = fit_toy(toy_wgan(), [grid, recorder, curves, csv_log])
    return types.SimpleNamespace(root=root, grid=grid, curves=curves, recorder=recorder, history=history)


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    """A 28x28 image WGAN-GP trained 2 epochs, with grids every 2nd epoch and TensorBoard."""
    root = tmp_path_factory.mktemp("images")
    grid = callbacks.SampleGrid(root / "samples", num_samples=16, every=2)
    board = callbacks.TensorBoardSamples(root / "logs", num_samples=16)
    model = image_wgan()
    model.fit(
        IMAGES, batch_size=16, epochs=2, verbose=0,
        callbacks=[grid, board, keras.callbacks.TensorBoard(str(root / "logs"), write_graph=False)],
    )
    return types.SimpleNamespace(root=root, grid=grid, board=board, model=model)


# -- SampleGrid ---------------------------------------------------------


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


# -- save_image_grid / save_scatter_plot ---------------------------------


@pytest.mark.parametrize("value", [-1.0, 1.0])
def test_save_image_grid_maps_the_value_range(tmp_path, value):
    path = callbacks.save_image_grid(np.full((6, 5, 7, 1), value), tmp_path / "g.png", padding=0)
    pixels = np.asarray(open_png(path))
    assert pixels.shape == (2 * 5, 3 * 7)  # ceil(sqrt(6)) = 3 columns, 2 rows
    assert np.all(pixels == (0 if value < 0 else 255))


def test_save_image_grid_value_range_channels_columns(tmp_path):
    images = np.zeros((3, 4, 4, 3), "float32")
    images[..., 0] = 1.0  # red, in (0, 1)
    images[1] = 0.5
    path = callbacks.save_image_grid(images, tmp_path / "sub" / "rgb.png", value_range=(0, 1), columns=1)
    image = open_png(path)
    assert image.mode == "RGB" and image.size == (1 * 6 + 2, 3 * 6 + 2)
    pixels = np.asarray(image)
    np.testing.assert_array_equal(pixels[2:6, 2:6], np.broadcast_to([255, 0, 0], (4, 4, 3)))
    np.testing.assert_array_equal(pixels[8:12, 2:6], np.full((4, 4, 3), 128))
    assert np.all(pixels[0:2] == 128)  # grey padding
    # Values outside the range are clipped; (N, H, W) is grey.
    path = callbacks.save_image_grid(np.full((2, 3, 3), 7.0), tmp_path / "clip.png", padding=0)
    assert np.all(np.asarray(open_png(path)) == 255)


def test_save_image_grid_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="shape"):
        callbacks.save_image_grid(np.zeros((2, 4, 4, 2)), tmp_path / "x.png")
    with pytest.raises(ValueError, match="shape"):
        callbacks.save_image_grid(np.zeros((4, 4)), tmp_path / "x.png")
    with pytest.raises(ValueError, match="value_range"):
        callbacks.save_image_grid(np.zeros((1, 4, 4)), tmp_path / "x.png", value_range=(1, -1))
    with pytest.raises(ValueError, match="columns"):
        callbacks.save_image_grid(np.zeros((1, 4, 4)), tmp_path / "x.png", columns=0)
    assert os.listdir(tmp_path) == []


def test_save_scatter_plot(tmp_path):
    path = callbacks.save_scatter_plot(POINTS, tmp_path / "s.png", reference=POINTS + 1, title="t")
    assert open_png(path).size == (500, 500)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        callbacks.save_scatter_plot(np.zeros((4, 3)), tmp_path / "bad.png")


def test_writes_are_atomic(tmp_path):
    path = tmp_path / "file.png"
    path.write_bytes(b"old")

    def fail(temporary):
        with open(temporary, "wb") as file:
            file.write(b"partial")
        raise RuntimeError("disk full")

    def write_new(temporary):
        with open(temporary, "wb") as file:
            file.write(b"new")

    with pytest.raises(RuntimeError):
        write_atomically(path, fail)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["file.png"]
    write_atomically(path, write_new)
    assert path.read_bytes() == b"new" and os.listdir(tmp_path) == ["file.png"]


# -- TrainingCurves -----------------------------------------------------


def test_training_curves_with_validation(toy_run):
    open_png(toy_run.root / "curves.png")
    assert toy_run.curves.last_panels == [
        ("Wasserstein estimate", ["wasserstein_estimate", "val_wasserstein_estimate"]),
        ("Losses", ["critic_loss", "generator_loss"]),
        ("Gradient penalty", ["gradient_penalty"]),
    ]
    assert [row["epoch"] for row in toy_run.curves.rows] == [1, 2]
    assert toy_run.curves.rows[1]["critic_loss"] == pytest.approx(toy_run.history.history["critic_loss"][1])


def test_training_curves_reads_a_csv_logger_file(toy_run, tmp_path):
    # The CSVLogger file of the toy run (epochs 0 and 1) continued by a
    # resumed run at its third epoch.
    curves = callbacks.TrainingCurves(tmp_path / "curves.png", csv_path=toy_run.root / "log.csv")
    curves.on_train_begin()
    assert curves.rows == toy_run.curves.rows
    curves.on_epoch_end(2, {"critic_loss": -1.0, "wasserstein_estimate": 0.5})
    assert [row["epoch"] for row in curves.rows] == [1, 2, 3]
    open_png(tmp_path / "curves.png")


def test_csv_rows_of_an_abandoned_run_are_replaced(tmp_path):
    log = tmp_path / "log.csv"
    with open(log, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["epoch", "critic_loss", "val_critic_loss"])
        for epoch, loss in [(0, 3.0), (1, 2.0), (2, 1.0), (1, 2.5)]:  # resumed at epoch 1
            writer.writerow([epoch, loss, "NA"])
    curves = callbacks.TrainingCurves(tmp_path / "c.png", csv_path=log)
    curves.on_train_begin()
    assert curves.rows == [{"epoch": 1, "critic_loss": 3.0}, {"epoch": 2, "critic_loss": 2.5}]
    curves.on_epoch_end(0, {"critic_loss": 9.0})  # a fresh run starts over
    assert curves.rows == [{"epoch": 1, "critic_loss": 9.0}]
    # A missing CSV file is a fresh run.
    fresh = callbacks.TrainingCurves(tmp_path / "c.png", csv_path=tmp_path / "none.csv")
    fresh.on_train_begin()
    assert fresh.rows == []


def test_training_curves_panels_for_other_metrics_and_filter(tmp_path):
    logs = {
        "critic_loss": 1.0, "generator_loss": 2.0, "w1_to_data": 0.3,
        "val_w1_to_data": 0.4, "frechet_distance": 30.0, "note": "text",
    }
    curves = callbacks.TrainingCurves(tmp_path / "c.png")
    curves.on_train_begin()
    curves.on_epoch_end(0, logs)
    assert curves.last_panels == [
        ("Losses", ["critic_loss", "generator_loss"]),
        ("w1_to_data", ["w1_to_data", "val_w1_to_data"]),
        ("frechet_distance", ["frechet_distance"]),
    ]
    only = callbacks.TrainingCurves(tmp_path / "only.png", metrics=["val_w1_to_data"])
    only.on_train_begin()
    only.on_epoch_end(0, logs)
    assert only.last_panels == [("w1_to_data", ["val_w1_to_data"])]
    none = callbacks.TrainingCurves(tmp_path / "none.png", metrics=["missing"])
    none.on_train_begin()
    with pytest.warns(UserWarning, match="missing"):
        none.on_epoch_end(0, logs)
    assert not (tmp_path / "none.png").exists()


def test_training_curves_rejects_a_csv_without_epochs(tmp_path):
    (tmp_path / "log.csv").write_text("loss\n1.0\n")
    curves = callbacks.TrainingCurves(tmp_path / "c.png", csv_path=tmp_path / "log.csv")
    with pytest.raises(ValueError, match="epoch"):
        curves.on_train_begin()


# -- TensorBoardSamples -------------------------------------------------


def test_tensorboard_samples_writes_images(image_run):
    files = glob.glob(str(image_run.root / "logs" / "samples" / "events.out.tfevents.*"))
    assert len(files) == 1
    steps = []
    for event in tf.compat.v1.train.summary_iterator(files[0]):
        for value in event.summary.value:
            assert value.tag == "samples"
            steps.append(event.step)
            width, height = (int(x) for x in tf.make_ndarray(value.tensor)[:2])
            assert (width, height) == (122, 122)
    assert steps == [0, 1]  # the steps of keras.callbacks.TensorBoard's epoch scalars
    assert os.path.isdir(image_run.root / "logs" / "train")


def test_tensorboard_samples_toy_scatter(tmp_path):
    board = callbacks.TensorBoardSamples(tmp_path, num_samples=8)
    board.set_model(toy_wgan())
    board.on_train_begin()
    board.on_epoch_end(0)
    board.on_train_end()
    assert glob.glob(str(tmp_path / "samples" / "events.out.tfevents.*"))


def test_tensorboard_samples_needs_tensorboard(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tensorboard", None)  # `import tensorboard` fails
    with pytest.raises(ImportError, match="pip install tensorboard"):
        callbacks.TensorBoardSamples(tmp_path)


# -- bad arguments ------------------------------------------------------


@pytest.mark.parametrize("cls", [callbacks.SampleGrid, callbacks.TensorBoardSamples])
def test_rejects_bad_arguments(cls, tmp_path):
    for name, value in [("num_samples", 0), ("num_samples", -1), ("every", 0)]:
        with pytest.raises(ValueError, match=f"`{name}` must be at least 1"):
            cls(tmp_path, **{name: value})
    with pytest.raises(TypeError, match="num_samples"):
        cls(tmp_path, num_samples=2.5)
    with pytest.raises(TypeError, match="seed"):
        cls(tmp_path, seed=None)
    with pytest.raises(ValueError, match="value_range"):
        cls(tmp_path, value_range=(0, 0))


def test_sample_grid_rejects_a_bad_filename(tmp_path):
    with pytest.raises(ValueError, match="filename"):
        callbacks.SampleGrid(tmp_path, filename="{step}.png")


@pytest.mark.parametrize("cls", [callbacks.SampleGrid, callbacks.TensorBoardSamples])
def test_rejects_a_model_that_is_not_a_wgan(cls, tmp_path):
    model = mlp(2, 2)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match="keras_wgan WassersteinGAN.*Functional"):
        model.fit(POINTS, POINTS, epochs=1, verbose=0, callbacks=[cls(tmp_path)])


def test_rejects_samples_it_cannot_draw(tmp_path):
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(mlp(3, 1), mlp(2, 3))
    grid = callbacks.SampleGrid(tmp_path)
    grid.set_model(model)
    with pytest.raises(ValueError, match=r"samples of shape \(3,\)"):
        grid.on_train_begin()
    image_grid = callbacks.SampleGrid(tmp_path, reference=POINTS)
    image_grid.set_model(image_wgan())
    with pytest.raises(ValueError, match="reference"):
        image_grid.on_train_begin()


def test_conditional_grid_has_one_row_per_class(tmp_path):
    # 3 classes, 5 samples asked: ceil(5 / 3) = 2 columns of fixed latents,
    # each drawn as every class; row c is class c.
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(
        kw.architectures.mnist_critic(dim=2, num_classes=3),
        kw.architectures.mnist_generator(8, dim=2, num_classes=3),
        num_classes=3, critic_steps=1, seed=1,
    )
    model.compile()
    grid = callbacks.SampleGrid(tmp_path, num_samples=5)
    model.fit(IMAGES[:32], np.arange(32) % 3, batch_size=16, epochs=1, verbose=0, callbacks=[grid])
    np.testing.assert_array_equal(grid.labels, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(grid.latent[0:2], grid.latent[2:4])
    np.testing.assert_array_equal(grid.latent[0:2], grid.latent[4:6])
    np.testing.assert_array_equal(grid.latent[0:2], kw.utils.generator_utils.draw_latent(2, 8, 0))
    image = open_png(grid.last_path)
    assert image.size == (2 * 30 + 2, 3 * 30 + 2)  # 2 columns, 3 rows
    tile = np.asarray(image)[2 + 30 : 30 + 30, 2 + 30 : 30 + 30]  # row 1, column 1: class 1, latent 1
    expected = model.generator_output(grid.latent[3:4], np.array([1]), training=False)
    expected = keras.ops.convert_to_numpy(expected)[0, ..., 0]
    np.testing.assert_allclose(tile, np.round((expected + 1.0) / 2.0 * 255.0), atol=1)
