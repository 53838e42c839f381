"""examples/train_images.py end to end on a folder the test draws itself (tiny nets, a few steps)."""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.image_folders import add_broken_files, make_shapes_folder

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "train_images.py"
# --quick's habits with the smallest work that still trains: 2 epochs of 2
# steps, 2 critic iterations each, networks of width 4.
TINY = [
    "--quick",
    "--image-size",
    "32",
    "--epochs",
    "2",
    "--steps-per-epoch",
    "2",
    "--critic-steps",
    "2",
    "--batch-size",
    "8",
    "--dim",
    "4",
    "--latent-dim",
    "16",
]


def run_example(*args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    make_shapes_folder(str(root), count=20)
    return root, add_broken_files(str(root))


@pytest.fixture(scope="module")
def random_inception_weights(tmp_path_factory):
    """A weights file of a random FID Inception: the --inception-weights plumbing, offline."""
    import keras_wgan as kw

    path = tmp_path_factory.mktemp("inception") / "random_inception.weights.h5"
    kw.evaluation.fid_inception(weights=None).save_weights(str(path))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["dcgan", "resnet"])
def test_tiny_run_resume_and_refusal(folder, tmp_path, arch, random_inception_weights):
    data, broken = folder
    out = tmp_path / "run"
    # FID and KID on the DCGAN run only: one pass of the plumbing is enough.
    fid = ["--fid-every", "1", "--fid-images", "16", "--inception-weights", str(random_inception_weights)]
    result = run_example(
        "--data", str(data), "--arch", arch, "--out", str(out), *TINY, *(fid if arch == "dcgan" else [])
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # The broken files are named in one warning, and training went on.
    assert "Skipping 2 of 22 image files" in result.stderr
    assert all(path in result.stderr for path in broken)
    grids = sorted((out / "samples").glob("*.png"))
    assert len(grids) == 2
    with Image.open(grids[-1]) as image:
        assert image.mode == "RGB" and image.size[0] > 100
    assert (out / "curves.png").is_file()
    with open(out / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [0, 1]
    assert all(np.isfinite(float(r["wasserstein_estimate"])) for r in rows)
    if arch == "dcgan":
        assert all(np.isfinite(float(r["fid"])) and np.isfinite(float(r["kid"])) for r in rows)
    assert (out / "checkpoints" / "wgan.keras").is_file()
    assert (out / "export" / "image_generator" / "1" / "saved_model.pb").is_file()

    refused = run_example("--data", str(data), "--arch", arch, "--out", str(out), *TINY)
    assert refused.returncode != 0 and "already holds a run" in refused.stderr

    if arch == "dcgan":  # --resume once: the same code path for both nets
        resumed = run_example(
            "--data", str(data), "--arch", arch, "--out", str(out), "--resume", *TINY, "--epochs", "3"
        )  # argparse: the last --epochs wins
        assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
        with open(out / "metrics.csv", newline="") as f:
            assert [int(r["epoch"]) for r in csv.DictReader(f)] == [0, 1, 2]


@pytest.mark.slow
def test_missing_folder_and_missing_weights_are_clear_errors(folder, tmp_path):
    result = run_example("--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "run"), *TINY)
    assert result.returncode != 0
    assert "not a folder" in result.stderr
    data, _ = folder
    result = run_example(
        "--data",
        str(data),
        "--out",
        str(tmp_path / "run2"),
        *TINY,
        "--fid-every",
        "1",
        "--inception-weights",
        str(tmp_path / "missing.h5"),
    )
    assert result.returncode != 0
    assert "No weights file" in result.stderr and "missing.h5" in result.stderr
