"""The main job, end to end, as a new user runs it (offline, bundled data)."""

import csv
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import keras_wgan as kw
from keras_wgan.architectures import mnist_critic, mnist_generator
from tests import testing_utils

pytestmark = pytest.mark.slow  # Each test runs an example in a fresh Python process.

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "mnist_wgan.py"


def run_example(*args, timeout=600):
    return testing_utils.run_example("mnist_wgan.py", *args, timeout=timeout)


def csv_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("quick") / "run"
    start = time.time()
    result = run_example("--quick", "--out", str(out))
    print(f"--quick took {time.time() - start:.0f} s")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, result


def test_quick_run_leaves_everything_it_promises(quick_run):
    out, result = quick_run
    assert "bundled MNIST test split" in result.stdout + result.stderr  # says which data
    grids = sorted((out / "samples").glob("*.png"))
    assert len(grids) == 4  # one per epoch
    for path in grids + [out / "curves.png"]:
        with Image.open(path) as image:
            assert image.size[0] > 100 and image.size[1] > 100
    rows = csv_rows(out / "metrics.csv")
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2, 3]
    for key in (
        "critic_loss",
        "generator_loss",
        "wasserstein_estimate",
        "gradient_penalty",
        "val_wasserstein_estimate",
    ):
        assert all(np.isfinite(float(r[key])) for r in rows), key
    assert (out / "checkpoints" / "wgan.keras").is_file()
    assert (out / "export" / "mnist_generator" / "1" / "saved_model.pb").is_file()


def test_quick_run_learns(quick_run):
    out, _ = quick_run
    rows = csv_rows(out / "metrics.csv")
    # The W estimate falls as samples improve (WGAN paper's headline claim).
    first, last = float(rows[0]["wasserstein_estimate"]), float(rows[-1]["wasserstein_estimate"])
    assert last < first


def test_refuses_to_overwrite_an_earlier_run(quick_run):
    out, _ = quick_run
    before = (out / "metrics.csv").read_bytes()
    result = run_example("--quick", "--out", str(out))
    assert result.returncode != 0
    assert "already holds a run" in result.stderr and "--resume" in result.stderr
    assert (out / "metrics.csv").read_bytes() == before


def test_bad_arguments_are_named():
    result = run_example("--epochs", "0")
    assert result.returncode != 0 and "--epochs must be at least 1" in result.stderr
    result = run_example("--data", "/nonexistent/mnist.npz", "--out", "/tmp/keras_wgan_never_written")
    assert result.returncode != 0 and "/nonexistent/mnist.npz" in result.stderr
    assert not os.path.exists("/tmp/keras_wgan_never_written/metrics.csv")


def test_killed_run_resumes_and_keeps_its_metrics(tmp_path):
    out = tmp_path / "run"
    args = ["--quick", "--epochs", "3", "--steps-per-epoch", "3", "--holdout", "256", "--out", str(out)]
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    metrics = out / "metrics.csv"
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None:
        if metrics.exists() and len(csv_rows(metrics)) >= 1:
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = len(csv_rows(metrics))
    assert 1 <= done < 3, "the run should be killed after its first epoch"

    result = run_example(*args, "--resume")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = csv_rows(metrics)
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]  # earlier rows kept, none repeated
    assert (out / "export" / "mnist_generator" / "1" / "saved_model.pb").is_file()


def test_mixed_bfloat16_run_stays_finite_and_exports_float32(tmp_path):
    out = tmp_path / "run"
    result = run_example(
        "--quick",
        "--epochs",
        "2",
        "--steps-per-epoch",
        "3",
        "--holdout",
        "256",
        "--dtype-policy",
        "mixed_bfloat16",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "mixed_bfloat16" in result.stdout
    rows = csv_rows(out / "metrics.csv")
    for key in ("critic_loss", "generator_loss", "wasserstein_estimate", "gradient_penalty"):
        assert all(np.isfinite(float(r[key])) for r in rows), key
    # The networks compute in bfloat16; the served images are float32 in [0, 1].
    served = tf.saved_model.load(str(out / "export" / "mnist_generator" / "1"))
    images = served.signatures["serving_default"](latent=tf.random.normal((4, 128)))["images"]
    assert images.dtype == tf.float32
    assert 0.0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1.0
    with Image.open(sorted((out / "samples").glob("*.png"))[-1]) as grid:
        assert grid.size[0] > 100


def test_dtype_policy_must_be_known():
    result = run_example("--dtype-policy", "float64")
    assert result.returncode != 0 and "--dtype-policy" in result.stderr


def load_example():
    spec = importlib.util.spec_from_file_location("mnist_wgan_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_strategy_flag(tmp_path, monkeypatch, capsys):
    example = load_example()
    with pytest.raises(SystemExit):
        example.parse_args(["--help"])
    assert "TF_CONFIG" in capsys.readouterr().out
    assert isinstance(
        example.make_strategy(example.parse_args(["--strategy", "mirrored"])), tf.distribute.MirroredStrategy
    )
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(SystemExit, match="--strategy multiworker needs the TF_CONFIG environment variable"):
        example.main(["--strategy", "multiworker", "--out", str(tmp_path / "x")])
    assert not (tmp_path / "x").exists()


def test_optimizer_defaults_and_the_quick_clip_preset():
    example = load_example()
    preset = example.QUICK_CLIP
    # The preset is faster than the paper's RMSprop(5e-5) (issue 17).
    assert preset["learning_rate"] > 5e-5

    quick = example.build_model(example.parse_args(["--quick", "--variant", "clip"]))
    assert isinstance(quick, kw.WGAN)
    assert quick.clip_value == pytest.approx(preset["clip_value"])
    assert quick.critic_steps == preset.get("critic_steps", 5)
    for optimizer in (quick.critic_optimizer, quick.generator_optimizer):
        assert isinstance(optimizer, keras.optimizers.RMSprop)
        assert float(optimizer.learning_rate) == pytest.approx(preset["learning_rate"])
        assert (optimizer.rho, optimizer.epsilon) == (0.99, 1e-8)  # the paper's RMSprop otherwise

    # Flags beat the preset.
    flagged = example.build_model(
        example.parse_args(
            [
                "--quick",
                "--variant",
                "clip",
                "--learning-rate",
                "3e-4",
                "--clip-value",
                "0.03",
                "--critic-steps",
                "2",
            ]
        )
    )
    assert flagged.clip_value == pytest.approx(0.03) and flagged.critic_steps == 2
    assert float(flagged.critic_optimizer.learning_rate) == pytest.approx(3e-4)

    # A run without --quick, and kw.WGAN itself, keep the paper's values.
    paper = example.build_model(example.parse_args(["--variant", "clip", "--dim", "4"]))
    keras.utils.set_random_seed(0)
    plain = kw.WGAN(mnist_critic(dim=4), mnist_generator(8, dim=4))
    plain.compile()
    for model in (paper, plain):
        assert model.clip_value == pytest.approx(0.01) and model.critic_steps == 5
        for optimizer in (model.critic_optimizer, model.generator_optimizer):
            assert float(optimizer.learning_rate) == pytest.approx(5e-5)

    # WGAN-GP, quick or not: Adam(2e-4, 0.5, 0.9), 5 critic steps.
    for argv in (["--quick"], ["--dim", "4"]):
        gp = example.build_model(example.parse_args(argv))
        assert isinstance(gp, kw.WGANGP) and gp.critic_steps == 5
        for optimizer in (gp.critic_optimizer, gp.generator_optimizer):
            assert isinstance(optimizer, keras.optimizers.Adam)
            assert float(optimizer.learning_rate) == pytest.approx(2e-4)
            assert (optimizer.beta_1, optimizer.beta_2) == (0.5, 0.9)


def test_clip_flags_are_checked(capsys):
    example = load_example()
    for argv, message in (
        (["--variant", "clip", "--clip-value", "0"], "--clip-value must be positive. Received: 0.0"),
        (["--learning-rate=-1e-3"], "--learning-rate must be positive. Received: -0.001"),
        (["--clip-value", "0.05"], "--clip-value applies to --variant clip only"),
    ):
        with pytest.raises(SystemExit):
            example.parse_args(argv)
        assert message in capsys.readouterr().err


def test_conditional_run_draws_one_row_per_digit_and_serves_labels(tmp_path):
    # A short --conditional run: the same outputs, a grid of 10 rows (one per
    # digit), the conditional accuracy logged, an export that takes labels.
    out = tmp_path / "run"
    short = ["--epochs", "1", "--steps-per-epoch", "3", "--holdout", "256"]
    result = run_example("--quick", "--conditional", *short, "--out", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (grid,) = sorted((out / "samples").glob("*.png"))
    with Image.open(grid) as image:
        assert image.size == (7 * 30 + 2, 10 * 30 + 2)  # ceil(64 / 10) = 7 columns, 10 rows
    (row,) = csv_rows(out / "metrics.csv")
    assert 0.0 <= float(row["conditional_accuracy"]) <= 1.0
    served = tf.saved_model.load(str(out / "export" / "mnist_generator" / "1"))
    sample = served.signatures["sample"]
    sevens = sample(num_samples=tf.constant(2), seed=tf.constant(0), label=tf.constant(7))
    assert sevens["images"].shape == (2, 28, 28, 1)
