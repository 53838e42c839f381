"""WGAN and WGAN-GP under tf.distribute: MirroredStrategy and MultiWorkerMirroredStrategy.

TensorFlow fixes its devices when it first uses them, which this pytest
process has done: every distributed run happens in a subprocess
(`tests/distribute_script.py`) that splits the CPU into logical devices or
joins a 2-worker cluster on 127.0.0.1.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import keras_wgan as kw
from keras_wgan.backends import tensorflow as backend
from tests.conftest import mlp

pytestmark = [
    pytest.mark.slow,
    pytest.mark.requires_tensorflow_backend(
        "tf.distribute strategies; the JAX backend's keras.distribution is tested in tests/test_jax_backend.py"
    ),
]

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "distribute_script.py"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}


@pytest.fixture(scope="module")
def equivalence():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "equivalence"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stdout[-3000:] + result.stderr[-5000:]
    report = json.loads(lines[-1][len("RESULT ") :])
    print(json.dumps(report, indent=1))  # the measured differences, with -s
    assert report["replicas"] == 2
    return report


@pytest.mark.parametrize("variant", ["wgan", "wgangp"])
def test_distributed_gradients_equal_single_device_gradients(equivalence, variant):
    # SGD at learning rate 1: each weight change is minus the gradient of
    # the global-batch loss. Float rounding alone separates them.
    case = equivalence[f"{variant}_gradients"]
    for net in ("critic", "generator"):
        assert case[net]["max_rel"] < 1e-5, (net, case[net])
    for name, (single, distributed) in case["history"].items():
        assert distributed == pytest.approx(single, rel=1e-5, abs=1e-6), name  # metrics too
    assert case["seed_states_equal"] and case["generator_steps"] == [1, 1]


def test_distributed_conditional_gradients_equal_single_device_gradients(equivalence):
    # Two critic iterations and one generator iteration with labels, SGD at
    # learning rate 1: the weight changes are the global-batch gradients.
    case = equivalence["wgangp_conditional_gradients"]
    for net in ("critic", "generator"):
        assert case[net]["max_rel"] < 1e-5, (net, case[net])
    for name, (single, distributed) in case["history"].items():
        assert distributed == pytest.approx(single, rel=1e-5, abs=1e-6), name
    assert case["seed_states_equal"] and case["generator_steps"] == [1, 1]


def test_distributed_wgan_update_equals_single_device_update(equivalence):
    # RMSprop and clipping to 0.01, two steps of two critic updates.
    case = equivalence["wgan_updates"]
    for net in ("critic", "generator"):
        assert case[net]["max_rel"] < 1e-5, (net, case[net])
    assert case["max_abs_weight"] <= 0.01 + 1e-9  # clipping holds on every replica
    assert case["seed_states_equal"] and case["generator_steps"] == [2, 2]


def test_distributed_wgangp_update_equals_single_device_update(equivalence):
    # Adam's first steps move each weight by about lr * g / |g|: a gradient
    # of ~1e-7, whose rounding differs with the summation order, may move
    # its weight differently. All others agree to float precision.
    case = equivalence["wgangp_updates"]
    for net in ("critic", "generator"):
        assert case[net]["max_abs"] < 0.1 * 1e-4 * 2, (net, case[net])  # 10% of 2 steps of lr
        assert case[net]["fraction_above_1e-7"] < 0.03, (net, case[net])
    for name, (single, distributed) in case["history"].items():
        assert distributed == pytest.approx(single, rel=1e-4, abs=1e-6), name
    assert case["seed_states_equal"] and case["generator_steps"] == [2, 2]


def test_the_comparison_sees_replicas_that_share_their_noise(equivalence):
    # Without `backend.replica_rows` both replicas draw the same noise for
    # their halves of the batch: the test above would catch it.
    case = equivalence["wgan_gradients_same_noise_per_replica"]
    assert case["critic"]["max_rel"] > 1e-2 and case["generator"]["max_rel"] > 1e-2


def free_ports(count):
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def test_multi_worker_mirrored_strategy_keeps_workers_identical(tmp_path):
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    processes, logs = [], []
    try:
        for index in range(2):
            env = {
                **ENV,
                "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
            }
            logs.append(open(tmp_path / f"worker{index}.log", "w"))
            processes.append(
                subprocess.Popen(
                    [sys.executable, str(SCRIPT), "multiworker", str(tmp_path)],
                    cwd=ROOT,
                    env=env,
                    stdout=logs[-1],
                    stderr=subprocess.STDOUT,
                )
            )
        for process in processes:
            process.wait(timeout=240)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
    messages = "\n".join((tmp_path / f"worker{i}.log").read_text()[-3000:] for i in range(2))
    assert [p.returncode for p in processes] == [0, 0], messages
    first, second = (dict(np.load(tmp_path / f"worker{index}.npz")) for index in range(2))
    names = [name for name in first if name.startswith("multiworker/")]
    assert len(names) == 2 * 6 + 2
    for name in names:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)
    assert int(first["multiworker/generator_steps"]) == 3
    # And both equal the same 3 steps on one device (SGD: the update is the
    # gradient, so this compares the gradients of the global batch).
    for name in names:
        single = first[name.replace("multiworker/", "single/")]
        np.testing.assert_allclose(first[name], single, rtol=1e-5, atol=1e-6, err_msg=name)
    # Checkpoints: the chief wrote the .keras file, each worker its backup.
    assert sorted(os.listdir(tmp_path / "checkpoints")) == ["wgan.keras"]
    assert sorted(os.listdir(tmp_path / "backup")) == ["epoch-000001.weights.h5", "worker-1"]
    assert os.listdir(tmp_path / "backup" / "worker-1") == ["epoch-000001.weights.h5"]
    restored = kw.load_wgan(tmp_path / "checkpoints" / "wgan.keras")
    assert int(restored.generator_optimizer.iterations) == 3
    for i, weight in enumerate(restored.critic.get_weights()):
        np.testing.assert_array_equal(weight, first[f"multiworker/critic_{i}"])


# -- the helpers, in this process (one device) ----------------------------


def test_replica_rows_on_one_device_draws_the_batch():
    calls = []

    def draw(rows):
        calls.append(rows)
        return tf.range(rows)

    assert backend.replica_info() == (0, 1)
    np.testing.assert_array_equal(backend.replica_rows(draw, 4), [0, 1, 2, 3])
    assert calls == [4]


def test_uneven_split_is_refused():
    class FourReplicas:
        num_replicas_in_sync = 4

    backend.check_even_split(64, FourReplicas())
    with pytest.raises(
        ValueError, match=r"`batch_size=50` does not split evenly across the 4 replicas.*multiple of 4"
    ):
        backend.check_even_split(50, FourReplicas())
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), critic_steps=1)
    model.compile()
    model.fit(np.zeros((60, 2), "float32"), batch_size=30, epochs=1, verbose=0)  # one replica: any size
