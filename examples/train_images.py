"""Train a Wasserstein GAN on a folder of your own images, at 32 or 64 pixels.

    python examples/train_images.py --data faces/ --image-size 64 --arch dcgan
    python examples/train_images.py --data cifar_png/ --image-size 32 --arch resnet
    python examples/train_images.py --data faces/ --quick    # minutes on 2 CPU cores
    python examples/train_images.py --data faces/ --resume   # continue the run in --out
    python examples/train_images.py --data faces/ --fid-every 5   # FID and KID (ImageNet weights)

`--data` is any folder of PNG, JPEG, BMP or GIF files (subfolders included).
Each image is centre-cropped to a square and resized to --image-size;
unreadable files are reported once and skipped (`kw.datasets.image_folder`).
The networks are the papers' own:

    --arch dcgan    the DCGAN of the WGAN paper (LSUN bedrooms, 64x64)
    --arch resnet   the ResNet of the WGAN-GP paper (CIFAR-10, 32x32)

The run leaves in its output folder (default `runs/train_images`) what the
MNIST example leaves (see examples/mnist_wgan.py):

    samples/samples_epoch_001.png ...   images from FIXED latent vectors
    curves.png, metrics.csv             W estimate, losses (and FID/KID) per epoch
    checkpoints/wgan.keras              the whole model after the last epoch
    backup/                             the last completed epoch, for --resume
    export/image_generator/1/           the generator as a SavedModel for TF Serving
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

# The set-up every example job shares: output folder, callbacks, resume, export.
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
from keras_wgan.architectures import (  # noqa: E402
    dcgan_critic,
    dcgan_generator,
    resnet_critic,
    resnet_generator,
)
from keras_wgan.backends import current as wgan_backend  # noqa: E402

# The papers' optimisers for the penalty: gan_cifar_resnet.py (Adam 2e-4,
# beta_1 = 0) and gan_cifar.py's DCGAN (Adam 1e-4, beta_1 = 0.5).
ADAM = {"resnet": (2e-4, 0.0), "dcgan": (1e-4, 0.5)}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data", required=True, metavar="DIR", help="folder of images (searched recursively)"
    )
    parser.add_argument(
        "--image-size", type=int, choices=[32, 64], default=None, help="default 64 (--quick: 32)"
    )
    parser.add_argument("--channels", type=int, choices=[1, 3], default=3, help="3 for RGB, 1 for grey")
    parser.add_argument("--arch", choices=["dcgan", "resnet"], default="dcgan")
    parser.add_argument(
        "--variant",
        choices=["gp", "clip"],
        default="gp",
        help="WGAN-GP (gradient penalty) or WGAN (weight clipping)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="default 20 (--quick: 6)")
    parser.add_argument(
        "--steps-per-epoch",
        type=int,
        default=None,
        help="generator steps per epoch (default: one pass over the images; --quick: 50)",
    )
    parser.add_argument("--batch-size", type=int, default=64, help="images per critic iteration (m)")
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument(
        "--dim", type=int, default=None, help="network width (dcgan: 64, resnet: 128; --quick: 16)"
    )
    parser.add_argument("--latent-dim", type=int, default=128)
    add_run_arguments(parser, out=os.path.join("runs", "train_images"), export_name="image_generator")
    parser.add_argument("--cache", action="store_true", help="keep the decoded images in memory")
    parser.add_argument(
        "--dtype-policy",
        choices=["float32", "mixed_bfloat16", "mixed_float16"],
        default="float32",
        help="the networks' precision (see examples/mnist_wgan.py)",
    )
    parser.add_argument(
        "--strategy",
        choices=["default", "mirrored", "multiworker"],
        default="default",
        help="tf.distribute strategy, as in examples/mnist_wgan.py; --batch-size is global",
    )
    parser.add_argument(
        "--fid-every",
        type=int,
        default=0,
        metavar="K",
        help="log FID and KID every K epochs (0: never, the default), on the 2015-12-05 Inception of "
        "published FIDs: needs inception-2015-12-05.tgz in ~/.keras/keras_wgan/ or --inception-weights",
    )
    parser.add_argument(
        "--fid-images",
        type=int,
        default=1000,
        metavar="N",
        help="real and generated images per FID/KID evaluation",
    )
    parser.add_argument(
        "--inception-weights",
        default="auto",
        metavar="PATH",
        help="inception-2015-12-05.tgz, pytorch-fid's pt_inception-2015-12-05-6726825d.pth, or "
        "their converted .weights.h5 (see kw.evaluation.fid_inception)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a short run with narrow networks (a few minutes on 2 CPU cores)"
    )
    args = parser.parse_args(argv)
    # --quick: 32x32, narrow networks and 300 generator steps, enough for
    # colours and blobs to form on a simple folder within minutes on a CPU.
    defaults = (
        {"image_size": 32, "epochs": 6, "steps_per_epoch": 50, "dim": 16}
        if args.quick
        else {"image_size": 64, "epochs": 20, "dim": {"dcgan": 64, "resnet": 128}[args.arch]}
    )
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("epochs", "batch_size", "critic_steps", "dim", "latent_dim", "fid_images"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.steps_per_epoch is not None and args.steps_per_epoch < 1:
        parser.error("--steps-per-epoch must be at least 1")
    if args.fid_every < 0:
        parser.error("--fid-every must be 0 or more")
    finish_run_arguments(args, "image_generator")
    return args


def build_model(args):
    # The dtype policy applies to the two networks only (scores, losses,
    # penalty and the generator's images stay float32).
    size, channels = args.image_size, args.channels
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy(args.dtype_policy)
    try:
        if args.arch == "dcgan":
            critic = dcgan_critic(size, channels, dim=args.dim)
            generator = dcgan_generator(args.latent_dim, size, channels, dim=args.dim)
        else:
            critic = resnet_critic(size, channels, dim=args.dim)
            generator = resnet_generator(args.latent_dim, size, channels, dim=args.dim)
    finally:
        keras.config.set_dtype_policy(previous_policy)
    if args.variant == "gp":
        learning_rate, beta_1 = ADAM[args.arch]
        if args.quick:  # Twice the papers' rate, so that shapes form within minutes.
            learning_rate *= 2
        model = kw.WGANGP(critic, generator, critic_steps=args.critic_steps, seed=args.seed)
        optimizers = [keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=0.9) for _ in range(2)]
    else:
        model = kw.WGAN(critic, generator, critic_steps=args.critic_steps, seed=args.seed)
        optimizers = [None, None]  # The paper's RMSprop(5e-5).
    model.compile(
        critic_optimizer=optimizers[0], generator_optimizer=optimizers[1], jit_compile=args.jit_compile
    )
    return model


def main(argv=None):
    args = parse_args(argv)
    strategy = make_strategy(args)
    chief = is_chief(strategy)
    if chief:
        check_output_folder(args)
    try:
        wgan_backend.check_even_split(args.batch_size, strategy, name="--batch-size")
    except ValueError as error:
        sys.exit(f"error: {error}")
    keras.utils.set_random_seed(args.seed)

    # 1. The images: checked once (unreadable files reported and skipped),
    #    then cropped, resized and scaled to the generator's range in tf.data.
    try:
        train = kw.datasets.image_folder(
            args.data,
            image_size=args.image_size,
            channels=args.channels,
            batch_size=args.batch_size,
            value_range=VALUE_RANGE,
            seed=args.seed,
            cache=args.cache,
            repeat=args.steps_per_epoch is not None,
        )
    except (OSError, ValueError) as error:
        sys.exit(f"error: {error}")

    # 2. The papers' networks, built and compiled inside the strategy's scope.
    with strategy.scope():
        wgan = build_model(args)
    print(
        f"{type(wgan).__name__} ({args.arch}, {args.image_size}x{args.image_size}x{args.channels}): critic "
        f"{wgan.critic.count_params():,} parameters, generator {wgan.generator.count_params():,}, "
        f"{args.dtype_policy}, jit_compile={wgan.jit_compile}, {strategy.num_replicas_in_sync} replica(s)"
    )

    # 3. Fault tolerance and monitoring, as in the MNIST job
    #    (examples/training_run.py): quality metrics before the loggers.
    metrics = []
    if chief and args.fid_every:
        # FID and KID against real images from the same pipeline (a shuffled
        # draw); Inception's weights are looked for now, before training.
        real = np.concatenate([batch.numpy() for batch in train.take(-(-args.fid_images // args.batch_size))])
        n = min(args.fid_images, len(real))
        print(f"FID and KID every {args.fid_every} epoch(s) on {n} real and {n} generated images")
        try:
            metrics = kw.callbacks.inception_metrics(
                real,
                n=n,
                value_range=VALUE_RANGE,
                weights=args.inception_weights,
                every=args.fid_every,
                seed=args.seed,
            )
        except (OSError, RuntimeError, ValueError) as error:
            sys.exit(f"error: {error}")
    callbacks, sample_grid = job_callbacks(args, metrics=metrics, chief=chief)

    # 4. Train: one step is `critic_steps` critic updates and one generator update.
    minutes = fit_job(
        wgan, train, args, callbacks, chief=chief, epochs=args.epochs, steps_per_epoch=args.steps_per_epoch
    )

    # 5. Export the generator for TF Serving and list the outputs.
    export_and_report(wgan, args, minutes, sample_grid, chief=chief)


if __name__ == "__main__":
    main()
