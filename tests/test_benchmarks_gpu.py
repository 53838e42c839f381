"""The GPU benchmark's parts that can be checked anywhere: the PyTorch baseline and the timing harness."""

import math
import os
import sys
import time

import numpy as np
import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")
sys.path.insert(0, BENCHMARKS)

import gpu_step  # noqa: E402


class _SleepImpl:
    def __init__(self, name, seconds):
        self.name, self.seconds, self.calls = name, seconds, []

    def steps(self, n):
        self.calls.append(n)
        time.sleep(self.seconds * n)

    def finite(self):
        return True


def test_time_interleaved_reports_medians_and_ratios_to_the_first():
    fast, slow = _SleepImpl("jax", 0.002), _SleepImpl("torch_eager", 0.006)
    result = gpu_step.time_interleaved([fast, slow], reps=3, target_s=0.02)
    assert result["jax"]["ms_per_step"] == pytest.approx(2.0, rel=0.5)
    assert result["torch_eager"]["ms_per_step"] == pytest.approx(6.0, rel=0.5)
    assert result["torch_eager"]["ratio_to_jax"] == pytest.approx(3.0, rel=0.4)
    assert "ratio_to_jax" not in result["jax"]
    # One probe step, then 3 timed repetitions of about target_s each.
    assert fast.calls[0] == 1 and len(fast.calls) == 4
    assert fast.calls[1] > slow.calls[1]


# -- the PyTorch baseline ----------------------------------------------------

torch = pytest.importorskip("torch", reason="PyTorch is an optional dependency of the GPU benchmark only")
import torch_wgan_gp  # noqa: E402


def _keras_layout(parameter, owner):
    """A PyTorch parameter's shape in Keras's layout (channels last, kernels (h, w, in, out))."""
    shape = tuple(parameter.shape)
    if isinstance(owner, torch.nn.ConvTranspose2d) and len(shape) == 4:
        return shape[2], shape[3], shape[1], shape[0]  # Keras: (h, w, out, in)
    if isinstance(owner, torch.nn.Conv2d) and len(shape) == 4:
        return shape[2], shape[3], shape[1], shape[0]
    if isinstance(owner, torch.nn.Linear) and len(shape) == 2:
        return shape[1], shape[0]
    return shape


def _torch_shapes(module):
    return [_keras_layout(p, m) for m in module.modules() for p in m.parameters(recurse=False)]


def _keras_nets(nets):
    if nets == "mnist":
        from keras_wgan import architectures

        return architectures.mnist_critic(), architectures.mnist_generator()
    from kerasio_nets import kerasio_nets

    return kerasio_nets()


@pytest.mark.parametrize("nets", ["mnist", "kerasio"])
def test_torch_nets_match_the_keras_nets_layer_for_layer(nets):
    keras_critic, keras_generator = _keras_nets(nets)
    torch_critic, torch_generator = torch_wgan_gp.NETS[nets]()
    for keras_net, torch_net in ((keras_critic, torch_critic), (keras_generator, torch_generator)):
        keras_shapes = [tuple(w.shape) for w in keras_net.trainable_weights]
        # Flatten's order differs (NHWC vs NCHW), not the first Dense layer's shape.
        assert _torch_shapes(torch_net) == keras_shapes
        assert torch_wgan_gp.trainable_parameter_count(torch_net) == sum(math.prod(s) for s in keras_shapes)
    z = torch.zeros(2, 128)
    assert tuple(torch_generator(z).shape) == (2, 1, 28, 28)
    assert tuple(torch_critic(torch.zeros(2, 1, 28, 28)).shape) == (2, 1)
    batch_norms = [m for m in torch_generator.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    assert batch_norms and all(m.momentum == 0.01 and m.eps == 1e-3 for m in batch_norms)  # Keras's 0.99, 1e-3


def test_gradient_penalty_of_a_linear_critic_is_the_weight_norm_term():
    torch.manual_seed(0)
    critic = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(28 * 28, 1))
    real, fake = torch.randn(8, 1, 28, 28), torch.randn(8, 1, 28, 28)
    penalty = torch_wgan_gp.gradient_penalty(critic, real, fake)
    weight = critic[1].weight
    expected = (weight.norm() - 1) ** 2
    assert float(penalty.detach()) == pytest.approx(float(expected), rel=1e-5)
    # Differentiable with respect to the weights: d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||.
    penalty.backward()
    np.testing.assert_allclose(
        weight.grad.numpy(), (2 * (weight.norm() - 1) * weight / weight.norm()).detach().numpy(), rtol=1e-4, atol=1e-7
    )


@pytest.mark.parametrize("bf16", [False, True])
def test_plain_step_trains_both_networks(bf16):
    torch.manual_seed(0)
    critic, generator = torch_wgan_gp.mnist_nets(dim=4)
    step = torch_wgan_gp.PlainStep(critic, generator, bf16=bf16)
    # The critic's output bias cancels in E f(fake) - E f(real) and does not
    # enter the penalty: its gradient is exactly 0 and Adam leaves it alone.
    output_bias = critic[-1].bias
    before_bias = output_bias.detach().clone()
    moving = [p for p in (*critic.parameters(), *generator.parameters()) if p is not output_bias]
    before = [p.detach().clone() for p in moving]
    d_loss, g_loss = step(torch.rand(5, 4, 1, 28, 28) * 2 - 1)
    assert torch.isfinite(d_loss) and torch.isfinite(g_loss)
    assert all(not torch.equal(a, b) for a, b in zip(before, moving))
    assert torch.equal(output_bias.detach(), before_bias)
    assert int(step.d_opt.state[next(critic.parameters())]["step"]) == 5
    assert int(step.g_opt.state[next(generator.parameters())]["step"]) == 1


def test_plain_step_rejects_an_unknown_compile_mode():
    critic, generator = torch_wgan_gp.mnist_nets(dim=4)
    with pytest.raises(ValueError, match="compile="):
        torch_wgan_gp.PlainStep(critic, generator, compile="max")
