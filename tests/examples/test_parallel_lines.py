"""Runs `examples/parallel_lines.py --quick` as a user would and checks its numbers."""

import importlib.util
import math
import re
from pathlib import Path

import pytest

from tests import testing_utils

pytestmark = pytest.mark.slow  # Each test runs an example in a fresh Python process.

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = REPOSITORY / "examples" / "parallel_lines.py"
FIGURES = ("parallel_lines_distances.png", "parallel_lines_critic.png", "parallel_lines_training.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NUMBER = r"[-+]?\d+\.\d+"


def run_quick(*arguments):
    result = testing_utils.run_example("parallel_lines.py", "--quick", *arguments, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_parallel_lines_quick(tmp_path):
    output = run_quick("--out", str(tmp_path))

    for name in FIGURES:
        assert (tmp_path / name).read_bytes().startswith(PNG_SIGNATURE), name
    assert not list(tmp_path.glob(".*")), "a temporary file was left behind"

    # a) Closed form: KL = inf, JS = log 2, TV = 1, W = |theta| off 0; all 0 at 0.
    table = re.findall(rf"^\s*({NUMBER})\s+(inf|0)\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})$", output, re.M)
    rows = {float(theta): (kl, float(js), float(tv), float(w)) for theta, kl, js, tv, w in table}
    assert 0.0 in rows and 0.5 in rows and -1.0 in rows, output
    for theta, (kl, js, tv, w) in rows.items():
        if theta == 0.0:
            assert (kl, js, tv, w) == ("0", 0.0, 0.0, 0.0)
        else:
            assert kl == "inf" and tv == 1.0
            assert f"{js:.4f}" == "0.6931" and js == round(math.log(2.0), 4)
            assert w == abs(theta)

    # b) The critic reads W = |theta| (slightly above: the soft penalty's overshoot).
    estimates = re.findall(
        rf"^\s*({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+[-+]\d+\.\d%$", output, re.M
    )
    assert len(estimates) == 3, output
    for theta, exact, estimate, _ in estimates:
        assert float(exact) == float(theta)
        assert abs(float(estimate) - float(exact)) < 0.15 * float(exact)

    # c) The Wasserstein loss moves theta from 1 to about 0; the GAN loss does not.
    wgan = float(re.search(rf"final theta WGAN-GP = ({NUMBER})", output).group(1))
    gan = float(re.search(rf"final theta GAN = ({NUMBER})", output).group(1))
    tail = re.search(rf"mean \|theta\| over the last \d+ steps: WGAN-GP ({NUMBER}), GAN ({NUMBER})", output)
    assert abs(wgan) < 0.2 and float(tail.group(1)) < 0.2, output
    assert gan > 0.8 and float(tail.group(2)) > 0.8, output
    gradients = re.search(r"mean \|grad\| over all steps: WGAN-GP (\S+), GAN (\S+)", output)
    assert float(gradients.group(1)) > 10 * float(gradients.group(2))


def load_example():
    spec = importlib.util.spec_from_file_location("parallel_lines_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines functions only: main() is guarded
    return module


def test_existing_figures_are_never_overwritten_silently(tmp_path):
    example = load_example()
    for name in FIGURES:
        (tmp_path / name).write_bytes(b"earlier run")
    with pytest.raises(SystemExit, match="already holds.*--overwrite"):
        example.output_folder(tmp_path, FIGURES, overwrite=False)
    for name in FIGURES:
        assert (tmp_path / name).read_bytes() == b"earlier run"
    assert example.output_folder(tmp_path, FIGURES, overwrite=True) == tmp_path
    assert example.output_folder(tmp_path / "new", FIGURES, overwrite=False) == tmp_path / "new"
