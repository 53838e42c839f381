"""Precision, recall, density and coverage on feature sets with known answers."""

import numpy as np
import pytest

from keras_wgan.evaluation import precision_recall_density_coverage


def test_identical_sets_are_fully_precise_and_covered():
    features = np.random.default_rng(0).standard_normal((200, 16))
    scores = precision_recall_density_coverage(features, features)
    assert scores["precision"] == scores["recall"] == scores["coverage"] == 1.0
    assert scores["density"] == pytest.approx(1.0, abs=0.25)


def test_a_grid_and_half_of_it_give_the_exact_values():
    # Reals at 0..9 on a line, k = 1: every ball has radius 1 and (strict
    # inequality) holds only its own point.
    real = np.arange(10.0)[:, None]
    same = precision_recall_density_coverage(real, real, k=1)
    assert same == {"precision": 1.0, "recall": 1.0, "density": 1.0, "coverage": 1.0}
    half = precision_recall_density_coverage(real, real[:5], k=1)
    assert half == {"precision": 1.0, "recall": 0.5, "density": 1.0, "coverage": 0.5}


def test_far_apart_sets_score_zero():
    rng = np.random.default_rng(1)
    real, fake = rng.standard_normal((100, 8)), rng.standard_normal((80, 8)) + 100.0
    scores = precision_recall_density_coverage(real, fake)
    assert scores == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_mode_collapse_keeps_precision_and_loses_recall():
    rng = np.random.default_rng(2)
    real = rng.standard_normal((300, 4))
    collapsed = real[:300] * 0.05  # all fakes near the centre of the reals
    scores = precision_recall_density_coverage(real, collapsed, k=3)
    assert scores["precision"] == 1.0 and scores["recall"] < 0.2 and scores["coverage"] < 0.2
    assert scores["density"] > 1.0  # crowded where the reals are dense


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="more than k=3 samples"):
        precision_recall_density_coverage(np.zeros((3, 2)), np.zeros((10, 2)))
    with pytest.raises(ValueError, match="same dimension"):
        precision_recall_density_coverage(np.zeros((10, 2)), np.zeros((10, 3)))
    with pytest.raises(ValueError, match="k"):
        precision_recall_density_coverage(np.zeros((10, 2)), np.zeros((10, 2)), k=0)
