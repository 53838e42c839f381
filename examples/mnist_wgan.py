"""Train a Wasserstein GAN on MNIST: the main job of keras_wgan.

    python examples/mnist_wgan.py --quick          # minutes on 2 CPU cores
    python examples/mnist_wgan.py --quick --variant clip   # weight clipping, quick preset
    python examples/mnist_wgan.py --epochs 20      # a longer run
    python examples/mnist_wgan.py --resume         # continue the run in --out
    python examples/mnist_wgan.py --dtype-policy mixed_bfloat16   # mixed precision
    python examples/mnist_wgan.py --strategy mirrored   # all local GPUs
    python examples/mnist_wgan.py --conditional    # ask for a digit: a conditional WGAN-GP

On several machines, run the same command on each with `--strategy
multiworker` and its own TF_CONFIG (see docs/distributed.md).

The run leaves in its output folder (default `runs/mnist_wgan`):

    samples/samples_epoch_001.png ...   generated digits from FIXED latent vectors
                                        (--conditional: one row per digit, 0 to 9)
    curves.png                          W estimate (train and held-out) and losses
    metrics.csv                         one row per epoch (Keras's CSVLogger)
    checkpoints/wgan.keras              the whole model after the last epoch
    backup/                             the last completed epoch's state, for --resume
    export/mnist_generator/1/           the generator as a SavedModel for TF Serving

Data: `--data PATH` (an `mnist.npz` or a folder of IDX files), else Keras's
MNIST cache or download, else, offline, the MNIST test split bundled with
keras_wgan (10,000 digits). 1,000 digits are held out: the critic's
Wasserstein estimate on them, next to the training one, shows when the
critic starts to overfit (WGAN-GP paper, Fig. 5b).
"""

import argparse
import contextlib
import importlib.util
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from training_run import (  # noqa: E402
    VALUE_RANGE,
    add_run_arguments,
    check_output_folder,
    export_and_report,
    finish_run_arguments,
    fit_job,
    is_chief,
    job_callbacks,
    make_strategy,
)

import keras_wgan as kw  # noqa: E402
from keras_wgan.architectures import mnist_critic, mnist_generator  # noqa: E402
from keras_wgan.backends import current as wgan_backend  # noqa: E402
from keras_wgan.datasets import load_mnist, make_image_dataset, scale_images, split_holdout  # noqa: E402

# The quick run of weight clipping: the paper's RMSprop(5e-5) and c = 0.01
# leave noise after the quick run's 300 generator steps; a 20 times higher
# learning rate and c = 0.02 form digits (measured with
# benchmarks/clip_quick_search.py: the table in docs/wgan_claims.md). `kw.WGAN`'s
# own defaults, and this script's without --quick, stay the paper's.
QUICK_CLIP = {"learning_rate": 1e-3, "clip_value": 0.02}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--variant",
        choices=["gp", "clip"],
        default="gp",
        help="WGAN-GP (gradient penalty) or WGAN (weight clipping)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="default 20 (--quick: 4)")
    parser.add_argument(
        "--steps-per-epoch",
        type=int,
        default=None,
        help="generator steps per epoch (default: one pass over the data; --quick: 75)",
    )
    parser.add_argument("--batch-size", type=int, default=64, help="samples per critic iteration (m)")
    parser.add_argument(
        "--critic-steps", type=int, default=None, help="critic iterations per generator iteration (default 5)"
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=None,
        help="both optimizers' learning rate (default: gp 2e-4; "
        f"clip: the paper's 5e-5, --quick {QUICK_CLIP['learning_rate']:g})",
    )
    parser.add_argument(
        "--clip-value",
        type=float,
        default=None,
        help="clip only: the critic's weights stay in [-c, c] (default: the paper's 0.01; "
        f"--quick {QUICK_CLIP['clip_value']:g})",
    )
    parser.add_argument(
        "--dim", type=int, default=None, help="network width: the paper's DIM, 64 (--quick: 32)"
    )
    parser.add_argument("--latent-dim", type=int, default=128)
    add_run_arguments(parser, out=os.path.join("runs", "mnist_wgan"), export_name="mnist_generator")
    parser.add_argument(
        "--dtype-policy",
        choices=["float32", "mixed_bfloat16", "mixed_float16"],
        default="float32",
        help="the networks' precision. mixed_bfloat16: faster on CPUs with "
        "AVX-512 BF16 or AMX and on recent GPUs; mixed_float16: GPUs (with loss "
        "scaling; emulated and slow on most CPUs). Scores, penalty and losses "
        "stay float32",
    )
    parser.add_argument(
        "--strategy",
        choices=["default", "mirrored", "multiworker"],
        default="default",
        help="default: one device; mirrored: tf.distribute.MirroredStrategy over all local "
        "GPUs (or the CPU); multiworker: tf.distribute.MultiWorkerMirroredStrategy, "
        "one process per machine, each with its TF_CONFIG environment variable "
        "(cluster addresses and this worker's index). --batch-size is the global "
        "batch, split evenly across all replicas",
    )
    parser.add_argument("--data", default=None, metavar="PATH", help="mnist.npz or a folder of IDX files")
    parser.add_argument("--holdout", type=int, default=1000, help="digits held out for validation")
    parser.add_argument(
        "--fcd-every",
        type=int,
        default=None,
        metavar="K",
        help="log the Frechet classifier distance every K epochs, 0 for never (default 1; --quick: 0)",
    )
    parser.add_argument(
        "--conditional",
        action="store_true",
        help="a conditional WGAN (labels in, projection critic): ask for a digit; logs "
        "conditional_accuracy with the FCD",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a short run (minutes on 2 CPU cores) with a narrower network",
    )
    args = parser.parse_args(argv)
    # --quick: narrower nets (a quarter of the work per step) and fewer
    # steps, so that digits start to form within minutes on a CPU.
    defaults = (
        {"epochs": 4, "steps_per_epoch": 75, "dim": 32, "fcd_every": 0}
        if args.quick
        else {"epochs": 20, "dim": 64, "fcd_every": 1}
    )
    if args.quick and args.variant == "clip":
        defaults.update(QUICK_CLIP)
    defaults.setdefault("critic_steps", 5)
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("epochs", "batch_size", "critic_steps", "dim", "latent_dim", "holdout"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    for name in ("learning_rate", "clip_value"):
        value = getattr(args, name)
        if value is not None and not value > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive. Received: {value}")
    if args.clip_value is not None and args.variant != "clip":
        parser.error("--clip-value applies to --variant clip only")
    if args.fcd_every < 0:
        parser.error("--fcd-every must be 0 or more")
    if args.steps_per_epoch is not None and args.steps_per_epoch < 1:
        parser.error("--steps-per-epoch must be at least 1")
    finish_run_arguments(args, "mnist_generator")
    args.num_classes = 10 if args.conditional else None
    return args


def build_model(args):
    # The dtype policy applies to the two networks only: the FCD classifier
    # and the exported signatures stay float32.
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy(args.dtype_policy)
    try:
        critic = mnist_critic(dim=args.dim, num_classes=args.num_classes)
        # BatchNormalization in the generator (the official code has it in its
        # clipping mode only) is harmless to the penalty, which differentiates
        # the critic alone, and forms digits in fewer steps.
        generator = mnist_generator(
            args.latent_dim, dim=args.dim, output_activation="tanh", num_classes=args.num_classes
        )
    finally:
        keras.config.set_dtype_policy(previous_policy)
    if args.variant == "gp":
        # The official MNIST code's Adam(beta_1=0.5, beta_2=0.9) at twice its
        # learning rate: its 1e-4 is set for 200,000 generator steps, this
        # job's 20 epochs are 560 (docs/mnist_example.md compares the two).
        learning_rate = args.learning_rate or 2e-4
        model = kw.WGANGP(
            critic, generator, critic_steps=args.critic_steps, seed=args.seed, num_classes=args.num_classes
        )
        optimizers = [keras.optimizers.Adam(learning_rate, beta_1=0.5, beta_2=0.9) for _ in range(2)]
    else:
        clip = {} if args.clip_value is None else {"clip_value": args.clip_value}
        model = kw.WGAN(
            critic,
            generator,
            critic_steps=args.critic_steps,
            seed=args.seed,
            num_classes=args.num_classes,
            **clip,
        )
        optimizers = [None, None]  # The paper's RMSprop(5e-5).
        if args.learning_rate is not None:
            # The paper's RMSprop settings at another learning rate.
            optimizers = [model.default_critic_optimizer(), model.default_generator_optimizer()]
            for optimizer in optimizers:
                optimizer.learning_rate = args.learning_rate
    model.compile(
        critic_optimizer=optimizers[0], generator_optimizer=optimizers[1], jit_compile=args.jit_compile
    )
    return model


def numpy_batches(images, batch_size, seed, labels=None):
    """Shuffled batches scaled to VALUE_RANGE, pass after pass: `tf.data`'s stand-in without TensorFlow.

    With `labels`, `(images, labels)` batches for a conditional model."""
    rng = np.random.default_rng(seed)
    images = np.asarray(scale_images(images, VALUE_RANGE))
    while True:
        order = rng.permutation(len(images))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            rows = order[start : start + batch_size]
            yield images[rows] if labels is None else (images[rows], labels[rows].astype("int32"))


def main(argv=None):
    args = parse_args(argv)
    strategy = make_strategy(args)
    # Under multiworker only the chief writes samples, curves, logs and the
    # export; every worker keeps its own backup for --resume.
    chief = is_chief(strategy)
    if chief:
        check_output_folder(args)
    try:
        wgan_backend.check_even_split(args.batch_size, strategy, name="--batch-size")
    except ValueError as error:
        sys.exit(f"error: {error}")
    # The same seed on every worker: they shuffle the data alike, each
    # taking its own share of every global batch.
    keras.utils.set_random_seed(args.seed)

    # 1. Real digits, scaled to the generator's range, in a tf.data pipeline (NumPy without TensorFlow).
    try:
        mnist = load_mnist(args.data)
    except (OSError, ValueError) as error:
        sys.exit(f"error: cannot load MNIST from {args.data}: {error}")
    train_images, heldout_images = split_holdout(mnist.images, holdout=args.holdout, seed=args.seed)
    # A conditional model trains on (image, label) pairs: the same split.
    train_labels, heldout_labels = (
        split_holdout(mnist.labels, holdout=args.holdout, seed=args.seed)
        if args.conditional
        else (None, None)
    )
    # With a fixed number of steps per epoch the data repeat; without, an
    # epoch is one pass over them.
    if importlib.util.find_spec("tensorflow"):
        train = make_image_dataset(
            train_images,
            args.batch_size,
            value_range=VALUE_RANGE,
            seed=args.seed,
            repeat=args.steps_per_epoch is not None,
            labels=train_labels,
        )
        heldout = make_image_dataset(
            heldout_images, args.batch_size, value_range=VALUE_RANGE, shuffle=False, labels=heldout_labels
        )
    else:  # JAX without TensorFlow: the same batches from NumPy.
        train = numpy_batches(train_images, args.batch_size, args.seed, train_labels)
        heldout = np.asarray(scale_images(heldout_images, VALUE_RANGE))
        if args.conditional:
            heldout = (heldout, heldout_labels)
        args.steps_per_epoch = args.steps_per_epoch or len(train_images) // (
            args.batch_size * args.critic_steps
        )
    print(f"training on {len(train_images)} digits, {len(heldout_images)} held out")

    # 2. The model: the WGAN-GP paper's MNIST critic and generator, built and
    #    compiled inside the strategy's scope (variables mirrored on every replica).
    with strategy.scope() if strategy else contextlib.nullcontext():
        wgan = build_model(args)
    print(
        f"{type(wgan).__name__}: critic {wgan.critic.count_params():,} parameters, "
        f"generator {wgan.generator.count_params():,}, {args.dtype_policy}, jit_compile={wgan.jit_compile}, "
        f"{strategy.num_replicas_in_sync if strategy else 1} replica(s) ({args.strategy} strategy), "
        f"Keras backend {keras.backend.backend()}"
    )

    # 3. Fault tolerance and monitoring (examples/training_run.py), with the
    #    quality metrics before the loggers that record them.
    metrics = []
    if chief and args.fcd_every:
        # Sample quality next to the W estimate: the Frechet distance in the
        # features of a small MNIST classifier (trained once, then cached).
        metrics.append(
            kw.callbacks.QualityMetric.frechet(
                heldout_images,
                n=min(1000, len(heldout_images)),
                value_range=VALUE_RANGE,
                every=args.fcd_every,
            )
        )
    if chief and args.conditional:
        # Does the generator draw the digit asked for? The same classifier
        # as the FCD's judges 100 samples per class (at the first and last
        # epoch only when the FCD is off).
        metrics.append(
            kw.callbacks.QualityMetric.conditional_accuracy(
                n_per_class=100, value_range=VALUE_RANGE, every=args.fcd_every or args.epochs
            )
        )
    callbacks, sample_grid = job_callbacks(args, metrics=metrics, chief=chief)

    # 4. Train: one step is `critic_steps` critic updates and one generator update.
    minutes = fit_job(
        wgan,
        train,
        args,
        callbacks,
        chief=chief,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        validation_data=heldout,
    )

    # 5. Export the generator for TF Serving and list the outputs.
    export_and_report(wgan, args, minutes, sample_grid, chief=chief)


if __name__ == "__main__":
    main()
