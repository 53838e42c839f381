"""Where the time of one WGAN-GP critic iteration goes, on the MNIST reference nets.

Times each part of a critic iteration on its own (tf.function, warm-up
excluded, parts interleaved round-robin, medians), with its FLOPs counted by
TensorFlow's profiler, and prints each part's GFLOP/s next to a float32 /
bfloat16 matmul timed in the same rounds:

    gen_fwd      generator forward on m noise vectors (no gradient)
    critic_fb    critic forward + backward to the weights on 2m images
    penalty      the penalty on m interpolates and its gradient to the weights
                 (forward, input gradient, and the double backward)
    adam         one Adam update of the critic's variables

`--layers` then times every layer with a kernel on its own, forward and
backward (input and weight gradients) at the batch it sees in a critic
iteration (2m images for the critic's layers, m latents for the generator's):
it shows which convolutions keep the step below the matmul peak.

Usage:
    python benchmarks/profile_step.py [--batch 64] [--policy float32|mixed_bfloat16] [--rounds 5] [--layers]
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_wgan as kw  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import Matmul, profiler_flops  # noqa: E402

from keras_wgan import architectures  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--policy", default="float32")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--layers", action="store_true", help="also time every layer with a kernel on its own"
    )
    args = parser.parse_args(argv)
    keras.config.set_dtype_policy(args.policy)
    keras.utils.set_random_seed(0)
    critic, generator = (
        architectures.mnist_critic(dim=64),
        architectures.mnist_generator(latent_dim=128, dim=64),
    )
    adam = keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
    adam.build(critic.trainable_variables)
    m = args.batch
    real = tf.random.uniform((m, 28, 28, 1), -1, 1)
    fake = tf.random.uniform((m, 28, 28, 1), -1, 1)
    z = tf.random.normal((m, 128))
    both = tf.concat([real, fake], 0)
    variables = critic.trainable_variables

    @tf.function
    def gen_fwd(z):
        return tf.reduce_sum(tf.cast(generator(z, training=True), "float32"))

    @tf.function
    def critic_fb(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.cast(critic(x, training=True), "float32"))
        return [tf.reduce_sum(g) for g in tape.gradient(loss, variables)]

    @tf.function
    def penalty(real, fake):
        with tf.GradientTape() as tape:
            p = kw.gradient_penalty(critic, real, fake, seed=0)
        return [tf.reduce_sum(g) for g in tape.gradient(p, variables) if g is not None]

    grads = [tf.zeros_like(v) + 1e-6 for v in variables]

    @tf.function
    def adam_update(grads):
        adam.apply(grads, variables)
        return tf.constant(0.0)

    parts = {
        "gen_fwd": (gen_fwd, (z,)),
        "critic_fb": (critic_fb, (both,)),
        "penalty": (penalty, (real, fake)),
        "adam": (adam_update, (grads,)),
    }
    matmul = Matmul("bfloat16" if "bfloat16" in args.policy else "float32")
    flops = {}
    for name, (function, inputs) in parts.items():
        flops[name] = profiler_flops(function, *inputs) if name != "adam" else 0
        for _ in range(2):
            tf.nest.map_structure(lambda t: t.numpy(), function(*inputs))
    times = {name: [] for name in parts}
    peaks = []
    for _ in range(args.rounds):
        peaks.append(matmul.gflops())
        for name, (function, inputs) in parts.items():
            start = time.perf_counter()
            tf.nest.map_structure(lambda t: t.numpy(), function(*inputs))
            times[name].append(time.perf_counter() - start)
    peak = max(peaks)
    print(
        f"policy {args.policy}, batch {m}, load {os.getloadavg()}, matmul best {peak:.0f} GFLOP/s "
        f"(median {statistics.median(peaks):.0f})"
    )
    total = sum(statistics.median(t) for t in times.values())
    print(f"{'part':10s} {'ms':>8s} {'share':>6s} {'GFLOP':>7s} {'GFLOP/s':>8s} {'%peak':>6s}")
    for name in parts:
        t = statistics.median(times[name])
        rate = flops[name] / t / 1e9
        print(
            f"{name:10s} {1e3 * t:8.1f} {100 * t / total:5.1f}% {flops[name] / 1e9:7.2f} {rate:8.1f} {100 * rate / peak:5.1f}%"
        )
    print(
        f"one critic iteration ~ {1e3 * total:.0f} ms; a generator step = 5 of these + a generator iteration"
    )
    if args.layers:
        layer_table(critic, generator, m, matmul, args.rounds)


def layer_table(critic, generator, m, matmul, rounds):
    """Forward + backward of each layer with a kernel, alone, against the matmul timed in the same rounds."""
    parts = {}
    for model, batch in ((critic, 2 * m), (generator, m)):
        for layer in model.layers:
            if not hasattr(layer, "kernel"):
                continue
            x = tf.random.normal((batch,) + tuple(layer.input.shape[1:]))

            @tf.function
            def forward_backward(x, layer=layer):
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    loss = tf.reduce_sum(tf.cast(layer(x), "float32"))
                grads = tape.gradient(loss, [x] + layer.trainable_variables)
                return [tf.reduce_sum(tf.cast(g, "float32")) for g in grads]

            name = f"{model.name}/{layer.name}"
            parts[name] = (forward_backward, x, profiler_flops(forward_backward, x))
            for _ in range(2):
                tf.nest.map_structure(lambda t: t.numpy(), forward_backward(x))
    times = {name: [] for name in parts}
    peaks = []
    for _ in range(rounds):
        peaks.append(matmul.gflops())
        for name, (function, x, _) in parts.items():
            start = time.perf_counter()
            tf.nest.map_structure(lambda t: t.numpy(), function(x))
            times[name].append(time.perf_counter() - start)
    peak = max(peaks)
    print(f"\nlayers alone, forward + backward (input and weight gradients); matmul best {peak:.0f} GFLOP/s")
    print(f"{'layer':40s} {'input':>18s} {'ms':>8s} {'GFLOP':>7s} {'GFLOP/s':>8s} {'%peak':>6s}")
    for name, (_, x, flops) in parts.items():
        t = statistics.median(times[name])
        rate = flops / t / 1e9
        print(
            f"{name:40s} {str(tuple(x.shape)):>18s} {1e3 * t:8.1f} {flops / 1e9:7.2f} {rate:8.1f} "
            f"{100 * rate / peak:5.1f}%"
        )


if __name__ == "__main__":
    main()
