"""Throughput of keras_wgan's train step against the plain step most Keras users write.

For each configuration (nets x batch x variant x dtype policy x jit_compile) the
script builds one pair of networks, copies them for the plain step, warms both
up (tracing and the first runs are excluded), then times the two steps
INTERLEAVED (ours, plain, ours, plain, ...) and reports medians and the median
of the per-pair ratios. Interleaving is what makes the ratios trustworthy on a
shared, noisy machine: both variants see the same load.

One "step" is one generator step: `critic_steps` critic iterations (each on its
own real batch and its own noise) plus one generator iteration.

The plain step is the keras-io WGAN-GP example's: one outer GradientTape per
critic iteration, the generator forward inside it, separate real and fake
critic calls, the penalty on interpolates through a nested tape, Adam (or, for
WGAN, RMSprop and clipping), on the SAME networks (weight copies), batch and
real-data layout. Under a mixed policy it only gets the casts it needs to run.

FLOPs are counted by TensorFlow's profiler (`float_operation`, a multiply-add
counts 2) on the traced graph of our step, and the matmul peak is measured in
the same run: a 3072x3072 `tf.matmul` (float32, or bfloat16 for the bfloat16
policy) is timed between every timed pair, and the best of those is the peak
that a configuration's achieved FLOP/s is divided by (`%peak`). Start/end peaks
of both dtypes are printed as well.

Peak resident memory is the process's VmHWM (Linux), reset through
/proc/self/clear_refs before each variant's warm-up; it includes the Python /
TensorFlow baseline of the process (~0.5-1 GB).

With `--backend jax` the script times keras_wgan's own step on Keras's JAX
backend against the same step on its TensorFlow backend instead (same nets,
NumPy-set weights, batch and dtype policy; each backend's default
`jit_compile`: XLA on JAX, none on TensorFlow's CPU). Keras picks its backend
once per process, so one worker process per backend
(`benchmarks/backend_step.py`) builds and warms up its step, and the two are
asked for one step in turn (jax, tf, tf, jax, ...): one runs at a time and
both see the same load.

Usage:
    python benchmarks/throughput.py --quick            # MNIST + toy at batch 64, a few minutes
    python benchmarks/throughput.py --backend jax --nets mnist --batches 64 --dtypes float32 mixed_bfloat16
    python benchmarks/throughput.py                    # the whole grid (long: XLA on CPU is slow)
    python benchmarks/throughput.py --nets kerasio --batches 64 --jit off   # keras-io's nets
    python benchmarks/throughput.py --nets dcgan32 dcgan64 resnet32 --batches 64 --variants gp --jit off
    python benchmarks/throughput.py --nets mnist --batches 64 --variants gp \
        --dtypes float32 mixed_bfloat16 --jit off --json out.json
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_wgan as kw  # noqa: E402
from keras_wgan import architectures  # noqa: E402
from keras_wgan.utils.file_utils import write_text_atomically  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kerasio_nets import kerasio_nets  # noqa: E402

# -- machine ---------------------------------------------------------------


class Matmul:
    """An n x n x n `tf.matmul` in `dtype` (2 n^3 FLOPs), timed on demand."""

    def __init__(self, dtype, n=3072):
        self.flops = 2 * n**3
        self.a = tf.cast(tf.random.normal((n, n)), dtype)
        self.b = tf.cast(tf.random.normal((n, n)), dtype)
        self.function = tf.function(lambda a, b: tf.reduce_sum(tf.cast(tf.matmul(a, b)[:1, :1], "float32")))
        self.function(self.a, self.b).numpy()

    def gflops(self):
        start = time.perf_counter()
        self.function(self.a, self.b).numpy()
        return self.flops / (time.perf_counter() - start) / 1e9


def matmul_peak(dtype, repeats=7):
    """Best GFLOP/s of `repeats` matmuls: the peak the machine gives now."""
    matmul = Matmul(dtype)
    return max(matmul.gflops() for _ in range(repeats))


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine():
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    flags = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": flags or platform.processor(),
        "cores": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
    }


# -- networks and steps ----------------------------------------------------


# The image nets of docs/images.md at their papers' widths (kw.architectures).
IMAGE_NETS = {
    "dcgan32": lambda: (architectures.dcgan_critic(32), architectures.dcgan_generator(100, 32)),
    "dcgan64": lambda: (architectures.dcgan_critic(64), architectures.dcgan_generator(100, 64)),
    "resnet32": lambda: (architectures.resnet_critic(32), architectures.resnet_generator(128, 32)),
}


def build_nets(nets):
    if nets in IMAGE_NETS:
        return IMAGE_NETS[nets]()
    if nets == "mnist":
        return architectures.mnist_critic(dim=64), architectures.mnist_generator(latent_dim=128, dim=64)
    if nets == "kerasio":
        return kerasio_nets()
    if nets == "toy":
        return architectures.toy_critic(), architectures.toy_generator()
    raise ValueError(nets)


def copy_model(model):
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def make_ours(variant, critic, generator, jit, **options):
    if variant == "gp":
        model = kw.WGANGP(critic, generator, gp_weight=10.0, seed=0, **options)
    else:
        model = kw.WGAN(critic, generator, seed=0)
    model.compile(jit_compile=jit)
    return tf.function(model.train_step, jit_compile=jit), model


def make_plain(variant, critic, generator, jit, critic_steps=5, gp_weight=10.0, clip_value=0.01):
    """The step of keras-io's WGAN-GP example, with Algorithm 1's fresh real batch per critic iteration."""
    latent_dim = int(generator.input_shape[-1])
    if variant == "gp":
        d_opt = keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
        g_opt = keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
    else:
        d_opt = keras.optimizers.RMSprop(5e-5)
        g_opt = keras.optimizers.RMSprop(5e-5)
    d_opt.build(critic.trainable_variables)
    g_opt.build(generator.trainable_variables)
    rank = len(critic.input_shape) - 1

    def step(real_batches):
        batch_size = tf.shape(real_batches)[0]
        for i in range(critic_steps):
            real = real_batches[:, i]
            z = tf.random.normal((batch_size, latent_dim))
            with tf.GradientTape() as tape:
                fake = tf.cast(generator(z, training=True), "float32")
                real_logits = tf.cast(critic(real, training=True), "float32")
                fake_logits = tf.cast(critic(fake, training=True), "float32")
                d_loss = tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)
                if variant == "gp":
                    alpha = tf.random.uniform([batch_size] + [1] * rank)
                    interpolated = real + alpha * (fake - real)
                    with tf.GradientTape() as gp_tape:
                        gp_tape.watch(interpolated)
                        pred = critic(interpolated, training=True)
                    grads = tf.cast(gp_tape.gradient(pred, interpolated), "float32")
                    norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(range(1, rank + 1))) + 1e-12)
                    d_loss += gp_weight * tf.reduce_mean((norm - 1.0) ** 2)
            d_grads = tape.gradient(d_loss, critic.trainable_variables)
            d_opt.apply_gradients(zip(d_grads, critic.trainable_variables, strict=True))
            if variant == "clip":
                for v in critic.trainable_variables:
                    v.assign(tf.clip_by_value(v, -clip_value, clip_value))
        z = tf.random.normal((batch_size, latent_dim))
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(tf.cast(critic(generator(z, training=True), training=True), "float32"))
        g_grads = tape.gradient(g_loss, generator.trainable_variables)
        g_opt.apply_gradients(zip(g_grads, generator.trainable_variables, strict=True))
        return d_loss, g_loss

    return tf.function(step, jit_compile=jit)


def profiler_flops(function, *data):
    """FLOPs of one call, counted by TensorFlow's profiler on the traced graph."""
    from tensorflow.python.profiler import model_analyzer, option_builder

    graph = function.get_concrete_function(*data).graph
    options = option_builder.ProfileOptionBuilder(option_builder.ProfileOptionBuilder.float_operation())
    options = options.with_empty_output().build()
    return model_analyzer.profile(graph, options=options).total_float_ops


def run_config(nets, batch, variant, policy, jit, *, pairs, warmup, critic_steps=5, options=None):
    keras.config.set_dtype_policy(policy)
    try:
        keras.utils.set_random_seed(0)
        critic, generator = build_nets(nets)
        plain_critic, plain_generator = copy_model(critic), copy_model(generator)
    finally:
        keras.config.set_dtype_policy("float32")
    # Models keep their policy; the optimizers of `compile` look at the global one.
    keras.config.set_dtype_policy(policy)
    try:
        ours, _ = make_ours(variant, critic, generator, jit, **(options or {}))
        plain = make_plain(variant, plain_critic, plain_generator, jit, critic_steps)
    finally:
        keras.config.set_dtype_policy("float32")
    shape = tuple(critic.input_shape[1:])
    rng = np.random.default_rng(0)
    data = tf.constant(rng.uniform(-1, 1, size=(batch, critic_steps) + shape).astype("float32"))
    if nets == "toy":
        data = tf.constant(
            kw.datasets.eight_gaussians(batch * critic_steps, seed=0).reshape(batch, critic_steps, 2)
        )

    flops = profiler_flops(ours, data)
    plain_flops = profiler_flops(plain, data)
    memory = {}
    for name, function in (("ours", ours), ("plain", plain)):
        reset_peak_rss()
        for _ in range(warmup):
            tf.nest.map_structure(lambda t: t.numpy() if hasattr(t, "numpy") else t, function(data))
        memory[name] = peak_rss_mb()

    matmul = Matmul("bfloat16" if "bfloat16" in policy else "float32")
    times = {"ours": [], "plain": []}
    ratios, peaks = [], []
    for i in range(pairs):
        peaks.append(matmul.gflops())
        order = (("ours", ours), ("plain", plain)) if i % 2 == 0 else (("plain", plain), ("ours", ours))
        pair = {}
        for name, function in order:
            start = time.perf_counter()
            out = function(data)
            tf.nest.map_structure(lambda t: t.numpy() if hasattr(t, "numpy") else t, out)
            pair[name] = time.perf_counter() - start
            times[name].append(pair[name])
        ratios.append(pair["plain"] / pair["ours"])
        peaks.append(matmul.gflops())
    ours_s = statistics.median(times["ours"])
    plain_s = statistics.median(times["plain"])
    return {
        "nets": nets,
        "batch": batch,
        "variant": variant,
        "policy": policy,
        "jit_compile": jit,
        "options": options or {},
        "critic_steps": critic_steps,
        "pairs": pairs,
        "ms_per_step": 1e3 * ours_s,
        "plain_ms_per_step": 1e3 * plain_s,
        "speed_vs_plain": statistics.median(ratios),
        "samples_per_s": batch * critic_steps / ours_s,
        "plain_samples_per_s": batch * critic_steps / plain_s,
        "profiler_gflop_per_step": flops / 1e9,
        "plain_profiler_gflop_per_step": plain_flops / 1e9,
        "gflop_per_s": flops / ours_s / 1e9,
        "plain_gflop_per_s": plain_flops / plain_s / 1e9,
        # The matmul is timed between the pairs, under the same load.
        "matmul_gflop_per_s_interleaved": max(peaks),
        "matmul_gflop_per_s_interleaved_median": statistics.median(peaks),
        "fraction_of_matmul_peak": flops / ours_s / 1e9 / max(peaks),
        "plain_fraction_of_matmul_peak": plain_flops / plain_s / 1e9 / max(peaks),
        "peak_rss_mb": memory["ours"],
        "plain_peak_rss_mb": memory["plain"],
        "all_ms": [1e3 * t for t in times["ours"]],
        "all_plain_ms": [1e3 * t for t in times["plain"]],
    }


def write_json(path, results):
    write_text_atomically(path, json.dumps(results, indent=1))


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--nets",
        nargs="+",
        default=["mnist", "toy"],
        choices=["mnist", "kerasio", "toy", *IMAGE_NETS],
        help="mnist: the WGAN-GP paper's MNIST nets (keras_wgan.architectures); kerasio: "
        "keras-io's WGAN-GP example's nets; toy: the paper's 8-gaussians MLPs; "
        "dcgan32/dcgan64: the WGAN paper's DCGAN; resnet32: the WGAN-GP CIFAR-10 ResNet",
    )
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    parser.add_argument("--variants", nargs="+", default=["gp", "clip"], choices=["gp", "clip"])
    parser.add_argument(
        "--dtypes",
        nargs="+",
        default=["float32", "mixed_bfloat16"],
        choices=["float32", "mixed_bfloat16", "mixed_float16"],
    )
    parser.add_argument("--jit", nargs="+", default=["off", "on"], choices=["off", "on"])
    parser.add_argument("--pairs", type=int, default=None, help="timed (ours, plain) pairs per configuration")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--penalty-every", type=int, default=1, help="WGANGP option, for ours only")
    parser.add_argument(
        "--penalty-batch-fraction", type=float, default=1.0, help="WGANGP option, for ours only"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="batch 64, jit off, fewer pairs: the MNIST/toy x gp/clip x float32/bf16 rows",
    )
    parser.add_argument(
        "--backend",
        default="tensorflow",
        choices=["tensorflow", "jax"],
        help="jax: keras_wgan's step on Keras's JAX backend against its TensorFlow backend "
        "(interleaved worker processes) instead of against the plain TF step",
    )
    parser.add_argument(
        "--json",
        default=None,
        help="default benchmarks/results/throughput.json (throughput_jax.json with --backend jax)",
    )
    args = parser.parse_args(argv)
    if args.json is None:
        args.json = (
            "benchmarks/results/throughput_jax.json"
            if args.backend == "jax"
            else "benchmarks/results/throughput.json"
        )
    if args.quick:
        args.batches, args.jit = [64], ["off"]
    pairs = args.pairs or (5 if args.quick else 7)

    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, load {info['loadavg_at_start']}, "
        f"TF {info['tensorflow']}, Keras {info['keras']}",
        flush=True,
    )
    if args.backend == "jax":
        import jax
        from backend_step import main_backends

        info["jax"] = jax.__version__
        main_backends(args, info, write_json)
        return
    peaks = {"float32": [matmul_peak("float32")], "bfloat16": [matmul_peak("bfloat16")]}
    print(
        f"matmul peak (start): float32 {peaks['float32'][0]:.0f} GFLOP/s, bfloat16 {peaks['bfloat16'][0]:.0f} GFLOP/s",
        flush=True,
    )

    options = {}
    if args.penalty_every != 1:
        options["penalty_every"] = args.penalty_every
    if args.penalty_batch_fraction != 1.0:
        options["penalty_batch_fraction"] = args.penalty_batch_fraction
    rows = []
    for nets in args.nets:
        for batch in args.batches:
            for variant in args.variants:
                for policy in args.dtypes:
                    for jit in args.jit:
                        row_pairs = pairs if jit == "off" else max(3, pairs // 2)
                        row = run_config(
                            nets,
                            batch,
                            variant,
                            policy,
                            jit == "on",
                            pairs=row_pairs,
                            warmup=args.warmup,
                            options=options if variant == "gp" else None,
                        )
                        rows.append(row)
                        if args.json:  # after every row: a long grid cut short keeps what it measured
                            write_json(args.json, {"machine": info, "argv": sys.argv, "rows": rows})
                        print(
                            f"  {nets:5s} b{batch:<4d} {variant:4s} {policy:15s} jit={jit:3s} "
                            f"{row['ms_per_step']:9.1f} ms  plain {row['plain_ms_per_step']:9.1f} ms  "
                            f"speed x{row['speed_vs_plain']:.3f}  {row['gflop_per_s']:6.1f} GFLOP/s",
                            flush=True,
                        )
    peaks["float32"].append(matmul_peak("float32"))
    peaks["bfloat16"].append(matmul_peak("bfloat16"))
    peak = {k: max(v) for k, v in peaks.items()}
    info["loadavg_at_end"] = os.getloadavg()

    header = (
        f"{'nets':5s} {'batch':>5s} {'var':4s} {'policy':15s} {'jit':3s} {'ms/step':>9s} {'plain ms':>9s} "
        f"{'speed/plain':>11s} {'samples/s':>9s} {'GFLOP':>7s} {'GFLOP/s':>8s} {'%peak':>6s} {'peak RSS MB':>11s}"
    )
    print()
    print(
        f"matmul peak (max of start/end): float32 {peak['float32']:.0f} GFLOP/s, bfloat16 {peak['bfloat16']:.0f} GFLOP/s "
        f"(all: {peaks}); %peak uses the matmul timed between each configuration's pairs"
    )
    print(header)
    for r in rows:
        print(
            f"{r['nets']:5s} {r['batch']:5d} {r['variant']:4s} {r['policy']:15s} {('on' if r['jit_compile'] else 'off'):3s} "
            f"{r['ms_per_step']:9.1f} {r['plain_ms_per_step']:9.1f} {r['speed_vs_plain']:11.3f} "
            f"{r['samples_per_s']:9.0f} {r['profiler_gflop_per_step']:7.2f} {r['gflop_per_s']:8.1f} "
            f"{100 * r['fraction_of_matmul_peak']:5.1f}% {r['peak_rss_mb']:11.0f}"
        )
    print("speed/plain = median over interleaved pairs of plain_time / our_time (>1: ours faster).")
    if args.json:
        write_json(args.json, {"machine": info, "matmul_peak_gflops": peaks, "argv": sys.argv, "rows": rows})
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
