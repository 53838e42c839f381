"""Tests for keras_wgan.saving: load_wgan, with damaged and foreign files."""

import json
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_wgan as kw
from tests.testing_utils import fit_tiny, optimizer_steps, tiny_wgan


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    model = tiny_wgan()
    fit_tiny(model, epochs=1)
    model.save(folder / "good.keras")
    data = (folder / "good.keras").read_bytes()
    (folder / "truncated.keras").write_bytes(data[: len(data) // 2])
    (folder / "empty.keras").write_bytes(b"")
    flipped = bytearray(data)
    with zipfile.ZipFile(folder / "good.keras") as archive:
        info = archive.getinfo("model.weights.h5")
    flipped[info.header_offset + 100] ^= 0xFF  # one bit in the weights
    (folder / "bitflip.keras").write_bytes(bytes(flipped))
    dense = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    dense.save(folder / "foreign.keras")
    model.save_weights(folder / "weights.weights.h5")

    export = Path(kw.export_generator(model, folder / "export", version=1, value_range=(-1, 1)))
    return folder, model, export


def test_load_wgan_round_trips_with_safe_mode(saved):
    folder, model, _ = saved
    restored = kw.load_wgan(folder / "good.keras")
    assert type(restored) is kw.WGANGP and optimizer_steps(restored) == optimizer_steps(model)
    np.testing.assert_array_equal(restored.generate(4, seed=0), model.generate(4, seed=0))


@pytest.mark.parametrize(
    "name, error, message",
    [
        ("missing.keras", FileNotFoundError, r"No such file: .*missing\.keras"),
        (
            "truncated.keras",
            ValueError,
            r"truncated\.keras is not a complete \.keras file .*truncated or corrupt",
        ),
        ("empty.keras", ValueError, r"empty\.keras is not a complete \.keras file \(0 bytes"),
        ("bitflip.keras", ValueError, r"bitflip\.keras is a damaged \.keras file"),
        ("foreign.keras", ValueError, r"foreign\.keras holds a Sequential \(keras\), not a keras_wgan WGAN"),
        ("weights.weights.h5", ValueError, r"holds weights only"),
        ("export/1", ValueError, r"is a folder, not a \.keras file\. It is a SavedModel"),
    ],
)
def test_load_wgan_names_the_file_and_the_problem(saved, name, error, message):
    folder, _, _ = saved
    with pytest.raises(error, match=message):
        kw.load_wgan(folder / name)


def test_keras_load_model_reports_a_truncated_file_as_missing(saved):
    # Why load_wgan exists: Keras's own message is misleading here.
    folder, _, _ = saved
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(folder / "truncated.keras")


@pytest.mark.parametrize("cls", [kw.WGAN, kw.WGANGP])
def test_mnist_models_load_in_safe_mode(cls, tmp_path):
    # The package's own files need nothing unsafe: no Lambda layer, no
    # pickled code; every class is registered with keras.saving.
    keras.utils.set_random_seed(0)
    model = cls(kw.architectures.mnist_critic(dim=4), kw.architectures.mnist_generator(8, dim=4), seed=1)
    model.compile()
    path = tmp_path / "mnist.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = archive.read("config.json").decode()
    assert '"Lambda"' not in config and "__lambda__" not in config
    restored = keras.models.load_model(path, safe_mode=True)
    assert type(restored) is cls
    np.testing.assert_array_equal(restored.generate(2, seed=0), model.generate(2, seed=0))
    assert json.loads(config)["registered_name"] == f"keras_wgan>{cls.__name__}"
