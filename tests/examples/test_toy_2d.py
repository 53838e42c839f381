"""Runs `examples/toy_2d.py --quick` as a user would and checks its numbers."""

import math
import re

import pytest

from tests.testing_utils import run_example

pytestmark = pytest.mark.slow  # Each test runs an example in a fresh Python process.

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NUMBER = r"[-+]?(?:\d+\.\d+|nan|inf)"


def test_toy_2d_quick(tmp_path):
    result = run_example("toy_2d.py", "--quick", "--out", str(tmp_path), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout

    figure = tmp_path / "toy_2d_8gaussians.png"
    assert figure.read_bytes().startswith(PNG_SIGNATURE)
    assert sorted(p.name for p in tmp_path.iterdir()) == [figure.name]  # no temporary file left

    floor = float(re.search(rf"noise floor: exact W1 .* = ({NUMBER})", output).group(1))
    assert 0.0 < floor < 0.2

    summaries = {}
    for label in ("WGAN-GP", "WGAN"):
        # Checkpoint rows: model, step, W estimate (fit), W estimate (eval), exact W1, time.
        rows = re.findall(
            rf"^\s*{label}\s+(\d+)\s+({NUMBER}|\S+)\s+(\S+)\s+({NUMBER})\s+{NUMBER}$", output, re.M
        )
        assert len(rows) == 7, output  # the start and 6 checkpoints
        steps = [int(row[0]) for row in rows]
        assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == 300
        exact = [float(row[3]) for row in rows]
        assert all(math.isfinite(w) and w > 0 for w in exact)
        estimates = [float(row[1]) for row in rows[1:]]
        assert all(math.isfinite(w) for w in estimates)

        summary = re.search(rf"^{label}: exact W1 ({NUMBER}) -> ({NUMBER}) in", output, re.M)
        initial, final = float(summary.group(1)), float(summary.group(2))
        assert (initial, final) == (exact[0], exact[-1])
        assert final < initial, f"{label}: exact W1 {initial} -> {final}"
        summaries[label] = initial, final

        r = re.search(rf"^{label}: Pearson r\(W estimate from fit, exact W1\) = ({NUMBER})", output, re.M)
        assert -1.0 <= float(r.group(1)) <= 1.0

    # With the penalty the generator gets much further in 300 steps than with clipping.
    initial, final = summaries["WGAN-GP"]
    assert final < 0.85 * initial
