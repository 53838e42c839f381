"""Runs `examples/distances_tour.py` as a user would and checks its numbers."""

import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
TOUR = REPOSITORY / "examples" / "distances_tour.py"


def test_distances_tour_prints_the_lecture_numbers():
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, str(TOUR)],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
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
