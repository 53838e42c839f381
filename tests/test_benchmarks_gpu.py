"""The GPU benchmark's parts that can be checked anywhere: the PyTorch baseline and the timing harness."""

import math
import os
import sys

import keras
import numpy as np
import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")
sys.path.insert(0, BENCHMARKS)

import gpu_step  # noqa: E402


class _Clock:
    """A fake `time` module: only the implementations' steps advance it."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now


class _FakeImpl:
    def __init__(self, name, clock, seconds_per_step):
        self.name, self.clock, self.seconds, self.calls = name, clock, seconds_per_step, []

    def steps(self, n):
        self.calls.append(n)
        # Slower on every call, so that a median of the wrong values would show.
        self.clock.now += self.seconds * n * (1 + 0.01 * len(self.calls))

    def finite(self):
        return True


def test_time_interleaved_reports_medians_and_ratios_to_the_first(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(gpu_step, "time", clock)
    fast, slow = _FakeImpl("jax", clock, 0.002), _FakeImpl("torch_eager", clock, 0.006)
    result = gpu_step.time_interleaved([fast, slow], reps=3, target_s=0.02)
    # One probe step each (n = target / probe time), then 3 timed repetitions, the middle one the median.
    assert fast.calls == [1, 10, 10, 10] and slow.calls == [1, 3, 3, 3]
    assert result["jax"]["ms_per_step"] == pytest.approx(2.0 * 1.03)
    assert result["torch_eager"]["ms_per_step"] == pytest.approx(6.0 * 1.03)
    assert result["torch_eager"]["ratio_to_jax"] == pytest.approx(3.0)
    assert "ratio_to_jax" not in result["jax"]
    assert result["jax"]["steps_per_timing"] == 10 and result["jax"]["losses_finite"]


# -- the JAX loop: the train step of fit, without the input pipeline ---------


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="jax_loop drives Keras's JAX trainer")
def test_jax_train_loop_runs_the_same_steps_as_fit():
    import jax_loop

    import keras_wgan as kw
    from keras_wgan import architectures

    def model():
        keras.utils.set_random_seed(0)
        critic, generator = architectures.mnist_critic(dim=4), architectures.mnist_generator(dim=4)
        wgan = kw.WGANGP(critic, generator, critic_steps=2, seed=0)
        wgan.compile(jit_compile=True)
        return wgan

    batches = np.random.default_rng(0).uniform(-1, 1, size=(4, 8, 28, 28, 1)).astype("float32")
    fitted = model()
    fitted.fit(batches.reshape(32, 28, 28, 1), batch_size=8, shuffle=False, epochs=1, verbose=0)
    looped = model()
    loop = jax_loop.TrainLoop(looped)
    # Step k gets real batches 2k and 2k+1, stacked as (batch, critic_steps, ...), as fit groups them.
    loop.run([np.stack(list(batches[2 * k : 2 * k + 2]), axis=1) for k in range(2)])
    loop.sync_to_model()
    for a, b in zip(fitted.get_weights(), looped.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert int(looped.generator_optimizer.iterations) == 2
    assert all(math.isfinite(v) for v in loop.last_logs().values())


def test_device_batches_draw_every_digit_once_per_epoch():
    import gpu_time_to_quality

    images = np.arange(40, dtype="float32").reshape(40, 1, 1, 1)
    batches = gpu_time_to_quality.DeviceBatches(images, batch=4, critic_steps=5, seed=0)
    first_epoch = [np.asarray(b) for b in batches.batches(2)]
    assert all(b.shape == (4, 5, 1, 1, 1) for b in first_epoch)
    assert sorted(np.concatenate(first_epoch).ravel()) == list(range(40))
    second_epoch = np.concatenate([np.asarray(b) for b in batches.batches(2)]).ravel()
    assert sorted(second_epoch) == list(range(40))
    assert not np.array_equal(np.concatenate(first_epoch).ravel(), second_epoch)  # reshuffled


# -- the PyTorch baseline ----------------------------------------------------

try:
    import torch
    import torch_wgan_gp
except ImportError:  # PyTorch is an optional dependency of the GPU benchmark only.
    torch = None
requires_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch is not installed (only the GPU benchmark needs it)"
)


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


@requires_torch
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
    batch_norms = [
        m for m in torch_generator.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
    ]
    assert batch_norms and all(
        m.momentum == 0.01 and m.eps == 1e-3 for m in batch_norms
    )  # Keras's 0.99, 1e-3


@requires_torch
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
        weight.grad.numpy(),
        (2 * (weight.norm() - 1) * weight / weight.norm()).detach().numpy(),
        rtol=1e-4,
        atol=1e-7,
    )


@requires_torch
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
    assert all(not torch.equal(a, b) for a, b in zip(before, moving, strict=True))
    assert torch.equal(output_bias.detach(), before_bias)
    assert int(step.d_opt.state[next(critic.parameters())]["step"]) == 5
    assert int(step.g_opt.state[next(generator.parameters())]["step"]) == 1


@requires_torch
def test_plain_step_rejects_an_unknown_compile_mode():
    critic, generator = torch_wgan_gp.mnist_nets(dim=4)
    with pytest.raises(ValueError, match="compile="):
        torch_wgan_gp.PlainStep(critic, generator, compile="max")


def _new_keras_nets(nets):
    from keras_wgan import architectures

    if nets == "dcgan64":
        return architectures.dcgan_critic(64), architectures.dcgan_generator(100, 64)
    return architectures.resnet_critic(32), architectures.resnet_generator(128, 32)


@requires_torch
@pytest.mark.parametrize("nets", ["dcgan64", "resnet32"])
def test_torch_image_nets_have_the_keras_nets_parameters(nets):
    keras_critic, keras_generator = _new_keras_nets(nets)
    torch_critic, torch_generator = torch_wgan_gp.NETS[nets]()
    for keras_net, torch_net in ((keras_critic, torch_critic), (keras_generator, torch_generator)):
        keras_shapes = sorted(tuple(w.shape) for w in keras_net.trainable_weights)
        assert sorted(_torch_shapes(torch_net)) == keras_shapes
        assert torch_wgan_gp.trainable_parameter_count(torch_net) == keras_net.count_params() - sum(
            math.prod(w.shape) for w in keras_net.non_trainable_weights
        )
    channels, height, width = torch_wgan_gp.SAMPLE_SHAPES[nets]
    assert tuple(keras_generator.output_shape[1:]) == (height, width, channels)
    images = torch_generator(torch.zeros(2, torch_wgan_gp.LATENT_DIMS[nets]))
    assert tuple(images.shape) == (2, channels, height, width)
    assert tuple(torch_critic(images).shape) == (2, 1)


@requires_torch
@pytest.mark.parametrize(
    "nets, size, bf16, rtol",
    [
        ("mnist", 4, False, 1e-5),
        ("dcgan64", 4, False, 5e-3),
        ("resnet32", 4, False, 1e-4),
        ("mnist", 4, True, 2e-2),
    ],
)
def test_tuned_step_gives_the_plain_steps_losses(nets, size, bf16, rtol):
    import copy

    torch.manual_seed(0)
    plain_critic, plain_generator = torch_wgan_gp.NETS[nets](dim=size)
    tuned_critic, tuned_generator = copy.deepcopy(plain_critic), copy.deepcopy(plain_generator)
    latent_dim = torch_wgan_gp.LATENT_DIMS[nets]
    plain = torch_wgan_gp.PlainStep(plain_critic, plain_generator, latent_dim=latent_dim, bf16=bf16)
    tuned = torch_wgan_gp.TunedStep(tuned_critic, tuned_generator, latent_dim=latent_dim, bf16=bf16)
    batches = torch.rand(5, 4, *torch_wgan_gp.SAMPLE_SHAPES[nets]) * 2 - 1
    tuned_batches = torch_wgan_gp.channels_last_batches(batches)
    assert torch.equal(tuned_batches, batches) and tuned_batches[0].is_contiguous(
        memory_format=torch.channels_last
    )
    for step in range(2):
        # The same draws in the same order: the same noise and interpolates.
        torch.manual_seed(10 + step)
        expected = [float(x) for x in plain(batches)]
        torch.manual_seed(10 + step)
        got = [float(x) for x in tuned(tuned_batches)]
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * 0.1)
    for a, b in zip(plain_critic.parameters(), tuned_critic.parameters(), strict=True):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), atol=1e-3 if bf16 else 5e-4)
    # The generator iteration leaves the critic trainable, and computed no critic gradients of its own.
    assert all(p.requires_grad for p in tuned_critic.parameters())
    assert tuned.adam == "fused" or tuned.adam.startswith("foreach")


@requires_torch
def test_adam_falls_back_to_foreach_where_fused_is_refused(monkeypatch):
    real_adam = torch.optim.Adam

    def adam(parameters, fused=None, **kwargs):
        if fused:
            raise RuntimeError(
                "`fused=True` requires all the params to be floating point Tensors of supported devices"
            )
        return real_adam(parameters, **kwargs)

    monkeypatch.setattr(torch.optim, "Adam", adam)
    _, kind = torch_wgan_gp.make_adam([torch.nn.Parameter(torch.zeros(2))], 1e-4)
    assert kind.startswith("foreach (fused refused: ")


# -- the fair comparison (benchmarks/gpu_fair_step.py) --------------------------


def test_fair_work_list_measures_the_priority_rows_first_and_every_row_once():
    import types

    import gpu_fair_step

    args = types.SimpleNamespace(
        nets=list(gpu_fair_step.NETS),
        batches=[64, 256],
        policies=list(gpu_fair_step.POLICIES),
        impls=list(gpu_fair_step.IMPLS),
    )
    items = gpu_fair_step.work_list(args)
    head = items[:16]
    assert {(n, b, p) for n, b, p, _, _ in head} == {
        (n, b, "float32") for n in ("mnist", "dcgan64") for b in (64, 256)
    }
    assert [(i, o.get("callbacks")) for _, _, _, i, o in head[:4]] == [
        ("keras_wgan_fit", "none"),
        ("keras_wgan_fit", "example"),
        ("torch_cuda_graph", None),
        ("torch_tuned", None),
    ]
    keys = [(n, b, p, i, tuple(sorted(o.items()))) for n, b, p, i, o in items]
    assert len(keys) == len(set(keys))
    every = {(n, b, p, i) for n in args.nets for b in args.batches for p in args.policies for i in args.impls}
    assert {k[:4] for k in keys} == every
    assert {i for _, _, _, i, _ in items[-16:]} == {"torch_compile"}  # slow to compile: last


def test_busy_time_is_the_union_of_kernel_intervals():
    import gpu_fair_step

    # Microseconds in, milliseconds out; overlaps and nesting counted once.
    assert gpu_fair_step._busy_ms([(0, 1000), (500, 1500), (600, 700), (3000, 4000)]) == pytest.approx(2.5)
    assert gpu_fair_step._busy_ms([]) == 0.0
    # An XLA trace: only the GPU's stream threads count, not the host's nor the module spans.
    events = [
        {"ph": "M", "pid": 1, "name": "process_name", "args": {"name": "/host:CPU"}},
        {"ph": "M", "pid": 2, "name": "process_name", "args": {"name": "/device:GPU:0"}},
        {"ph": "M", "pid": 2, "tid": 7, "name": "thread_name", "args": {"name": "Stream #13(Compute)"}},
        {"ph": "M", "pid": 2, "tid": 8, "name": "thread_name", "args": {"name": "XLA Modules"}},
        {"ph": "X", "pid": 1, "tid": 1, "ts": 0, "dur": 99},
        {"ph": "X", "pid": 2, "tid": 7, "ts": 10, "dur": 5},
        {"ph": "X", "pid": 2, "tid": 8, "ts": 0, "dur": 50},
    ]
    assert gpu_fair_step._gpu_stream_intervals(events) == [(10, 15)]


@pytest.mark.slow  # A subprocess compiling the JAX step and running every PyTorch step on the CPU.
@pytest.mark.skipif(
    keras.backend.backend() == "jax",
    reason="runs once per CI, in the TensorFlow pass; its subprocess is on JAX",
)
def test_fair_cpu_smoke_runs_every_implementation(tmp_path):
    import json
    import subprocess

    output = tmp_path / "fair.json"
    environment = {**os.environ, "KERAS_BACKEND": "jax"}
    command = [
        sys.executable,
        os.path.join(BENCHMARKS, "gpu_fair_step.py"),
        "--cpu-smoke",
        "--nets",
        "mnist",
        "--policies",
        "float32",
        "--json",
        str(output),
    ]
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=1800)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    result = json.loads(output.read_text())
    assert {"device", "versions", "precision", "rows", "busy", "errors"} <= set(result)
    rows = {(r["impl"], r.get("callbacks"), r.get("device_data")) for r in result["rows"]}
    assert {
        ("keras_wgan_step", None, None),
        ("keras_wgan_fit", "none", True),
        ("keras_wgan_fit", "example", True),
        ("keras_wgan_fit", "none", False),
    } <= rows
    assert all(r["losses_finite"] and r["ms_per_step"] > 0 for r in result["rows"])
    if result["versions"]["torch"] is not None:  # The subprocess sees what this process sees.
        assert {"torch_eager", "torch_tuned", "torch_compile"} <= {r[0] for r in rows}
        assert [e["impl"] for e in result["errors"]] == ["torch_cuda_graph"]  # needs CUDA
        assert result["precision"]["torch_matmul_allow_tf32"] is True
    else:
        assert not result["errors"]
    assert {b["impl"] for b in result["busy"]} >= {"keras_wgan_step"}


def test_fair_table_puts_each_implementation_in_its_column():
    import gpu_table

    def row(impl, ms, **options):
        return {"nets": "mnist", "batch": 64, "policy": "float32", "impl": impl, "ms_per_step": ms, **options}

    data = {
        "device": "GPU",
        "rows": [
            row("keras_wgan_fit", 4.0, callbacks="none", device_data=True),
            row("keras_wgan_fit", 9.0, callbacks="none", device_data=False),
            row("torch_cuda_graph", 2.0, verified=False),
        ],
        "busy": [],
    }
    line = gpu_table.fair_table(data).splitlines()[-1]
    cells = [c.strip() for c in line.strip("|").split("|")]
    # nets, batch, policy, step, fit, fit+callbacks, fit host, eager, tuned, graph, compile, fit / graph
    assert cells == [
        "mnist",
        "64",
        "float32",
        "-",
        "4.00",
        "-",
        "9.00",
        "-",
        "-",
        "2.00 (unverified)",
        "-",
        "2.00",
    ]


def test_importing_the_fair_benchmark_leaves_the_environment_alone(monkeypatch):
    # Tests that start subprocesses later (the examples) inherit os.environ.
    import importlib

    import gpu_fair_step

    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    importlib.reload(gpu_fair_step)
    assert "KERAS_BACKEND" not in os.environ
