"""Tests for keras_wgan.visualization: image grids and scatter plots as PNG files."""

import os
import warnings

import numpy as np
import pytest

from keras_wgan import callbacks, visualization
from tests.callbacks.conftest import POINTS
from tests.testing_utils import agg_renderers_alive, open_png


@pytest.mark.parametrize("value", [-1.0, 1.0])
def test_save_image_grid_maps_the_value_range(tmp_path, value):
    path = visualization.save_image_grid(np.full((6, 5, 7, 1), value), tmp_path / "g.png", padding=0)
    pixels = np.asarray(open_png(path))
    assert pixels.shape == (2 * 5, 3 * 7)  # ceil(sqrt(6)) = 3 columns, 2 rows
    assert np.all(pixels == (0 if value < 0 else 255))


def test_save_image_grid_value_range_channels_columns(tmp_path):
    images = np.zeros((3, 4, 4, 3), "float32")
    images[..., 0] = 1.0  # red, in (0, 1)
    images[1] = 0.5
    path = visualization.save_image_grid(images, tmp_path / "sub" / "rgb.png", value_range=(0, 1), columns=1)
    image = open_png(path)
    assert image.mode == "RGB" and image.size == (1 * 6 + 2, 3 * 6 + 2)
    pixels = np.asarray(image)
    np.testing.assert_array_equal(pixels[2:6, 2:6], np.broadcast_to([255, 0, 0], (4, 4, 3)))
    np.testing.assert_array_equal(pixels[8:12, 2:6], np.full((4, 4, 3), 128))
    assert np.all(pixels[0:2] == 128)  # grey padding
    # Values outside the range are clipped; (N, H, W) is grey.
    path = visualization.save_image_grid(np.full((2, 3, 3), 7.0), tmp_path / "clip.png", padding=0)
    assert np.all(np.asarray(open_png(path)) == 255)


def test_save_image_grid_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="shape"):
        visualization.save_image_grid(np.zeros((2, 4, 4, 2)), tmp_path / "x.png")
    with pytest.raises(ValueError, match="shape"):
        visualization.save_image_grid(np.zeros((4, 4)), tmp_path / "x.png")
    with pytest.raises(ValueError, match="value_range"):
        visualization.save_image_grid(np.zeros((1, 4, 4)), tmp_path / "x.png", value_range=(1, -1))
    with pytest.raises(ValueError, match="columns"):
        visualization.save_image_grid(np.zeros((1, 4, 4)), tmp_path / "x.png", columns=0)
    assert os.listdir(tmp_path) == []


def test_save_scatter_plot(tmp_path):
    path = visualization.save_scatter_plot(POINTS, tmp_path / "s.png", reference=POINTS + 1, title="t")
    assert open_png(path).size == (500, 500)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        visualization.save_scatter_plot(np.zeros((4, 3)), tmp_path / "bad.png")


def test_save_image_grid_warns_for_images_in_zero_one_with_the_default_range(tmp_path):
    sigmoid_images = np.random.default_rng(0).uniform(0.0, 1.0, size=(4, 5, 5, 1))
    with pytest.warns(
        UserWarning, match=r"lie in \[0, 1\], as a sigmoid generator's do.*value_range=\(0, 1\)"
    ):
        path = visualization.save_image_grid(sigmoid_images, tmp_path / "default.png", padding=0)
    assert np.asarray(open_png(path)).min() >= 127  # (-1, 1) still applies: the upper half
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # An explicit range, or tanh-like images: no warning.
        visualization.save_image_grid(sigmoid_images, tmp_path / "unit.png", value_range=(0, 1))
        visualization.save_image_grid(sigmoid_images * 2 - 1, tmp_path / "tanh.png")


@pytest.mark.parametrize("name", ["save_image_grid", "save_scatter_plot", "save_figure"])
def test_old_callbacks_paths_of_the_png_writers_warn(name):
    # pyproject's filterwarnings hides DeprecationWarning: ask for it explicitly.
    with pytest.warns(DeprecationWarning, match=rf"keras_wgan\.callbacks\.{name}.*keras_wgan\.visualization"):
        writer = getattr(callbacks, name)
    assert writer is getattr(visualization, name)
    with pytest.warns(DeprecationWarning, match="deprecated"):
        exec(f"from keras_wgan.callbacks import {name}", {})
    with pytest.raises(AttributeError, match="no attribute 'save_nothing'"):
        callbacks.save_nothing  # noqa: B018


def test_public_names_are_listed_in_all():
    import types

    import keras_wgan as kw

    for package in (kw, kw.architectures, kw.callbacks, kw.datasets, kw.evaluation, kw.models, kw.utils):
        names = {
            name
            for name, value in vars(package).items()
            if not name.startswith("_") and not isinstance(value, types.ModuleType)
        }
        assert names <= set(package.__all__), f"{package.__name__}: {sorted(names - set(package.__all__))}"
        assert all(hasattr(package, name) for name in package.__all__), package.__name__


def test_save_scatter_plot_frees_its_renderer_without_the_garbage_collector(tmp_path, monkeypatch):
    with agg_renderers_alive(monkeypatch) as renderers:
        for _ in range(3):
            visualization.save_scatter_plot(POINTS, tmp_path / "points.png")
        created, alive = renderers()
        assert created >= 3 and alive == 0
