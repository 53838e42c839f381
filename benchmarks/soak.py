"""Soak test: does the process grow, epoch after epoch, with keras_wgan's callbacks?

Trains the toy WGAN-GP (the `gan_toy.py` MLPs, `toy_critic` and
`toy_generator`; batch 64, `steps_per_epoch=4`, 8 Gaussians) for many short
epochs with one callback at a time, with none, and with all of them together
(`SampleGrid`, `TrainingCurves`, `TensorBoardSamples`, a W1 `QualityMetric`,
`StopOnNonFinite`, `AtomicModelCheckpoint`, `AtomicBackupAndRestore`, and
Keras's `CSVLogger` and `TensorBoard`), and samples the resident set size
(RSS) at the end of every epoch. The growth per epoch is the least-squares
slope of RSS against the epoch over the SECOND half of the run: the first
half holds the warm-up (tracing, allocator pools, file caches), the second
what a long run keeps adding.

Each configuration runs in a fresh process (one backend per process, as
Keras picks its backend once), so one configuration's memory does not
spill into the next. RSS comes from `psutil` if installed, else from
`/proc/self/statm` (Linux).

`--malloc` also samples glibc's `mallinfo2()` after a full garbage
collection each epoch: the bytes malloc'ed and still in use (native and
Python memory alike) and the free bytes the allocator keeps. In-use growth is
memory something holds on to; free-byte growth with flat in-use is the
allocator's fragmentation, which RSS shows as steps.

`--top-types` also counts the live Python objects by type
(`gc.get_objects()`) at the middle and at the end of each run and reports
the types whose count grew most: the first thing to look at when a slope is
not flat.

Results go to `benchmarks/results/soak_<backend>.json` under `--label`
(e.g. `before` and `after` a fix); runs stored under other labels are kept.

Usage:
    python benchmarks/soak.py --backend tensorflow --epochs 1000 --configs all --label after
    python benchmarks/soak.py --backend jax --epochs 300 --label per_callback   # each callback alone
    python benchmarks/soak.py --backend tensorflow --epochs 200 --configs all --top-types 15 --no-save
"""

import argparse
import collections
import ctypes
import functools
import gc
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

CALLBACKS = (
    "SampleGrid",
    "TrainingCurves",
    "TensorBoardSamples",
    "QualityMetric",
    "StopOnNonFinite",
    "AtomicModelCheckpoint",
    "AtomicBackupAndRestore",
    "CSVLogger",
    "TensorBoard",
)
CONFIGS = ("none", *CALLBACKS, "all")
BATCH_SIZE = 64
STEPS_PER_EPOCH = 4


def rss_bytes():
    """The resident set size of this process, in bytes."""
    try:
        import psutil
    except ImportError:
        with open("/proc/self/statm") as file:
            return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return psutil.Process().memory_info().rss


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


@functools.cache
def _mallinfo2():
    """glibc's `mallinfo2` function, or None off glibc (looked up once: probes call it often)."""
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _Mallinfo2
    return mallinfo2


def malloc_bytes():
    """glibc's `mallinfo2()` as `(in_use, free)` bytes, or None off glibc.

    In use: `uordblks` (allocated from the arenas) plus `hblkhd` (allocated
    with mmap); free: `fordblks` (free bytes the arenas keep).
    """
    mallinfo2 = _mallinfo2()
    if mallinfo2 is None:
        return None
    info = mallinfo2()
    return info.uordblks + info.hblkhd, info.fordblks


def slope_per_epoch(epochs, values):
    """The least-squares slope of `values` against `epochs`."""
    n = len(epochs)
    mean_x, mean_y = sum(epochs) / n, sum(values) / n
    sxx = sum((x - mean_x) ** 2 for x in epochs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(epochs, values, strict=True))
    return sxy / sxx


def second_half_slope(values):
    """Units per epoch over the second half of a run's per-epoch samples."""
    start = len(values) // 2
    return slope_per_epoch(list(range(start, len(values))), values[start:])


def callback_names(config):
    """The callbacks of a configuration: "all", "none" or one callback's name."""
    return CALLBACKS if config == "all" else () if config == "none" else (config,)


def make_callbacks(names, directory, real):
    """The callbacks called `names`, all writing under `directory`.

    `QualityMetric` comes first and `CSVLogger` after it, so the CSV gets
    the `w1` column (see `QualityMetric`).
    """
    import keras

    import keras_wgan as kw

    directory = Path(directory)
    factories = {
        "QualityMetric": lambda: kw.callbacks.QualityMetric.w1(real, n=256),
        "StopOnNonFinite": lambda: kw.callbacks.StopOnNonFinite(),
        "SampleGrid": lambda: kw.callbacks.SampleGrid(
            directory / "samples", num_samples=256, reference=real[:512], filename="samples.png"
        ),
        "TensorBoardSamples": lambda: kw.callbacks.TensorBoardSamples(directory / "logs", num_samples=256),
        "TensorBoard": lambda: keras.callbacks.TensorBoard(directory / "logs"),
        "CSVLogger": lambda: keras.callbacks.CSVLogger(directory / "log.csv"),
        "TrainingCurves": lambda: kw.callbacks.TrainingCurves(directory / "curves.png"),
        "AtomicModelCheckpoint": lambda: kw.callbacks.AtomicModelCheckpoint(directory / "model.keras"),
        "AtomicBackupAndRestore": lambda: kw.callbacks.AtomicBackupAndRestore(directory / "backup"),
    }
    order = (
        "QualityMetric",
        "StopOnNonFinite",
        *(name for name in CALLBACKS if name not in ("QualityMetric", "StopOnNonFinite")),
    )
    return [factories[name]() for name in order if name in names]


def type_counts():
    return collections.Counter(type(obj).__qualname__ for obj in gc.get_objects())


def soak(names, epochs, *, units=512, top_types=0, malloc=False, directory=None):
    """Trains the toy WGAN-GP with the callbacks `names` for `epochs` epochs.

    Returns:
        A dict: `rss` (bytes after each epoch), `seconds`; with `malloc`,
        `malloc_in_use` and `malloc_free` (bytes after each epoch); with
        `top_types` the types whose live-object count grew most over the
        second half, `{type: growth}`.
    """
    import keras

    import keras_wgan as kw

    keras.utils.set_random_seed(0)
    real = kw.datasets.eight_gaussians(BATCH_SIZE * 16, seed=0)
    held_out = kw.datasets.eight_gaussians(1024, seed=1)
    model = kw.WGANGP(
        kw.architectures.toy_critic(units=units), kw.architectures.toy_generator(units=units), seed=1
    )
    model.compile()
    rss, in_use, free, counts = [], [], [], {}

    class Sampler(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if malloc:
                gc.collect()
                used, kept = malloc_bytes()
                in_use.append(used)
                free.append(kept)
            rss.append(rss_bytes())
            if top_types and epoch + 1 in (epochs // 2, epochs):
                gc.collect()
                counts[epoch + 1] = type_counts()

    with tempfile.TemporaryDirectory(dir=directory) as workdir:
        callbacks = make_callbacks(names, workdir, held_out) + [Sampler()]
        start = time.perf_counter()
        model.fit(
            real,
            batch_size=BATCH_SIZE,
            epochs=epochs,
            steps_per_epoch=STEPS_PER_EPOCH,
            verbose=0,
            callbacks=callbacks,
        )
        seconds = time.perf_counter() - start
    result = {"rss": rss, "seconds": seconds}
    if malloc:
        result.update(malloc_in_use=in_use, malloc_free=free)
    if top_types:
        growth = counts[epochs] - counts[epochs // 2]
        result["top_types"] = dict(growth.most_common(top_types))
    return result


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as file:
            cpu = next(line.split(":", 1)[1].strip() for line in file if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def run_script(script, backend, arguments):
    """Runs `script` with `arguments` in a fresh process on `backend`; returns the JSON of its last line."""
    command = [sys.executable, str(script), *arguments]
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(arguments)} on {backend} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_worker(backend, config, args):
    """Runs one configuration in a fresh process; returns its result dict."""
    arguments = ["--worker", config, "--epochs", str(args.epochs), "--units", str(args.units)]
    arguments += [
        "--top-types",
        str(args.top_types),
        *(["--malloc"] if getattr(args, "malloc", False) else []),
    ]
    return run_script(__file__, backend, arguments)


def summarise(result):
    rss = result["rss"]
    summary = {
        "growth_kib_per_epoch": round(second_half_slope(rss) / 1024, 2),
        "rss_mib_first_epoch": round(rss[0] / 2**20, 1),
        "rss_mib_middle": round(rss[len(rss) // 2] / 2**20, 1),
        "rss_mib_last_epoch": round(rss[-1] / 2**20, 1),
        "seconds": round(result["seconds"], 1),
        "rss_mib_every_10_epochs": [round(value / 2**20, 1) for value in rss[9::10]],
    }
    if "malloc_in_use" in result:
        for key in ("malloc_in_use", "malloc_free"):
            summary[f"{key}_kib_per_epoch"] = round(second_half_slope(result[key]) / 1024, 2)
            summary[f"{key}_mib_every_10_epochs"] = [round(v / 2**20, 2) for v in result[key][9::10]]
    if "top_types" in result:
        summary["object_growth_second_half"] = result["top_types"]
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", default="tensorflow", choices=("tensorflow", "jax"))
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--units", type=int, default=512, help="width of the toy MLPs (gan_toy.py: 512)")
    parser.add_argument(
        "--top-types", type=int, default=0, help="report the N types whose object count grew most"
    )
    parser.add_argument(
        "--malloc",
        action="store_true",
        help="also sample glibc mallinfo2() (in-use and free bytes) after gc.collect() each epoch",
    )
    parser.add_argument("--label", default="latest", help="key of these runs in the results file")
    parser.add_argument("--no-save", action="store_true", help="print only; leave the results file alone")
    parser.add_argument("--worker", choices=CONFIGS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.malloc and malloc_bytes() is None:
        parser.error("--malloc reads glibc's mallinfo2(), which this system's C library lacks")
    if args.worker:
        result = soak(
            callback_names(args.worker),
            args.epochs,
            units=args.units,
            top_types=args.top_types,
            malloc=args.malloc,
        )
        print(json.dumps(result))
        return

    from keras_wgan.utils.file_utils import write_text_atomically

    runs = {}
    for config in args.configs:
        runs[config] = summarise(run_worker(args.backend, config, args))
        malloc = (
            f", malloc in use {runs[config]['malloc_in_use_kib_per_epoch']:.1f}, "
            f"free {runs[config]['malloc_free_kib_per_epoch']:.1f} KiB/epoch"
            if args.malloc
            else ""
        )
        print(
            f"{args.backend:10s} {config:24s} {runs[config]['growth_kib_per_epoch']:8.1f} KiB/epoch "
            f"({runs[config]['rss_mib_first_epoch']} -> {runs[config]['rss_mib_last_epoch']} MiB, "
            f"{runs[config]['seconds']} s){malloc}",
            flush=True,
        )
        if "object_growth_second_half" in runs[config]:
            print("    objects:", runs[config]["object_growth_second_half"], flush=True)
    if args.no_save:
        return
    path = RESULTS / f"soak_{args.backend}.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    stored.setdefault("runs", {}).setdefault(args.label, {}).update(
        {
            config: dict(
                summary,
                epochs=args.epochs,
                machine=machine(),
                command="python benchmarks/soak.py " + shlex.join(sys.argv[1:] if argv is None else argv),
                date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            )
            for config, summary in runs.items()
        }
    )
    stored["description"] = (
        "Resident memory growth per epoch (least-squares slope of RSS vs epoch over the second half "
        f"of the run), toy WGAN-GP, batch {BATCH_SIZE}, steps_per_epoch={STEPS_PER_EPOCH}, "
        f"KERAS_BACKEND={args.backend}; one process per configuration."
    )
    write_text_atomically(path, json.dumps(stored, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
