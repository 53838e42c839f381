"""The gradient penalty of WGAN-GP."""

import keras
from keras import ops

from keras_wgan.backends import current as backend

# Inside the square root so that a zero gradient has a finite derivative.
_NORM_EPSILON = 1e-12


def gradient_penalty(critic, real, fake, *, target=1.0, one_sided=False, seed=None):
    """Penalty on the critic's gradient norm at random interpolates.

    Formula (Gulrajani et al. 2017, Algorithm 1):

        x_hat = eps * real + (1 - eps) * fake,   eps ~ U[0, 1] per example
        norm  = sqrt(sum over non-batch axes of (d critic(x_hat) / d x_hat)^2)
        penalty = mean((norm / target - 1)^2)

    and, with `one_sided=True` (Petzka et al. 2018),
    `mean(max(0, norm / target - 1)^2)`. The interpolates are formed in
    float32 (float16/bfloat16 samples are cast up) and the norm is computed
    in float32, whatever the compute dtype of the critic (under a mixed
    policy its layers cast the input down themselves), and the function may be called inside an
    outer `tf.GradientTape`: its gradient reaches the critic's weights.

    Args:
        critic: a callable mapping a batch of samples to one value per sample.
        real: a batch of real samples, shape `(batch_size, ...)`.
        fake: a batch of generated samples of the same shape.
        target: the gradient norm the penalty pulls towards.
        one_sided: if True, only norms above `target` are penalised.
        seed: an int, a `keras.random.SeedGenerator` or None, for `eps`.

    Returns:
        A float32 scalar (without the weight `lambda`).

    Example:

    >>> critic = lambda x: 2.0 * x            # |gradient| = 4 on 4-D inputs
    >>> float(gradient_penalty(critic, ops.ones((3, 4)), ops.zeros((3, 4))))
    9.0
    """
    real = ops.convert_to_tensor(real)
    if keras.backend.standardize_dtype(real.dtype) in ("float16", "bfloat16"):
        # Interpolate in float32 under a mixed policy: the critic casts its
        # input to the compute dtype itself, and the input gradient then
        # comes back in float32.
        real = ops.cast(real, "float32")
    fake = ops.cast(fake, real.dtype)
    if tuple(real.shape[1:]) != tuple(fake.shape[1:]):
        raise ValueError(
            "`real` and `fake` must have the same sample shape. Received: "
            f"real.shape={real.shape}, fake.shape={fake.shape}"
        )
    # One coefficient per example, broadcast over all other axes: a
    # per-pixel eps would interpolate to points off the real-fake segments.
    # Under tf.distribute, this replica's rows of the global batch's eps, as
    # one device would draw them (see `backend.replica_rows`).
    eps_shape = (1,) * (len(real.shape) - 1)
    eps = backend.replica_rows(
        lambda rows: keras.random.uniform((rows,) + eps_shape, dtype=real.dtype, seed=seed),
        ops.shape(real)[0],
    )
    interpolates = eps * real + (1.0 - eps) * fake
    gradients = backend.input_gradients(
        lambda x: critic(x, training=True) if isinstance(critic, keras.Layer) else critic(x),
        interpolates,
    )
    gradients = ops.reshape(ops.cast(gradients, "float32"), (ops.shape(gradients)[0], -1))
    norms = ops.sqrt(ops.sum(ops.square(gradients), axis=1) + _NORM_EPSILON)
    excess = norms / target - 1.0
    if one_sided:
        excess = ops.relu(excess)
    return ops.mean(ops.square(excess))
