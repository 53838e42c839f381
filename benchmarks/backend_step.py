"""One backend's keras_wgan train step, timed on request: the worker of `throughput.py --backend jax`.

Keras picks its backend once per process, so `throughput.py --backend jax`
starts one worker per backend (`KERAS_BACKEND=tensorflow` and `jax`) and
INTERLEAVES them: it writes `step` to one worker's stdin, waits for the time
it reports, then asks the other; only one runs at a time, and both see the
same load. Imports neither TensorFlow nor JAX itself: what Keras's backend
needs only.

Protocol (one line each): the worker builds the nets from NumPy weights
(the same on both backends), warms up, and prints `ready <json>`; then for
every `step` line it runs one train step (5 critic iterations and one
generator iteration, on the same real batch array) and prints
`ms <milliseconds>`; `quit` ends it.

    KERAS_BACKEND=jax python benchmarks/backend_step.py --nets mnist --batch 64 --variant gp \
        --policy float32
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_wgan as kw  # noqa: E402
from keras_wgan import architectures  # noqa: E402

CRITIC_STEPS = 5


def build(nets, variant, policy):
    keras.config.set_dtype_policy(policy)
    try:
        if nets == "mnist":
            critic, generator = (
                architectures.mnist_critic(dim=64),
                architectures.mnist_generator(latent_dim=128, dim=64),
            )
        else:
            critic, generator = architectures.toy_critic(), architectures.toy_generator()
        rng = np.random.default_rng(0)
        for net in (critic, generator):
            net.set_weights([rng.normal(0.0, 0.05, w.shape).astype(w.dtype) for w in net.get_weights()])
        model = (
            kw.WGANGP(critic, generator, seed=0) if variant == "gp" else kw.WGAN(critic, generator, seed=0)
        )
        model.compile()  # jit_compile="auto": XLA on JAX, off on TensorFlow's CPU
    finally:
        keras.config.set_dtype_policy("float32")
    return model


def step_function(model, data):
    """A no-argument callable running one train step to completion."""
    if keras.backend.backend() == "jax":
        import jax

        # What `fit` runs: Keras's jitted (donating) train function, the
        # state threaded from call to call.
        model.make_train_function()
        state = tuple(
            [v.value for v in variables]
            for variables in (
                model.trainable_variables,
                model.non_trainable_variables,
                model.optimizer.variables,
                model.metrics_variables,
            )
        )
        data = jax.numpy.asarray(data)

        def run():
            nonlocal state
            logs, state = model.train_function(state, iter([data]))
            jax.block_until_ready((logs, state))

        return run
    import tensorflow as tf

    train = tf.function(model.train_step, jit_compile=model.jit_compile)
    data = tf.constant(data)
    return lambda: [v.numpy() for v in train(data).values()]


# -- the driver, in the process of `throughput.py --backend jax` ----------------


class BackendWorker:
    """A `benchmarks/backend_step.py` process on one Keras backend, stepping on request."""

    def __init__(self, backend, nets, batch, variant, policy, warmup):
        script = os.path.abspath(__file__)
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                script,
                "--nets",
                nets,
                "--batch",
                str(batch),
                "--variant",
                variant,
                "--policy",
                policy,
                "--warmup",
                str(warmup),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.info = json.loads(self._expect("ready"))

    def _expect(self, tag):
        for line in self.process.stdout:
            if line.startswith(tag + " "):
                return line[len(tag) + 1 :]
        raise RuntimeError(f"{tag!r} never came from the worker (exit code {self.process.wait()})")

    def step_ms(self):
        self.process.stdin.write("step\n")
        self.process.stdin.flush()
        return float(self._expect("ms"))

    def close(self):
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait()


def run_backends(nets, batch, variant, policy, *, pairs, warmup):
    """Interleaved JAX vs TensorFlow timing of keras_wgan's step; one row."""
    workers = {}
    try:
        # Built one after the other: compilation does not overlap either.
        for backend in ("jax", "tensorflow"):
            workers[backend] = BackendWorker(backend, nets, batch, variant, policy, warmup)
        times = {"jax": [], "tensorflow": []}
        ratios = []
        for i in range(pairs):
            order = ("jax", "tensorflow") if i % 2 == 0 else ("tensorflow", "jax")
            pair = {backend: workers[backend].step_ms() for backend in order}
            for backend, ms in pair.items():
                times[backend].append(ms)
            ratios.append(pair["tensorflow"] / pair["jax"])
    finally:
        for worker in workers.values():
            worker.close()
    return {
        "nets": nets,
        "batch": batch,
        "variant": variant,
        "policy": policy,
        "pairs": pairs,
        "jax_ms_per_step": statistics.median(times["jax"]),
        "tensorflow_ms_per_step": statistics.median(times["tensorflow"]),
        "jax_speedup_vs_tensorflow": statistics.median(ratios),
        "jax_first_step_s": workers["jax"].info["first_step_s"],
        "tensorflow_first_step_s": workers["tensorflow"].info["first_step_s"],
        "jit_compile": {b: w.info["jit_compile"] for b, w in workers.items()},
        "all_jax_ms": times["jax"],
        "all_tensorflow_ms": times["tensorflow"],
    }


def main_backends(args, info, write_json):
    """`throughput.py --backend jax`: one row per configuration, printed and written to `args.json`."""
    rows = []
    pairs = args.pairs or 9
    for nets in args.nets:
        for batch in args.batches:
            for variant in args.variants:
                for policy in args.dtypes:
                    row = run_backends(nets, batch, variant, policy, pairs=pairs, warmup=args.warmup)
                    rows.append(row)
                    if args.json:
                        write_json(args.json, {"machine": info, "argv": sys.argv, "rows": rows})
                    print(
                        f"  {nets:5s} b{batch:<4d} {variant:4s} {policy:15s} jax {row['jax_ms_per_step']:9.1f} ms  "
                        f"tf {row['tensorflow_ms_per_step']:9.1f} ms  jax speed-up x{row['jax_speedup_vs_tensorflow']:.2f}"
                        f"  (first step: jax {row['jax_first_step_s']:.1f} s, tf {row['tensorflow_first_step_s']:.1f} s)",
                        flush=True,
                    )
    info["loadavg_at_end"] = os.getloadavg()
    print("jax speed-up = median over interleaved pairs of tensorflow_time / jax_time (>1: JAX faster).")
    if args.json:
        write_json(args.json, {"machine": info, "argv": sys.argv, "rows": rows})
        print(f"wrote {args.json}")


# -- the worker ------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nets", default="mnist", choices=["mnist", "toy"])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--variant", default="gp", choices=["gp", "clip"])
    parser.add_argument("--policy", default="float32")
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)
    model = build(args.nets, args.variant, args.policy)
    shape = tuple(model.critic.input_shape[1:])
    data = np.random.default_rng(0).uniform(-1, 1, size=(args.batch, CRITIC_STEPS) + shape).astype("float32")
    run = step_function(model, data)
    start = time.perf_counter()
    run()  # tracing / compilation
    compile_s = time.perf_counter() - start
    for _ in range(args.warmup - 1):
        run()
    info = {
        "backend": keras.backend.backend(),
        "jit_compile": bool(model.jit_compile),
        "first_step_s": compile_s,
    }
    print("ready " + json.dumps(info), flush=True)
    for line in sys.stdin:
        if line.strip() != "step":
            break
        start = time.perf_counter()
        run()
        print(f"ms {1e3 * (time.perf_counter() - start)}", flush=True)


if __name__ == "__main__":
    main()
