"""benchmarks/stacked_mnist.py: the results file it merges into, and its figures (tiny runs)."""

import json
import sys
import types
from pathlib import Path

import pytest

from tests import testing_utils
from tests.testing_utils import SMALL_CLASSIFIER_STEM

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import stacked_mnist  # noqa: E402


@pytest.mark.slow
def test_runs_merge_into_one_results_file(tmp_path, small_classifier):
    classifier = str(small_classifier[1] / f"{SMALL_CLASSIFIER_STEM}.keras")
    common = [
        "--quick",
        "--steps",
        "4",
        "--eval-every",
        "2",
        "--results",
        str(tmp_path),
        "--classifier",
        classifier,
    ]
    stacked_mnist.main(["--variant", "gan", *common])
    stacked_mnist.main(["--variant", "wgan-clip", *common])
    runs = json.loads((tmp_path / "stacked_mnist.json").read_text())["runs"]
    assert [run["variant"] for run in runs] == ["gan", "wgan-clip"]
    for run in runs:
        assert run["steps"] == 4 and [point["steps"] for point in run["curve"]] == [2, 4]
        assert 1 <= run["modes"] <= 1000 and 0.0 <= run["kl"] <= 6.91
        assert run["seconds"] > 0 and run["device"].endswith("CPU")
        assert run["command"].startswith("python benchmarks/stacked_mnist.py --variant")
    assert runs[0]["critic_steps"] == 1 and runs[1]["critic_steps"] == 5
    testing_utils.open_png(tmp_path / "stacked_mnist_curves.png")
    assert testing_utils.open_png(tmp_path / "stacked_mnist_samples_gan.png").mode == "RGB"


def test_a_run_replaces_only_the_same_run(tmp_path):
    args = types.SimpleNamespace(results=str(tmp_path))
    key = {"dim": 4, "planned_steps": 4, "device": "2-core CPU", "generator_ema": None}
    curve = [{"steps": 2, "modes": 3, "kl": 5.0}]

    def run(variant, kl, **changes):
        return {"variant": variant, **key, **changes, "kl": kl, "curve": curve}

    stacked_mnist.record(args, run("gan", 6.0))
    stacked_mnist.record(args, run("wgan-clip", 5.0))
    stacked_mnist.record(args, run("gan", 4.0, generator_ema=0.99))  # another run
    stacked_mnist.record(args, run("gan", 3.0))  # replaces the first
    runs = json.loads((tmp_path / "stacked_mnist.json").read_text())["runs"]
    assert [(r["variant"], r["generator_ema"], r["kl"]) for r in runs] == [
        ("wgan-clip", None, 5.0),
        ("gan", 0.99, 4.0),
        ("gan", None, 3.0),
    ]
    testing_utils.open_png(tmp_path / "stacked_mnist_curves.png")
