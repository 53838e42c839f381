"""The Inception Score: known answers, the reference's contiguous splits, and a generator's score."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import dcgan_generator
from keras_wgan.evaluation import inception_score, inception_scoring


def test_one_distribution_for_every_image_scores_one():
    assert inception_score(np.full((100, 1008), 1 / 1008), splits=10) == pytest.approx((1.0, 0.0))
    rows = np.random.default_rng(0).dirichlet(np.ones(5))
    assert inception_score(np.tile(rows, (30, 1)), splits=3) == pytest.approx((1.0, 0.0))


def test_one_hot_distinct_classes_score_the_number_of_classes():
    # 0 log 0 = 0: the zeros of the one-hot rows add nothing.
    assert inception_score(np.eye(10), splits=1) == pytest.approx((10.0, 0.0))
    assert inception_score(np.tile(np.eye(8), (5, 1)), splits=5) == pytest.approx((8.0, 0.0))


def test_splits_are_contiguous_and_in_order():
    # The first half all class 0, the second all class 1: each contiguous
    # half scores 1; interleaved halves would score 2.
    p = np.repeat(np.eye(2), 50, axis=0)
    assert inception_score(p, splits=2) == pytest.approx((1.0, 0.0))
    assert inception_score(p, splits=1) == pytest.approx((2.0, 0.0))
    # Parts of 3 rows from 7 (rows 0-1, 2-3, 4-6 as i*N//splits): the std is
    # over the parts' scores.
    p = np.array([[1, 0], [1, 0], [0, 1], [1, 0], [0.5, 0.5], [0, 1], [0, 1]], dtype=float)
    scores = [inception_score(p[a:b], splits=1)[0] for a, b in [(0, 2), (2, 4), (4, 7)]]
    assert inception_score(p, splits=3) == pytest.approx((np.mean(scores), np.std(scores)))


def test_score_of_a_mixed_case_matches_the_formula():
    # p(y|x) = [1, 0] and [0.5, 0.5]: p(y) = [0.75, 0.25];
    # KL = log(4/3) and 0.5 log(2/3) + 0.5 log 2; IS = exp(mean KL).
    expected = np.exp((np.log(4 / 3) + 0.5 * np.log(2 / 3) + 0.5 * np.log(2)) / 2)
    assert inception_score([[1.0, 0.0], [0.5, 0.5]], splits=1)[0] == pytest.approx(expected, rel=1e-12)


def test_bad_probabilities_are_refused():
    with pytest.raises(ValueError, match="rows summing to 1"):
        inception_score(np.random.default_rng(1).standard_normal((10, 4)))  # logits
    with pytest.raises(ValueError, match=r"shape \(N, classes\)"):
        inception_score(np.ones(4) / 4)
    with pytest.raises(ValueError, match="splits"):
        inception_score(np.eye(4), splits=5)


@pytest.mark.slow
def test_inception_score_of_a_generator_with_random_weights():
    keras.utils.set_random_seed(0)
    generator = dcgan_generator(8, 32, dim=4)
    mean, std = kw.evaluation.inception_score_of_generator(generator, n=4, weights=None, splits=2)
    assert 1.0 <= mean <= 1008 and std >= 0.0
    # The probabilities are softmax(pool @ W) without the bias, as in the reference.
    images = kw.models.generator_utils.generate_samples(generator, 4, 0)
    pool = kw.evaluation.inception_outputs(images, weights=None)["pool"]
    probabilities = inception_scoring.class_probabilities(pool, weights=None)
    assert inception_score(probabilities, splits=2) == pytest.approx((mean, std))
