"""WGAN-GP: the Lipschitz constraint by a gradient penalty."""

import warnings

import keras

from keras_wgan.models.wasserstein_gan import WassersteinGAN
from keras_wgan.penalty import gradient_penalty


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGANGP(WassersteinGAN):
    """Wasserstein GAN with gradient penalty (Gulrajani et al. 2017).

    The critic loss of every critic iteration adds
    `gp_weight * gradient_penalty(critic, real, fake)`, one interpolation
    coefficient per example, computed in float32. The `gradient_penalty`
    metric logs the penalty alone, apart from `wasserstein_estimate`, so a
    large critic loss can be told apart from a large penalty.
    See `WassersteinGAN` for the train step, the losses and the metrics.

    Default optimizers (`compile()` with none given): Adam with learning
    rate 1e-4, `beta_1=0.0`, `beta_2=0.9` for both networks, Algorithm 1 of
    the paper. The paper's official MNIST and toy code used `beta_1=0.5`.

    The critic must not use BatchNormalization: it mixes the examples of a
    batch, so the gradient of one output with respect to its own input is
    no longer what the penalty constrains. Use LayerNormalization instead.

    Args:
        critic: a built `keras.Model`, one linear output per example.
        generator: a built `keras.Model` from `(latent_dim,)` to samples.
        critic_steps: critic iterations per generator iteration (paper: 5).
        gp_weight: non-negative float, the penalty weight `lambda`
            (paper: 10; its toy experiments: 0.1).
        one_sided: penalise only gradient norms above 1 (Petzka et al.).
        seed: int or None, seeds the model's noise and interpolates.

    Example:

    ```python
    wgan = keras_wgan.WGANGP(critic, generator, gp_weight=10.0)
    wgan.compile()
    wgan.fit(dataset, epochs=10)
    ```
    """

    def __init__(self, critic, generator, *, critic_steps=5, gp_weight=10.0, one_sided=False, seed=None, **kwargs):
        gp_weight = float(gp_weight)
        if not gp_weight >= 0.0:
            raise ValueError(f"`gp_weight` must be non-negative. Received: {gp_weight}")
        super().__init__(critic, generator, critic_steps=critic_steps, seed=seed, **kwargs)
        self.gp_weight = gp_weight
        self.one_sided = bool(one_sided)
        self.penalty_tracker = keras.metrics.Mean(name="gradient_penalty")
        if _has_batch_normalization(critic):
            warnings.warn(
                "The WGAN-GP critic contains BatchNormalization. It mixes the "
                "examples of a batch, so the per-example gradient that the "
                "gradient penalty constrains is no longer well defined and "
                "the penalty stops enforcing the Lipschitz constraint. Use "
                "keras.layers.LayerNormalization (or no normalisation) instead.",
                stacklevel=2,
            )

    @property
    def metrics(self):
        return super().metrics + [self.penalty_tracker]

    def default_critic_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)

    def default_generator_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)

    def critic_penalty(self, real, fake):
        penalty = gradient_penalty(
            self.critic, real, fake, one_sided=self.one_sided, seed=self.seed_generator
        )
        return self.gp_weight * penalty, {"gradient_penalty": penalty}

    def get_config(self):
        return {**super().get_config(), "gp_weight": self.gp_weight, "one_sided": self.one_sided}


def _has_batch_normalization(model):
    layers = list(getattr(model, "layers", []))
    while layers:
        layer = layers.pop()
        if isinstance(layer, keras.layers.BatchNormalization):
            return True
        layers.extend(getattr(layer, "layers", []))
    return False
