"""A standard GAN, the baseline of the WGAN paper's stability comparison.

Not part of the library: `benchmarks/wgan_claims.py` trains it beside WGAN
with the same networks and budget. It is the non-saturating GAN of
Goodfellow et al. (2014), with the usual sigmoid discriminator
`D(x) = sigmoid(f(x))`, `f` being the same network a WGAN critic uses
(a linear `Dense(1)` output, read here as a logit):

    discriminator_loss = -E log D(x) - E log(1 - D(G(z)))
                       =  E softplus(-f(x)) + E softplus(f(G(z)))
    generator_loss     = -E log D(G(z))   =  E softplus(-f(G(z)))

(the softplus forms are the same numbers, computed stably from logits).
It reuses `keras_wgan.WassersteinGAN`'s training loop: `critic_steps`
discriminator updates (default 1, the usual GAN schedule), each on its own
real batch, then one generator update, so a step of `fit` is one generator
update as for the WGANs. Default optimizers: Adam(2e-4, beta_1=0.5) for both
networks (Radford et al. 2016, DCGAN).
"""

import keras
from keras import ops

from keras_wgan.backends import current as backend
from keras_wgan.models.wasserstein_gan import WassersteinGAN


def discriminator_loss(real_logits, fake_logits):
    """`-E log sigmoid(f(x)) - E log(1 - sigmoid(f(G(z))))`, from logits."""
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def non_saturating_generator_loss(fake_logits):
    """`-E log sigmoid(f(G(z)))`, from logits (Goodfellow et al. 2014, section 3)."""
    return ops.mean(ops.softplus(-fake_logits))


class StandardGAN(WassersteinGAN):
    """Non-saturating GAN with a sigmoid discriminator, trained with `fit`.

    Args:
        discriminator: a built `keras.Model` with one linear output per
            example (the logit `f(x)`; the sigmoid is in the loss).
        generator: a built `keras.Model` from `(latent_dim,)` to samples.
        critic_steps: discriminator updates per generator update (1).
        seed: int or None, seeds the model's noise.

    Logged metrics: `critic_loss` (the discriminator's) and
    `generator_loss`. There is no Wasserstein estimate.
    """

    def __init__(self, discriminator, generator, *, critic_steps=1, seed=None, **kwargs):
        super().__init__(discriminator, generator, critic_steps=critic_steps, seed=seed, **kwargs)

    @property
    def metrics(self):
        return [self.critic_loss_tracker, self.generator_loss_tracker]

    def default_critic_optimizer(self):
        return keras.optimizers.Adam(2e-4, beta_1=0.5)

    def default_generator_optimizer(self):
        return keras.optimizers.Adam(2e-4, beta_1=0.5)

    def critic_iteration(self, real, step=0, labels=None):
        batch_size = ops.shape(real)[0]
        fake = self.generator(self._training_latent(batch_size), training=True)

        def loss_function():
            logits = ops.cast(self.critic(ops.concatenate([real, fake], axis=0), training=True), "float32")
            return discriminator_loss(logits[:batch_size], logits[batch_size:]), {}

        variables = self.critic.trainable_variables
        (loss, _), gradients = backend.value_and_gradients(loss_function, variables)
        backend.apply_gradients(self.critic_optimizer, gradients, variables)
        return loss, {}

    def generator_iteration(self, batch_size, labels=None):
        def loss_function():
            fake = self.generator(self._training_latent(batch_size), training=True)
            logits = ops.cast(self.critic(fake, training=True), "float32")
            return non_saturating_generator_loss(logits), {}

        variables = self.generator.trainable_variables
        (loss, _), gradients = backend.value_and_gradients(loss_function, variables)
        backend.apply_gradients(self.generator_optimizer, gradients, variables)
        return loss
