"""Tests for the base of the sample callbacks: arguments and the models they accept."""

import keras
import pytest

import keras_wgan as kw
from keras_wgan import callbacks
from tests.callbacks.conftest import POINTS, image_wgan
from tests.testing_utils import mlp


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
