"""A short soak: the toy WGAN-GP with every callback must not grow epoch after epoch."""

import sys
import types
from pathlib import Path

import keras
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from soak import malloc_bytes, run_worker, second_half_slope, slope_per_epoch  # noqa: E402

# Well before the one-time rebuild of Python's interned-string table that the
# figure callbacks bring on hundreds of epochs in: a step of a few MiB, not a
# growth per epoch (benchmarks/results/interned_strings.json, docs/reliability.md).
EPOCHS = 120
# KiB per epoch over the second half of the run, in a fresh process. RSS
# first: with every callback after the fixes it is well under this limit,
# and was several times above it before (benchmarks/results/soak_tensorflow.json,
# docs/reliability.md); the margin is for the RSS noise of a shared machine.
LIMIT_KIB_PER_EPOCH = 64
# The bytes malloc'ed and still in use after a full collection: steadier than
# RSS, which a leak first reaches only once the allocator's free bytes are
# used up. TensorFlow's eager scalar cache alone grew past this limit with
# Keras's TensorBoard before `ScalarCacheRelease` (benchmarks/results/soak_diagnosis.log).
LIMIT_IN_USE_KIB_PER_EPOCH = 8


def test_slope_per_epoch_is_the_least_squares_slope():
    assert slope_per_epoch([0, 1, 2, 3], [1.0, 3.0, 5.0, 7.0]) == pytest.approx(2.0)
    assert second_half_slope([9.0, 9.0, 0.0, 1.0, 2.0, 3.0]) == pytest.approx(1.0)


def test_malloc_bytes_reads_glibc():
    used, free = malloc_bytes()
    block = bytearray(8 * 2**20)  # Above the mmap threshold: counted as in use.
    assert malloc_bytes()[0] >= used + len(block)
    del block


@pytest.mark.slow
def test_memory_stays_flat_with_every_callback():
    # A fresh process, as a user's run: the test process's own memory moves
    # with whatever the tests before it left behind.
    options = types.SimpleNamespace(epochs=EPOCHS, units=16, top_types=0, malloc=True)
    result = run_worker(keras.backend.backend(), "all", options)
    assert len(result["rss"]) == len(result["malloc_in_use"]) == EPOCHS
    span = f"over epochs {EPOCHS // 2}-{EPOCHS} with every callback"
    growth = second_half_slope(result["rss"]) / 1024
    assert growth < LIMIT_KIB_PER_EPOCH, (
        f"the process grew {growth:.1f} KiB per epoch {span} (limit {LIMIT_KIB_PER_EPOCH})"
    )
    in_use = second_half_slope(result["malloc_in_use"]) / 1024
    assert in_use < LIMIT_IN_USE_KIB_PER_EPOCH, (
        f"malloc'ed memory in use grew {in_use:.1f} KiB per epoch {span} (limit {LIMIT_IN_USE_KIB_PER_EPOCH})"
    )
