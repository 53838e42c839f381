"""WGAN-GP: the Lipschitz constraint by a gradient penalty."""

import math
import warnings

import keras
from keras import ops

from keras_wgan.models.wasserstein_gan import WassersteinGAN
from keras_wgan.penalty import gradient_penalty
from keras_wgan.utils import argument_validation


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGANGP(WassersteinGAN):
    """Wasserstein GAN with gradient penalty (Gulrajani et al. 2017).

    The critic loss of every critic iteration (by default; see
    `penalty_every`) adds `gp_weight * gradient_penalty(critic, real, fake)`, one interpolation
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
            (paper: 10; its toy experiments: 0.1). 0 removes the Lipschitz
            constraint and gets a warning.
        one_sided: penalise only gradient norms above 1 (Petzka et al.).
        seed: int or None, seeds the model's noise and interpolates.
        penalty_every: int in `[1, critic_steps]`, default 1 (the paper: a
            penalty in every critic iteration). A lazy penalty, as
            StyleGAN2 does for R1: only critic iterations `0, k, 2k, ...`
            of each train step compute the penalty, with its weight
            multiplied by `critic_steps / (number of penalised
            iterations)` (that is `k` when `k` divides `critic_steps`), so
            that the penalty's average weight per critic iteration stays
            `gp_weight`. The choice is static (the iterations are
            unrolled): the other iterations have no penalty in their
            graph at all. See docs/performance.md for the measured
            trade-off.
        penalty_batch_fraction: float in `(0, 1]`, default 1.0 (the paper:
            the penalty on all `m` examples). The penalty is computed on the
            first `ceil(f * m)` real/fake pairs of the critic iteration (a
            random subset: batches are shuffled and the noise is i.i.d.),
            an unbiased estimate of the same mean at a fraction of the
            double-backward cost.
    Keyword Args:
        augment: None, or a differentiable augmentation applied to real and
            generated batches before the critic, e.g.
            `keras_wgan.augment.DiffAugment()`. The penalty's
            interpolates lie between the augmented real and generated
            batches, as in the DiffAugment authors' WGAN-GP code (see
            `WassersteinGAN`).
        generator_ema: None, or the decay of an exponential moving average
            of the generator's weights used for sampling (see
            `WassersteinGAN`).
        num_classes: None, or the number of classes of a conditional
            WGAN-GP (see `WassersteinGAN`); the penalty's interpolates
            `eps * x + (1 - eps) * G(z, y)` keep the label `y` of their pair.

    Example:

    ```python
    wgan = keras_wgan.WGANGP(critic, generator, gp_weight=10.0)
    wgan.compile()
    wgan.fit(dataset, epochs=10)
    ```
    """

    def __init__(
        self,
        critic,
        generator,
        *,
        critic_steps=5,
        gp_weight=10.0,
        one_sided=False,
        seed=None,
        penalty_every=1,
        penalty_batch_fraction=1.0,
        **kwargs,
    ):
        gp_weight = argument_validation.check_number(gp_weight, "gp_weight", minimum=0.0)
        super().__init__(critic, generator, critic_steps=critic_steps, seed=seed, **kwargs)
        # At most `critic_steps`: the penalty must apply at least once per step.
        penalty_every = argument_validation.check_int(
            penalty_every, "penalty_every", minimum=1, maximum=self.critic_steps
        )
        penalty_batch_fraction = argument_validation.check_number(
            penalty_batch_fraction, "penalty_batch_fraction", minimum=0.0, exclusive_minimum=True, maximum=1.0
        )
        self.gp_weight = gp_weight
        self.one_sided = argument_validation.check_bool(one_sided, "one_sided")
        self.penalty_every = penalty_every
        self.penalty_batch_fraction = penalty_batch_fraction
        penalised = len(range(0, self.critic_steps, penalty_every))
        # Keeps the average penalty weight per critic iteration at gp_weight.
        self._lazy_scale = self.critic_steps / penalised
        self.penalty_tracker = keras.metrics.Mean(name="gradient_penalty")
        if gp_weight == 0.0:
            warnings.warn(
                "gp_weight=0 turns the gradient penalty off, and with it WGAN-GP's only Lipschitz "
                "constraint: the critic's scores can grow without bound, so its loss no longer "
                "estimates the Wasserstein distance and training usually diverges. Use a positive "
                "weight (the paper: 10), or `keras_wgan.WGAN` for weight clipping. "
                + argument_validation.received("gp_weight", gp_weight),
                stacklevel=2,
            )
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

    def critic_penalty(self, real, fake, step=0, labels=None):
        if step % self.penalty_every:
            return 0.0, {}
        if self.penalty_batch_fraction < 1.0:
            count = _sub_batch_size(real, self.penalty_batch_fraction)
            real, fake = real[:count], fake[:count]
            labels = None if labels is None else labels[:count]
        critic = self.critic
        if labels is not None:
            # A conditional critic: the interpolates keep the label their
            # real/fake pair shares; the gradient is taken w.r.t. samples only.
            def critic(samples):
                return self.critic_scores(samples, labels, training=True)

        penalty = gradient_penalty(critic, real, fake, one_sided=self.one_sided, seed=self.seed_generator)
        return self.gp_weight * self._lazy_scale * penalty, {"gradient_penalty": penalty}

    def get_config(self):
        return {
            **super().get_config(),
            "gp_weight": self.gp_weight,
            "one_sided": self.one_sided,
            "penalty_every": self.penalty_every,
            "penalty_batch_fraction": self.penalty_batch_fraction,
        }


def _sub_batch_size(batch, fraction):
    """`ceil(fraction * batch_size)`, a Python int when the batch size is static."""
    size = batch.shape[0]
    if size is not None:
        return max(1, math.ceil(fraction * size))
    size = ops.cast(ops.shape(batch)[0], "float32")
    return ops.maximum(1, ops.cast(ops.ceil(fraction * size), "int32"))


def _has_batch_normalization(model):
    layers = list(getattr(model, "layers", []))
    while layers:
        layer = layers.pop()
        if isinstance(layer, keras.layers.BatchNormalization):
            return True
        layers.extend(getattr(layer, "layers", []))
    return False
