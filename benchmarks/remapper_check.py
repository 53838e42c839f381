"""Does TensorFlow's "remapper failed" line matter? Runs with Grappler's remapper on and off.

    python benchmarks/remapper_check.py [--rounds 2] [--json benchmarks/results/remapper_check.json]

During the first step of `examples/mnist_wgan.py --quick`, TensorFlow prints

    E ... meta_optimizer.cc:967] remapper failed: INVALID_ARGUMENT: Mutation::Apply
    error: fanout '.../LeakyRelu/LeakyReluGrad' exist for missing node '.../conv_3_1/BiasAdd'.

Grappler's remapper tried to fuse a critic convolution with its bias and
LeakyReLU, but the gradient still reads the bias output, so the rewrite is
refused and the graph is kept as it was. This script checks that claim: one
worker process per run (Grappler's options hold for a whole process),
alternating the remapper on (TensorFlow's default) and off
(`tf.config.optimizer.set_experimental_options({"remapping": False})`):

- `train`: the quick run's WGAN-GP (`--dim 32`, batch 64, seed 0) for 31
  steps: the first step's logs and the critic's weights after 31 steps must be
  identical in both modes if the failed rewrite changed nothing; CPU seconds
  per step (process time, less disturbed by other jobs than wall time).
- `classifier`: the FCD classifier's `predict` on 2,000 digits, where the
  remapper does fuse `Conv2D + BiasAdd + ReLU`: the cost of turning it off.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(task, mode):
    import numpy as np
    import tensorflow as tf

    if mode == "off":
        tf.config.optimizer.set_experimental_options({"remapping": False})
    import keras

    import keras_wgan as kw

    images, _, _ = kw.datasets.load_mnist(allow_download=False, verbose=False)
    if task == "classifier":
        classifier = kw.evaluation.mnist_classifier(verbose=False)
        x = (images[:2000, ..., None] / 255.0).astype("float32")
        classifier.predict(x[:250], batch_size=250, verbose=0)
        cpu = []
        for _ in range(3):
            start = time.process_time()
            probabilities = classifier.predict(x, batch_size=250, verbose=0)
            cpu.append(time.process_time() - start)
        return {"cpu_seconds_per_2000": cpu, "probability_sum": float(np.sum(probabilities[:, 0]))}
    keras.utils.set_random_seed(0)
    x = np.asarray(kw.datasets.scale_images(images[: 64 * 5 * 12], (-1, 1)), dtype="float32")[..., None]
    wgan = kw.WGANGP(
        kw.architectures.mnist_critic(dim=32), kw.architectures.mnist_generator(128, dim=32), seed=0
    )
    wgan.compile(jit_compile=False)
    first = wgan.fit(x, batch_size=64, epochs=1, steps_per_epoch=1, shuffle=False, verbose=0).history
    cpu = []
    for _ in range(3):
        start = time.process_time()
        wgan.fit(x, batch_size=64, epochs=1, steps_per_epoch=10, shuffle=False, verbose=0)
        cpu.append((time.process_time() - start) / 10)
    weights = float(sum(np.sum(np.abs(w), dtype="float64") for w in wgan.critic.get_weights()))
    return {
        "first_step_logs": {name: float(values[0]) for name, values in first.items()},
        "critic_abs_weight_sum_after_31_steps": weights,
        "cpu_seconds_per_step": cpu,
    }


def _machine():
    import tensorflow as tf

    model = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as file:
            names = [line.split(":", 1)[1].strip() for line in file if line.startswith("model name")]
        model = names[0] if names else model
    return f"{os.cpu_count()} cores of {model}, TensorFlow {tf.__version__}"


def run_worker(task, mode):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="0")
    done = subprocess.run(
        [sys.executable, __file__, "--worker", task, mode],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["printed_remapper_failed"] = "remapper failed" in done.stderr
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", default=os.path.join(ROOT, "benchmarks", "results", "remapper_check.json"))
    parser.add_argument("--worker", nargs=2, metavar=("TASK", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    load_before = os.getloadavg()
    runs = []
    for task in ("train", "classifier"):
        for round_index in range(args.rounds):
            for mode in ("on", "off"):
                runs.append({"task": task, "round": round_index, "remapper": mode, **run_worker(task, mode)})
                print(json.dumps(runs[-1]), flush=True)
    summary = {}
    for task, key in (("train", "cpu_seconds_per_step"), ("classifier", "cpu_seconds_per_2000")):
        for mode in ("on", "off"):
            values = [v for run in runs if run["task"] == task and run["remapper"] == mode for v in run[key]]
            summary[f"{task}_{mode}_median_{key}"] = statistics.median(values)
    train = [run for run in runs if run["task"] == "train"]
    summary["train_results_identical"] = all(
        run["first_step_logs"] == train[0]["first_step_logs"]
        and run["critic_abs_weight_sum_after_31_steps"] == train[0]["critic_abs_weight_sum_after_31_steps"]
        for run in train
    )
    record = {
        "command": "python benchmarks/remapper_check.py " + " ".join(sys.argv[1:]),
        "machine": _machine(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "summary": summary,
        "runs": runs,
    }
    sys.path.insert(0, ROOT)
    from keras_wgan.utils.file_utils import write_text_atomically

    write_text_atomically(args.json, json.dumps(record, indent=1) + "\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
