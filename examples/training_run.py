"""What every example job shares: its output folder, callbacks, resume, training and export.

`examples/mnist_wgan.py`, `examples/train_images.py` and
`examples/stacked_mnist_wgan.py` differ in their data and networks; around
them, a job is the same five steps, written once here:

    add_run_arguments(parser, ...)     --out, --seed, --resume, --export, --jit-compile
    check_output_folder(args)          a used --out needs --resume
    strategy = make_strategy(args)     tf.distribute (TensorFlow) or None (JAX)
    callbacks, sample_grid = job_callbacks(args, metrics=[...], chief=chief)
    minutes = fit_job(wgan, data, args, callbacks, chief=chief)
    export_and_report(wgan, args, minutes, sample_grid)

`args` is the job's parsed command line: these helpers read its `out`,
`resume`, `seed`, `strategy` and `export` (a folder, or None for no export).

The run's output folder (`args.out`) then holds:

    samples/samples_epoch_001.png ...   images from FIXED latent vectors
    curves.png, metrics.csv             W estimate, losses and the metrics per epoch
    checkpoints/wgan.keras              the whole model after the last epoch
    backup/                             the last completed epoch, for --resume
    export/<name>/1/                    the generator as a SavedModel for TF Serving
"""

import os
import sys
import time

import keras

import keras_wgan as kw

VALUE_RANGE = (-1.0, 1.0)  # tanh generators; the real images are scaled to match.


def add_run_arguments(parser, *, out, export_name):
    """Adds the flags of every job's run: --out, --seed, --resume, --export and --jit-compile.

    Call `finish_run_arguments(args, export_name)` after parsing.
    """
    parser.add_argument("--out", default=out)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--resume", action="store_true", help="continue the run in --out from its last completed epoch"
    )
    parser.add_argument(
        "--export",
        default=None,
        metavar="DIR",
        help=f"where to export the generator (default: OUT/export/{export_name})",
    )
    parser.add_argument("--jit-compile", choices=["auto", "true", "false"], default="auto")


def finish_run_arguments(args, export_name):
    """Fills in the default export folder and turns --jit-compile into `compile`'s value."""
    args.export = args.export or os.path.join(args.out, "export", export_name)
    args.jit_compile = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    return args


def check_output_folder(args):
    """Never destroys an earlier run: a used folder needs --resume."""
    used = os.path.isdir(args.out) and os.listdir(args.out)
    if used and not args.resume:
        sys.exit(
            f"error: {args.out} already holds a run. Pass --resume to continue it, "
            "or --out to start a new one elsewhere."
        )
    if args.resume and not used:
        sys.exit(f"error: --resume given, but {args.out} holds no run to continue.")


def make_strategy(args):
    """The tf.distribute strategy; created before any other TensorFlow work.

    None on Keras's JAX backend (one device here; JAX spreads a batch over
    devices with `keras.distribution.DataParallel` instead).
    """
    if keras.backend.backend() != "tensorflow":
        if args.strategy != "default":
            sys.exit(f"error: --strategy {args.strategy} needs Keras's TensorFlow backend.")
        return None
    import tensorflow as tf

    # Grappler's remapper tries to fuse the critic's Conv2D + BiasAdd +
    # LeakyReLU, finds that the gradient still reads the bias output, drops
    # the rewrite and prints "remapper failed" at the first step. Training is
    # bit-identical and as fast without it (benchmarks/remapper_check.py), so
    # it is off here, where nothing is gained by the attempt but the noise.
    tf.config.optimizer.set_experimental_options({"remapping": False})
    if args.strategy == "default":
        return tf.distribute.get_strategy()
    if args.strategy == "mirrored":
        return tf.distribute.MirroredStrategy()
    if "TF_CONFIG" not in os.environ:
        sys.exit(
            "error: --strategy multiworker needs the TF_CONFIG environment variable, e.g. "
            'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
            '"task": {"type": "worker", "index": 0}}\''
        )
    return tf.distribute.MultiWorkerMirroredStrategy()


def is_chief(strategy):
    """Whether this process writes samples, curves, logs and the export (under multiworker only one does)."""
    return strategy is None or strategy.extended.should_checkpoint


def job_callbacks(args, *, metrics=(), chief=True):
    """The job's callbacks, in the order that matters, and its `SampleGrid`.

    `StopOnNonFinite` comes first: at a NaN loss it stops before anything
    saves the diverged weights. The backup (every epoch, atomic) is what
    --resume restores; every worker keeps its own. The quality `metrics`
    (`QualityMetric`s) write into the epoch's logs, so they come before the
    loggers that record them (the chief's only).
    """
    out = args.out
    os.makedirs(out, exist_ok=True)
    callbacks = [
        kw.callbacks.StopOnNonFinite(),
        kw.callbacks.AtomicBackupAndRestore(os.path.join(out, "backup"), delete_checkpoint=False),
        kw.callbacks.AtomicModelCheckpoint(checkpoint_path(args)),  # every worker; the chief writes
    ]
    sample_grid = kw.callbacks.SampleGrid(
        os.path.join(out, "samples"), seed=args.seed, value_range=VALUE_RANGE
    )
    if chief:
        csv_path = os.path.join(out, "metrics.csv")
        callbacks += [
            *metrics,
            keras.callbacks.CSVLogger(csv_path, append=args.resume),
            sample_grid,
            kw.callbacks.TrainingCurves(os.path.join(out, "curves.png"), csv_path=csv_path),
        ]
    return callbacks, sample_grid


def checkpoint_path(args):
    return os.path.join(args.out, "checkpoints", "wgan.keras")


def fit_job(wgan, data, args, callbacks, *, chief=True, **fit_arguments):
    """`wgan.fit(data, ...)`; returns the minutes it took, or exits with the last good state at a NaN.

    `fit_arguments` (`epochs`, `steps_per_epoch`, `validation_data`) go to `fit`.
    """
    start = time.time()
    try:
        wgan.fit(data, callbacks=callbacks, verbose="auto" if chief else 2, **fit_arguments)
    except kw.callbacks.NonFiniteLossError as error:
        sys.exit(
            f"error: {error}\nThe last good state: {checkpoint_path(args)} and {os.path.join(args.out, 'backup')}."
        )
    return (time.time() - start) / 60


def export_and_report(wgan, args, minutes, sample_grid, *, chief=True, extra=()):
    """Exports the generator for TF Serving (<model>/<version>/saved_model.pb) and lists the outputs.

    `extra` are more `(label, path)` lines for the list.
    """
    if not chief:
        print(f"\nworker done after {minutes:.1f} min; the chief wrote the results.")
        return
    export_dir = None
    if args.export and keras.backend.backend() == "tensorflow":
        export_dir = kw.export_generator(wgan, args.export, value_range=VALUE_RANGE, overwrite=args.resume)
    elif args.export:
        print("export skipped: a SavedModel for TF Serving needs Keras's TensorFlow backend.")
    print(f"\ntrained for {minutes:.1f} min; results in {args.out}:")
    lines = [
        ("samples", sample_grid.last_path),
        ("curves", os.path.join(args.out, "curves.png")),
        ("metrics", os.path.join(args.out, "metrics.csv")),
        ("checkpoint", checkpoint_path(args)),
        *extra,
    ]
    if export_dir:
        lines.append(("SavedModel", export_dir))
    for label, path in lines:
        print(f"  {label:<14} {path}")
