"""A tour of the distances behind Wasserstein GANs, computed with keras_wgan.

Every number of the lecture material's worked examples, in the order the
lecture tells them:

1. a loss function turns solving into iterating (a linear system, Newton),
2. KL, JS, TV and W1 on the "blocks" histograms,
3. the parallel lines, where only W1 tells how far apart two distributions are.

Run it with `python examples/distances_tour.py`; it needs no network and no
GPU and takes a few seconds.
"""

import math
import sys
from pathlib import Path

import numpy as np

try:
    import keras_wgan  # noqa: F401
except ImportError:
    # Running from a source checkout without installing the package.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keras_wgan.distances import (
    js_divergence,
    kl_divergence,
    total_variation,
    wasserstein_1d,
    wasserstein_distance,
)
from keras_wgan.worked_examples import newton_step, parallel_lines_distances, sample_parallel_lines


def section(title):
    print()
    print(title)
    print("-" * len(title))


# 1a. A linear system, solved directly and by descending a loss.
section("1. Solving 3 = 2a + b, 1 = a + b")
coefficients = np.array([[2.0, 1.0], [1.0, 1.0]])
targets = np.array([3.0, 1.0])
a, b = np.linalg.solve(coefficients, targets)
print(f"Direct solution:       a = {a:g}, b = {b:g}")

# A computer rarely has the human's trick (subtract the equations); it guesses
# and improves the guess to shrink a loss, here the squared residual.
guess = np.zeros(2)
learning_rate = 0.1
for _ in range(1000):
    residual = coefficients @ guess - targets
    guess -= learning_rate * 2.0 * coefficients.T @ residual
print(f"Gradient descent:      a = {guess[0]:.6f}, b = {guess[1]:.6f}")
print("Minimising the loss ||A w - y||^2 step by step reaches the same answer.")

# 1b. Newton's method on y = x^2 - 2.
section("2. Newton's method on y = x^2 - 2 from x0 = 1")


def parabola(x):
    return x * x - 2.0


def parabola_slope(x):
    return 2.0 * x


x = 1.0
print(f"x0 = {x:g}")
for step in range(1, 6):
    x = newton_step(parabola, parabola_slope, x)
    print(f"x{step} = {x:.15g}   (error {abs(x - math.sqrt(2.0)):.1e})")
print(f"sqrt(2) = {math.sqrt(2.0):.15g}")
print("Each tangent step roughly doubles the number of correct digits.")

# 2. The blocks: two histograms on the positions 0..9 with disjoint supports.
section("3. The blocks: half the mass at 2 and 8, moved to 3 and 7")
positions = np.arange(10)
p = np.zeros(10)
p[[2, 8]] = 0.5
q = np.zeros(10)
q[[3, 7]] = 0.5
print(f"positions: {positions}")
print(f"P_r:       {p}")
print(f"P_g:       {q}")
print(f"KL(P_r || P_g) = {kl_divergence(p, q)}")
print(f"JS(P_r, P_g)   = {js_divergence(p, q):.4f}  (log 2 = {math.log(2.0):.4f})")
print(f"TV(P_r, P_g)   = {total_variation(p, q):g}")
print(f"W(P_r, P_g)    = {wasserstein_1d(p, q):g}  (0.5 * |2 - 3| + 0.5 * |8 - 7|)")
print(f"Sample-based W on the same histograms: {wasserstein_distance(positions, positions, p, q):g}")
print(
    "The supports do not overlap, so KL is infinite and JS and TV sit at their "
    "maxima;\nonly W measures how far the blocks have to travel."
)

# 3. The parallel lines P_0 = (0, Z) and P_theta = (theta, Z), Z ~ U[0, 1].
section("4. Parallel lines: P_0 = (0, Z) versus P_theta = (theta, Z)")
num_samples = 500
reference = sample_parallel_lines(0.0, num_samples, seed=0)
header = f"{'theta':>6} {'KL':>6} {'JS':>7} {'TV':>4} {'W':>6} {'W (shared Z)':>13} {'W (new Z)':>10}"
print(header)
for theta in [0.0, 0.1, 0.5, 1.0, -2.0]:
    closed_form = parallel_lines_distances(theta)
    # Same seed, same heights: the samples are an exact translation.
    shared_heights = sample_parallel_lines(theta, num_samples, seed=0)
    new_heights = sample_parallel_lines(theta, num_samples, seed=1)
    print(
        f"{theta:>6g} {closed_form.kl:>6g} {closed_form.js:>7.4f}"
        f" {closed_form.tv:>4g} {closed_form.w:>6g}"
        f" {wasserstein_distance(reference, shared_heights):>13.4f}"
        f" {wasserstein_distance(reference, new_heights):>10.4f}"
    )
print(
    "KL, JS and TV jump from 0 to a constant as soon as theta != 0, so\n"
    "their gradient with respect to theta is zero (or undefined) everywhere:\n"
    "a generator trained on them learns nothing. W = |theta| shrinks\n"
    "smoothly as theta -> 0, which is why a WGAN's critic estimates W.\n"
    "From samples W is exact with shared heights, and carries sampling noise\n"
    f"with {num_samples} fresh ones."
)
