"""benchmarks/soak.py: the growth per epoch it reports."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from soak import second_half_slope, slope_per_epoch  # noqa: E402


def test_slope_per_epoch_is_the_least_squares_slope():
    assert slope_per_epoch([0, 1, 2, 3], [1.0, 3.0, 5.0, 7.0]) == pytest.approx(2.0)
    assert second_half_slope([9.0, 9.0, 0.0, 1.0, 2.0, 3.0]) == pytest.approx(1.0)
