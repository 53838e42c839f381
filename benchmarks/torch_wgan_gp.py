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
- `dcgan64_nets()`: `keras_wgan.architectures.dcgan_critic(64)` /
  `dcgan_generator(100, 64)` (64x64 RGB; batch normalisation momentum 0.9
  as there, PyTorch's 0.1).
- `resnet32_nets()`: `keras_wgan.architectures.resnet_critic(32)` /
  `resnet_generator(128, 32)` (the WGAN-GP paper's CIFAR-10 ResNets).

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

The tuned step (`TunedStep`), what a careful PyTorch user writes; the same
arithmetic and the same random draws in the same order as `PlainStep`, so
that from the same weights and batches it gives the same losses (checked
on the CPU by `tests/test_benchmarks_gpu.py`): fakes under `no_grad` (no
generator graph is kept for the critic iterations), one critic call on
real and fake concatenated (equal to two calls only because the critic has
no batch normalisation; a critic with dropout draws its masks differently,
so kerasio's losses differ by those draws), the critic's
`requires_grad_(False)` during the generator iteration (no critic weight
gradients), `Adam(fused=True)` where the device has it, channels-last
tensors. `CudaGraphStep` captures a whole `TunedStep` as one CUDA graph
(PyTorch's whole-network capture recipe: `Adam(capturable=True)`, static
device batches, warm-up on a side stream, autocast's cache off) and
replays it: one launch per generator step.
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


def _same(kernel):
    # Keras's padding="same" for odd kernels at stride 1.
    return kernel // 2


class _Residual(nn.Module):
    """`keras_wgan.architectures.resnet.residual_block`: `shortcut(x) + main(x)`."""

    def __init__(self, channels, resample, batch_normalization, first=False):
        super().__init__()

        def conv(kernel):
            return nn.Conv2d(channels, channels, kernel, padding=_same(kernel))

        if first:  # The critic's first block: image in, no activation before its first convolution.
            self.shortcut = nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(3, channels, 1))
            self.main = nn.Sequential(
                nn.Conv2d(3, channels, 3, padding=1), nn.ReLU(), conv(3), nn.AvgPool2d(2)
            )
            return
        if resample == "down":
            self.shortcut = nn.Sequential(nn.AvgPool2d(2), conv(1))
        elif resample == "up":
            self.shortcut = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), conv(1))
        else:
            self.shortcut = nn.Identity()
        norm = (
            (lambda: nn.BatchNorm2d(channels, eps=1e-3, momentum=0.1)) if batch_normalization else nn.Identity
        )
        main = [norm(), nn.ReLU()]
        if resample == "up":
            main.append(nn.Upsample(scale_factor=2, mode="nearest"))
        main += [conv(3), norm(), nn.ReLU(), conv(3)]
        if resample == "down":
            main.append(nn.AvgPool2d(2))
        self.main = nn.Sequential(*main)

    def forward(self, x):
        return self.shortcut(x) + self.main(x)


class _MeanPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def dcgan64_nets(latent_dim=100, dim=64, channels=3):
    """`dcgan_critic(64)` and `dcgan_generator(latent_dim, 64)` of keras_wgan: `(critic, generator)`."""
    critic_layers, in_channels = [], channels
    for width in (dim, 2 * dim, 4 * dim, 8 * dim):
        # 4x4 stride 2 "same": one pixel each side, the side halved.
        critic_layers += [nn.Conv2d(in_channels, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        in_channels = width
    critic = nn.Sequential(*critic_layers, nn.Flatten(), nn.Linear(4 * 4 * 8 * dim, 1))

    def bn(features):
        return nn.BatchNorm2d(features, eps=1e-3, momentum=0.1)  # Keras's momentum 0.9

    layers = [
        nn.Linear(latent_dim, 4 * 4 * 8 * dim, bias=False),
        _Unflatten((8 * dim, 4, 4)),
        bn(8 * dim),
        nn.ReLU(),
    ]
    for in_channels, out_channels in ((8 * dim, 4 * dim), (4 * dim, 2 * dim), (2 * dim, dim)):
        layers += [
            nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1, bias=False),
            bn(out_channels),
            nn.ReLU(),
        ]
    layers += [nn.ConvTranspose2d(dim, channels, 4, stride=2, padding=1), nn.Tanh()]
    return critic, nn.Sequential(*layers)


def resnet32_nets(latent_dim=128, dim=128, channels=3):
    """`resnet_critic(32)` and `resnet_generator(latent_dim, 32)` of keras_wgan: `(critic, generator)`."""
    critic = nn.Sequential(
        _Residual(dim, "down", False, first=True),
        _Residual(dim, "down", False),
        _Residual(dim, None, False),
        _Residual(dim, None, False),
        nn.ReLU(),
        _MeanPool(),
        nn.Linear(dim, 1),
    )
    generator = nn.Sequential(
        nn.Linear(latent_dim, 4 * 4 * dim),
        _Unflatten((dim, 4, 4)),
        *[_Residual(dim, "up", True) for _ in range(3)],
        nn.BatchNorm2d(dim, eps=1e-3, momentum=0.1),
        nn.ReLU(),
        nn.Conv2d(dim, channels, 3, padding=1),
        nn.Tanh(),
    )
    return critic, generator


NETS = {"mnist": mnist_nets, "kerasio": kerasio_nets, "dcgan64": dcgan64_nets, "resnet32": resnet32_nets}
# Each family's latent size and (channels, height, width) of its samples, as the Keras nets take them.
LATENT_DIMS = {"mnist": LATENT_DIM, "kerasio": LATENT_DIM, "dcgan64": 100, "resnet32": 128}
SAMPLE_SHAPES = {
    "mnist": (1, 28, 28),
    "kerasio": (1, 28, 28),
    "dcgan64": (3, 64, 64),
    "resnet32": (3, 32, 32),
}


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
        compile_options: keyword arguments of `torch.compile` (e.g.
            `{"backend": "eager"}` for a quick CPU check of the plumbing).
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
        compile_options=None,
    ):
        self.critic, self.generator = critic, generator
        self.critic_steps, self.gp_weight, self.latent_dim = critic_steps, gp_weight, latent_dim
        self.d_opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=(0.0, 0.9))
        self.g_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.0, 0.9))
        self.bf16 = bf16
        self.critic_fn = self.penalty_critic = critic
        self.generator_fn = generator
        if compile in ("all", "no_penalty"):
            self.critic_fn = torch.compile(critic, **(compile_options or {}))
            self.generator_fn = torch.compile(generator, **(compile_options or {}))
            self.penalty_critic = self.critic_fn if compile == "all" else critic
        elif compile is not None:
            raise ValueError(f"`compile` must be None, 'all' or 'no_penalty'. Received: compile={compile!r}")

    def _autocast(self, device):
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=self.bf16)

    def __call__(self, real_batches):
        """`real_batches`: `(critic_steps, batch, C, H, W)` on the device. Returns the last losses (tensors)."""
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


def make_adam(parameters, lr, *, fused=True, capturable=False):
    """`(Adam(lr, betas=(0, 0.9)), kind)`: fused where the device has it, else foreach (`kind` says which)."""
    parameters = list(parameters)
    kwargs = {"lr": lr, "betas": (0.0, 0.9), "capturable": capturable}
    if fused:
        try:
            return torch.optim.Adam(parameters, fused=True, **kwargs), "fused"
        except (RuntimeError, ValueError) as error:  # A device without the fused kernels.
            return torch.optim.Adam(parameters, foreach=True, **kwargs), f"foreach (fused refused: {error})"
    return torch.optim.Adam(parameters, foreach=True, **kwargs), "foreach"


def channels_last_batches(batches):
    """`(critic_steps, batch, C, H, W)` whose every `[i]` is a channels-last tensor, as `TunedStep` takes them."""
    steps, batch, channels, height, width = batches.shape
    out = torch.empty((steps, batch, height, width, channels), dtype=batches.dtype, device=batches.device)
    out = out.permute(0, 1, 4, 2, 3)
    out.copy_(batches)
    return out


class TunedStep:
    """The plain step as a careful PyTorch user writes it; same arithmetic and random draws as `PlainStep`.

    Args:
        critic, generator: `nn.Module`s on the device, without batch
            normalisation in the critic (one call on real and fake
            concatenated must equal two calls).
        bf16: `torch.autocast(dtype=torch.bfloat16)` around the forward passes.
        fused: `Adam(fused=True)` where the device has it (`adam` says
            what was used).
        channels_last: networks (and, from the caller,
            `channels_last_batches`) in channels-last memory format, what
            cuDNN's tensor-core convolutions read without transposes.
        capturable: `Adam(capturable=True)`, for `CudaGraphStep`.
        autocast_cache: autocast's weight-cast cache; off inside a CUDA
            graph capture (PyTorch's documented requirement).
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
        latent_dim=LATENT_DIM,
        fused=True,
        channels_last=True,
        capturable=False,
        autocast_cache=True,
    ):
        if channels_last:
            critic.to(memory_format=torch.channels_last)
            generator.to(memory_format=torch.channels_last)
        self.critic, self.generator = critic, generator
        self.critic_steps, self.gp_weight, self.latent_dim = critic_steps, gp_weight, latent_dim
        self.d_opt, self.adam = make_adam(critic.parameters(), lr, fused=fused, capturable=capturable)
        self.g_opt, _ = make_adam(generator.parameters(), lr, fused=fused, capturable=capturable)
        self.bf16, self.autocast_cache = bf16, autocast_cache

    def _autocast(self, device):
        return torch.autocast(
            device_type=device.type,
            dtype=torch.bfloat16,
            enabled=self.bf16,
            cache_enabled=self.autocast_cache,
        )

    def __call__(self, real_batches):
        """`real_batches`: `(critic_steps, batch, C, H, W)` on the device. Returns the last losses (tensors)."""
        device = real_batches.device
        batch = real_batches.shape[1]
        self.critic.train()
        self.generator.train()
        for i in range(self.critic_steps):
            real = real_batches[i]
            z = torch.randn(batch, self.latent_dim, device=device)  # Drawn as PlainStep draws them.
            with self._autocast(device):
                with torch.no_grad():
                    fake = self.generator(z).to(real.dtype)
                scores = self.critic(torch.cat([real, fake])).float()
                d_loss = scores[batch:].mean() - scores[:batch].mean()
                d_loss = d_loss + self.gp_weight * gradient_penalty(self.critic, real, fake)
            self.d_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            self.d_opt.step()
        z = torch.randn(batch, self.latent_dim, device=device)
        self.critic.requires_grad_(False)  # The generator's gradient only, no critic weight gradients.
        try:
            self.g_opt.zero_grad(set_to_none=True)
            with self._autocast(device):
                g_loss = -self.critic(self.generator(z)).float().mean()
            g_loss.backward()
        finally:
            self.critic.requires_grad_(True)
        self.g_opt.step()
        return d_loss.detach(), g_loss.detach()


class CudaGraphStep:
    """A whole `TunedStep` captured as one CUDA graph, replayed once per generator step (CUDA only).

    PyTorch's whole-network capture recipe ("CUDA Graphs" in the CUDA
    semantics notes): `Adam(capturable=True)` so that the optimizer's step
    count stays on the device, a few eager warm-up steps on a side stream
    (cuDNN autotuning, the optimizers' lazy state, the allocator's first
    allocations happen outside the capture), gradients set to None before
    the capture so that `backward` allocates them from the graph's private
    pool, and the batches copied into a static device tensor before every
    replay. The random draws inside the graph advance the CUDA generator on
    every replay, as eager draws do.

    Args:
        critic, generator: as `TunedStep`, on a CUDA device.
        example_batches: `(critic_steps, batch, C, H, W)` on that device,
            for the static input's shape, strides and first values.
        warmup: eager steps before the capture.
        **kwargs: `TunedStep`'s other arguments.
    """

    def __init__(self, critic, generator, example_batches, *, warmup=3, **kwargs):
        self.tuned = TunedStep(critic, generator, capturable=True, autocast_cache=False, **kwargs)
        self.adam = self.tuned.adam
        # empty_like keeps the channels-last strides of every [i].
        self.static_batches = torch.empty_like(example_batches).copy_(example_batches)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(warmup):
                self.tuned(self.static_batches)
        torch.cuda.current_stream().wait_stream(side)
        self.tuned.d_opt.zero_grad(set_to_none=True)
        self.tuned.g_opt.zero_grad(set_to_none=True)
        self.graph = torch.cuda.CUDAGraph()
        # thread_local: JAX, in the same process in the benchmark, may touch CUDA from its own threads.
        with torch.cuda.graph(self.graph, capture_error_mode="thread_local"):
            self.static_losses = self.tuned(self.static_batches)

    def reset_optimizers(self):
        """Adam's moments and step counts back to zero, in place (the graph reads those very tensors)."""
        for optimizer in (self.tuned.d_opt, self.tuned.g_opt):
            for state in optimizer.state.values():
                for value in state.values():
                    if torch.is_tensor(value):
                        value.zero_()

    def __call__(self, real_batches=None):
        """One generator step on `real_batches` (copied in), or on the static batches as they are."""
        if real_batches is not None and real_batches.data_ptr() != self.static_batches.data_ptr():
            self.static_batches.copy_(real_batches)
        self.graph.replay()
        return self.static_losses
