"""Tests for keras_wgan.models.scalar_cache_release: TensorFlow's eager scalar cache, emptied every epoch."""

import itertools
import sys

import keras
import pytest

from keras_wgan.models.scalar_cache_release import ScalarCacheRelease, release_tensorflow_scalar_cache
from tests.testing_utils import TINY_DATA, tiny_wgan

tf = pytest.importorskip("tensorflow")


def to_tensors(values):
    # A function, so that no loop variable of the test keeps a reference.
    for value in values:
        tf.constant(value, tf.int64)


def references(values):
    """How many references each value has, all counted the same way."""
    return [sys.getrefcount(value) for value in values]


_drawn = itertools.count(10**12)


def fresh_ints(n):
    # Large ints are new objects, not CPython's shared small ints, so a cache
    # entry keyed by one shows as one more reference to it; and values no
    # other test used, so that none is in the cache already.
    return [next(_drawn) for _ in range(n)]


def test_tensorflow_caches_every_new_python_scalar_until_released():
    # The TensorFlow behaviour this module exists for (tensorflow/tensorflow#68196),
    # checked against the pinned version: if an upgrade bounds the cache,
    # this fails and ScalarCacheRelease can go.
    values = fresh_ints(3)
    before = references(values)
    to_tensors(values)
    assert references(values) == [count + 1 for count in before]
    assert release_tensorflow_scalar_cache()
    assert references(values) == before


def test_release_is_a_no_op_without_tensorflow_imported(monkeypatch):
    monkeypatch.delitem(sys.modules, "tensorflow")
    assert release_tensorflow_scalar_cache() is False


def test_fit_empties_the_cache_after_every_epoch():
    values = fresh_ints(3)
    before = references(values)
    held_at_epoch_begin = []

    class LogsWithTensorFlow(keras.callbacks.Callback):  # As keras.callbacks.TensorBoard's tf.summary does.
        def on_epoch_begin(self, epoch, logs=None):
            if epoch:
                held_at_epoch_begin.append(references(values)[epoch - 1] - before[epoch - 1])

        def on_epoch_end(self, epoch, logs=None):
            to_tensors(values[epoch : epoch + 1])

    model = tiny_wgan()
    model.fit(TINY_DATA[:64], batch_size=16, epochs=3, verbose=0, callbacks=[LogsWithTensorFlow()])
    assert held_at_epoch_begin == [0, 0]
    assert references(values) == before


def test_the_callback_empties_the_cache_for_any_model():
    value = fresh_ints(1)[0]
    before = references([value])
    to_tensors([value])
    assert references([value]) == [before[0] + 1]
    ScalarCacheRelease().on_epoch_end(0)
    assert references([value]) == before
