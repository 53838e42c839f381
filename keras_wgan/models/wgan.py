"""WGAN: the Lipschitz constraint by weight clipping."""

import keras

from keras_wgan.constraints import ClipConstraint
from keras_wgan.models.wasserstein_gan import WassersteinGAN


@keras.saving.register_keras_serializable(package="keras_wgan")
class WGAN(WassersteinGAN):
    """Wasserstein GAN with weight clipping (Arjovsky et al. 2017).

    After every critic update, `ClipConstraint(clip_value)` is applied to
    every trainable variable of the critic: kernels, biases, the last Dense
    and any normalisation parameters, as in the paper's code.
    See `WassersteinGAN` for the train step, the losses and the metrics.

    Default optimizers (`compile()` with none given): RMSprop with
    learning rate 5e-5 for both networks, as in the paper (Adam with
    momentum made its critic unstable), with the official PyTorch code's
    `rho=0.99, epsilon=1e-8`.

    Args:
        critic: a built `keras.Model`, one linear output per example.
        generator: a built `keras.Model` from `(latent_dim,)` to samples.
        critic_steps: critic iterations per generator iteration (paper: 5).
        clip_value: positive float `c`; weights stay in `[-c, c]`.
        seed: int or None, seeds the model's noise.

    Keyword Args:
        num_classes: None, or the number of classes of a conditional WGAN
            (see `WassersteinGAN`).
        augment: None, or a differentiable augmentation applied to real and
            generated batches before the critic, e.g.
            `keras_wgan.augment.DiffAugment()` (see `WassersteinGAN`).
        generator_ema: None, or the decay of an exponential moving average
            of the generator's weights used for sampling (see
            `WassersteinGAN`).

    Example:

    ```python
    wgan = keras_wgan.WGAN(critic, generator)
    wgan.compile()
    wgan.fit(images, batch_size=64, epochs=10)
    samples = wgan.generate(16, seed=0)
    ```
    """

    def __init__(self, critic, generator, *, critic_steps=5, clip_value=0.01, seed=None, **kwargs):
        self.clip_constraint = ClipConstraint(clip_value)
        super().__init__(critic, generator, critic_steps=critic_steps, seed=seed, **kwargs)
        self.clip_value = self.clip_constraint.clip_value

    def default_critic_optimizer(self):
        return keras.optimizers.RMSprop(learning_rate=5e-5, rho=0.99, epsilon=1e-8)

    def default_generator_optimizer(self):
        return keras.optimizers.RMSprop(learning_rate=5e-5, rho=0.99, epsilon=1e-8)

    def after_critic_update(self):
        for variable in self.critic.trainable_variables:
            variable.assign(self.clip_constraint(variable))

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value}
