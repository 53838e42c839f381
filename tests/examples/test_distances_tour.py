"""Runs `examples/distances_tour.py` as a user would and checks its numbers."""

import pytest

from tests.testing_utils import run_example

pytestmark = pytest.mark.slow  # Each test runs an example in a fresh Python process.


def test_distances_tour_prints_the_lecture_numbers():
    result = run_example("distances_tour.py", timeout=120)
    assert result.returncode == 0, result.stderr
    output = result.stdout
    assert "a = 2, b = -1" in output
    assert "x1 = 1.5 " in output
    assert "sqrt(2) = 1.4142135623731" in output
    assert "KL(P_r || P_g) = inf" in output
    assert "JS(P_r, P_g)   = 0.6931" in output
    assert "W(P_r, P_g)    = 1 " in output
    # The parallel lines at theta = 0.5: KL, JS, TV, W and W from shared Z.
    assert "0.5    inf  0.6931    1    0.5        0.5000" in output
