"""Train a Wasserstein GAN on Stacked MNIST and count the modes it covers (of 1,000).

    python examples/stacked_mnist_wgan.py --quick          # a few minutes on 2 CPU cores
    python examples/stacked_mnist_wgan.py                  # 20 epochs of 500 generator steps
    python examples/stacked_mnist_wgan.py --variant clip   # weight clipping (the WGAN paper's settings)
    python examples/stacked_mnist_wgan.py --resume         # continue the run in --out

Each training image stacks three MNIST digits as its red, green and blue
channels (`kw.datasets.stacked_mnist`), so the data have 1,000 equally
likely modes, the digit triples. A generator that collapses onto a few
modes draws few triples: after every epoch, `--eval-samples` generated
images (26,000 in the published protocol of VEEGAN and PacGAN) are
classified channel by channel by the library's MNIST classifier, and the
number of triples seen (`modes`) and the KL divergence of their
distribution from the uniform one (`kl`, 0 at best, log(1000) = 6.91 for a
single triple) are logged (`kw.evaluation.stacked_mnist_modes`). See
docs/stacked_mnist.md for the protocol and the published table.

The networks are the WGAN-GP paper's MNIST critic and generator with three
colour channels (`mnist_critic((28, 28, 3))`, `mnist_generator(channels=3)`),
a DCGAN-style pair like the one of the published Stacked MNIST experiments.

The run leaves in its output folder (default `runs/stacked_mnist_wgan`) what
the MNIST example leaves (see examples/training_run.py): colour sample grids
from fixed latent vectors, curves.png and metrics.csv (with `modes` and `kl`
per epoch), the checkpoint, the backup for --resume and the exported
generator.
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
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

IMAGE_SHAPE = (28, 28, 3)
# The published setup's noise size (PacGAN's and DCGAN's z_dim = 100).
LATENT_DIM = 100


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--variant",
        choices=["gp", "clip"],
        default="gp",
        help="WGAN-GP (gradient penalty) or WGAN (weight clipping)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="default 20 (--quick: 3)")
    parser.add_argument(
        "--steps-per-epoch",
        type=int,
        default=None,
        help="generator steps per epoch (default 500; --quick: 100)",
    )
    parser.add_argument(
        "--batch-size", type=int, default=None, help="images per critic iteration (default 64)"
    )
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument("--dim", type=int, default=None, help="network width (default 64; --quick: 8)")
    parser.add_argument(
        "--train-images",
        type=int,
        default=None,
        help="stacked training images (default 128,000, as PacGAN's code; --quick: 10,000)",
    )
    parser.add_argument("--holdout", type=int, default=1000, help="MNIST digits held out, as the MNIST job")
    parser.add_argument(
        "--eval-samples",
        type=int,
        default=None,
        help="generated images per modes/KL evaluation (default 26,000, the published protocol; --quick: 2,600)",
    )
    parser.add_argument("--eval-every", type=int, default=1, metavar="K", help="evaluate every K epochs")
    parser.add_argument(
        "--classifier",
        default=None,
        metavar="PATH",
        help="a .keras MNIST classifier of 28x28x1 images in [0, 1] (default: kw.evaluation.mnist_classifier())",
    )
    add_run_arguments(
        parser, out=os.path.join("runs", "stacked_mnist_wgan"), export_name="stacked_mnist_generator"
    )
    parser.add_argument("--quick", action="store_true", help="300 generator steps with narrow networks")
    args = parser.parse_args(argv)
    defaults = (
        {
            "epochs": 3,
            "steps_per_epoch": 100,
            "batch_size": 32,
            "dim": 8,
            "train_images": 10000,
            "eval_samples": 2600,
        }
        if args.quick
        else {
            "epochs": 20,
            "steps_per_epoch": 500,
            "batch_size": 64,
            "dim": 64,
            "train_images": 128000,
            "eval_samples": 26000,
        }
    )
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("epochs", "steps_per_epoch", "batch_size", "critic_steps", "dim", "train_images", "holdout"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1. Received: {getattr(args, name)}")
    for name in ("eval_samples", "eval_every"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1. Received: {getattr(args, name)}")
    finish_run_arguments(args, "stacked_mnist_generator")
    args.strategy = "default"
    return args


def build_networks(dim, latent_dim=LATENT_DIM):
    """The critic and generator for 28x28 colour images: the MNIST pair with 3 channels."""
    # BatchNormalization in the generator only (harmless to the penalty,
    # which differentiates the critic), as in the MNIST job.
    critic = mnist_critic(IMAGE_SHAPE, dim=dim)
    generator = mnist_generator(latent_dim, dim=dim, output_activation="tanh", channels=IMAGE_SHAPE[-1])
    return critic, generator


def build_model(variant, dim, *, critic_steps=5, seed=0, jit_compile="auto", generator_ema=None):
    """A compiled WGAN-GP (`"gp"`) or WGAN with weight clipping (`"clip"`)."""
    critic, generator = build_networks(dim)
    if variant == "gp":
        # The MNIST job's optimiser: Adam(2e-4, beta_1=0.5, beta_2=0.9), lambda = 10.
        model = kw.WGANGP(
            critic, generator, critic_steps=critic_steps, seed=seed, generator_ema=generator_ema
        )
        optimizers = [keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.9) for _ in range(2)]
    else:
        # The WGAN paper's RMSprop(5e-5) and c = 0.01 (the models' defaults).
        model = kw.WGAN(critic, generator, critic_steps=critic_steps, seed=seed, generator_ema=generator_ema)
        optimizers = [None, None]
    model.compile(critic_optimizer=optimizers[0], generator_optimizer=optimizers[1], jit_compile=jit_compile)
    return model


def load_classifier(path):
    """The per-channel digit classifier and its held-out accuracy (None when unknown)."""
    if path is None:
        classifier = kw.evaluation.mnist_classifier()
        return classifier, kw.evaluation.mnist_classifier_info()["test_accuracy"]
    classifier = keras.saving.load_model(path)
    info_path = os.path.splitext(path)[0] + ".json"
    accuracy = None
    if os.path.exists(info_path):
        with open(info_path) as file:
            accuracy = json.load(file).get("test_accuracy")
    return classifier, accuracy


def main(argv=None):
    args = parse_args(argv)
    check_output_folder(args)
    strategy = make_strategy(args)
    chief = is_chief(strategy)
    keras.utils.set_random_seed(args.seed)

    # 1. Stacked images from the MNIST job's training digits (and, for the
    #    held-out W estimate, from its held-out digits), scaled to [-1, 1].
    split = {"holdout": args.holdout, "holdout_seed": args.seed}
    train_images, _ = kw.datasets.stacked_mnist(args.train_images, seed=args.seed, split="train", **split)
    heldout_images, _ = kw.datasets.stacked_mnist(1000, seed=args.seed + 1, split="held_out", **split)
    train_data = kw.datasets.make_image_dataset(
        train_images, args.batch_size, value_range=VALUE_RANGE, seed=args.seed, repeat=True
    )
    heldout_data = kw.datasets.make_image_dataset(
        heldout_images, args.batch_size, value_range=VALUE_RANGE, shuffle=False
    )
    print(f"training on {len(train_images):,} stacked images, {len(heldout_images):,} held out")

    # 2. The model, and the classifier that reads each channel's digit.
    wgan = build_model(
        args.variant, args.dim, critic_steps=args.critic_steps, seed=args.seed, jit_compile=args.jit_compile
    )
    classifier, accuracy = load_classifier(args.classifier)
    accuracy_text = "unknown" if accuracy is None else f"{accuracy:.2%}"
    print(
        f"{type(wgan).__name__}: critic {wgan.critic.count_params():,} parameters, generator "
        f"{wgan.generator.count_params():,}; modes and KL of {args.eval_samples:,} samples every "
        f"{args.eval_every} epoch(s), per-channel classifier held-out accuracy {accuracy_text}"
    )

    # 3. The job's callbacks, with modes and KL before the loggers.
    metrics = kw.callbacks.QualityMetric.stacked_mnist(
        args.eval_samples,
        classifier=classifier,
        value_range=VALUE_RANGE,
        every=args.eval_every,
        seed=args.seed,
    )
    callbacks, sample_grid = job_callbacks(args, metrics=metrics, chief=chief)

    # 4. Train: one step is `critic_steps` critic updates and one generator update.
    minutes = fit_job(
        wgan,
        train_data,
        args,
        callbacks,
        chief=chief,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        validation_data=heldout_data,
    )
    modes, kl = metrics[0].values[-1], metrics[1].values[-1]
    print(f"\nlast evaluation: {modes:.0f} of 1,000 modes, KL {kl:.3f} ({args.eval_samples:,} samples)")

    # 5. Export the generator and list the outputs.
    export_and_report(wgan, args, minutes, sample_grid, chief=chief)


if __name__ == "__main__":
    main()
