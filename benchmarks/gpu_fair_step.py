"""The fair GPU comparison: keras_wgan on JAX against tuned PyTorch, ms per WGAN-GP generator step.

One step is one generator step of Algorithm 1: 5 critic iterations (each on
its own real batch, fresh noise, gradient penalty with lambda = 10, Adam)
and one generator iteration, on the same networks on both sides
(`benchmarks/torch_wgan_gp.py` builds PyTorch's, layer for layer as
`keras_wgan.architectures`'). Implementations (`"impl"` of each row):

- `keras_wgan_step`: the model's own jitted `train_function`, as `fit` calls
  it, on device-resident batches (`benchmarks/jax_loop.py`): the step alone;
- `keras_wgan_fit`: `model.fit` on a NumPy array, `verbose=0`, steady-state
  epochs (the first, which traces, left out), with `"callbacks"`: `"none"`
  or `"example"` (`examples/training_run.py`'s `job_callbacks`: stop on
  NaN, backup, checkpoint, CSV log, sample grid, curves, every epoch), and
  `"device_data"`: whether the array was kept on the device
  (`fit(device_data=...)`; the later `false` rows measure the host path);
- `torch_eager`: the plain PyTorch step most users write (`PlainStep`);
- `torch_tuned`: `TunedStep` (no_grad fakes, one critic call on real and
  fake, no critic weight gradients in the generator iteration, fused Adam,
  channels last);
- `torch_cuda_graph`: the tuned step captured whole as one CUDA graph
  (`CudaGraphStep`), its losses first checked on the GPU against
  `torch_tuned` from the same weights, batches and seed (`"verified"`);
- `torch_compile`: the plain step with both networks under `torch.compile`;
  where the penalty's double backward is refused, the penalty's critic
  call eager (`"variant": "no_penalty"`).

Precision: float32 runs TF32 matrix units on both sides (JAX's default on
NVIDIA GPUs; PyTorch's `allow_tf32` flags turned on), recorded at the top
of the JSON with the device and versions. `mixed_bfloat16` is Keras's
policy and `torch.autocast(dtype=torch.bfloat16)`.

Method: each row builds (or reuses) its implementation, warms it up
(tracing, compilation, autotuning, capture excluded), then times `--reps`
runs of `n` steps between two device synchronisations, `n` chosen so that
one run lasts about `--target-s`; `ms_per_step` is the median. The order
puts first what matters most (`work_list`): MNIST and DCGAN-64 nets at
batch 64 and 256 in float32, `keras_wgan_fit` against `torch_cuda_graph`
and `torch_tuned`; then the rest. Every row has a time cap (`--row-s`) and
no row starts after `--budget-s`; the JSON is rewritten after every row, so
a run cut short keeps what it measured. GPU busy time (kernels only, from
the profilers' traces) beside wall time for one configuration per side.

Usage:
    KERAS_BACKEND=jax python benchmarks/gpu_fair_step.py              # the GPU run
    KERAS_BACKEND=jax python benchmarks/gpu_fair_step.py --cpu-smoke  # every row, 2 steps, tiny nets, CPU
"""

import argparse
import contextlib
import copy
import glob
import gzip
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
if __name__ == "__main__":  # Not on import: the tests' later subprocesses keep their backend.
    os.environ.setdefault("KERAS_BACKEND", "jax")
    # Leave GPU memory to PyTorch in the same process (JAX takes 75% by default).
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

import numpy as np  # noqa: E402

START = time.perf_counter()
NETS = ("mnist", "kerasio", "dcgan64", "resnet32")
POLICIES = ("float32", "mixed_bfloat16")
KERAS_IMPLS = ("keras_wgan_step", "keras_wgan_fit")
TORCH_IMPLS = ("torch_eager", "torch_tuned", "torch_cuda_graph", "torch_compile")
IMPLS = KERAS_IMPLS + TORCH_IMPLS
CRITIC_STEPS = 5
# Samples per fit epoch: MNIST's training set, CIFAR-10's for the colour nets.
EPOCH_SAMPLES = {"mnist": 60000, "kerasio": 60000, "dcgan64": 50000, "resnet32": 50000}
# CPU smoke: narrow networks (kerasio's widths are fixed).
SMOKE_DIMS = {"mnist": 4, "kerasio": None, "dcgan64": 4, "resnet32": 4}


def log(message):
    print(f"[{time.perf_counter() - START:6.1f}s] {message}", flush=True)


def short_error(error, limit=400):
    return f"{type(error).__name__}: {error}".replace("\n", " ")[:limit]


class RowTimeout(Exception):
    pass


@contextlib.contextmanager
def time_cap(seconds):
    """Raises `RowTimeout` after `seconds` (checked between Python bytecodes: a long compile finishes first)."""

    def expire(signum, frame):
        raise RowTimeout(f"row time cap of {seconds:.0f} s reached")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def real_batches(nets, batch, seed=0):
    """`(critic_steps, batch, H, W, C)` float32 in [-1, 1]; timing does not depend on the values."""
    from jax_loop import SAMPLE_SHAPES

    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(CRITIC_STEPS, batch, *SAMPLE_SHAPES[nets])).astype("float32")


# -- keras_wgan ----------------------------------------------------------------


class KerasSide:
    """One compiled `WGANGP` per configuration, shared by its step and fit rows (one XLA compilation).

    Kept for the whole run: the rows of a configuration are spread over the
    work list, and a model is small beside the device's memory.
    """

    def __init__(self, nets, batch, policy, dim):
        import jax_loop

        self.model = jax_loop.build_wgan_gp(nets, policy, dim=dim)
        self.nets, self.batch = nets, batch


class KerasStep:
    name = "keras_wgan_step"

    def __init__(self, side, real):
        import jax
        import jax_loop

        self.side = side
        self.loop = jax_loop.TrainLoop(side.model)
        # (batch, critic_steps, H, W, C): the layout keras_wgan's step takes.
        self.data = jax.device_put(np.ascontiguousarray(real.transpose(1, 0, 2, 3, 4)))
        self.info = {}

    def steps(self, n):
        self.loop.run([self.data] * n)
        self.loop.block()

    def finite(self):
        return all(np.isfinite(v) for v in self.loop.last_logs().values())

    def close(self):
        # The jitted step donates the state it is given: hand the model its
        # variables back, so that a later fit row starts from live buffers.
        self.loop.sync_to_model()


def example_callbacks(out):
    """`examples/training_run.py`'s callbacks for a run writing into `out` (no quality metric)."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "examples"))
    from training_run import job_callbacks

    args = types.SimpleNamespace(out=out, seed=0, resume=False)
    return job_callbacks(args, metrics=())[0]


class _EpochClock:
    """Two callbacks around all the others: each epoch's wall time, the device finished."""

    def __init__(self, model):
        import keras

        self.times, clock = [], self

        class Begin(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                clock.start = time.perf_counter()

        class End(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                import jax

                jax.block_until_ready([v.value for v in model.trainable_variables])
                clock.times.append(time.perf_counter() - clock.start)

        self.begin, self.end = Begin(), End()


def time_fit(side, reps, *, callbacks, device_data, epoch_samples, workdir):
    """ms per generator step of `model.fit` over steady-state epochs, and the row's details."""
    from keras_wgan.models.data import adapters

    model, batch = side.model, side.batch
    steps_per_epoch = max(1, epoch_samples // (batch * CRITIC_STEPS))
    from jax_loop import SAMPLE_SHAPES

    # Zeros: inside the generator's range, and no time spent drawing gigabytes.
    x = np.zeros((steps_per_epoch * batch * CRITIC_STEPS, *SAMPLE_SHAPES[side.nets]), "float32")
    clock = _EpochClock(model)
    extra = example_callbacks(tempfile.mkdtemp(dir=workdir)) if callbacks == "example" else []
    history = model.fit(
        x,
        batch_size=batch,
        epochs=1 + reps,
        shuffle=True,
        verbose=0,
        device_data=device_data,
        callbacks=[clock.begin, *extra, clock.end],
    )
    steady = clock.times[1:]  # The first epoch traces and compiles.
    per_step = [1e3 * t / steps_per_epoch for t in steady]
    losses = [v[-1] for v in history.history.values() if v]
    return {
        "ms_per_step": statistics.median(per_step),
        "all_ms": [round(t, 4) for t in per_step],
        "steps_per_timing": steps_per_epoch,
        "first_epoch_s": clock.times[0],
        "losses_finite": bool(all(np.isfinite(v) for v in losses)),
        "callbacks": callbacks,
        "device_data": bool(adapters.keeps_on_device(x, device_data)),
    }


# -- PyTorch -------------------------------------------------------------------


def torch_device():
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def torch_nets(nets, dim, device, seed=0):
    import torch
    import torch_wgan_gp

    torch.manual_seed(seed)
    kwargs = {} if dim is None else {"dim": dim}
    critic, generator = torch_wgan_gp.NETS[nets](**kwargs)
    return critic.to(device), generator.to(device)


def torch_data(real, device, channels_last):
    import torch
    import torch_wgan_gp

    data = torch.from_numpy(np.ascontiguousarray(real.transpose(0, 1, 4, 2, 3))).to(device)
    return torch_wgan_gp.channels_last_batches(data) if channels_last else data


def verify_cuda_graph(nets, dim, real, bf16, latent_dim):
    """The CUDA graph's losses against `TunedStep`'s from the same weights, batches and seed.

    Returns `(graph_step, check)`; `graph_step` is warmed up and ready to time.
    """
    import torch
    import torch_wgan_gp

    device = torch_device()
    data = torch_data(real, device, channels_last=True)
    critic, generator = torch_nets(nets, dim, device)
    weights = copy.deepcopy((critic.state_dict(), generator.state_dict()))
    graph = torch_wgan_gp.CudaGraphStep(critic, generator, data, latent_dim=latent_dim, bf16=bf16)
    # Back to the first weights and a fresh Adam, in place: the graph reads those very tensors.
    critic.load_state_dict(weights[0])
    generator.load_state_dict(weights[1])
    graph.reset_optimizers()
    torch.manual_seed(1)
    got = [[float(x) for x in graph(data)] for _ in range(2)]
    tuned_critic, tuned_generator = torch_nets(nets, dim, device)
    tuned_critic.load_state_dict(weights[0])
    tuned_generator.load_state_dict(weights[1])
    tuned = torch_wgan_gp.TunedStep(tuned_critic, tuned_generator, latent_dim=latent_dim, bf16=bf16)
    torch.manual_seed(1)
    expected = [[float(x) for x in tuned(data)] for _ in range(2)]
    rtol = 2e-2 if bf16 else 1e-3
    check = {
        "losses_cuda_graph": got,
        "losses_tuned": expected,
        "max_abs_diff": float(np.max(np.abs(np.subtract(got, expected)))),
        "verified": bool(np.allclose(got, expected, rtol=rtol, atol=rtol)),
    }
    return graph, data, check


class TorchImpl:
    def __init__(self, name, nets, batch, policy, real, dim, compile_options=None):
        import torch
        import torch_wgan_gp

        self.name, self.torch = name, torch
        self.device = torch_device()
        bf16 = policy == "mixed_bfloat16"
        latent_dim = torch_wgan_gp.LATENT_DIMS[nets]
        self.info = {}
        if name == "torch_cuda_graph":
            if self.device.type != "cuda":
                raise RuntimeError("torch_cuda_graph needs CUDA")
            self.step, self.data, self.info = verify_cuda_graph(nets, dim, real, bf16, latent_dim)
            self.info["adam"] = self.step.adam
            if not self.info["verified"]:
                log(f"WARNING: {nets} b{batch} {policy}: the CUDA graph's losses differ from torch_tuned's")
        elif name == "torch_tuned":
            critic, generator = torch_nets(nets, dim, self.device)
            self.step = torch_wgan_gp.TunedStep(critic, generator, latent_dim=latent_dim, bf16=bf16)
            self.data = torch_data(real, self.device, channels_last=True)
            self.info["adam"] = self.step.adam
        elif name == "torch_eager":
            critic, generator = torch_nets(nets, dim, self.device)
            self.step = torch_wgan_gp.PlainStep(critic, generator, latent_dim=latent_dim, bf16=bf16)
            self.data = torch_data(real, self.device, channels_last=False)
        elif name == "torch_compile":
            self.data = torch_data(real, self.device, channels_last=False)
            self.step = self._compiled(nets, dim, latent_dim, bf16, compile_options)
        else:
            raise ValueError(f"Unknown implementation {name!r}")
        self.losses = None

    def _compiled(self, nets, dim, latent_dim, bf16, compile_options):
        """The penalty compiled too if `torch.compile` accepts its double backward, else eager."""
        import torch_wgan_gp

        for variant in ("all", "no_penalty"):
            self.torch._dynamo.reset()  # Fresh networks: no stale guards, no recompile limit.
            critic, generator = torch_nets(nets, dim, self.device)
            step = torch_wgan_gp.PlainStep(
                critic,
                generator,
                latent_dim=latent_dim,
                bf16=bf16,
                compile=variant,
                compile_options=compile_options,
            )
            try:
                step(self.data)  # Compiles; raises here if the double backward is refused.
            except Exception as error:
                if variant == "no_penalty":
                    raise
                self.info["compile_all_refused"] = short_error(error)
                continue
            self.info["variant"] = variant
            self.info["compile_options"] = compile_options or {}
            return step
        raise AssertionError("unreachable")

    def synchronize(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def steps(self, n):
        for _ in range(n):
            self.losses = self.step(self.data)
        self.synchronize()

    def finite(self):
        return all(bool(self.torch.isfinite(x).all()) for x in self.losses)

    def close(self):
        pass


# -- measurement -----------------------------------------------------------------


def time_steps(impl, reps, target_s, warmup):
    """Median ms per step over `reps` runs of `n` steps, each between two synchronisations."""
    start = time.perf_counter()
    impl.steps(1)
    first_s = time.perf_counter() - start
    impl.steps(max(0, warmup - 1))
    start = time.perf_counter()
    impl.steps(1)
    one = time.perf_counter() - start
    n = int(min(500, max(1, round(target_s / max(one, 1e-6)))))
    ms = []
    for _ in range(reps):
        start = time.perf_counter()
        impl.steps(n)
        ms.append(1e3 * (time.perf_counter() - start) / n)
    return {
        "ms_per_step": statistics.median(ms),
        "all_ms": [round(x, 4) for x in ms],
        "steps_per_timing": n,
        "first_step_s": first_s,
        "losses_finite": impl.finite(),
    }


def _busy_ms(intervals):
    """Length of the union of `(start, end)` intervals (microseconds in, milliseconds out)."""
    total, end = 0.0, -float("inf")
    for a, b in sorted(intervals):
        if b > end:
            total += b - max(a, end)
            end = b
    return total / 1e3


def torch_busy(impl, n, workdir):
    """GPU busy ms per step (the union of kernel and copy intervals) under torch.profiler."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if impl.device.type == "cuda" else [])
    with profile(activities=activities) as profiler:
        impl.steps(n)
    path = os.path.join(workdir, "torch_trace.json")
    profiler.export_chrome_trace(path)
    with open(path) as file:
        events = json.load(file).get("traceEvents", [])
    intervals = [
        (e["ts"], e["ts"] + e["dur"])
        for e in events
        if e.get("ph") == "X" and e.get("cat") in ("kernel", "gpu_memcpy", "gpu_memset")
    ]
    return _busy_ms(intervals) / n if intervals else None


def jax_busy(impl, n, workdir):
    """GPU busy ms per step (the union of the GPU streams' op intervals) under jax.profiler."""
    import jax

    trace_dir = tempfile.mkdtemp(dir=workdir)
    with jax.profiler.trace(trace_dir, create_perfetto_trace=True):
        impl.steps(n)
    # The profiler writes the same events twice (`*.trace.json.gz`, `perfetto_trace.json.gz`).
    for path in sorted(glob.glob(os.path.join(trace_dir, "**", "*trace.json.gz"), recursive=True)):
        with gzip.open(path) as file:
            events = json.load(file)
        events = events.get("traceEvents", []) if isinstance(events, dict) else events
        intervals = _gpu_stream_intervals(events)
        if intervals:
            return _busy_ms(intervals) / n
    return None


def _gpu_stream_intervals(events):
    """`(start, end)` of the events on a GPU's streams (its "Stream #" threads, else all its threads)."""
    gpu_pids = {
        e["pid"]
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "process_name"
        and "GPU" in str(e.get("args", {}).get("name"))
    }
    streams = {
        (e["pid"], e.get("tid"))
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("pid") in gpu_pids
        and "Stream" in str(e.get("args", {}).get("name"))
    }
    return [
        (e["ts"], e["ts"] + e["dur"])
        for e in events
        if e.get("ph") == "X"
        and "dur" in e
        and e.get("pid") in gpu_pids
        and (not streams or (e["pid"], e.get("tid")) in streams)
    ]


# -- the run -------------------------------------------------------------------


def work_list(args):
    """Rows in the order they are measured: `(nets, batch, policy, impl, options)`.

    First MNIST and DCGAN-64 at batch 64 and 256 in float32: `keras_wgan_fit`
    (no callbacks, then the example's), `torch_cuda_graph`, `torch_tuned`;
    then `keras_wgan_step` and `torch_eager` there; then the other nets in
    float32, then mixed_bfloat16, then `keras_wgan_fit` without device data
    (the host path), then `torch_compile` (slow to compile) everywhere.
    """
    first_nets = [n for n in ("mnist", "dcgan64") if n in args.nets]
    other_nets = [n for n in args.nets if n not in first_nets]
    fit = [("keras_wgan_fit", {"callbacks": "none"}), ("keras_wgan_fit", {"callbacks": "example"})]
    head = [*fit, ("torch_cuda_graph", {}), ("torch_tuned", {})]
    rest = [("keras_wgan_step", {}), ("torch_eager", {})]

    def rows(nets_list, policies, impls):
        return [
            (nets, batch, policy, impl, options)
            for policy in policies
            for nets in nets_list
            for batch in args.batches
            for impl, options in impls
        ]

    f32 = [p for p in args.policies if p == "float32"]
    others = [p for p in args.policies if p != "float32"]
    items = rows(first_nets, f32, head) + rows(first_nets, f32, rest)
    items += rows(other_nets, f32, head + rest)
    items += rows(args.nets, others, head + rest)
    items += rows(args.nets, args.policies, [("keras_wgan_fit", {"callbacks": "none", "device_data": False})])
    items += rows(args.nets, args.policies, [("torch_compile", {})])
    return [item for item in items if item[3] in args.impls]


def environment(args):
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
        "cpu_smoke": args.cpu_smoke,
    }
    try:
        import keras_wgan

        info["keras_wgan"] = getattr(keras_wgan, "__version__", None)
    except ImportError:
        pass
    precision = {
        "jax_default_matmul_precision": str(jax.config.jax_default_matmul_precision),
        "jax_note": "None: XLA's default, TF32 for float32 dots and convolutions on Ampere and later",
    }
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_cuda"] = torch.cuda.is_available()
        if torch.cuda.is_available():
            info["torch_device"] = torch.cuda.get_device_name(0)
            info["cudnn"] = torch.backends.cudnn.version()
        precision["torch_matmul_allow_tf32"] = torch.backends.cuda.matmul.allow_tf32
        precision["torch_cudnn_allow_tf32"] = torch.backends.cudnn.allow_tf32
        precision["torch_float32_matmul_precision"] = torch.get_float32_matmul_precision()
        precision["torch_cudnn_benchmark"] = torch.backends.cudnn.benchmark
    except ImportError:
        info["torch"] = None
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
    return info, precision


def write_json(path, data):
    from keras_wgan.utils.file_utils import write_text_atomically

    if path:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        write_text_atomically(path, json.dumps(data, indent=1))


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nets", nargs="+", default=list(NETS), choices=NETS)
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    parser.add_argument("--policies", nargs="+", default=list(POLICIES), choices=POLICIES)
    parser.add_argument("--impls", nargs="+", default=list(IMPLS), choices=IMPLS)
    parser.add_argument(
        "--reps", type=int, default=5, help="timed runs per row (fit: steady-state epochs, 3)"
    )
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps per row")
    parser.add_argument("--target-s", type=float, default=0.3, help="seconds one timed run should last")
    parser.add_argument("--row-s", type=float, default=60.0, help="time cap of one row")
    parser.add_argument("--budget-s", type=float, default=1e9, help="start no row after this many seconds")
    parser.add_argument("--cpu-smoke", action="store_true", help="every row, 2 steps, narrow nets, batch 4")
    parser.add_argument("--json", default=os.path.join(HERE, "results", "gpu_fair_step.json"))
    args = parser.parse_args(argv)
    fit_reps = 3
    if args.cpu_smoke:
        args.batches, args.reps, args.warmup, args.target_s, fit_reps = [4], 1, 1, 0.0, 1
        args.row_s = max(args.row_s, 900.0)  # CPU compilations, on a shared machine

    import keras

    if keras.backend.backend() != "jax":
        raise SystemExit(
            f"keras_wgan runs on JAX here: set KERAS_BACKEND=jax. Received: {keras.backend.backend()}"
        )
    try:
        import torch

        # The same arithmetic on both sides: TF32 for float32 matrix work, as JAX does by default.
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.set_float32_matmul_precision("high")
        torch.backends.cudnn.benchmark = True
    except ImportError:
        torch = None
        log("PyTorch is not installed: keras_wgan rows only")
    import jax

    info, precision = environment(args)
    if info.get("torch_cuda") and jax.default_backend() == "cpu":
        raise SystemExit(
            f"PyTorch sees a GPU but JAX runs on the CPU ({jax.devices()}): check jax's CUDA plugin."
        )
    log("environment: " + json.dumps(info))
    output = {
        "device": info.get("torch_device") or info["jax_device_kind"],
        "versions": {k: info.get(k) for k in ("python", "jax", "keras", "keras_wgan", "torch", "cudnn")},
        "precision": precision,
        "environment": info,
        "argv": sys.argv if argv is None else argv,
        "unit": "ms per generator step (5 critic iterations + 1 generator iteration)",
        "rows": [],
        "busy": [],
        "errors": [],
    }
    workdir = tempfile.mkdtemp(prefix="gpu_fair_step_")

    def save():
        output["elapsed_s"] = time.perf_counter() - START
        write_json(args.json, output)

    sides, torch_impls = {}, {}
    busy_done = set()
    for nets, batch, policy, impl, options in work_list(args):
        key = {"nets": nets, "batch": batch, "policy": policy, "impl": impl, **options}
        if impl.startswith("torch") and torch is None:
            continue
        if time.perf_counter() - START > args.budget_s:
            output["errors"].append({**key, "error": "skipped: --budget-s spent"})
            continue
        dim = SMOKE_DIMS[nets] if args.cpu_smoke else None
        config = (nets, batch, policy)
        try:
            with time_cap(args.row_s):
                real = real_batches(nets, batch)
                if impl in KERAS_IMPLS:
                    if config not in sides:
                        sides[config] = KerasSide(nets, batch, policy, dim)
                    side = sides[config]
                if impl == "keras_wgan_fit":
                    samples = batch * CRITIC_STEPS * 2 if args.cpu_smoke else EPOCH_SAMPLES[nets]
                    result = time_fit(
                        side,
                        fit_reps,
                        callbacks=options["callbacks"],
                        # "auto" keeps data on an accelerator only; the smoke run checks that path on the CPU.
                        device_data=options.get("device_data", True if args.cpu_smoke else "auto"),
                        epoch_samples=samples,
                        workdir=workdir,
                    )
                    measured = None
                else:
                    if impl == "keras_wgan_step":
                        measured = KerasStep(side, real)
                    else:
                        if (config, impl) not in torch_impls:
                            torch_impls.clear()
                            # On the CPU, dynamo alone: inductor's C++ builds take minutes there.
                            compile_options = {"backend": "eager"} if args.cpu_smoke else None
                            torch_impls[(config, impl)] = TorchImpl(
                                impl, nets, batch, policy, real, dim, compile_options=compile_options
                            )
                        measured = torch_impls[(config, impl)]
                    try:
                        result = {
                            **time_steps(measured, args.reps, args.target_s, args.warmup),
                            **measured.info,
                        }
                        side_name = "keras" if impl == "keras_wgan_step" else "torch"
                        if side_name not in busy_done and impl in ("keras_wgan_step", "torch_tuned"):
                            busy_done.add(side_name)
                            n = result["steps_per_timing"]
                            busy = {**key, "wall_ms_per_step": result["ms_per_step"], "steps": n}
                            try:  # A profiler's failure must not cost the row its timing.
                                profile = jax_busy if side_name == "keras" else torch_busy
                                busy["gpu_busy_ms_per_step"] = profile(measured, n, workdir)
                            except Exception as error:
                                busy["error"] = short_error(error)
                            output["busy"].append(busy)
                    finally:
                        measured.close()
        except Exception as error:  # Recorded; the next rows still run.
            # A fit or step cut short leaves the model's variables purged (JAX's stateless
            # trainer): the configuration's next Keras row builds a new one.
            sides.pop(config, None)
            output["errors"].append({**key, "error": short_error(error)})
            log(f"{nets} b{batch} {policy} {impl} {options or ''} FAILED: {short_error(error)}")
            save()
            continue
        output["rows"].append({**key, **result})
        log(f"{nets:8s} b{batch:<4d} {policy:15s} {impl:17s} {options or ''} {result['ms_per_step']:9.3f} ms")
        save()
    save()
    print_table(output)
    log(f"wrote {args.json}")


def print_table(output):
    print("\nms per generator step (5 critic + 1 generator iterations), median")
    print(f"{'nets':9s} {'batch':>5s} {'policy':15s} {'impl':17s} {'options':34s} {'ms/step':>9s}")
    for row in output["rows"]:
        options = {k: row[k] for k in ("callbacks", "device_data", "variant", "verified") if k in row}
        print(
            f"{row['nets']:9s} {row['batch']:5d} {row['policy']:15s} {row['impl']:17s} "
            f"{json.dumps(options):34s} {row['ms_per_step']:9.3f}"
        )
    for busy in output["busy"]:
        print(f"busy: {busy}")
    for error in output["errors"]:
        print(f"error: {error}")


if __name__ == "__main__":
    main()
