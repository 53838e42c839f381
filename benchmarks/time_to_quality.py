"""Wall-clock time to a quality target, for the default WGAN-GP and each speed option.

8 gaussians (`--task toy`): the WGAN-GP paper's toy set-up (generator and
critic 3 x Dense(512, relu), batch 256, 5 critic iterations, lambda = 0.1,
Adam(1e-4, 0.5, 0.9)) trained with `fit` until the exact W1 between 2000
generated points and 2000 held real points falls below `--target` (0.12).
W1 is evaluated every `--eval-every` generator steps; the evaluation time is
NOT counted (the clock is paused), the tracing of the first step is.

MNIST (`--task mnist`): the WGAN-GP paper's MNIST nets at batch 64 trained for
a fixed budget of `--minutes` (or `--max-steps` generator steps), with the
Frechet classifier distance (FCD, `keras_wgan.evaluation`) between 1000
generated and 1000 real digits every `--eval-every` steps and at the end, the
clock paused. The FCD curve compares settings at equal training time and at
equal step counts (float32 vs mixed_bfloat16).

Each setting runs in this process one after the other, so the machine's
load can differ between them: re-run, or compare settings of one run. The
console prints one line per setting and a JSON file keeps every W1 curve.

Usage:
    python benchmarks/time_to_quality.py --task toy --settings default lazy5 bf16
    python benchmarks/time_to_quality.py --task toy --budget 60 --settings best
    python benchmarks/time_to_quality.py --task mnist --minutes 3 --settings default bf16
    python benchmarks/time_to_quality.py --task mnist --max-steps 400 --minutes 60 --settings default bf16
    python benchmarks/time_to_quality.py --task toy --finite-check 2000   # mixed precision NaN/inf check
"""

import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_wgan as kw  # noqa: E402
from keras_wgan import architectures, evaluation  # noqa: E402
from keras_wgan.datasets import eight_gaussians  # noqa: E402

# name -> (WGANGP options, dtype policy, learning rate or None for the task default)
SETTINGS = {
    "default": ({}, "float32", None),
    "lazy2": ({"penalty_every": 2}, "float32", None),
    "lazy5": ({"penalty_every": 5}, "float32", None),
    "half": ({"penalty_batch_fraction": 0.5}, "float32", None),
    "quarter": ({"penalty_batch_fraction": 0.25}, "float32", None),
    "bf16": ({}, "mixed_bfloat16", None),
    "lr1e-3": ({}, "float32", 1e-3),
    "lr1e-3-bf16": ({}, "mixed_bfloat16", 1e-3),
    "lr1e-3-lazy5": ({"penalty_every": 5}, "float32", 1e-3),
    "best": ({"penalty_every": 5}, "mixed_bfloat16", 1e-3),
}


def build(task, setting, seed, units=None):
    options, policy, lr = SETTINGS[setting]
    keras.config.set_dtype_policy(policy)
    try:
        keras.utils.set_random_seed(seed)
        if task == "toy":
            units = units or 512
            critic, generator = (
                architectures.toy_critic(units=units),
                architectures.toy_generator(units=units),
            )
            gp_weight, lr, beta_1 = 0.1, lr or 1e-4, 0.5
        else:
            critic, generator = (
                architectures.mnist_critic(dim=64),
                architectures.mnist_generator(latent_dim=128, dim=64),
            )
            gp_weight, lr, beta_1 = 10.0, lr or 1e-4, 0.0
        model = kw.WGANGP(critic, generator, gp_weight=gp_weight, seed=seed, **options)
        model.compile(
            critic_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1, beta_2=0.9),
            generator_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1, beta_2=0.9),
        )
    finally:
        keras.config.set_dtype_policy("float32")
    return model


class Clock(keras.callbacks.Callback):
    """Evaluates every `every` steps and at the end with the clock paused; stops at the target or the budget."""

    def __init__(self, evaluate, every, target, budget_s):
        super().__init__()
        self.evaluate, self.every, self.target, self.budget_s = evaluate, every, target, budget_s
        self.curve, self.eval_s, self.reached, self.step, self.logs = [], 0.0, None, 0, {}

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def training_s(self):
        return time.perf_counter() - self.start - self.eval_s

    def record(self):
        train_s = self.training_s()
        t0 = time.perf_counter()
        value = self.evaluate(self.model)
        self.eval_s += time.perf_counter() - t0
        finite = all(math.isfinite(float(v)) for v in self.logs.values())
        self.curve.append({"step": self.step, "train_s": train_s, "value": value, "logs_finite": finite})
        if self.target is not None and value < self.target and self.reached is None:
            self.reached = {"step": self.step, "train_s": train_s, "value": value}
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        self.step, self.logs = batch + 1, logs or {}
        if self.step % self.every == 0:
            self.record()
        if self.training_s() > self.budget_s:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.reached is None and (not self.curve or self.curve[-1]["step"] != self.step):
            self.record()


def toy_data(seed, batch):
    points = eight_gaussians(200_000, seed=seed)
    return (
        tf.data.Dataset.from_tensor_slices(points)
        .shuffle(200_000, seed=seed)
        .repeat()
        .batch(batch, drop_remainder=True)
    )


def run_toy(setting, args, seed):
    model = build("toy", setting, seed)
    held = eight_gaussians(2000, seed=seed + 1000)
    clock = Clock(lambda m: evaluation.w1_to_data(m, held, seed=0), args.eval_every, args.target, args.budget)
    model.fit(toy_data(seed, 256), epochs=1, steps_per_epoch=args.max_steps, callbacks=[clock], verbose=0)
    last = clock.curve[-1] if clock.curve else None
    return {
        "setting": setting,
        "seed": seed,
        "reached": clock.reached,
        "final": last,
        "s_per_step": (last["train_s"] / last["step"]) if last else None,
        "curve": clock.curve,
    }


def run_mnist(setting, args, seed, fcd):
    model = build("mnist", setting, seed)
    images, _, _ = kw.datasets.load_mnist(allow_download=False, verbose=False)
    x = kw.datasets.scale_images(images[:, :, :, None] if images.ndim == 3 else images)
    data = (
        tf.data.Dataset.from_tensor_slices(x)
        .shuffle(len(x), seed=seed)
        .repeat()
        .batch(64, drop_remainder=True)
    )
    clock = Clock(lambda m: fcd(m.generate(1000, seed=0)), args.eval_every, None, 60.0 * args.minutes)
    model.fit(data, epochs=1, steps_per_epoch=args.max_steps, callbacks=[clock], verbose=0)
    last = clock.curve[-1]
    return {
        "setting": setting,
        "seed": seed,
        "minutes": args.minutes,
        "steps": last["step"],
        "train_s": last["train_s"],
        "s_per_step": last["train_s"] / last["step"],
        "fcd": last["value"],
        "last_logs": {k: float(v) for k, v in clock.logs.items()},
        "logs_finite": all(c["logs_finite"] for c in clock.curve),
        "curve": clock.curve,
    }


def finite_check(args):
    """`--finite-check N`: N generator steps of the toy set-up per (variant, policy); every logged value finite."""
    rows = []
    for policy in args.policies:
        for variant in args.variants:
            keras.config.set_dtype_policy(policy)
            try:
                keras.utils.set_random_seed(0)
                critic = architectures.toy_critic(units=args.units)
                generator = architectures.toy_generator(units=args.units)
                if variant == "gp":
                    model = kw.WGANGP(critic, generator, gp_weight=0.1, seed=0)
                    model.compile(
                        critic_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
                        generator_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
                    )
                else:
                    model = kw.WGAN(critic, generator, seed=0)
                    model.compile()
            finally:
                keras.config.set_dtype_policy("float32")
            held = eight_gaussians(2000, seed=1000)
            bad = []

            class Watch(keras.callbacks.Callback):
                def on_train_batch_end(self, batch, logs=None):
                    if not all(math.isfinite(float(v)) for v in logs.values()):
                        bad.append(batch)  # noqa: B023 (the callback lives for this iteration only)

            start = time.perf_counter()
            model.fit(
                toy_data(0, 256), epochs=1, steps_per_epoch=args.finite_check, callbacks=[Watch()], verbose=0
            )
            seconds = time.perf_counter() - start
            weights_finite = all(np.isfinite(w).all() for w in model.get_weights())
            w1 = evaluation.w1_to_data(model, held, seed=0)
            scale = None
            if isinstance(model.critic_optimizer, keras.optimizers.LossScaleOptimizer):
                scale = float(model.critic_optimizer.dynamic_scale)
            row = {
                "policy": policy,
                "variant": variant,
                "steps": args.finite_check,
                "units": args.units,
                "non_finite_steps": len(bad),
                "weights_finite": weights_finite,
                "w1": w1,
                "seconds": seconds,
                "critic_loss_scale": scale,
            }
            rows.append(row)
            print(
                f"  {policy:15s} {variant:4s} {args.finite_check} steps: non-finite logs at {len(bad)} steps, "
                f"weights finite {weights_finite}, W1 {w1:.3f}, {seconds:.0f} s, loss scale {scale}",
                flush=True,
            )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--task", choices=["toy", "mnist"], default="toy")
    parser.add_argument(
        "--settings",
        nargs="+",
        default=["default", "lazy5", "quarter", "bf16", "lr1e-3", "best"],
        choices=sorted(SETTINGS),
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--target", type=float, default=0.12, help="toy: exact W1 (2000 points) to reach")
    parser.add_argument(
        "--budget", type=float, default=180.0, help="toy: seconds of training per setting at most"
    )
    parser.add_argument("--eval-every", type=int, default=50)
    parser.add_argument("--max-steps", type=int, default=100_000)
    parser.add_argument("--minutes", type=float, default=3.0, help="mnist: training budget per setting")
    parser.add_argument(
        "--finite-check",
        type=int,
        default=0,
        metavar="N",
        help="instead: N toy steps per (policy, variant), report non-finite values",
    )
    parser.add_argument("--units", type=int, default=512, help="--finite-check: toy net width")
    parser.add_argument(
        "--policies",
        nargs="+",
        default=["mixed_bfloat16", "mixed_float16"],
        choices=["mixed_bfloat16", "mixed_float16"],
        help="--finite-check: dtype policies",
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["gp", "clip"],
        choices=["gp", "clip"],
        help="--finite-check: WGAN-GP and/or WGAN",
    )
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    print(
        f"{os.cpu_count()} cores, load {os.getloadavg()}, TF {tf.__version__}, Keras {keras.__version__}",
        flush=True,
    )

    if args.finite_check:
        rows = finite_check(args)
        out = args.json or "benchmarks/results/finite_check.json"
    elif args.task == "toy":
        rows = []
        for seed in args.seeds:
            for setting in args.settings:
                row = run_toy(setting, args, seed)
                rows.append(row)
                reached = row["reached"]
                final = row["final"]
                print(
                    f"  {setting:14s} seed {seed}: "
                    + (
                        f"W1 {reached['value']:.3f} < {args.target} after {reached['step']} steps, "
                        f"{reached['train_s']:.1f} s"
                        if reached
                        else f"not reached in {final['train_s']:.0f} s ({final['step']} steps), last W1 {final['value']:.3f}"
                    )
                    + f"  [{row['s_per_step'] * 1e3:.0f} ms/step]",
                    flush=True,
                )
        out = args.json or "benchmarks/results/time_to_quality_toy.json"
    else:
        images, _, _ = kw.datasets.load_mnist(allow_download=False, verbose=False)
        rng = np.random.default_rng(123)
        real_eval = kw.datasets.scale_images(images[rng.choice(len(images), 1000, replace=False)])
        fcd_metric = evaluation.FrechetClassifierDistance(value_range=(-1, 1))
        fcd = lambda generated: fcd_metric(generated, real_eval)  # noqa: E731
        rows = []
        for seed in args.seeds:
            for setting in args.settings:
                row = run_mnist(setting, args, seed, fcd)
                rows.append(row)
                print(
                    f"  {setting:14s} seed {seed}: {row['steps']} steps in {row['train_s']:.0f} s "
                    f"({row['s_per_step'] * 1e3:.0f} ms/step), FCD {row['fcd']:.2f}, logs finite {row['logs_finite']}",
                    flush=True,
                )
        out = args.json or "benchmarks/results/time_to_quality_mnist.json"
    print(f"load at end {os.getloadavg()}")
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump({"argv": sys.argv, "rows": rows}, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
