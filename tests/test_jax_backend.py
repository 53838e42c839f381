"""keras_wgan on Keras's JAX backend against TensorFlow: parity, files, devices, no TensorFlow.

Every check runs `tests/backend_script.py` in subprocesses (Keras picks its
backend once per process; JAX fixes its devices at first use). They run in
the `KERAS_BACKEND=jax` pass of CI only, so that each runs once; the rest of
the model tests run on both backends.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

pytest.importorskip("jax")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        keras.backend.backend() != "jax",
        reason="cross-backend subprocess checks run once, in the KERAS_BACKEND=jax pass",
    ),
]

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "backend_script.py"


def run(mode, *args, backend="jax", **env):
    environment = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "CUDA_VISIBLE_DEVICES": "",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    result = subprocess.run(
        [sys.executable, str(SCRIPT), mode, *map(str, args)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stdout[-3000:] + result.stderr[-5000:]
    report = json.loads(lines[-1][len("RESULT ") :])
    print(json.dumps(report, indent=1))  # the measured numbers, with -s
    return report


def test_one_step_agrees_with_tensorflow(tmp_path):
    # Same weights, data and noise (plain arithmetic on the seed state, the
    # same on both backends): the two backends' updates agree to float32
    # rounding.
    run("step", tmp_path / "tf.npz", backend="tensorflow")
    run("step", tmp_path / "jax.npz", backend="jax")
    tf_arrays, jax_arrays = np.load(tmp_path / "tf.npz"), np.load(tmp_path / "jax.npz")
    assert sorted(tf_arrays.files) == sorted(jax_arrays.files)
    largest = {}
    for key in tf_arrays.files:
        case = key.split("/")[0]
        difference = float(np.abs(tf_arrays[key] - jax_arrays[key]).max())
        scale = max(1.0, float(np.abs(tf_arrays[key]).max()))
        largest[case] = max(largest.get(case, 0.0), difference / scale)
    print("largest relative difference per case:", largest)
    # SGD and RMSprop: rounding only. Adam's first steps move each weight
    # by about lr * g / |g|, so a gradient near 0 whose rounding differs
    # may move its weight differently: at most a fraction of lr = 1e-4.
    assert largest["WGANGP_sgd"] < 1e-6 and largest["WGAN"] < 1e-6
    assert largest["WGANGP"] < 0.1 * 1e-4 * 2


@pytest.mark.parametrize("writer, reader", [("jax", "tensorflow"), ("tensorflow", "jax")])
def test_keras_file_moves_between_backends(tmp_path, writer, reader):
    run("save", tmp_path, backend=writer)
    result = run("load", tmp_path, backend=reader)
    assert result["class"] == "WGANGP"
    assert result["arrays_equal"]  # weights and both optimizers' state
    assert result["seed_state_equal"]
    assert result["samples_max_abs_diff"] < 1e-5
    assert result["generator_steps_after_continue"] == 3 and result["critic_steps_after_continue"] == 6
    if reader == "tensorflow":
        assert result["served_shapes"]  # exported for TF Serving and served


def test_data_parallel_step_equals_single_device_step():
    result = run("dataparallel", XLA_FLAGS="--xla_force_host_platform_device_count=2")
    assert result["devices"] == 2
    for name in ("WGAN", "WGANGP"):
        case = result[name]
        assert case["variable_devices"] == [1, 2]  # really on two devices
        assert case["max_abs_diff"] <= 1e-6 * max(1.0, case["max_abs_weight"]), case
        for key, (single, distributed) in case["history"].items():
            assert distributed == pytest.approx(single, rel=1e-5, abs=1e-6), key
        assert case["seed_states_equal"]
    assert "does not split evenly across the 2 devices" in result["odd_batch_error"]


def test_trains_without_tensorflow():
    result = run("without_tensorflow")
    assert result["backend"] == "jax" and not result["tensorflow_imported"]
    # 256 samples / (32 x 2) = 4 steps from the array, 2 x 4 from the
    # PyDataset, 4 from the generator.
    assert result["WGAN"] == result["WGANGP"] == 16
    assert "TensorFlow" in result["export_error"]
