"""The plain PyTorch WGAN-GP step most users write, on the networks keras_wgan benchmarks.

The baseline of `benchmarks/gpu_step.py`. Nothing here is part of keras_wgan.

Networks, layer for layer as their Keras definitions (same layers, widths,
kernels, strides, biases, activations, output shapes and trainable-parameter
counts; `tests/test_benchmarks_torch.py` checks the counts and shapes):

- `mnist_nets()`: the WGAN-GP paper's MNIST nets, as
  `keras_wgan.architectures.mnist_critic()` / `mnist_generator()` (the
  generator with its default BatchNormalization, momentum and epsilon set to
  Keras's 0.99 / 1e-3).
- `kerasio_nets()`: keras-io's WGAN-GP example's nets, as
  `benchmarks/throughput.py --nets kerasio` builds them.

Channels-first (PyTorch's layout) and the idiomatic symmetric `padding=2`
for the 5x5 stride-2 convolutions: the same output shapes and FLOPs as
Keras's `"same"` padding, which pads 1 before and 2 after, so the sampling
grid is shifted by one pixel; that does not change the cost.

The step (`PlainStep`): `critic_steps` critic iterations, each on its own
real batch and fresh noise: `zero_grad`, critic on real and on detached
fakes, the penalty `E (||grad_x f(x_hat)||_2 - 1)^2` on interpolates through
`torch.autograd.grad(..., create_graph=True)`, `backward`, `Adam.step`;
then a generator iteration. Adam(1e-4, betas=(0, 0.9)) and lambda = 10 as in
Algorithm 1 of Gulrajani et al. 2017. Mixed precision is the usual
`torch.autocast(dtype=torch.bfloat16)` around the forward passes, the
penalty's norm in float32. The generator iteration also computes the
critic's weight gradients (nobody turns them off in the plain step); they
are discarded by the critic's next `zero_grad`.
"""

import torch
from torch import nn

LATENT_DIM = 128


class _CropTo7(nn.Module):
    def forward(self, x):
        # 8x8 -> 7x7, the top-left corner, as mnist_generator's Cropping2D.
        return x[:, :, :7, :7]


class _Crop(nn.Module):
    def __init__(self, margin):
        super().__init__()
        self.margin = margin

    def forward(self, x):
        m = self.margin
        return x[:, :, m:-m, m:-m]


class _Unflatten(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def _bn1d(features):
    return nn.BatchNorm1d(features, eps=1e-3, momentum=0.01)  # Keras's defaults


def _bn2d(features):
    return nn.BatchNorm2d(features, eps=1e-3, momentum=0.01)


def _deconv(in_channels, out_channels, bias):
    # 5x5, stride 2, output = 2 x input: Keras's Conv2DTranspose(padding="same").
    return nn.ConvTranspose2d(in_channels, out_channels, 5, stride=2, padding=2, output_padding=1, bias=bias)


def mnist_nets(dim=64, latent_dim=LATENT_DIM):
    """The WGAN-GP paper's MNIST critic and generator: `(critic, generator)`."""
    critic = nn.Sequential(
        nn.Conv2d(1, dim, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Conv2d(dim, 2 * dim, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * dim, 4 * dim, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4 * dim, 1),
    )
    generator = nn.Sequential(
        nn.Linear(latent_dim, 4 * 4 * 4 * dim, bias=False),
        _bn1d(4 * 4 * 4 * dim),
        nn.ReLU(),
        _Unflatten((4 * dim, 4, 4)),
        _deconv(4 * dim, 2 * dim, bias=False),
        _bn2d(2 * dim),
        nn.ReLU(),
        _CropTo7(),
        _deconv(2 * dim, dim, bias=False),
        _bn2d(dim),
        nn.ReLU(),
        _deconv(dim, 1, bias=True),
        nn.Tanh(),
    )
    return critic, generator


def kerasio_nets(latent_dim=LATENT_DIM):
    """keras-io's WGAN-GP example's critic and generator: `(critic, generator)`."""
    critic = nn.Sequential(
        nn.ZeroPad2d(2),  # 28 -> 32
        nn.Conv2d(1, 64, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.3),
        nn.Conv2d(128, 256, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.3),
        nn.Conv2d(256, 512, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(2 * 2 * 512, 1),
    )
    layers = [
        nn.Linear(latent_dim, 4 * 4 * 256, bias=False),
        _bn1d(4 * 4 * 256),
        nn.LeakyReLU(0.2),
        _Unflatten((256, 4, 4)),
    ]
    for in_channels, out_channels in ((256, 128), (128, 64), (64, 1)):
        layers += [
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
            _bn2d(out_channels),
            nn.Tanh() if out_channels == 1 else nn.LeakyReLU(0.2),
        ]
    generator = nn.Sequential(*layers, _Crop(2))  # 32 -> 28
    return critic, generator


NETS = {"mnist": mnist_nets, "kerasio": kerasio_nets}


def trainable_parameter_count(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def gradient_penalty(critic, real, fake):
    """`E (||grad_x f(x_hat)||_2 - 1)^2` on random interpolates, differentiable (double backward)."""
    alpha = torch.rand(real.shape[0], 1, 1, 1, device=real.device)
    interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(interpolates)
    (gradients,) = torch.autograd.grad(scores.sum(), interpolates, create_graph=True)
    norms = gradients.float().flatten(1).norm(2, dim=1)
    return ((norms - 1) ** 2).mean()


class PlainStep:
    """One generator step of plain PyTorch WGAN-GP: `critic_steps` critic iterations, one generator iteration.

    Args:
        critic, generator: `nn.Module`s on the device (see `NETS`).
        bf16: run the forward passes under `torch.autocast(dtype=torch.bfloat16)`.
        compile: `None` (eager), `"all"` (`torch.compile` both networks,
            the penalty's double backward included) or `"no_penalty"`
            (compiled networks, but the penalty's critic call eager: the
            workaround when compiled graphs refuse double backward).
    """

    def __init__(
        self,
        critic,
        generator,
        *,
        critic_steps=5,
        gp_weight=10.0,
        lr=1e-4,
        bf16=False,
        compile=None,
        latent_dim=LATENT_DIM,
    ):
        self.critic, self.generator = critic, generator
        self.critic_steps, self.gp_weight, self.latent_dim = critic_steps, gp_weight, latent_dim
        self.d_opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=(0.0, 0.9))
        self.g_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.0, 0.9))
        self.bf16 = bf16
        self.critic_fn = self.penalty_critic = critic
        self.generator_fn = generator
        if compile in ("all", "no_penalty"):
            self.critic_fn = torch.compile(critic)
            self.generator_fn = torch.compile(generator)
            self.penalty_critic = self.critic_fn if compile == "all" else critic
        elif compile is not None:
            raise ValueError(f"`compile` must be None, 'all' or 'no_penalty'. Received: compile={compile!r}")

    def _autocast(self, device):
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=self.bf16)

    def __call__(self, real_batches):
        """`real_batches`: `(critic_steps, batch, 1, 28, 28)` on the device. Returns the last losses (tensors)."""
        device = real_batches.device
        batch = real_batches.shape[1]
        self.critic.train()
        self.generator.train()
        for i in range(self.critic_steps):
            real = real_batches[i]
            z = torch.randn(batch, self.latent_dim, device=device)
            self.d_opt.zero_grad(set_to_none=True)
            with self._autocast(device):
                fake = self.generator_fn(z).detach()
                d_loss = self.critic_fn(fake).float().mean() - self.critic_fn(real).float().mean()
                penalty = gradient_penalty(self.penalty_critic, real, fake.to(real.dtype))
                d_loss = d_loss + self.gp_weight * penalty
            d_loss.backward()
            self.d_opt.step()
        z = torch.randn(batch, self.latent_dim, device=device)
        self.g_opt.zero_grad(set_to_none=True)
        with self._autocast(device):
            g_loss = -self.critic_fn(self.generator_fn(z)).float().mean()
        g_loss.backward()
        self.g_opt.step()
        return d_loss.detach(), g_loss.detach()
