"""DiffAugment on a small MNIST subset: FCD with and without, the same budget (issue 24).

WGAN-GP with the WGAN-GP paper's MNIST nets (`--dim` wide), the MNIST job's
optimiser (Adam 2e-4, beta_1 = 0.5, beta_2 = 0.9) and batch 64, 5 critic
iterations, trained on the first `--train-digits` digits of the MNIST job's
training split (`split_holdout(images, holdout=1000, seed=0)` of what
`load_mnist` finds). Every `--eval-every` generator steps the Frechet
classifier distance (FCD) between 1,000 generated digits and the 1,000
held-out digits is measured twice: for the trained generator and for its
exponential moving average (`generator_ema=--ema`; the average does not
change training, so one run gives both). One process runs one setting, so
that the two settings can run side by side; `--merge` joins their files,
keeping the step counts both reached. `--merge ... --series NAME` adds
the runs to an existing `--out` instead, as a series of their own (a
longer budget, say), in place of an earlier series of that name.

After every evaluation the whole model is saved beside `--out` (the same
name ending in `.keras`), so that `--resume` can carry an interrupted run,
or a finished one, on to `--steps`. A resumed run is not bit-identical to
one that ran straight through: each `fit` call shuffles with the global
random state, which the checkpoint does not hold.

Usage:
    python benchmarks/diffaugment_mnist.py --augment on --out /tmp/on.json
    python benchmarks/diffaugment_mnist.py --augment off --out /tmp/off.json
    python benchmarks/diffaugment_mnist.py --merge /tmp/on.json /tmp/off.json \\
        --out benchmarks/results/diffaugment_mnist.json
    python benchmarks/diffaugment_mnist.py --merge /tmp/long_on.json /tmp/long_off.json \\
        --series "runs of 4,000 steps" --out benchmarks/results/diffaugment_mnist.json
    python benchmarks/diffaugment_mnist.py --augment on --steps 12000 --resume --out /tmp/long_on.json
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
from stacked_mnist import device_name  # noqa: E402

import keras_wgan as kw  # noqa: E402
from keras_wgan.architectures import mnist_critic, mnist_generator  # noqa: E402
from keras_wgan.datasets import load_mnist, scale_images, split_holdout  # noqa: E402
from keras_wgan.evaluation import frechet_classifier_distance, mnist_classifier  # noqa: E402
from keras_wgan.models.generator_utils import generate_samples  # noqa: E402
from keras_wgan.utils.file_utils import write_atomically, write_text_atomically  # noqa: E402

VALUE_RANGE = (-1.0, 1.0)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--augment", choices=["on", "off"])
    parser.add_argument(
        "--policy", default="color,translation,cutout", help="DiffAugment policy, with --augment on"
    )
    parser.add_argument("--train-digits", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=1000, help="generator steps")
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--dim", type=int, default=32, help="the nets' DIM (the paper: 64)")
    parser.add_argument("--ema", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--resume", action="store_true", help="continue the run saved at --out to --steps")
    parser.add_argument("--merge", nargs="+", metavar="JSON", help="join per-setting files into --out")
    parser.add_argument(
        "--series", help="with --merge: add the runs to the existing --out as a series of this name"
    )
    return parser.parse_args(argv)


def run(args):
    keras.utils.set_random_seed(args.seed)
    mnist = load_mnist(allow_download=False)
    train, heldout = split_holdout(mnist.images, holdout=1000, seed=0)
    real = scale_images(train[: args.train_digits], VALUE_RANGE)[..., None]
    heldout = scale_images(heldout, VALUE_RANGE)[..., None]
    classifier = mnist_classifier()
    augment = kw.augment.DiffAugment(args.policy, seed=args.seed + 1) if args.augment == "on" else None
    checkpoint = os.path.splitext(args.out)[0] + ".keras"
    settings = {
        "train_digits": len(real),
        "augment": augment is not None,
        "policy": None if augment is None else augment.policy,
        "dim": args.dim,
    }
    if args.resume:
        with open(args.out) as file:
            result = json.load(file)
        different = {key: value for key, value in settings.items() if result.get(key) != value}
        if different:
            saved = {key: result.get(key) for key in different}
            raise ValueError(
                f"--resume continues the run saved at {args.out} with its own settings, {saved}. "
                f"Received: {different}"
            )
        model = kw.load_wgan(checkpoint)
        done = result["evaluations"][-1]
        result.setdefault("resumed_at_steps", []).append(done["steps"])
        result["command"] += " && " + " ".join(sys.argv)
        first_chunk, training_seconds = done["steps"] // args.eval_every, done["training_seconds"]
    else:
        model = build_model(args, augment)
        result = {
            "command": " ".join(sys.argv),
            "source": mnist.source,
            **settings,
            "ema_decay": args.ema,
            "machine": device_name(),
            "backend": keras.backend.backend(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "evaluations": [],
        }
        first_chunk, training_seconds = 0, 0.0
    for chunk in range(first_chunk, args.steps // args.eval_every):
        start = time.time()
        model.fit(
            real,
            batch_size=64,
            steps_per_epoch=args.eval_every,
            initial_epoch=chunk,
            epochs=chunk + 1,
            verbose=0,
        )
        training_seconds += time.time() - start
        steps = (chunk + 1) * args.eval_every
        # The machine is shared: the load says how comparable the seconds are.
        evaluation = {
            "steps": steps,
            "training_seconds": round(training_seconds, 1),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        for name, network in (("fcd", model.generator), ("fcd_ema", model.averaged_generator)):
            fake = generate_samples(network, 1000, seed=0)
            evaluation[name] = frechet_classifier_distance(fake, heldout, classifier, value_range=VALUE_RANGE)
        result["evaluations"].append(evaluation)
        print(json.dumps(evaluation), flush=True)
        write_atomically(checkpoint, model.save, suffix=".keras")
        write_text_atomically(args.out, json.dumps(result, indent=1) + "\n")


def build_model(args, augment):
    model = kw.WGANGP(
        mnist_critic(dim=args.dim),
        mnist_generator(128, dim=args.dim),
        seed=args.seed,
        augment=augment,
        generator_ema=args.ema,
    )
    model.compile(
        critic_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.9),
        generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.9),
    )
    return model


def setting(result):
    """A run's setting as a label: "off", or the DiffAugment policy."""
    return result.get("policy") or ("color,translation,cutout" if result["augment"] else "off")


def merge(args):
    results = []
    for path in args.merge:
        with open(path) as file:
            results.append(json.load(file))
    common = set.intersection(*({e["steps"] for e in r["evaluations"]} for r in results))
    runs = []
    for result in results:
        for evaluation in result["evaluations"]:
            if evaluation["steps"] not in common:
                continue
            for ema, key in ((False, "fcd"), (True, "fcd_ema")):
                runs.append(
                    {
                        "train_digits": result["train_digits"],
                        "augment": result["augment"],
                        # None without augmentation, so that every row has the same keys.
                        "policy": setting(result) if result["augment"] else None,
                        "ema": ema,
                        "steps": evaluation["steps"],
                        "fcd": round(evaluation[key], 2),
                    }
                )
    merged = {
        "runs": runs,
        "setup": (
            "WGAN-GP, MNIST nets, batch 64, 5 critic iterations, Adam(2e-4, 0.5, 0.9), one seed; "
            "FCD of 1,000 generated digits (latents of seed 0) vs the 1,000 held-out digits"
        ),
        "ema_decay": results[0]["ema_decay"],
        "dim": results[0]["dim"],
        "data_source": results[0]["source"],
        "training_seconds": {
            f"{r['train_digits']} digits, {setting(r)}": r["evaluations"][-1]["training_seconds"]
            for r in results
        },
        "commands": [r["command"] for r in results],
        "machine": sorted({r.get("machine", "unrecorded") for r in results}),
        "backend": sorted({r.get("backend", "tensorflow") for r in results}),
        "load_average": {
            f"{r['train_digits']} digits, {setting(r)}": [e.get("load_average") for e in r["evaluations"]]
            for r in results
        },
    }
    if args.series:
        merged = add_series(args.out, args.series, merged)
    write_text_atomically(args.out, json.dumps(merged, indent=1) + "\n")


def add_series(path, series, merged):
    """The results file at `path` with `merged`'s runs added as `series`.

    Rows and the measurement of an earlier series of that name are replaced.
    """
    with open(path) as file:
        stored = json.load(file)
    stored["runs"] = [run for run in stored["runs"] if run.get("series") != series]
    stored["runs"] += [dict(run, series=series) for run in merged["runs"]]
    keys = ("commands", "machine", "backend", "training_seconds", "load_average")
    measurements = [m for m in stored.get("measurements", []) if m.get("series") != series]
    stored["measurements"] = measurements + [{"series": series, **{key: merged[key] for key in keys}}]
    return stored


if __name__ == "__main__":
    arguments = parse_args()
    merge(arguments) if arguments.merge else run(arguments)
