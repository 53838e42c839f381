"""Stacked MNIST mode coverage: WGAN-GP, WGAN (clipping) and a standard GAN, same nets and budget.

    python benchmarks/stacked_mnist.py --variant wgan-gp --steps 2000 --eval-every 100
    python benchmarks/stacked_mnist.py --variant wgan-clip --steps 2000 --eval-every 100
    python benchmarks/stacked_mnist.py --variant gan --steps 2000 --eval-every 100
    python benchmarks/stacked_mnist.py --variant wgan-gp --quick --results DIR   # seconds: the plumbing

Each variant trains the networks of `examples/stacked_mnist_wgan.py` (the
WGAN-GP paper's MNIST critic and generator with 3 channels, width `--dim`,
batch 64) for `--steps` generator steps on 128,000 stacked training images,
and every `--eval-every` steps counts the modes and the KL of 26,000
generated images (`kw.evaluation.generated_stacked_mnist_modes`, the
published protocol). The variants:

- `wgan-gp`: `WGANGP`, 5 critic steps, Adam(2e-4, 0.5, 0.9), lambda = 10;
- `wgan-clip`: `WGAN`, 5 critic steps, RMSprop(1e-3) and c = 0.02, the
  MNIST job's preset for short runs (`QUICK_CLIP`; the paper's 5e-5 and
  0.01 hardly move in a few thousand steps, docs/wgan_claims.md);
- `gan`: the non-saturating GAN of `benchmarks/standard_gan.py`, one
  discriminator step per generator step, Adam(2e-4, 0.5).

`--max-minutes` stops a run at the first evaluation past that much wall
time; the run records the steps it reached. `--backup-dir` makes a run
resumable: `AtomicBackupAndRestore` keeps the model there after every
evaluation, and the same command started again continues from the last
evaluation with its curve (the data pipeline starts afresh). `--generator-ema
DECAY` samples from the averaged generator (`generator_ema=`) and also
records the raw generator's modes and KL at each evaluation.

Outputs (in `--results`, default benchmarks/results), each written
atomically and rewritten after every evaluation, so a stopped run keeps its
curve: `stacked_mnist.json` (`{"runs": [...]}`; a run replaces the earlier
one of the same variant, width, steps and device), `stacked_mnist_curves.png`
(modes and KL against generator steps, every run) and
`stacked_mnist_samples_<variant>.png` (64 samples at the last evaluation).
"""

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import keras_wgan as kw  # noqa: E402
from keras_wgan.utils.file_utils import write_text_atomically  # noqa: E402
from keras_wgan.visualization import save_figure, save_image_grid  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_wgan import QUICK_CLIP  # noqa: E402
from stacked_mnist_wgan import LATENT_DIM, build_model, build_networks, load_classifier  # noqa: E402
from standard_gan import StandardGAN  # noqa: E402

VARIANTS = ("wgan-gp", "wgan-clip", "gan")
VALUE_RANGE = (-1.0, 1.0)
FULL = {"train_images": 128000, "eval_samples": 26000, "batch_size": 64, "dim": 32}
# --quick: tiny nets, a few steps and evaluations, to check the pipeline in CI.
QUICK = {"train_images": 2000, "eval_samples": 500, "batch_size": 16, "dim": 4}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--steps", type=int, default=2000, help="generator steps")
    parser.add_argument("--eval-every", type=int, default=100, help="generator steps between evaluations")
    parser.add_argument("--dim", type=int, default=None, help="network width (default 32)")
    parser.add_argument(
        "--max-minutes", type=float, default=None, help="stop at the first evaluation past this"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--generator-ema", type=float, default=None, metavar="DECAY", help="sample from a weight average"
    )
    parser.add_argument("--backup-dir", default=None, help="resume from and back up to this folder")
    parser.add_argument("--results", default=os.path.join(ROOT, "benchmarks", "results"))
    parser.add_argument("--device", default=None, help="how to name the machine (default: from the platform)")
    parser.add_argument(
        "--classifier",
        default=None,
        metavar="PATH",
        help="a .keras MNIST classifier (default: mnist_classifier())",
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)
    if args.steps < 1 or args.eval_every < 1 or args.dim < 1:
        parser.error("--steps, --eval-every and --dim must be at least 1")
    return args


def build(variant, dim, seed, generator_ema=None):
    if variant == "gan":
        discriminator, generator = build_networks(dim, LATENT_DIM)
        model = StandardGAN(discriminator, generator, seed=seed)
        model.compile()  # Adam(2e-4, beta_1=0.5) for both networks.
        return model
    if variant == "wgan-clip":
        # The MNIST job's preset for short runs (RMSprop 1e-3, c = 0.02): the
        # paper's RMSprop 5e-5 barely moves the weights in a few thousand steps.
        critic, generator = build_networks(dim, LATENT_DIM)
        model = kw.WGAN(
            critic, generator, clip_value=QUICK_CLIP["clip_value"], seed=seed, generator_ema=generator_ema
        )
        optimizers = [model.default_critic_optimizer(), model.default_generator_optimizer()]
        for optimizer in optimizers:
            optimizer.learning_rate = QUICK_CLIP["learning_rate"]
        model.compile(critic_optimizer=optimizers[0], generator_optimizer=optimizers[1])
        return model
    return build_model("gp", dim, seed=seed, generator_ema=generator_ema)


def device_name():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as file:
            model = next(line.split(":", 1)[1].strip() for line in file if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()}-core {model} CPU"


class Recorder(keras.callbacks.Callback):
    """After each evaluation: the curve point, the JSON, the figure; stops past the time budget."""

    def __init__(self, args, run, modes_metric, kl_metric, classifier):
        super().__init__()
        self.args, self.run, self.modes_metric, self.kl_metric = args, run, modes_metric, kl_metric
        self.classifier = classifier
        # A resumed run's clock continues from its last evaluation.
        self.start = time.time() - run["seconds"]
        self.evaluation_seconds = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = time.time()

    def on_epoch_end(self, epoch, logs=None):
        steps = (epoch + 1) * self.args.eval_every
        wall = time.time() - self.start
        point = {
            "steps": steps,
            "modes": int(logs["modes"]),
            "kl": round(float(logs["kl"]), 4),
            "wall_seconds": round(wall, 1),
        }
        if self.args.generator_ema is not None:
            raw = kw.evaluation.generated_stacked_mnist_modes(
                self.model.generator, self.args.eval_samples, classifier=self.classifier, seed=self.args.seed
            )
            point.update(raw_modes=int(raw["modes"]), raw_kl=round(float(raw["kl"]), 4))
        # A resumed run repeats an evaluation that was recorded but not backed up.
        self.run["curve"] = [old for old in self.run["curve"] if old["steps"] != steps] + [point]
        self.run.update(steps=steps, modes=point["modes"], kl=point["kl"], seconds=round(wall, 1))
        self.run["load_average"] = [round(x, 2) for x in os.getloadavg()]
        save_image_grid(
            self.model.generate(64, seed=self.args.seed),
            os.path.join(self.args.results, f"stacked_mnist_samples_{self.args.variant}.png"),
            value_range=VALUE_RANGE,
        )
        record(self.args, self.run)
        print(f"step {steps}: {point['modes']} modes, KL {point['kl']:.3f}, {wall / 60:.1f} min", flush=True)
        if self.args.max_minutes is not None and wall > 60 * self.args.max_minutes:
            self.run["stopped_early"] = True
            record(self.args, self.run)
            self.model.stop_training = True


RUN_KEY = ("variant", "dim", "planned_steps", "device", "generator_ema")


def recorded_runs(args):
    path = os.path.join(args.results, "stacked_mnist.json")
    if not os.path.exists(path):
        return []
    with open(path) as file:
        return json.load(file)["runs"]


def same_run(old, run):
    return all(old.get(name) == run.get(name) for name in RUN_KEY)


def record(args, run):
    """Merges `run` into the results JSON and redraws the curves."""
    runs = [old for old in recorded_runs(args) if not same_run(old, run)] + [run]
    write_text_atomically(
        os.path.join(args.results, "stacked_mnist.json"), json.dumps({"runs": runs}, indent=1) + "\n"
    )
    plot(runs, os.path.join(args.results, "stacked_mnist_curves.png"))


def plot(runs, path):
    figure = Figure(figsize=(10, 4))
    modes_axes, kl_axes = figure.subplots(1, 2)
    for run in runs:
        steps = [point["steps"] for point in run["curve"]]
        label = f"{run['variant']} (dim {run['dim']})"
        if run.get("generator_ema") is not None:
            label += f", EMA {run['generator_ema']}"
        modes_axes.plot(steps, [point["modes"] for point in run["curve"]], marker="o", label=label)
        kl_axes.plot(steps, [point["kl"] for point in run["curve"]], marker="o", label=label)
    modes_axes.set_ylabel("modes (of 1,000)")
    kl_axes.set_ylabel("KL(generated || uniform)")
    kl_axes.set_yscale("log")
    for axes in (modes_axes, kl_axes):
        axes.set_xlabel("generator steps")
        axes.grid(alpha=0.3)
        axes.legend()
    figure.suptitle("Stacked MNIST: 26,000 samples per evaluation")
    figure.tight_layout()
    save_figure(figure, path)


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    os.makedirs(args.results, exist_ok=True)
    images, _ = kw.datasets.stacked_mnist(args.train_images, seed=args.seed, allow_download=False)
    data = kw.datasets.make_image_dataset(
        images, args.batch_size, value_range=VALUE_RANGE, seed=args.seed, repeat=True
    )
    model = build(args.variant, args.dim, args.seed, args.generator_ema)
    classifier, accuracy = load_classifier(args.classifier)
    metrics = kw.callbacks.QualityMetric.stacked_mnist(
        args.eval_samples, classifier=classifier, seed=args.seed
    )
    run = {
        "variant": args.variant,
        "steps": 0,
        "modes": None,
        "kl": None,
        "device": args.device or device_name(),
        "seconds": 0.0,
        "planned_steps": args.steps,
        "dim": args.dim,
        "batch_size": args.batch_size,
        "critic_steps": model.critic_steps,
        "latent_dim": LATENT_DIM,
        "train_images": args.train_images,
        "eval_samples": args.eval_samples,
        "classifier_test_accuracy": accuracy,
        "generator_ema": args.generator_ema,
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "command": "python benchmarks/stacked_mnist.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "curve": [],
    }
    callbacks = [*metrics]
    if args.backup_dir is not None:
        callbacks.append(kw.callbacks.AtomicBackupAndRestore(args.backup_dir))
        previous = [old for old in recorded_runs(args) if same_run(old, run) and old["curve"]]
        if previous and os.path.isdir(args.backup_dir):
            run.update({name: previous[-1][name] for name in ("steps", "modes", "kl", "seconds", "curve")})
    callbacks.append(Recorder(args, run, *metrics, classifier))
    model.fit(
        data,
        epochs=-(-args.steps // args.eval_every),
        steps_per_epoch=args.eval_every,
        callbacks=callbacks,
        verbose=2,
    )
    print(json.dumps({name: run[name] for name in ("variant", "steps", "modes", "kl", "seconds")}))


if __name__ == "__main__":
    main()
