"""Seconds of WGAN-GP training on JAX to reach FCD 30 and FCD 10 on MNIST, the clock paused for evaluation.

keras_wgan's `WGANGP` with the WGAN-GP paper's MNIST nets (Algorithm 1:
lambda = 10, 5 critic iterations, Adam(1e-4, 0, 0.9), batch 64) on the JAX
backend, trained on the bundled MNIST split (the 10,000 digits of t10k less
1,000 held out by `split_holdout(seed=0)`). Every `--eval-every` generator
steps the device is synchronised, the clock paused, and the Frechet
classifier distance (`keras_wgan.evaluation.FrechetClassifierDistance`,
1,000 generated vs the 1,000 held-out digits) computed. The run ends at the
last target, or after `--minutes` of training (clock time, evaluation
excluded), or after `--wall-minutes` of wall time (evaluation included).

The train step is the model's own jitted `train_function`, as `fit` calls it
(`benchmarks/jax_loop.py`); real batches are drawn on the device from the
training digits held there (a fresh permutation per epoch, 5 batches per
step), so no host input pipeline sits in the measurement. The clock
includes the first step's compilation (also reported on its own as
`compile_s`): a user waits for it too.

Usage:
    KERAS_BACKEND=jax python benchmarks/gpu_time_to_quality.py --minutes 3
    KERAS_BACKEND=jax python benchmarks/gpu_time_to_quality.py --smoke
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

START = time.perf_counter()


def log(message):
    print(f"[{time.perf_counter() - START:6.1f}s] {message}", flush=True)


def write_json(path, data):
    # Imported here: importing keras_wgan imports Keras, whose backend `main` sets first.
    from keras_wgan.utils.file_utils import write_text_atomically

    if path:
        write_text_atomically(path, json.dumps(data, indent=1))


class DeviceBatches:
    """Real batches `(batch, critic_steps, 28, 28, 1)` drawn on the device, without replacement within an epoch."""

    def __init__(self, images, batch, critic_steps=5, seed=0):
        import jax

        self.images = jax.device_put(images)
        self.per_step = batch * critic_steps
        self.shape = (batch, critic_steps)
        self.rng = np.random.default_rng(seed)
        self.order, self.position = self.rng.permutation(len(images)), 0
        self.take = jax.jit(lambda images, index: images[index])

    def next_indices(self, steps):
        """`(steps, batch, critic_steps)` indices, reshuffling at each epoch's end."""
        rows = []
        for _ in range(steps):
            if self.position + self.per_step > len(self.order):
                self.order, self.position = self.rng.permutation(len(self.order)), 0
            rows.append(self.order[self.position : self.position + self.per_step].reshape(self.shape))
            self.position += self.per_step
        return np.stack(rows).astype("int32")

    def batches(self, steps):
        import jax

        indices = jax.device_put(self.next_indices(steps))
        return [self.take(self.images, indices[i]) for i in range(steps)]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--minutes", type=float, default=3.0, help="training time budget (evaluation excluded)"
    )
    parser.add_argument(
        "--wall-minutes",
        type=float,
        default=None,
        help="wall-time budget, evaluation included (default: minutes + 1.5)",
    )
    parser.add_argument("--eval-every", type=int, default=250, help="generator steps between FCD evaluations")
    parser.add_argument("--targets", nargs="+", type=float, default=[30.0, 10.0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--policy", default="float32", choices=["float32", "mixed_bfloat16"])
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument(
        "--fcd-n", type=int, default=1000, help="generated images per FCD (vs as many held-out)"
    )
    parser.add_argument("--max-steps", type=int, default=10**9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="tiny: 6 steps, FCD every 3 on 200 images")
    parser.add_argument("--json", default="benchmarks/results/gpu_time_to_quality.json")
    args = parser.parse_args(argv)
    if args.smoke:
        args.max_steps, args.eval_every, args.fcd_n, args.batch = 6, 3, 200, 16
    wall_budget_s = 60.0 * (args.wall_minutes if args.wall_minutes is not None else args.minutes + 1.5)

    os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    import jax
    import keras
    from jax_loop import TrainLoop, build_wgan_gp

    import keras_wgan as kw
    from keras_wgan import evaluation

    if keras.backend.backend() != "jax":
        raise SystemExit(f"Set KERAS_BACKEND=jax. Received: {keras.backend.backend()}")
    info = {
        "jax": jax.__version__,
        "keras": keras.__version__,
        "device": jax.devices()[0].device_kind,
        "devices": [str(d) for d in jax.devices()],
    }
    log(f"environment: {info}")

    images, _, source = kw.datasets.load_mnist(allow_download=False, verbose=False)
    train, held = kw.datasets.split_holdout(images, holdout=1000, seed=0)

    def as_float(images):
        return np.asarray(keras.ops.convert_to_numpy(kw.datasets.scale_images(images))).reshape(-1, 28, 28, 1)

    x_train, x_held = as_float(train), as_float(held)[: args.fcd_n]
    fcd_metric = evaluation.FrechetClassifierDistance(value_range=(-1, 1))
    info["classifier"] = evaluation.mnist_classifier_info()
    real_stats = fcd_metric.statistics(x_held)
    log(f"data: {len(x_train)} training digits, {len(x_held)} held out ({source}); classifier ready")

    model = build_wgan_gp("mnist", args.policy, seed=args.seed, lr=args.lr)
    loop = TrainLoop(model)
    data = DeviceBatches(x_train, args.batch, seed=args.seed)

    settings = {k: v for k, v in vars(args).items() if k != "json"}
    output = {"environment": info, "argv": sys.argv, "settings": settings, "curve": [], "reached": {}}
    eval_s, steps, compile_s = 0.0, 0, None
    remaining = sorted(args.targets, reverse=True)

    def evaluate():
        nonlocal eval_s
        loop.block()
        train_s = time.perf_counter() - clock_start - eval_s
        t0 = time.perf_counter()
        loop.sync_to_model()
        generated = model.generate(args.fcd_n, seed=0)
        fcd = evaluation.frechet_distance(*fcd_metric.statistics(generated), *real_stats)
        logs = loop.last_logs()
        eval_s += time.perf_counter() - t0
        point = {
            "step": steps,
            "train_s": train_s,
            "fcd": fcd,
            "logs": logs,
            "logs_finite": all(math.isfinite(v) for v in logs.values()),
            "wall_s": time.perf_counter() - START,
        }
        output["curve"].append(point)
        while remaining and fcd < remaining[0]:
            target = remaining.pop(0)
            output["reached"][str(target)] = {
                "step": steps,
                "train_s": train_s,
                "train_s_excl_compile": train_s - compile_s,
                "fcd": fcd,
            }
            log(f"FCD {fcd:.2f} < {target}: step {steps}, {train_s:.1f} s of training")
        log(
            f"step {steps:6d}  train {train_s:7.1f} s  FCD {fcd:8.2f}  eval {eval_s:5.1f} s  "
            f"critic_loss {logs.get('critic_loss', float('nan')):.3f}"
        )
        output.update(
            steps=steps,
            train_s=train_s,
            eval_s=eval_s,
            compile_s=compile_s,
            best_fcd=min(p["fcd"] for p in output["curve"]),
            ms_per_step_excl_compile=1e3 * (train_s - compile_s) / max(1, steps - 1),
        )
        write_json(args.json, output)
        return train_s

    clock_start = time.perf_counter()
    loop.run(data.batches(1))  # The first step compiles; it is counted, and reported apart.
    loop.block()
    steps, compile_s = 1, time.perf_counter() - clock_start
    log(f"first step (compilation included): {compile_s:.1f} s")
    while True:
        chunk = min(args.eval_every - steps % args.eval_every, args.max_steps - steps)
        loop.run(data.batches(chunk))
        steps += chunk
        train_s = evaluate()
        if not remaining:
            output["stopped"] = "all targets reached"
        elif steps >= args.max_steps:
            output["stopped"] = "--max-steps"
        elif train_s >= 60.0 * args.minutes:
            output["stopped"] = "--minutes of training spent"
        elif time.perf_counter() - START > wall_budget_s:
            output["stopped"] = "--wall-minutes spent"
        else:
            continue
        break
    write_json(args.json, output)
    for target in sorted(args.targets, reverse=True):
        hit = output["reached"].get(str(target))
        log(
            f"FCD {target}: "
            + (
                f"{hit['train_s']:.1f} s ({hit['step']} steps)"
                if hit
                else f"not reached; best FCD {output['best_fcd']:.2f} in {output['train_s']:.1f} s"
            )
        )
    log(
        f"stopped: {output['stopped']}; {output['ms_per_step_excl_compile']:.2f} ms/step after compilation; "
        f"wrote {args.json}"
    )


if __name__ == "__main__":
    main()
