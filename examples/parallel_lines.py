"""Parallel lines: why a generator can learn from W but not from JS.

The lecture's example (WGAN paper, Example 1). With Z ~ U[0, 1],

    P_0     = law of (0, Z)        the "real" data: a vertical segment at x = 0
    P_theta = law of (theta, Z)    a generator with one parameter, theta

For theta != 0 the two segments do not overlap, so KL = inf, JS = log 2 and
TV = 1 whatever theta is, while W = |theta| shrinks smoothly to 0. This
script shows that three ways:

    a) the closed-form distances against theta (the paper's Figure 1 pair);
    b) a WGAN-GP critic trained against a generator frozen at P_theta: its
       estimate E f(real) - E f(fake) lands on W = |theta|, a little above it
       (a soft penalty lets the critic's slope exceed 1 by W / (2 lambda));
    c) the one-parameter generator g_theta(z) = (theta, Phi(z)) trained from
       theta = 1: with the Wasserstein loss (kw.WGANGP) theta goes to 0; with
       the original GAN loss and a sigmoid discriminator it stays put,
       because once the discriminator separates the lines the generator's
       gradient vanishes.

Run it with

    python examples/parallel_lines.py            # the full run
    python examples/parallel_lines.py --quick    # much shorter training

Figures go to `--out` (default `runs/parallel_lines`). Existing figures are
never overwritten silently: a folder that already holds this example's
figures is refused unless `--overwrite` is given. Every figure is written to
a temporary file first and renamed into place, so an interrupted run leaves
no half-written PNG.
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

try:
    import keras_wgan  # noqa: F401
except ImportError:
    # Running from a source checkout without installing the package.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import ops  # noqa: E402

import keras_wgan as kw  # noqa: E402
from keras_wgan.architectures import toy_critic  # noqa: E402
from keras_wgan.visualization import save_figure  # noqa: E402
from keras_wgan.worked_examples import parallel_lines_distances, sample_parallel_lines

FIGURES = (
    "parallel_lines_distances.png",
    "parallel_lines_critic.png",
    "parallel_lines_training.png",
)
GP_WEIGHT = 10.0  # lambda of the WGAN-GP paper
CRITIC_STEPS = 5  # n_critic of both papers
BATCH_SIZE = 256


# ---------------------------------------------------------------------------
# Plumbing: arguments, output folder, safe figure writing.
# ---------------------------------------------------------------------------


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (tests, a first look)")
    parser.add_argument("--out", default="runs/parallel_lines", help="folder for the figures")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace this example's figures in --out (without it, a folder holding them is refused)",
    )
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def output_folder(out, names, overwrite):
    """Creates `out`; refuses to replace figures of an earlier run silently."""
    out = Path(out)
    earlier = [name for name in names if (out / name).exists()]
    if earlier and not overwrite:
        sys.exit(f"error: {out} already holds {earlier[0]}. Pass --overwrite or choose another --out.")
    out.mkdir(parents=True, exist_ok=True)
    return out


def section(title):
    print()
    print(title)
    print("-" * len(title))


# ---------------------------------------------------------------------------
# The model: one trainable number theta.
# ---------------------------------------------------------------------------


class ParallelLine(keras.layers.Layer):
    """g_theta(z) = (theta, Phi(z)) for z ~ N(0, 1).

    Phi, the standard normal CDF, maps N(0, 1) noise onto U[0, 1], so the
    samples are exactly those of P_theta = (theta, Z), Z ~ U[0, 1].
    """

    def __init__(self, theta, **kwargs):
        super().__init__(**kwargs)
        self.theta = self.add_weight(shape=(), initializer=keras.initializers.Constant(theta), name="theta")

    def call(self, latent):
        height = 0.5 * (1.0 + ops.erf(latent / math.sqrt(2.0)))
        return ops.concatenate([ops.ones_like(latent) * self.theta, height], axis=-1)


def line_generator(theta):
    latent = keras.Input((1,), name="latent")
    return keras.Model(latent, ParallelLine(theta, name="line")(latent), name="line_generator")


def theta_of(generator):
    return float(ops.convert_to_numpy(generator.get_layer("line").theta))


def real_samples(n, seed):
    """n samples of P_0 = (0, Z) as float32."""
    return sample_parallel_lines(0.0, n, seed=seed).astype("float32")


def critic_network():
    """A small MLP with a linear output: 2 -> 64 -> 64 -> 1."""
    return toy_critic(units=64, depth=2)


def critic_optimizer():
    return keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9)


def generator_gradient(generator, loss_of_samples, latent):
    """d loss / d theta on a fixed noise batch (eager, for logging)."""
    with tf.GradientTape() as tape:
        loss = loss_of_samples(generator(latent, training=False))
    (gradient,) = tape.gradient(loss, generator.trainable_variables)
    return float(gradient)


# ---------------------------------------------------------------------------
# a) The closed-form distances.
# ---------------------------------------------------------------------------


def part_a(folder):
    section("a) KL, JS, TV and W between P_0 and P_theta (closed form)")
    print(f"{'theta':>6} {'KL':>7} {'JS':>7} {'TV':>6} {'W':>7}")
    for theta in (-1.0, -0.5, -0.1, 0.0, 0.1, 0.25, 0.5, 1.0):
        d = parallel_lines_distances(theta)
        print(f"{theta:>6.2f} {d.kl:>7.4g} {d.js:>7.4f} {d.tv:>6.3f} {d.w:>7.4f}")
    print(
        "For theta != 0, KL = inf, JS = log 2 = 0.6931 and TV = 1 do not depend on theta:\n"
        "their gradient is 0, a generator learns nothing from them. W = |theta| does."
    )

    thetas = np.linspace(-1.0, 1.0, 201)  # includes 0 exactly
    distances = [parallel_lines_distances(t) for t in thetas]
    w = np.array([d.w for d in distances])
    js = np.array([d.js for d in distances])
    figure = Figure(figsize=(9, 3.6), layout="constrained")
    left, right = figure.subplots(1, 2)
    left.plot(thetas, w, color="C0")
    left.set(title="W(P_0, P_theta) = |theta|", xlabel="theta", ylabel="distance", ylim=(-0.05, 1.05))
    # JS jumps: log 2 everywhere except a single point at theta = 0.
    for side in (thetas < 0, thetas > 0):
        right.plot(thetas[side], js[side], color="C3")
    right.plot([0.0], [math.log(2.0)], "o", color="C3", markerfacecolor="white")
    right.plot([0.0], [0.0], "o", color="C3")
    right.set(title="JS(P_0, P_theta)", xlabel="theta", ylim=(-0.05, 1.05))
    for axes in (left, right):
        axes.grid(alpha=0.3)
    print("wrote", save_figure(figure, folder / "parallel_lines_distances.png", dpi=120))


# ---------------------------------------------------------------------------
# b) What a trained critic estimates.
# ---------------------------------------------------------------------------


def part_b(folder, steps, seed):
    section(f"b) A WGAN-GP critic (lambda = {GP_WEIGHT:g}) against a generator frozen at P_theta")
    print(
        f"{steps} generator steps x {CRITIC_STEPS} critic updates, batch {BATCH_SIZE}; the generator's\n"
        "optimizer is SGD(0.0), so only the critic learns. Estimate = E f(real) - E f(fake) on\n"
        "held-out samples (WGANGP.evaluate). The best critic under a soft penalty has slope\n"
        "1 + W / (2 lambda), so it should read a little above W, about W (1 + W / (2 lambda));\n"
        "a critic trained by stochastic steps lands a few percent either side of that."
    )
    thetas = (0.25, 0.5, 1.0)
    estimates = []
    print(f"{'theta':>6} {'exact W':>8} {'estimate':>9} {'W(1+W/2lambda)':>15} {'error':>7}")
    for index, theta in enumerate(thetas):
        keras.utils.set_random_seed(seed + index)
        model = kw.WGANGP(
            critic_network(), line_generator(theta), critic_steps=CRITIC_STEPS, gp_weight=GP_WEIGHT, seed=seed
        )
        model.compile(critic_optimizer=critic_optimizer(), generator_optimizer=keras.optimizers.SGD(0.0))
        model.fit(
            real_samples(steps * CRITIC_STEPS * BATCH_SIZE, seed=seed + 100 + index),
            batch_size=BATCH_SIZE,
            epochs=1,
            verbose=0,
        )
        held_out = real_samples(4096, seed=seed + 200 + index)
        estimate = model.evaluate(held_out, batch_size=BATCH_SIZE, verbose=0, return_dict=True)[
            "wasserstein_estimate"
        ]
        exact = parallel_lines_distances(theta).w
        predicted = exact * (1.0 + exact / (2.0 * GP_WEIGHT))
        estimates.append(estimate)
        print(
            f"{theta:>6.2f} {exact:>8.4f} {estimate:>9.4f} {predicted:>15.4f} {estimate / exact - 1:>+7.1%}"
        )

    figure = Figure(figsize=(4.8, 3.8), layout="constrained")
    axes = figure.subplots()
    grid = np.linspace(0.0, 1.1, 100)
    axes.plot(grid, grid, color="C0", label="exact W = |theta|")
    axes.plot(grid, grid * (1 + grid / (2 * GP_WEIGHT)), "--", color="C7", label="W (1 + W / 2 lambda)")
    axes.plot(thetas, estimates, "o", color="C1", label="critic estimate")
    axes.set(title="WGAN-GP critic estimate vs exact W", xlabel="theta", ylabel="W")
    axes.grid(alpha=0.3)
    axes.legend()
    print("wrote", save_figure(figure, folder / "parallel_lines_critic.png", dpi=120))


# ---------------------------------------------------------------------------
# c) Training theta: the Wasserstein loss against the original GAN loss.
# ---------------------------------------------------------------------------


def train_wgan(real, warmup, steps, learning_rate, seed, probe):
    """kw.WGANGP with the one-parameter generator; returns thetas and gradients per step."""
    keras.utils.set_random_seed(seed)
    generator = line_generator(1.0)
    model = kw.WGANGP(critic_network(), generator, critic_steps=CRITIC_STEPS, gp_weight=GP_WEIGHT, seed=seed)
    # SGD, not Adam, for theta: its step is learning_rate x gradient, so a
    # vanishing gradient shows as a theta that stops moving. (Adam divides
    # by the gradient's own size and would push even a 1e-9 gradient.)
    model.compile(critic_optimizer=critic_optimizer(), generator_optimizer=keras.optimizers.SGD(0.0))
    per_step = CRITIC_STEPS * BATCH_SIZE
    # Warm-up: the critic trains against the frozen generator first (the
    # theory assumes a critic trained to optimality), then theta moves.
    model.fit(real[: warmup * per_step], batch_size=BATCH_SIZE, epochs=1, verbose=0, shuffle=False)
    model.generator_optimizer.learning_rate = learning_rate

    def wasserstein_generator_loss(samples):  # -E f(G(z))
        return kw.wasserstein_loss(kw.REAL_LABEL, model.critic(samples, training=False))

    thetas, gradients = [], []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            thetas.append(theta_of(generator))
            gradients.append(generator_gradient(generator, wasserstein_generator_loss, probe))

    model.fit(
        real[warmup * per_step : (warmup + steps) * per_step],
        batch_size=BATCH_SIZE,
        epochs=1,
        verbose=0,
        shuffle=False,
        callbacks=[Record()],
    )
    return np.array(thetas), np.array(gradients)


def train_gan(real, warmup, steps, learning_rate, seed, probe):
    """The same generator, schedule and data with the original GAN loss.

    The discriminator is the critic's network read through a sigmoid:
    D(x) = sigmoid(logit(x)), trained with binary cross-entropy. The
    generator minimises E log(1 - D(G(z))), the minimax loss whose optimum
    is 2 JS - 2 log 2.
    """
    keras.utils.set_random_seed(seed)
    generator = line_generator(1.0)
    discriminator = critic_network()
    d_optimizer = critic_optimizer()
    g_optimizer = keras.optimizers.SGD(learning_rate)
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    noise = keras.random.SeedGenerator(seed)

    @tf.function
    def discriminator_step(real_batch):
        latent = keras.random.normal((BATCH_SIZE, 1), seed=noise)
        with tf.GradientTape() as tape:
            real_logits = discriminator(real_batch, training=True)
            fake_logits = discriminator(generator(latent), training=True)
            loss = cross_entropy(ops.ones_like(real_logits), real_logits) + cross_entropy(
                ops.zeros_like(fake_logits), fake_logits
            )
        variables = discriminator.trainable_variables
        d_optimizer.apply(tape.gradient(loss, variables), variables)

    def minimax_generator_loss(samples):  # E log(1 - D(G(z))) = E log sigmoid(-logit)
        return ops.mean(ops.log_sigmoid(-discriminator(samples, training=False)))

    @tf.function
    def generator_step():
        latent = keras.random.normal((BATCH_SIZE, 1), seed=noise)
        with tf.GradientTape() as tape:
            loss = minimax_generator_loss(generator(latent, training=True))
        variables = generator.trainable_variables
        g_optimizer.apply(tape.gradient(loss, variables), variables)

    batches = iter(real.reshape(-1, BATCH_SIZE, 2))
    for _ in range(warmup * CRITIC_STEPS):
        discriminator_step(next(batches))
    thetas, gradients = [], []
    for _ in range(steps):
        for _ in range(CRITIC_STEPS):
            discriminator_step(next(batches))
        generator_step()
        thetas.append(theta_of(generator))
        gradients.append(generator_gradient(generator, minimax_generator_loss, probe))
    return np.array(thetas), np.array(gradients)


def part_c(folder, warmup, steps, learning_rate, seed):
    section("c) Training g_theta(z) = (theta, Phi(z)) from theta = 1")
    print(
        f"Both runs: the same network as critic/discriminator (2 x 64 ReLU), Adam(1e-3, 0.5, 0.9),\n"
        f"{warmup} warm-up steps with theta frozen, then {steps} steps of {CRITIC_STEPS} critic updates\n"
        f"and one SGD({learning_rate:g}) update of theta, batch {BATCH_SIZE}, the same real data.\n"
        "WGAN-GP: generator loss -E f(G(z)).  GAN: sigmoid discriminator, binary cross-entropy,\n"
        "generator loss E log(1 - D(G(z))). |grad| = |d loss / d theta| after each step."
    )
    real = real_samples((warmup + steps) * CRITIC_STEPS * BATCH_SIZE, seed=seed + 300)
    probe = keras.random.normal((1024, 1), seed=seed + 400)  # fixed noise for the gradients
    start = time.perf_counter()
    wgan_thetas, wgan_gradients = train_wgan(real, warmup, steps, learning_rate, seed, probe)
    wgan_seconds = time.perf_counter() - start
    start = time.perf_counter()
    gan_thetas, gan_gradients = train_gan(real, warmup, steps, learning_rate, seed, probe)
    gan_seconds = time.perf_counter() - start

    print(f"{'step':>5} {'theta WGAN-GP':>14} {'|grad| WGAN-GP':>15} {'theta GAN':>10} {'|grad| GAN':>11}")
    shown = sorted(set(np.linspace(0, steps - 1, 11).round().astype(int)))
    for i in shown:
        print(
            f"{i + 1:>5} {wgan_thetas[i]:>14.4f} {abs(wgan_gradients[i]):>15.3e}"
            f" {gan_thetas[i]:>10.4f} {abs(gan_gradients[i]):>11.3e}"
        )
    tail = max(1, steps // 10)
    print(f"final theta WGAN-GP = {wgan_thetas[-1]:.4f}")
    print(f"final theta GAN = {gan_thetas[-1]:.4f}")
    print(
        f"mean |theta| over the last {tail} steps: WGAN-GP {np.mean(np.abs(wgan_thetas[-tail:])):.4f}, "
        f"GAN {np.mean(np.abs(gan_thetas[-tail:])):.4f}"
    )
    print(
        f"mean |grad| over all steps: WGAN-GP {np.mean(np.abs(wgan_gradients)):.3e}, "
        f"GAN {np.mean(np.abs(gan_gradients)):.3e}"
    )
    print(f"training time: WGAN-GP {wgan_seconds:.1f} s, GAN {gan_seconds:.1f} s")
    print(
        "While the lines are apart the critic's slope is about 1 whatever their distance, so theta\n"
        "walks to 0 at a steady pace (it overshoots a little while the critic turns round; at theta = 0\n"
        "there is nothing left to separate and the gradient fades). The discriminator saturates:\n"
        "D(fake) -> 0, the gradient of log(1 - D) vanishes, and theta stays near 1."
    )

    figure = Figure(figsize=(9, 3.6), layout="constrained")
    left, right = figure.subplots(1, 2)
    step_numbers = np.arange(1, steps + 1)
    left.plot(step_numbers, wgan_thetas, label="WGAN-GP (Wasserstein loss)")
    left.plot(step_numbers, gan_thetas, label="GAN (minimax loss)")
    left.axhline(0.0, color="k", linewidth=0.8)
    left.set(title="theta over training", xlabel="generator step", ylabel="theta")
    left.legend()
    floor = 1e-12  # a gradient of exactly 0 has no place on a log axis
    right.semilogy(step_numbers, np.maximum(np.abs(wgan_gradients), floor), label="WGAN-GP")
    right.semilogy(step_numbers, np.maximum(np.abs(gan_gradients), floor), label="GAN")
    right.set(title="|d generator loss / d theta|", xlabel="generator step")
    right.legend()
    for axes in (left, right):
        axes.grid(alpha=0.3)
    print("wrote", save_figure(figure, folder / "parallel_lines_training.png", dpi=120))


def main(argv=None):
    args = parse_arguments(argv)
    start = time.perf_counter()
    folder = output_folder(args.out, FIGURES, args.overwrite)
    if args.quick:
        critic_steps_b, warmup, steps = 80, 20, 150
    else:
        critic_steps_b, warmup, steps = 300, 100, 300
    part_a(folder)
    part_b(folder, critic_steps_b, args.seed)
    part_c(folder, warmup, steps, learning_rate=0.02, seed=args.seed)
    print(f"\nTotal time {time.perf_counter() - start:.1f} s. Figures in {folder}")


if __name__ == "__main__":
    main()
