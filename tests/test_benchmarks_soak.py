"""A short soak: the toy WGAN-GP with every callback must not grow epoch after epoch."""

import sys
import types
from pathlib import Path

import keras
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from soak import run_worker, second_half_slope, slope_per_epoch  # noqa: E402

EPOCHS = 120
# KiB per epoch over the second half of the run, in a fresh process. With
# every callback after the saving fix it is well under this limit, and was
# several times above it before (benchmarks/results/soak_tensorflow.json,
# docs/reliability.md); the margin is for the RSS noise of a shared machine.
LIMIT_KIB_PER_EPOCH = 64


def test_slope_per_epoch_is_the_least_squares_slope():
    assert slope_per_epoch([0, 1, 2, 3], [1.0, 3.0, 5.0, 7.0]) == pytest.approx(2.0)
    assert second_half_slope([9.0, 9.0, 0.0, 1.0, 2.0, 3.0]) == pytest.approx(1.0)


@pytest.mark.slow
def test_memory_stays_flat_with_every_callback():
    # A fresh process, as a user's run: the test process's own memory moves
    # with whatever the tests before it left behind.
    options = types.SimpleNamespace(epochs=EPOCHS, units=16, top_types=0)
    result = run_worker(keras.backend.backend(), "all", options)
    assert len(result["rss"]) == EPOCHS
    growth = second_half_slope(result["rss"]) / 1024
    assert growth < LIMIT_KIB_PER_EPOCH, (
        f"the process grew {growth:.1f} KiB per epoch over epochs {EPOCHS // 2}-{EPOCHS} "
        f"with every callback (limit {LIMIT_KIB_PER_EPOCH})"
    )
