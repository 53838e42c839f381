""" "A WGAN or a generator": resolving it and drawing samples from it.

The export, the evaluation metrics and the sample callbacks accept either a
keras_wgan model (`WGAN`, `WGANGP`, any `WassersteinGAN`) or a bare
generator `keras.Model`. They resolve it here, and draw latent vectors here,
exactly as `WassersteinGAN.generate` draws them: `z ~ N(0, I)` from
`keras.random.normal((n, latent_dim), seed=seed)`, outside the model's own
seed generator. A WGAN and its `.generator` therefore give the same samples
for the same seed, and drawing them does not change the noise training sees.
"""

import keras

from keras_wgan.models.wasserstein_gan import WassersteinGAN
from keras_wgan.utils import argument_validation


def generator_of(model, name="model"):
    """Returns the sampling generator of a `WassersteinGAN`, or `model` if it is one.

    The sampling generator is the averaged one of a model with
    `generator_ema`, else its `generator`.

    Raises:
        TypeError: if `model` is neither a `WassersteinGAN` nor a
            `keras.Model`.
    """
    if isinstance(model, WassersteinGAN):
        return model.sampling_generator
    if isinstance(model, keras.Model):
        return model
    raise TypeError(
        f"`{name}` must be a keras_wgan model (WGAN, WGANGP, any WassersteinGAN) or a generator "
        f"keras.Model. Received: {name}={model!r} of type {type(model).__name__}"
    )


def latent_dim_of(generator):
    """Returns the latent size of a generator with one `(None, latent_dim)` input."""
    if len(generator.inputs or ()) != 1:
        raise ValueError(
            "A generator model must have exactly one (latent) input. "
            f"Received: a model with {len(generator.inputs or ())} inputs."
        )
    return int(generator.inputs[0].shape[-1])


def draw_latent(n, latent_dim, seed=None):
    """Latent vectors `(n, latent_dim)` drawn as `WassersteinGAN.generate` draws them.

    Args:
        n: number of vectors.
        latent_dim: their size.
        seed: int for the same vectors every time (stateless), or None for
            Keras's global seed.

    Returns:
        A float32 NumPy array.
    """
    return keras.ops.convert_to_numpy(keras.random.normal((n, latent_dim), seed=seed))


def generate_samples(model, n, seed=None, name="generator"):
    """`n` samples of a WGAN or a generator as a NumPy array; equal seeds, equal samples.

    For a `WassersteinGAN` it is `model.generate(n, seed)`; for a generator
    `keras.Model`, the generator run (with `training=False`) on
    `draw_latent(n, latent_dim, seed)`, the same numbers.
    """
    n = argument_validation.check_positive_int(n, "n")
    if isinstance(model, WassersteinGAN):
        return model.generate(n, seed=seed)
    generator = generator_of(model, name)
    latent = draw_latent(n, latent_dim_of(generator), seed)
    return keras.ops.convert_to_numpy(generator(latent, training=False))
