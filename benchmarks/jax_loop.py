"""keras_wgan's WGAN-GP train step on JAX, driven as `fit` drives it, minus the input pipeline.

Shared by `benchmarks/gpu_step.py` and `benchmarks/gpu_time_to_quality.py`.

`fit` on the JAX backend calls `model.train_function(state, iterator)`: the
model's `train_step(state, data)` under `jax.jit` (donating the state),
with `state = (trainable, non_trainable, optimizer, metrics)` values. This
module calls that same function in a loop, threading the state, with real
data already on the device, and synchronises (`jax.block_until_ready`)
only where the caller reads the clock. What it leaves out of `fit`: the
data adapter's host-to-device copies and the callbacks' per-step work,
which are not the train step.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
# Leave GPU memory to PyTorch in the same process (JAX takes 75% by default).
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from kerasio_nets import kerasio_nets  # noqa: E402

import keras_wgan as kw  # noqa: E402
from keras_wgan import architectures  # noqa: E402

# Each family's sample shape (channels last) and latent size.
SAMPLE_SHAPES = {
    "mnist": (28, 28, 1),
    "kerasio": (28, 28, 1),
    "dcgan64": (64, 64, 3),
    "resnet32": (32, 32, 3),
}
LATENT_DIMS = {"mnist": 128, "kerasio": 128, "dcgan64": 100, "resnet32": 128}


def build_nets(nets, dim=None):
    """`(critic, generator)` Keras models: `"mnist"` (WGAN-GP paper), `"kerasio"`, `"dcgan64"` or `"resnet32"`.

    `dim`: a narrower width than the architecture's (for CPU smoke runs); kerasio's is fixed.
    """
    if nets == "mnist":
        dim = dim or 64
        return architectures.mnist_critic(dim=dim), architectures.mnist_generator(latent_dim=128, dim=dim)
    if nets == "kerasio":
        return kerasio_nets(latent_dim=128)
    if nets == "dcgan64":
        dim = dim or 64
        return architectures.dcgan_critic(64, dim=dim), architectures.dcgan_generator(100, 64, dim=dim)
    if nets == "resnet32":
        dim = dim or 128
        return architectures.resnet_critic(32, dim=dim), architectures.resnet_generator(128, 32, dim=dim)
    raise ValueError(f"`nets` must be one of {sorted(SAMPLE_SHAPES)}. Received: nets={nets!r}")


def build_wgan_gp(nets, policy="float32", seed=0, lr=1e-4, dim=None):
    """A compiled `keras_wgan.WGANGP` (lambda 10, 5 critic iterations, Adam(lr, 0, 0.9)) under `policy`."""
    keras.config.set_dtype_policy(policy)
    try:
        keras.utils.set_random_seed(seed)
        critic, generator = build_nets(nets, dim)
        model = kw.WGANGP(critic, generator, gp_weight=10.0, critic_steps=5, seed=seed)
        model.compile(
            critic_optimizer=keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
            generator_optimizer=keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
            jit_compile=True,
        )
    finally:
        keras.config.set_dtype_policy("float32")
    return model


class TrainLoop:
    """Runs `model.train_function` (the jitted train step of `fit`) on device-resident batches.

    Args:
        model: a compiled `WGANGP` on the JAX backend.
    """

    def __init__(self, model):
        if keras.backend.backend() != "jax":
            raise RuntimeError(f"TrainLoop needs KERAS_BACKEND=jax. Received: {keras.backend.backend()}")
        self.model = model
        model.make_train_function()
        self.function = model.train_function
        self.state = model._get_jax_state(
            trainable_variables=True,
            non_trainable_variables=True,
            optimizer_variables=True,
            metrics_variables=True,
        )
        self.logs = None

    def run(self, batches):
        """One train step per element of `batches` (each `(batch, critic_steps, 28, 28, 1)`), asynchronously."""
        for data in batches:
            self.logs, self.state = self.function(self.state, iter([data]))

    def block(self):
        jax.block_until_ready((self.logs, self.state))

    def sync_to_model(self):
        """Writes the threaded state into the model's variables (as `fit` does at the end of an epoch)."""
        self.block()
        model = self.model
        groups = (
            model.trainable_variables,
            model.non_trainable_variables,
            model.optimizer.variables,
            model.metrics_variables,
        )
        for variables, values in zip(groups, self.state, strict=True):
            for variable, value in zip(variables, values, strict=True):
                variable.assign(value)

    def last_logs(self):
        return {k: float(np.asarray(v)) for k, v in (self.logs or {}).items()}
