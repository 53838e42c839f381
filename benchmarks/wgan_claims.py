"""The WGAN paper's three empirical claims, measured on MNIST with keras_wgan.

    python benchmarks/wgan_claims.py --quick --out runs/wgan_claims_quick   # about a minute
    python benchmarks/wgan_claims.py                                         # the full run
    python benchmarks/wgan_claims.py --runs mlp:gan5 --out DIR               # some runs only

1. A meaningful loss (Arjovsky et al. 2017, section 4.2): the critic's
   Wasserstein estimate falls as the samples improve. Weight clipping and
   the gradient penalty are trained on the WGAN-GP paper's MNIST nets; every
   `--eval-every` generator steps the mean W estimate of those steps and the
   Frechet classifier distance (FCD, `keras_wgan.evaluation`) of 1,000
   generated digits to 1,000 held-out ones are logged; their Pearson and
   Spearman correlations are reported.
2. Stability across architectures (section 4.3): the same critic with a
   generator that has no batch normalization and with an MLP generator
   (4 x Dense(512)). WGAN (clipping) and a standard GAN (non-saturating
   loss, sigmoid discriminator; `benchmarks/standard_gan.py`) get the same
   networks and the same number of generator steps. Reported: the FCD and
   the number of digit classes the MNIST classifier finds among 1,000
   samples (a class counts when it gets at least 2% of them; mode collapse
   shows as few classes). The GAN takes one discriminator step per generator
   step, as usual; `--runs GENERATOR:gan5` gives it 5, the WGANs' compute.
3. Clipping against the penalty (Gulrajani et al. 2017, section 5): the FCD
   of the runs of claim 1 against generator steps and against seconds of
   training (evaluation time excluded).

Weight clipping uses the quick preset of `examples/mnist_wgan.py`
(`QUICK_CLIP`; the paper's RMSprop(5e-5) needs far more steps), the penalty
the example's quick settings, Adam(2e-4, 0.5, 0.9), lambda = 10; both with
5 critic iterations per generator step, batch 64, network width `--dim`.
The data are the MNIST test split bundled with keras_wgan (10,000 digits),
1,000 of them held out for the FCD. One seed.

Outputs in `--out` (default benchmarks/results/wgan_claims): `wgan_claims.json`
(every logged series, the correlations, the table, the machine), the figures
`claim1_meaningful_loss.png`, `claim3_clip_vs_penalty.png` and one sample
grid per run, `samples_<generator>_<method>.png`. Each is written to a
temporary file and renamed (the library's plotting helpers do so).
"""

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy import stats  # noqa: E402

import keras_wgan as kw  # noqa: E402
from keras_wgan.architectures import mlp_generator, mnist_critic, mnist_generator  # noqa: E402
from keras_wgan.callbacks import QualityMetric  # noqa: E402
from keras_wgan.datasets import load_mnist, make_image_dataset, split_holdout  # noqa: E402
from keras_wgan.evaluation import FrechetClassifierDistance, frechet_distance  # noqa: E402
from keras_wgan.utils.file_utils import write_text_atomically  # noqa: E402
from keras_wgan.visualization import save_figure, save_image_grid  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_wgan import QUICK_CLIP  # noqa: E402
from standard_gan import StandardGAN  # noqa: E402

VALUE_RANGE = (-1.0, 1.0)
LATENT_DIM = 128
GENERATORS = ("dcgan_bn", "dcgan_no_bn", "mlp")
GENERATOR_NAMES = {
    "dcgan_bn": "DCGAN generator, batch norm",
    "dcgan_no_bn": "DCGAN generator, no batch norm",
    "mlp": "MLP generator",
}
METHOD_NAMES = {
    "clip": "WGAN (clipping)",
    "gp": "WGAN-GP",
    "gan": "standard GAN",
    "gan5": "standard GAN, 5 D steps",
}
# (generator, method) pairs: claims 1 and 3 use the first two, claim 2 all.
RUNS = (
    ("dcgan_bn", "clip"),
    ("dcgan_bn", "gp"),
    ("dcgan_bn", "gan"),
    ("dcgan_no_bn", "clip"),
    ("dcgan_no_bn", "gan"),
    ("mlp", "clip"),
    ("mlp", "gan"),
)
MIN_CLASS_SHARE = 0.02
# --quick: tiny nets and few steps, to check the whole pipeline in CI.
QUICK = {"steps": 12, "eval_every": 3, "dim": 8, "mlp_units": 64, "batch_size": 32, "eval_samples": 200}
FULL = {"steps": 1000, "eval_every": 50, "dim": 32, "mlp_units": 512, "batch_size": 64, "eval_samples": 1000}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"tiny nets, {QUICK['steps']} steps (about a minute)"
    )
    parser.add_argument(
        "--steps", type=int, default=None, help=f"generator steps per run (full: {FULL['steps']})"
    )
    parser.add_argument(
        "--eval-every",
        type=int,
        default=None,
        help=f"generator steps between evaluations (full: {FULL['eval_every']})",
    )
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "wgan_claims"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--runs",
        nargs="+",
        default=None,
        metavar="GENERATOR:METHOD",
        help="a subset of the runs, or extra ones: generator in "
        f"{GENERATORS}, method in {tuple(METHOD_NAMES)} (gan5: the standard GAN with "
        "5 discriminator steps per generator step, the WGANs' compute). Figures of "
        "claims 1 and 3 need dcgan_bn:clip and dcgan_bn:gp",
    )
    parser.add_argument(
        "--clip-learning-rate",
        type=float,
        default=QUICK_CLIP["learning_rate"],
        help="clipping's RMSprop learning rate (default: the quick preset's %(default)g)",
    )
    parser.add_argument(
        "--clip-value",
        type=float,
        default=QUICK_CLIP["clip_value"],
        help="clipping's c (default: the quick preset's %(default)g)",
    )
    args = parser.parse_args(argv)
    for name in ("clip_learning_rate", "clip_value"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive. Received: {getattr(args, name)}")
    args.runs = RUNS if args.runs is None else [tuple(run.split(":")) for run in args.runs]
    for run in args.runs:
        if len(run) != 2 or run[0] not in GENERATORS or run[1] not in METHOD_NAMES:
            parser.error(f"--runs takes GENERATOR:METHOD pairs. Received: {':'.join(run)}")
    config = dict(QUICK if args.quick else FULL)
    for name in ("steps", "eval_every"):
        value = getattr(args, name)
        if value is not None:
            if value < 1:
                parser.error(f"--{name.replace('_', '-')} must be at least 1. Received: {value}")
            config[name] = value
    if config["steps"] % config["eval_every"]:
        parser.error(
            f"--steps ({config['steps']}) must be a multiple of --eval-every ({config['eval_every']})"
        )
    args.config = config
    return args


def build(generator_kind, method, config, seed, clip=QUICK_CLIP):
    keras.utils.set_random_seed(seed)  # The same initial critic for every method.
    dim = config["dim"]
    critic = mnist_critic(dim=dim)
    if generator_kind == "mlp":
        generator = mlp_generator(LATENT_DIM, (28, 28, 1), units=config["mlp_units"], depth=4)
    else:
        generator = mnist_generator(LATENT_DIM, dim=dim, batch_normalization=generator_kind == "dcgan_bn")
    if method == "clip":
        model = kw.WGAN(
            critic,
            generator,
            critic_steps=clip.get("critic_steps", 5),
            clip_value=clip["clip_value"],
            seed=seed,
        )
        optimizers = [
            keras.optimizers.RMSprop(clip["learning_rate"], rho=0.99, epsilon=1e-8) for _ in range(2)
        ]
    elif method == "gp":
        model = kw.WGANGP(critic, generator, critic_steps=5, seed=seed)
        optimizers = [keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.9) for _ in range(2)]
    else:
        model = StandardGAN(critic, generator, critic_steps=5 if method == "gan5" else 1, seed=seed)
        optimizers = [None, None]  # Adam(2e-4, beta_1=0.5), as DCGAN.
    model.compile(critic_optimizer=optimizers[0], generator_optimizer=optimizers[1])
    return model


class TrainingClock(keras.callbacks.Callback):
    """Seconds spent in training epochs; put it first, so evaluations are not counted."""

    def on_train_begin(self, logs=None):
        self.seconds, self.elapsed = [], 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.elapsed += time.perf_counter() - self._start
        self.seconds.append(self.elapsed)


class Evaluator:
    """FCD and digit classes of generated images, against fixed held-out digits."""

    def __init__(self, heldout_images, n, seed):
        self.n, self.seed = n, seed
        self.distance = FrechetClassifierDistance(value_range=VALUE_RANGE)
        self.real_statistics = self.distance.statistics(heldout_images[:n])
        self.real_classes = self.class_counts(heldout_images[:n])

    def fcd(self, model):
        fake = model.generate(self.n, seed=self.seed)
        return frechet_distance(*self.real_statistics, *self.distance.statistics(fake))

    def class_counts(self, images):
        images = np.asarray(images)
        if images.dtype == np.uint8:
            unit = images.astype("float32") / 255.0
        else:
            unit = np.clip((images - VALUE_RANGE[0]) / (VALUE_RANGE[1] - VALUE_RANGE[0]), 0.0, 1.0)
        unit = unit.reshape(-1, 28, 28, 1)
        probabilities = keras.ops.convert_to_numpy(self.distance.classifier(unit, training=False))
        return np.bincount(probabilities.argmax(axis=-1), minlength=10).tolist()


def distinct_classes(counts):
    total = sum(counts)
    return sum(1 for count in counts if count >= MIN_CLASS_SHARE * total)


def correlations(estimates, fcds):
    """Pearson and Spearman correlation of the W estimate with the FCD."""
    estimates, fcds = np.asarray(estimates, float), np.asarray(fcds, float)
    if len(estimates) < 3 or np.ptp(estimates) == 0 or np.ptp(fcds) == 0:
        return {"pearson": None, "spearman": None, "points": len(estimates)}
    return {
        "pearson": float(stats.pearsonr(estimates, fcds).statistic),
        "spearman": float(stats.spearmanr(estimates, fcds).statistic),
        "points": len(estimates),
    }


def train(generator_kind, method, config, train_images, evaluator, args):
    clip = {**QUICK_CLIP, "learning_rate": args.clip_learning_rate, "clip_value": args.clip_value}
    model = build(generator_kind, method, config, args.seed, clip)
    dataset = make_image_dataset(
        train_images, config["batch_size"], value_range=VALUE_RANGE, seed=args.seed, repeat=True
    )
    clock = TrainingClock()
    quality = QualityMetric(evaluator.fcd, name="fcd")
    history = model.fit(
        dataset,
        epochs=config["steps"] // config["eval_every"],
        steps_per_epoch=config["eval_every"],
        callbacks=[clock, quality],
        verbose=0,
    )
    samples = model.generate(evaluator.n, seed=evaluator.seed)
    counts = evaluator.class_counts(samples)
    grid = os.path.join(args.out, f"samples_{generator_kind}_{method}.png")
    save_image_grid(samples[:64], grid, value_range=VALUE_RANGE, columns=8)
    run = {
        "generator": generator_kind,
        "method": method,
        "steps": [(epoch + 1) * config["eval_every"] for epoch in range(len(clock.seconds))],
        "seconds": [round(s, 2) for s in clock.seconds],
        "fcd": [round(v, 3) for v in history.history["fcd"]],
        "critic_loss": history.history["critic_loss"],
        "class_counts": counts,
        "classes": distinct_classes(counts),
        "samples": os.path.basename(grid),
    }
    if "wasserstein_estimate" in history.history:
        run["wasserstein_estimate"] = history.history["wasserstein_estimate"]
        run["correlation"] = correlations(run["wasserstein_estimate"], run["fcd"])
    finite = np.isfinite(run["fcd"]).all() and np.isfinite(run["critic_loss"]).all()
    run["finite"] = bool(finite)
    print(
        f"{GENERATOR_NAMES[generator_kind]:32s} {METHOD_NAMES[method]:16s} FCD {run['fcd'][-1]:7.1f} "
        f"(best {min(run['fcd']):.1f}), {run['classes']} classes, {run['seconds'][-1]:.0f} s"
        + (
            f", W-FCD pearson {run['correlation']['pearson']}, spearman {run['correlation']['spearman']}"
            if "correlation" in run
            else ""
        ),
        flush=True,
    )
    return run


def plot_claim1(runs, path):
    figure = Figure(figsize=(11.0, 3.8), dpi=100)
    for index, run in enumerate(runs):
        axes = figure.add_subplot(1, len(runs), index + 1)
        axes.plot(run["steps"], run["wasserstein_estimate"], color="tab:blue", marker=".")
        axes.set_ylabel("critic's W estimate", color="tab:blue")
        axes.set_xlabel("generator steps")
        twin = axes.twinx()
        twin.plot(run["steps"], run["fcd"], color="tab:red", marker=".")
        twin.set_ylabel("FCD (lower is better)", color="tab:red")
        c = run["correlation"]
        r = "n/a" if c["pearson"] is None else f"r = {c['pearson']:.2f}, rho = {c['spearman']:.2f}"
        axes.set_title(f"{METHOD_NAMES[run['method']]}: {r}")
        axes.grid(alpha=0.3)
    figure.tight_layout()
    return save_figure(figure, path)


def plot_claim3(runs, path):
    figure = Figure(figsize=(11.0, 3.8), dpi=100)
    for index, (axis, label) in enumerate((("steps", "generator steps"), ("seconds", "training seconds"))):
        axes = figure.add_subplot(1, 2, index + 1)
        for run in runs:
            axes.plot(run[axis], run["fcd"], marker=".", label=METHOD_NAMES[run["method"]])
        axes.set_xlabel(label)
        axes.set_ylabel("FCD (lower is better)")
        axes.set_yscale("log")
        axes.grid(alpha=0.3, which="both")
        axes.legend()
    figure.tight_layout()
    return save_figure(figure, path)


def machine():
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
    }


def write_json(path, data):
    write_text_atomically(path, json.dumps(data, indent=1))


def main(argv=None):
    args = parse_args(argv)
    config = args.config
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    report = {
        "command": "python benchmarks/wgan_claims.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "config": config,
        "clip": {**QUICK_CLIP, "learning_rate": args.clip_learning_rate, "clip_value": args.clip_value},
        "machine_at_start": machine(),
    }
    mnist = load_mnist(allow_download=False, verbose=False)
    train_images, heldout_images = split_holdout(mnist.images, holdout=1000, seed=args.seed)
    evaluator = Evaluator(heldout_images, config["eval_samples"], args.seed)
    report["real_classes"] = distinct_classes(evaluator.real_classes)
    print(
        f"{len(train_images)} training digits; held-out digits show {report['real_classes']} classes",
        flush=True,
    )

    runs = []
    for generator_kind, method in args.runs:
        runs.append(train(generator_kind, method, config, train_images, evaluator, args))
        # Kept as it goes, so that an interrupted full run leaves its numbers.
        write_json(os.path.join(args.out, "wgan_claims.json"), {**report, "runs": runs, "complete": False})
    by_key = {(run["generator"], run["method"]): run for run in runs}
    report["runs"] = runs
    report["table"] = [
        {
            "generator": g,
            "method": m,
            "fcd": by_key[g, m]["fcd"][-1],
            "best_fcd": min(by_key[g, m]["fcd"]),
            "classes": by_key[g, m]["classes"],
            "seconds": by_key[g, m]["seconds"][-1],
        }
        for g, m in args.runs
    ]
    report["figures"] = []
    if ("dcgan_bn", "clip") in by_key and ("dcgan_bn", "gp") in by_key:
        pair = [by_key["dcgan_bn", "clip"], by_key["dcgan_bn", "gp"]]
        report["claim1_correlations"] = {run["method"]: run["correlation"] for run in pair}
        report["figures"] = [
            os.path.basename(plot_claim1(pair, os.path.join(args.out, "claim1_meaningful_loss.png"))),
            os.path.basename(plot_claim3(pair, os.path.join(args.out, "claim3_clip_vs_penalty.png"))),
        ]
    report["machine_at_end"] = machine()
    report["total_minutes"] = round((time.time() - start) / 60, 2)
    report["complete"] = True
    write_json(os.path.join(args.out, "wgan_claims.json"), report)

    print(f"\n| generator | method | FCD at {config['steps']} steps | best FCD | classes | seconds |")
    print("|---|---|---|---|---|---|")
    for row in report["table"]:
        print(
            f"| {GENERATOR_NAMES[row['generator']]} | {METHOD_NAMES[row['method']]} | {row['fcd']:.1f} | "
            f"{row['best_fcd']:.1f} | {row['classes']} | {row['seconds']:.0f} |"
        )
    print(f"\ndone in {report['total_minutes']:.1f} min; results in {args.out}", flush=True)
    return report


if __name__ == "__main__":
    main()
