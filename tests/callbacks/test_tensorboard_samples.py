"""Tests for keras_wgan.callbacks.TensorBoardSamples."""

import glob
import os
import sys

import pytest
import tensorflow as tf

from keras_wgan import callbacks
from tests.callbacks.conftest import toy_wgan
from tests.testing_utils import agg_renderers_alive


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


def test_tensorboard_samples_frees_each_scatter_figure_without_the_garbage_collector(tmp_path, monkeypatch):
    board = callbacks.TensorBoardSamples(tmp_path, num_samples=8)
    board.set_model(toy_wgan())
    board.on_train_begin()
    with agg_renderers_alive(monkeypatch) as renderers:
        for epoch in range(3):
            board.on_epoch_end(epoch)
        created, alive = renderers()
        assert created >= 3 and alive == 0
    board.on_train_end()
