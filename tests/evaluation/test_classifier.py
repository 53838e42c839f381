"""Tests for keras_wgan.evaluation.classifier: the cached MNIST classifier.

The classifier is trained with a tiny budget (one epoch on 2,000 digits), once per
test session (`tests/conftest.py`): the full-size training does not belong in the suite.
"""

import json
import os
import shutil
import warnings

import keras
import numpy as np
import pytest

from keras_wgan import evaluation
from keras_wgan.evaluation import classifier as classifier_module
from tests.testing_utils import SMALL_CLASSIFIER, SMALL_CLASSIFIER_STEM


def test_mnist_classifier_is_cached_with_its_accuracy(small_classifier):
    classifier, cache = small_classifier
    assert sorted(os.listdir(cache)) == [
        SMALL_CLASSIFIER_STEM + ".json",
        SMALL_CLASSIFIER_STEM + ".keras",
    ]  # no temp files
    with open(cache / (SMALL_CLASSIFIER_STEM + ".json")) as file:
        info = json.load(file)
    assert 0.5 < info["test_accuracy"] <= 1.0
    assert info["data_source"].startswith("bundled MNIST test split")
    assert (info["train_size"], info["test_size"], info["epochs"], info["seed"]) == (2000, 500, 1, 0)
    assert info["feature_layer"] == "features" and info["training_seconds"] > 0
    assert evaluation.mnist_classifier_info(cache, **SMALL_CLASSIFIER) == info
    assert evaluation.mnist_classifier_info(cache, **{**SMALL_CLASSIFIER, "epochs": 2}) is None
    assert classifier.get_layer("features").units == 128
    assert classifier.output_shape == (None, 10)


def test_mnist_classifier_reloads_without_training(small_classifier, digits, monkeypatch, capsys):
    classifier, cache = small_classifier

    def no_training():
        raise AssertionError("the cached classifier must be loaded, not trained")

    monkeypatch.setattr(classifier_module, "_build_classifier", no_training)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. no optimizer-mismatch warning
        reloaded = evaluation.mnist_classifier(cache, **SMALL_CLASSIFIER)
    assert "loaded" in capsys.readouterr().out
    x = digits[0][:64, ..., None].astype("float32") / 255.0
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(classifier(x)), keras.ops.convert_to_numpy(reloaded(x))
    )
    # Compiled, so that it can be evaluated directly.
    loss, accuracy = reloaded.evaluate(x, digits[1][:64], verbose=0)
    assert 0.0 <= accuracy <= 1.0

    # The default folder is $KERAS_WGAN_CACHE.
    monkeypatch.setenv("KERAS_WGAN_CACHE", str(cache))
    assert evaluation.mnist_classifier(verbose=False, **SMALL_CLASSIFIER) is not None


@pytest.mark.slow  # Trains the small classifier again.
@pytest.mark.filterwarnings("ignore:The MNIST classifier reaches only")
def test_mnist_classifier_rebuilds_a_damaged_cache_reproducibly(small_classifier, digits, tmp_path):
    classifier, cache = small_classifier
    shutil.copy(cache / (SMALL_CLASSIFIER_STEM + ".json"), tmp_path)
    (tmp_path / (SMALL_CLASSIFIER_STEM + ".keras")).write_bytes(b"not a zip file")
    with pytest.warns(UserWarning, match="Could not load the cached"):
        retrained = evaluation.mnist_classifier(tmp_path, verbose=False, **SMALL_CLASSIFIER)
    # Same seed, same split, same training: the same network.
    x = digits[0][:64, ..., None].astype("float32") / 255.0
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(retrained(x)), keras.ops.convert_to_numpy(classifier(x)), atol=1e-5
    )
    with open(tmp_path / (SMALL_CLASSIFIER_STEM + ".json")) as file:
        assert (
            json.load(file)["test_accuracy"]
            == evaluation.mnist_classifier_info(cache, **SMALL_CLASSIFIER)["test_accuracy"]
        )


def test_mnist_classifier_rejects_bad_settings(tmp_path):
    with pytest.raises(ValueError, match="exceeds the 10,000 digits"):
        evaluation.mnist_classifier(tmp_path, train_size=9000, test_size=2000, verbose=False)
    with pytest.raises(ValueError, match="epochs"):
        evaluation.mnist_classifier(tmp_path, epochs=0, verbose=False)
    with pytest.raises(TypeError, match="train_size"):
        evaluation.mnist_classifier(tmp_path, train_size=100.5, verbose=False)
    assert os.listdir(tmp_path) == []
