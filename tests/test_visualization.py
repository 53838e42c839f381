"""Tests for keras_wgan.visualization: image grids and scatter plots as PNG files."""

import os

import numpy as np
import pytest

from keras_wgan import callbacks
from tests.callbacks.conftest import POINTS
from tests.testing_utils import agg_renderers_alive, open_png


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


def test_save_scatter_plot_frees_its_renderer_without_the_garbage_collector(tmp_path, monkeypatch):
    with agg_renderers_alive(monkeypatch) as renderers:
        for _ in range(3):
            callbacks.save_scatter_plot(POINTS, tmp_path / "points.png")
        created, alive = renderers()
        assert created >= 3 and alive == 0
