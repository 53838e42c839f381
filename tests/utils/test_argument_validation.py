"""One rule for every public argument: wrong type -> TypeError, bad value -> ValueError.

Both messages end in Keras's "Received: name=value". The table below covers
the numeric, boolean, range and choice arguments of the whole public API.
"""

import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan import architectures, callbacks, datasets, distances, evaluation, visualization
from keras_wgan.utils import argument_validation as av
from tests.testing_utils import mlp

IMAGES = np.zeros((8, 28, 28), "uint8")
POINTS = np.zeros((8, 2), "float32")


def toy_generator():
    return mlp(2, 2)


def wgan(**kwargs):
    return kw.WGAN(mlp(2, 1), mlp(2, 2), **kwargs)


def wgan_gp(**kwargs):
    return kw.WGANGP(mlp(2, 1), mlp(2, 2), **kwargs)


# (call, argument name, expected error). Every public argument that takes a
# number, a flag, a range or a choice appears at least once with a wrong
# type and once with a wrong value.
CASES = [
    # models
    (lambda: wgan(critic_steps=5.0), "critic_steps", TypeError),
    (lambda: wgan(critic_steps=True), "critic_steps", TypeError),
    (lambda: wgan(critic_steps=0), "critic_steps", ValueError),
    (lambda: wgan(seed=1.5), "seed", TypeError),
    (lambda: wgan(seed=-1), "seed", ValueError),
    (lambda: wgan(clip_value="0.01"), "clip_value", TypeError),
    (lambda: wgan(clip_value=0.0), "clip_value", ValueError),
    (lambda: wgan_gp(gp_weight=True), "gp_weight", TypeError),
    (lambda: wgan_gp(gp_weight=-1.0), "gp_weight", ValueError),
    (lambda: wgan_gp(one_sided="yes"), "one_sided", TypeError),
    (lambda: wgan_gp(penalty_every=2.0), "penalty_every", TypeError),
    (lambda: wgan_gp(penalty_every=6), "penalty_every", ValueError),
    (lambda: wgan_gp(penalty_batch_fraction=True), "penalty_batch_fraction", TypeError),
    (lambda: wgan_gp(penalty_batch_fraction=0.0), "penalty_batch_fraction", ValueError),
    (lambda: wgan().generate(2.0), "n", TypeError),
    (lambda: wgan().generate(0), "n", ValueError),
    (lambda: wgan().generate(2, seed=0.5), "seed", TypeError),
    (lambda: kw.ClipConstraint(-0.1), "clip_value", ValueError),
    # architectures
    (lambda: architectures.mlp_critic((2,), units=2.0), "units", TypeError),
    (lambda: architectures.mlp_critic((2,), depth=0), "depth", ValueError),
    (lambda: architectures.mlp_critic((28, 0)), "input_shape", ValueError),
    (lambda: architectures.mlp_critic("28"), "input_shape", TypeError),
    (
        lambda: architectures.mlp_generator(4, (2,), output_activation="bogus"),
        "output_activation",
        ValueError,
    ),
    (lambda: architectures.mnist_critic(dim=True), "dim", TypeError),
    (lambda: architectures.mnist_critic(normalization="batch"), "normalization", ValueError),
    (lambda: architectures.mnist_generator(latent_dim=0), "latent_dim", ValueError),
    (lambda: architectures.mnist_generator(batch_normalization="yes"), "batch_normalization", TypeError),
    (lambda: architectures.toy_critic(units=1.5), "units", TypeError),
    (lambda: architectures.toy_generator(output_dim=0), "output_dim", ValueError),
    # callbacks
    (lambda: callbacks.SampleGrid("out", every=2.0), "every", TypeError),
    (lambda: callbacks.SampleGrid("out", every=0), "every", ValueError),
    (lambda: callbacks.SampleGrid("out", num_samples=True), "num_samples", TypeError),
    (lambda: callbacks.SampleGrid("out", seed=-1), "seed", ValueError),
    (lambda: callbacks.SampleGrid("out", value_range="ab"), "value_range", TypeError),
    (lambda: callbacks.SampleGrid("out", value_range=(1, 0)), "value_range", ValueError),
    (lambda: callbacks.SampleGrid("out", filename="{step}.png"), "filename", ValueError),
    (lambda: callbacks.TensorBoardSamples("logs", every=1.0), "every", TypeError),
    (
        lambda: callbacks.AtomicModelCheckpoint("w.keras", save_weights_only="no"),
        "save_weights_only",
        TypeError,
    ),
    (lambda: callbacks.AtomicModelCheckpoint("w.h5"), "filepath", ValueError),
    (lambda: callbacks.AtomicModelCheckpoint("w.keras", verbose=-1), "verbose", ValueError),
    (
        lambda: callbacks.AtomicBackupAndRestore("backup", delete_checkpoint="no"),
        "delete_checkpoint",
        TypeError,
    ),
    (lambda: callbacks.AtomicBackupAndRestore(""), "backup_dir", ValueError),
    (lambda: callbacks.QualityMetric(len, every=1.5), "every", TypeError),
    (lambda: callbacks.QualityMetric(len, name=""), "name", ValueError),
    (lambda: callbacks.QualityMetric(len, fill_value="none"), "fill_value", TypeError),
    (lambda: callbacks.QualityMetric("w1"), "metric", TypeError),
    (lambda: callbacks.QualityMetric.w1(POINTS, n=4.0), "n", TypeError),
    (lambda: callbacks.QualityMetric.w1(POINTS, n=9), "n", ValueError),
    (lambda: callbacks.QualityMetric.w1(POINTS, n=4, seed=-2), "seed", ValueError),
    # visualization
    (lambda: visualization.save_image_grid(IMAGES, "g.png", columns=2.0), "columns", TypeError),
    (lambda: visualization.save_image_grid(IMAGES, "g.png", padding=-1), "padding", ValueError),
    (lambda: visualization.save_image_grid(IMAGES, "g.png", value_range=(0, 0)), "value_range", ValueError),
    (lambda: visualization.save_scatter_plot(np.zeros((4, 3)), "s.png"), "points.shape", ValueError),
    # datasets
    (lambda: datasets.split_holdout(IMAGES, holdout=True), "holdout", TypeError),
    (lambda: datasets.split_holdout(IMAGES, holdout=1.5), "holdout", ValueError),
    (lambda: datasets.split_holdout(IMAGES, holdout=8), "holdout", ValueError),
    (lambda: datasets.split_holdout(IMAGES, holdout=2, seed=0.5), "seed", TypeError),
    (lambda: datasets.make_image_dataset(IMAGES, 2.0), "batch_size", TypeError),
    (lambda: datasets.make_image_dataset(IMAGES, 0), "batch_size", ValueError),
    (lambda: datasets.make_image_dataset(IMAGES, 2, shuffle="yes"), "shuffle", TypeError),
    (lambda: datasets.make_image_dataset(IMAGES, 2, repeat=1), "repeat", TypeError),
    (lambda: datasets.make_image_dataset(IMAGES.astype("float32"), 2), "images.dtype", ValueError),
    (lambda: datasets.scale_images(IMAGES, value_range=(0, float("inf"))), "value_range", ValueError),
    (lambda: datasets.unscale_images(POINTS, value_range=None), "value_range", TypeError),
    (lambda: datasets.load_mnist(allow_download="no", verbose=False), "allow_download", TypeError),
    (lambda: datasets.load_mnist(allow_download=False, verbose=2), "verbose", TypeError),
    (lambda: datasets.sample_toy("moons", 10), "name", ValueError),
    (lambda: datasets.sample_toy("8gaussians", 2.0), "n", TypeError),
    (lambda: datasets.eight_gaussians(-1), "n", ValueError),
    # distances and the worked examples
    (lambda: distances.sample_parallel_lines(0.0, 2.5), "n", TypeError),
    (lambda: distances.parallel_lines_distances("left"), "theta", TypeError),
    (lambda: distances.parallel_lines_distances(float("nan")), "theta", ValueError),
    # evaluation
    (lambda: evaluation.w1_to_data(toy_generator(), POINTS, n=2.0), "n", TypeError),
    (lambda: evaluation.w1_to_data(toy_generator(), POINTS, n=0), "n", ValueError),
    (lambda: evaluation.w1_to_data(toy_generator(), POINTS, seed=1.0), "seed", TypeError),
    (lambda: evaluation.w1_to_data("generator.keras", POINTS), "generator", TypeError),
    (lambda: evaluation.mnist_classifier(epochs=1.0), "epochs", TypeError),
    (lambda: evaluation.mnist_classifier(train_size=0), "train_size", ValueError),
    (lambda: evaluation.mnist_classifier(seed=-1), "seed", ValueError),
    (lambda: evaluation.mnist_classifier(allow_download=1), "allow_download", TypeError),
    # export
    (lambda: kw.export_generator(toy_generator(), "export", version=1.0), "version", TypeError),
    (lambda: kw.export_generator(toy_generator(), "export", version=0), "version", ValueError),
    (lambda: kw.export_generator(toy_generator(), "export", overwrite="yes"), "overwrite", TypeError),
    (
        lambda: kw.export_generator(toy_generator(), "export", value_range=(1.0, -1.0)),
        "value_range",
        ValueError,
    ),
    (lambda: kw.export_generator("generator.keras", "export"), "model", TypeError),
]


@pytest.mark.parametrize("call, name, error", CASES, ids=[f"{i}-{case[1]}" for i, case in enumerate(CASES)])
def test_bad_arguments_raise_one_kind_of_error(call, name, error, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # Nothing may be written; if it were, it stays here.
    with pytest.raises(error) as caught:
        call()
    assert type(caught.value) is error  # Not a subclass standing in for it.
    assert f"Received: {name}=" in str(caught.value), str(caught.value)
    assert not list(tmp_path.iterdir()), "a refused call wrote files"


# -- the checks themselves ------------------------------------------------------


@pytest.mark.parametrize("value", [3, np.int64(3), np.int8(3)])
def test_check_int_accepts_ints(value):
    assert av.check_int(value, "x", minimum=3, maximum=3) == 3
    assert type(av.check_int(value, "x")) is int


@pytest.mark.parametrize("value", [3.0, True, np.bool_(True), "3", None, np.float32(3.0)])
def test_check_int_refuses_what_is_not_an_int(value):
    with pytest.raises(TypeError, match=r"`x` must be an int\. Received: x="):
        av.check_int(value, "x")


def test_check_int_bounds():
    with pytest.raises(ValueError, match="`x` must be at least 1. Received: x=0"):
        av.check_int(0, "x", minimum=1)
    with pytest.raises(ValueError, match="`x` must be at most 5. Received: x=6"):
        av.check_int(6, "x", maximum=5)


def test_check_number():
    assert av.check_number(2, "x") == 2.0 and type(av.check_number(np.float32(0.5), "x")) is float
    for value in (True, "1", None):
        with pytest.raises(TypeError, match="Received: x="):
            av.check_number(value, "x")
    for value in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="finite"):
            av.check_number(value, "x")
    with pytest.raises(ValueError, match="greater than 0"):
        av.check_number(0.0, "x", minimum=0.0, exclusive_minimum=True)
    assert av.check_number(0.0, "x", minimum=0.0) == 0.0
    with pytest.raises(ValueError, match="less than 1"):
        av.check_number(1.0, "x", maximum=1.0, exclusive_maximum=True)


def test_check_seed_bool_value_range_shape_and_choice():
    assert av.check_seed(None, allow_none=True) is None
    with pytest.raises(TypeError, match="an int\\. Received: seed=None"):
        av.check_seed(None)
    assert av.check_bool(np.bool_(True), "flag") is True
    with pytest.raises(TypeError):
        av.check_bool(1, "flag")
    assert av.check_value_range([0, 255]) == (0.0, 255.0)
    for bad, error in (((0.0,), TypeError), ((0.0, "1"), TypeError), ((1.0, 1.0), ValueError)):
        with pytest.raises(error, match="value_range"):
            av.check_value_range(bad)
    assert av.check_shape(3, "shape") == (3,) and av.check_shape([28, 28, 1], "shape") == (28, 28, 1)
    for bad, error in (((), ValueError), ((2, 0), ValueError), ((2, 1.0), TypeError), ("28", TypeError)):
        with pytest.raises(error, match="shape"):
            av.check_shape(bad, "shape")
    assert av.check_one_of("layer", "normalization", (None, "layer")) == "layer"
    with pytest.raises(ValueError, match="must be one of None, 'layer'"):
        av.check_one_of("batch", "normalization", (None, "layer"))
    with pytest.raises(ValueError):
        av.check_one_of(1, "choice", (True, False))  # 1 == True, but it is not the flag.
