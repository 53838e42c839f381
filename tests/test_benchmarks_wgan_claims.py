"""benchmarks/wgan_claims.py --quick, end to end: its files and its numbers."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "wgan_claims.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("claims")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, json.loads((out / "wgan_claims.json").read_text()), result.stdout


@pytest.mark.slow
def test_quick_mode_writes_every_figure_atomically(quick_report):
    out, report, _ = quick_report
    expected = {"wgan_claims.json", *report["figures"], *(run["samples"] for run in report["runs"])}
    assert set(report["figures"]) == {"claim1_meaningful_loss.png", "claim3_clip_vs_penalty.png"}
    assert len(report["runs"]) == 7 and report["complete"] is True
    assert {p.name for p in out.iterdir()} == expected  # no temporary file left behind
    for name in expected - {"wgan_claims.json"}:
        assert (out / name).read_bytes().startswith(PNG_SIGNATURE), name


@pytest.mark.slow
def test_quick_mode_logs_finite_series_and_their_correlations(quick_report):
    _, report, stdout = quick_report
    config = report["config"]
    points = config["steps"] // config["eval_every"]
    for run in report["runs"]:
        assert run["steps"] == [config["eval_every"] * (i + 1) for i in range(points)]
        assert len(run["fcd"]) == len(run["seconds"]) == points
        assert all(0 < v < math.inf for v in run["fcd"]), run["method"]
        assert np.all(np.diff(run["seconds"]) > 0)
        assert sum(run["class_counts"]) == config["eval_samples"]
        assert run["classes"] == sum(c >= 0.02 * config["eval_samples"] for c in run["class_counts"])
        assert ("wasserstein_estimate" in run) == (run["method"] != "gan")
    for method in ("clip", "gp"):
        run = next(r for r in report["runs"] if (r["generator"], r["method"]) == ("dcgan_bn", method))
        assert np.all(np.isfinite(run["wasserstein_estimate"]))
        # The reported correlations are those of the logged series.
        correlation = report["claim1_correlations"][method]
        assert correlation["points"] == points
        pearson = stats.pearsonr(run["wasserstein_estimate"], run["fcd"]).statistic
        spearman = stats.spearmanr(run["wasserstein_estimate"], run["fcd"]).statistic
        assert correlation["pearson"] == pytest.approx(pearson, abs=1e-6)
        assert correlation["spearman"] == pytest.approx(spearman, abs=1e-6)
    # The table printed for the docs is the one in the JSON.
    assert report["real_classes"] == 10
    for row in report["table"]:
        assert f"| {row['fcd']:.1f} | {row['best_fcd']:.1f} | {row['classes']} |" in stdout


def test_bad_arguments_are_named(capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import wgan_claims

    with pytest.raises(SystemExit):
        wgan_claims.parse_args(["--steps", "10", "--eval-every", "3"])
    assert "--steps (10) must be a multiple of --eval-every (3)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        wgan_claims.parse_args(["--steps", "0"])
    assert "--steps must be at least 1. Received: 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        wgan_claims.parse_args(["--runs", "mlp:wgan"])
    assert "--runs takes GENERATOR:METHOD pairs. Received: mlp:wgan" in capsys.readouterr().err
    assert wgan_claims.parse_args(["--runs", "mlp:gan5"]).runs == [("mlp", "gan5")]
    assert wgan_claims.parse_args(["--quick"]).config["steps"] == wgan_claims.QUICK["steps"]
    assert wgan_claims.correlations([1.0, 2.0], [3.0, 4.0])["pearson"] is None  # too few points
    assert wgan_claims.correlations([1.0, 2.0, 3.0], [5.0, 5.0, 5.0])["pearson"] is None  # constant
    assert wgan_claims.correlations([1.0, 2.0, 3.0], [2.0, 4.0, 6.5])["spearman"] == pytest.approx(1.0)
