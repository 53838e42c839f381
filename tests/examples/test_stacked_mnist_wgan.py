"""examples/stacked_mnist_wgan.py end to end: the quick run, its outputs and its modes and KL."""

import csv
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from tests import testing_utils
from tests.testing_utils import SMALL_CLASSIFIER_STEM

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "stacked_mnist_wgan.py"


def run_example(*args):
    return testing_utils.run_example("stacked_mnist_wgan.py", *args)


def load_example():
    spec = importlib.util.spec_from_file_location("stacked_mnist_wgan_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")  # The example runs in a fresh Python process.
def quick_run(tmp_path_factory, small_classifier):
    # The small classifier of the other tests reads the channels: the
    # plumbing is under test here, not the numbers (docs/stacked_mnist.md).
    classifier = small_classifier[1] / f"{SMALL_CLASSIFIER_STEM}.keras"
    out = tmp_path_factory.mktemp("stacked") / "run"
    result = run_example("--quick", "--classifier", str(classifier), "--out", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, result, classifier


@pytest.mark.slow
def test_quick_run_leaves_colour_grids_curves_and_modes_per_epoch(quick_run):
    out, result, _ = quick_run
    grids = sorted((out / "samples").glob("*.png"))
    assert len(grids) == 3  # one per epoch
    grid = testing_utils.open_png(grids[-1])
    assert grid.mode == "RGB"
    colours = np.asarray(grid, dtype="float32")
    assert np.abs(colours[..., 0] - colours[..., 1]).mean() > 1.0  # not grey
    testing_utils.open_png(out / "curves.png")
    with open(out / "metrics.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["epoch"]) for row in rows] == [0, 1, 2]
    for row in rows:
        assert 1 <= float(row["modes"]) <= 1000
        assert 0.0 <= float(row["kl"]) <= math.log(1000) + 1e-6
        assert np.isfinite(float(row["val_wasserstein_estimate"]))
    # From a near-constant first generator to many triples in 300 steps.
    assert float(rows[-1]["modes"]) > float(rows[0]["modes"])
    assert "modes and KL of 2,600 samples every 1 epoch(s)" in result.stdout
    assert "last evaluation:" in result.stdout
    assert (out / "checkpoints" / "wgan.keras").is_file()
    assert (out / "export" / "stacked_mnist_generator" / "1" / "saved_model.pb").is_file()


@pytest.mark.slow
def test_a_used_folder_needs_resume(quick_run, capsys):
    out, _, classifier = quick_run
    before = (out / "metrics.csv").read_bytes()
    # In-process: the folder is refused before any training starts.
    with pytest.raises(SystemExit, match="already holds a run"):
        load_example().main(["--quick", "--classifier", str(classifier), "--out", str(out)])
    assert (out / "metrics.csv").read_bytes() == before


def test_bad_arguments_are_named(capsys):
    with pytest.raises(SystemExit):
        load_example().parse_args(["--eval-samples", "0"])
    assert "--eval-samples must be at least 1" in capsys.readouterr().err
