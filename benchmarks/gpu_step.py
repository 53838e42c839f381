"""Milliseconds per WGAN-GP generator step: keras_wgan on JAX (XLA) vs plain PyTorch, eager and compiled.

One step is one generator step of Algorithm 1: 5 critic iterations (each on
its own real batch, fresh noise, gradient penalty with lambda = 10, Adam)
and one generator iteration. For each configuration (nets x batch x dtype)
it times, in the same process on the same device:

- `jax`: keras_wgan's `WGANGP` on the JAX backend, through the model's own
  jitted `train_function` as `fit` calls it, on device-resident real batches
  (`benchmarks/jax_loop.py`);
- `torch_eager`: the plain PyTorch WGAN-GP step most users write
  (`benchmarks/torch_wgan_gp.py`), same architectures, same batch;
- `torch_compile`: the same with both networks under `torch.compile`, the
  penalty's double backward included. Whether `torch.compile` accepts a
  penalty's double backward is first asked of a tiny compiled critic; if it
  refuses (PyTorch 2.11 does: "torch.compile with aot_autograd does not
  currently support double backward"), the error is recorded and
  `torch_compile_no_penalty` (compiled networks, the penalty's critic call
  eager) is timed instead.

Method: every implementation is warmed up first (tracing, compilation and
autotuning excluded: `--warmup` steps), then `--reps` repetitions are
INTERLEAVED (the order rotates each repetition), each timing `n` steps
between two device synchronisations (`jax.block_until_ready`,
`torch.cuda.synchronize`), `n` chosen so that one timing lasts about
`--target-s`. Reported: the median ms per step of each implementation and
the median over repetitions of the per-repetition ratio (>1: JAX faster).

PyTorch runs with its defaults (`cudnn.benchmark` on, as most GAN scripts
set it; TF32 for convolutions on, for matmuls off: PyTorch's defaults); JAX
with its defaults. Mixed precision: Keras's `mixed_bfloat16` policy, and
`torch.autocast(dtype=torch.bfloat16)` for PyTorch.

Order of work (`work_list`): `jax` and `torch_eager` in every configuration
of a net family, then `torch_compile` (slow to compile) on that family's
first configuration, re-timed interleaved with the other two; the other
`torch_compile` configurations come last, while `--budget-s` lasts. The JSON
is rewritten after every row, so a run cut short keeps what it measured.

Usage:
    KERAS_BACKEND=jax python benchmarks/gpu_step.py --json benchmarks/results/gpu_step.json
    KERAS_BACKEND=jax python benchmarks/gpu_step.py --smoke        # tiny, for a CPU check
    KERAS_BACKEND=jax python benchmarks/gpu_step.py --impls torch_eager torch_compile --nets mnist
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

START = time.perf_counter()
IMPLS = ("jax", "torch_eager", "torch_compile")


def log(message):
    print(f"[{time.perf_counter() - START:6.1f}s] {message}", flush=True)


def short_error(error, limit=400):
    text = f"{type(error).__name__}: {error}".replace("\n", " ")
    return text[:limit]


# -- implementations ---------------------------------------------------------


class JaxImpl:
    name = "jax"

    def __init__(self, nets, batch, policy, real):
        import jax
        from jax_loop import TrainLoop, build_wgan_gp

        self.loop = TrainLoop(build_wgan_gp(nets, policy))
        # (batch, critic_steps, 28, 28, 1): the layout keras_wgan's step takes.
        self.data = jax.device_put(np.ascontiguousarray(real.transpose(1, 0, 2, 3, 4)))

    def steps(self, n):
        self.loop.run([self.data] * n)
        self.loop.block()

    def finite(self):
        return all(np.isfinite(v) for v in self.loop.last_logs().values())


class TorchImpl:
    def __init__(self, name, nets, batch, policy, real, compile_mode):
        import torch
        import torch_wgan_gp

        self.name, self.torch = name, torch
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        torch.manual_seed(0)
        critic, generator = torch_wgan_gp.NETS[nets]()
        self.step = torch_wgan_gp.PlainStep(
            critic.to(self.device),
            generator.to(self.device),
            bf16=policy == "mixed_bfloat16",
            compile=compile_mode,
        )
        # (critic_steps, batch, 1, 28, 28): channels first.
        self.data = torch.from_numpy(np.ascontiguousarray(real.transpose(0, 1, 4, 2, 3))).to(self.device)
        self.losses = None

    def synchronize(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def steps(self, n):
        for _ in range(n):
            self.losses = self.step(self.data)
        self.synchronize()

    def finite(self):
        return all(bool(self.torch.isfinite(x).all()) for x in self.losses)


def build_impl(name, nets, batch, policy, real):
    if name == "jax":
        return JaxImpl(nets, batch, policy, real)
    modes = {"torch_eager": None, "torch_compile": "all", "torch_compile_no_penalty": "no_penalty"}
    return TorchImpl(name, nets, batch, policy, real, modes[name])


def compile_double_backward_refusal():
    """The error `torch.compile` raises on a penalty's double backward through a compiled critic, or None.

    A tiny critic, so that the answer costs seconds rather than the full
    networks' compilation (the same refusal on the MNIST nets:
    "torch.compile with aot_autograd does not currently support double
    backward", or first the donated-buffer variant of it).
    """
    import torch
    from torch import nn

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch._dynamo.reset()
    critic = torch.compile(
        nn.Sequential(
            nn.Conv2d(1, 4, 5, 2, 2), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4 * 14 * 14, 1)
        ).to(device)
    )
    x = torch.randn(4, 1, 28, 28, device=device, requires_grad=True)
    try:
        (gradients,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
        ((gradients.flatten(1).norm(dim=1) - 1) ** 2).mean().backward()
    except Exception as error:
        return short_error(error)
    finally:
        torch._dynamo.reset()
    return None


def warm_up(impl, steps):
    start = time.perf_counter()
    impl.steps(1)  # Tracing / compiling.
    first_s = time.perf_counter() - start
    impl.steps(max(0, steps - 1))
    return first_s, time.perf_counter() - start


# -- measurement -------------------------------------------------------------


def time_interleaved(impls, reps, target_s):
    """Median ms/step per implementation and median per-repetition ratios to `jax` (or to the first)."""
    counts = {}
    for impl in impls:
        start = time.perf_counter()
        impl.steps(1)
        one = time.perf_counter() - start
        counts[impl.name] = int(min(200, max(1, round(target_s / max(one, 1e-6)))))
    ms = {impl.name: [] for impl in impls}
    for rep in range(reps):
        shift = rep % len(impls)
        for impl in impls[shift:] + impls[:shift]:
            start = time.perf_counter()
            impl.steps(counts[impl.name])
            ms[impl.name].append(1e3 * (time.perf_counter() - start) / counts[impl.name])
    reference = impls[0].name
    result = {}
    for impl in impls:
        name = impl.name
        result[name] = {
            "ms_per_step": statistics.median(ms[name]),
            "all_ms": [round(x, 4) for x in ms[name]],
            "steps_per_timing": counts[name],
            "losses_finite": impl.finite(),
        }
        if name != reference:
            ratios = [a / b for a, b in zip(ms[name], ms[reference], strict=True)]
            result[name][f"ratio_to_{reference}"] = statistics.median(ratios)
    return result


def real_batches(batch, seed=0):
    """Real-looking data in [-1, 1]: `(critic_steps=5, batch, 28, 28, 1)` float32. Timing does not depend on the values."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(5, batch, 28, 28, 1)).astype("float32")


# -- environment -------------------------------------------------------------


def environment():
    import jax
    import keras

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "jax": jax.__version__,
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "jax_devices": [str(d) for d in jax.devices()],
        "jax_device_kind": jax.devices()[0].device_kind,
        "cpu_count": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(),
    }
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_cuda"] = torch.cuda.is_available()
        if torch.cuda.is_available():
            info["torch_device"] = torch.cuda.get_device_name(0)
            info["cudnn"] = torch.backends.cudnn.version()
            info["torch_tf32_conv"] = torch.backends.cudnn.allow_tf32
            info["torch_tf32_matmul"] = torch.backends.cuda.matmul.allow_tf32
    except ImportError:
        info["torch"] = None
    except Exception as error:  # A renamed flag must not stop the measurement.
        info["torch_info_error"] = short_error(error)
    try:
        info["nvidia_smi"] = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=name,driver_version,memory.total,clocks.max.sm",
                "--format=csv,noheader",
            ],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        info["nvidia_smi"] = None
    return info


def write_json(path, data):
    # Imported here: importing keras_wgan imports Keras, whose backend `main` sets first.
    from keras_wgan.utils.file_utils import write_text_atomically

    if path:
        write_text_atomically(path, json.dumps(data, indent=1))


# -- main --------------------------------------------------------------------


def work_list(args):
    """`("time", config)` for every configuration, `("compile", config)` where torch.compile is asked for.

    Order: each net family's configurations, then torch.compile on its first
    (smallest batch, float32) one, then torch.compile on the rest: a run cut
    short by its budget keeps the JAX / eager comparison everywhere and a
    torch.compile figure per net family.
    """
    configs = {n: [(n, b, d) for b in args.batches for d in args.dtypes] for n in args.nets}
    items, later = [], []
    for nets in args.nets:
        items += [("time", c) for c in configs[nets]]
        if "torch_compile" in args.impls:
            items.append(("compile", configs[nets][0]))
            later += [("compile", c) for c in configs[nets][1:]]
    return items + later


def time_config(config, names, args, output, kept):
    """Builds and warms up `names` on one configuration, times them interleaved; returns the row."""
    nets, batch, policy = config
    real = real_batches(batch)
    impls, row = [], {"nets": nets, "batch": batch, "policy": policy, "critic_steps": 5, "warmup": {}}
    for name in names:
        try:
            impl = build_impl(name, nets, batch, policy, real)
            row["warmup"][name] = warm_up(impl, args.warmup)
            impls.append(impl)
        except Exception as error:  # Recorded; the other implementations still run.
            output["errors"].append({"config": list(config), "impl": name, "error": short_error(error)})
            log(f"{name} {nets} b{batch} {policy} FAILED: {short_error(error)}")
    if not impls:
        return None
    row["results"] = time_interleaved(impls, args.reps, args.target_s)
    kept[config] = impls
    log_row(row)
    return row


def compile_config(config, args, output, kept, state):
    """torch.compile on one configuration, timed interleaved with the kept implementations; returns the row."""
    import torch

    if not state["probed"]:
        state["probed"] = True
        state["refused"] = compile_double_backward_refusal()
        output["torch_compile_refused"] = state["refused"]
        log(
            "torch.compile double backward: "
            + (f"refused ({state['refused']})" if state["refused"] else "works")
        )
    nets, batch, policy = config
    torch._dynamo.reset()  # Fresh networks per configuration: no stale guards, no recompile limit.
    real = real_batches(batch)
    row = {"nets": nets, "batch": batch, "policy": policy, "critic_steps": 5, "warmup": {}}
    names = ["torch_compile_no_penalty"] if state["refused"] else ["torch_compile"]
    impl = None
    while names and impl is None:
        name = names.pop(0)
        try:
            candidate = build_impl(name, nets, batch, policy, real)
            row["warmup"][name] = warm_up(candidate, args.warmup)
            impl = candidate
        except Exception as error:
            message = short_error(error)
            output["errors"].append({"config": list(config), "impl": name, "error": message})
            log(f"{name} {nets} b{batch} {policy} FAILED: {message}")
            if name == "torch_compile":
                state["refused"] = output["torch_compile_refused"] = message
                torch._dynamo.reset()
                names.append("torch_compile_no_penalty")
    if impl is None:
        return None
    row["results"] = time_interleaved(kept[config] + [impl], args.reps, args.target_s)
    log_row(row)
    return row


def log_row(row):
    log(
        f"{row['nets']:7s} b{row['batch']:<4d} {row['policy']:15s} "
        + "  ".join(
            f"{k} {v['ms_per_step']:8.2f} ms"
            + (f" (x{v['ratio_to_jax']:.2f})" if "ratio_to_jax" in v else "")
            for k, v in row["results"].items()
        )
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nets", nargs="+", default=["mnist", "kerasio"], choices=["mnist", "kerasio"])
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    parser.add_argument(
        "--dtypes", nargs="+", default=["float32", "mixed_bfloat16"], choices=["float32", "mixed_bfloat16"]
    )
    parser.add_argument("--impls", nargs="+", default=list(IMPLS), choices=IMPLS)
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions per configuration")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps per implementation")
    parser.add_argument("--target-s", type=float, default=0.25, help="seconds one timing should last")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=1e9,
        help="start no new configuration after this many seconds (torch.compile needs --compile-s left)",
    )
    parser.add_argument(
        "--compile-s",
        type=float,
        default=45.0,
        help="seconds left needed to start a torch.compile configuration",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny: MNIST nets, batch 8, float32, 2 reps")
    parser.add_argument("--json", default="benchmarks/results/gpu_step.json")
    args = parser.parse_args(argv)
    if args.smoke:
        args.nets, args.batches, args.reps, args.warmup, args.target_s = ["mnist"], [8], 2, 2, 0.05

    os.environ.setdefault("KERAS_BACKEND", "jax")
    # Leave GPU memory to PyTorch in the same process (JAX takes 75% by default).
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    import keras

    if keras.backend.backend() != "jax":
        raise SystemExit(
            f"gpu_step.py times keras_wgan on JAX: set KERAS_BACKEND=jax. Received: {keras.backend.backend()}"
        )
    torch_impls = [i for i in args.impls if i.startswith("torch")]
    if torch_impls:
        try:
            import torch

            torch.backends.cudnn.benchmark = True
        except ImportError:
            log("PyTorch is not installed: timing JAX only")
            args.impls = [i for i in args.impls if not i.startswith("torch")]

    info = environment()
    log("environment: " + json.dumps(info))
    import jax

    if info.get("torch_cuda") and jax.default_backend() == "cpu":
        # JAX falls back to the CPU with only a warning when its CUDA plugin fails to load.
        raise SystemExit(
            f"PyTorch sees a GPU but JAX runs on the CPU ({jax.devices()}): the comparison "
            "would be meaningless. Check the jax CUDA plugin (jax-cuda*-plugin)."
        )
    output = {"environment": info, "argv": sys.argv, "rows": [], "compile_rows": [], "errors": []}

    def save():
        output["elapsed_s"] = time.perf_counter() - START
        write_json(args.json, output)

    kept = {}  # config -> warmed-up implementations, re-timed beside torch.compile
    compile_state = {"refused": None, "probed": False}
    for kind, config in work_list(args):
        nets, batch, policy = config
        needed = args.compile_s if kind == "compile" else 0.0
        if time.perf_counter() - START + needed > args.budget_s:
            log(f"budget: skipping {kind} {nets} b{batch} {policy}")
            output["errors"].append(
                {"config": list(config), "kind": kind, "error": "skipped: --budget-s spent"}
            )
            continue
        if kind == "time":
            row = time_config(config, [i for i in args.impls if i != "torch_compile"], args, output, kept)
            if row:
                output["rows"].append(row)
        elif config in kept:
            row = compile_config(config, args, output, kept, compile_state)
            if row:
                output["compile_rows"].append(row)
        save()

    info["loadavg_at_end"] = os.getloadavg()
    save()
    print_table(output)
    if args.json:
        log(f"wrote {args.json}")


def print_table(output):
    print("\nms per generator step (5 critic + 1 generator iterations), median of interleaved repetitions")
    for title, rows in (
        ("JAX and eager PyTorch", output["rows"]),
        ("re-timed beside torch.compile", output["compile_rows"]),
    ):
        if not rows:
            continue
        print(f"-- {title}")
        print(f"{'nets':8s} {'batch':>5s} {'policy':15s} {'impl':26s} {'ms/step':>9s} {'x jax':>7s}")
        for row in rows:
            for name, r in row["results"].items():
                ratio = r.get("ratio_to_jax")
                print(
                    f"{row['nets']:8s} {row['batch']:5d} {row['policy']:15s} {name:26s} {r['ms_per_step']:9.2f} "
                    f"{(f'{ratio:7.2f}' if ratio else '      -')}"
                )
    print(
        "x jax = median over repetitions of (that implementation's time / JAX's time): >1 means JAX is faster."
    )
    if output.get("torch_compile_refused"):
        print(f"torch.compile (penalty included) refused: {output['torch_compile_refused']}")
    for error in output["errors"]:
        print(f"error: {error}")


if __name__ == "__main__":
    main()
