"""The soak's one-time step: Python's table of interned strings, filled by the callbacks' figures.

CPython keeps the strings it interns (attribute names passed to `setattr`,
names in compiled code) in one dict. A string that dies leaves its slot
marked deleted, and the dict is rebuilt only when live and deleted slots
together fill it, at three times its live entries rounded up to a power of
two. Code that creates and drops such strings every epoch (matplotlib does,
for every `Axes` it builds) fills the table with deleted slots until it is
rebuilt: once at a larger size if the live entries call for it, then at that
same size again. `benchmarks/soak.py` sees that rebuild as a single step of a
few MiB in the bytes in use, at an epoch set by how full the imports left the
table (docs/reliability.md).

This benchmark measures, for each configuration of `soak.py`'s callbacks,
in fresh processes, how many new strings the table takes before it is
rebuilt, after 1 and after 101 epochs of the soak's training: it interns new
strings until glibc's bytes in use jump by more than 1 MiB at once. The
difference over the 100 epochs is the strings the callbacks leave per epoch,
and the run's rebuild is predicted at epoch `1 + before_rebuild_after_1_epoch
/ strings_per_epoch`. Going on to the next rebuild counts the live entries
alone (the first rebuild drops the deleted ones): equal after 1 and 101
epochs, the table holds no more strings than before, and the step does not
come back at the same size.

Results go to `benchmarks/results/interned_strings.json`, per backend.

Usage:
    python benchmarks/interned_strings.py --backend tensorflow
    python benchmarks/interned_strings.py --backend jax --configs none all
"""

import argparse
import gc
import json
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak import CONFIGS, RESULTS, callback_names, machine, malloc_bytes, run_script, soak  # noqa: E402

JUMP_BYTES = 2**20
# Intern this many strings between two readings of the bytes in use: a
# reading costs a little, and the table is rebuilt in one allocation.
EVERY = 10


def strings_before_rebuilds(rebuilds=2, *, limit=1_000_000):
    """Interns new strings until the interned-string table has been rebuilt `rebuilds` times.

    Leaves the table larger than it found it: call it last in a process.

    Args:
        rebuilds: how many rebuilds to wait for.
        limit: the most strings to intern.

    Returns:
        A list with, for each rebuild, `(strings, jump_bytes)`: how many new
        strings had been interned when the bytes in use jumped (to within
        `EVERY`), and by how much.
    """
    keep = [None] * limit  # Allocated up front: the list must not jump itself.
    gc.collect()
    previous = malloc_bytes()[0]
    found = []
    for index in range(limit):
        keep[index] = sys.intern(f"keras_wgan_interned_probe_{index:08d}")
        if index % EVERY == 0:
            now = malloc_bytes()[0]
            if now - previous > JUMP_BYTES:
                found.append((index, now - previous))
                if len(found) == rebuilds:
                    return found
            previous = now
    raise RuntimeError(f"the bytes in use did not jump {rebuilds} times in {limit} interned strings")


def worker(config, epochs, units):
    soak(callback_names(config), epochs, units=units)
    return strings_before_rebuilds()


def run_worker(backend, config, epochs, units):
    arguments = ["--worker", config, "--epochs", str(epochs), "--units", str(units)]
    return run_script(__file__, backend, arguments)


def summarise(after_1, after_101):
    (first_1, jump_1), (live_1, _) = after_1
    (first_101, _), (live_101, _) = after_101
    per_epoch = (first_1 - first_101) / 100
    return {
        "strings_per_epoch": per_epoch,
        "before_rebuild_after_1_epoch": first_1,
        "before_rebuild_after_101_epochs": first_101,
        "rebuild_mib": round(jump_1 / 2**20, 2),
        "predicted_rebuild_epoch": round(1 + first_1 / per_epoch) if per_epoch > 0 else None,
        "before_second_rebuild_after_1_epoch": live_1,
        "before_second_rebuild_after_101_epochs": live_101,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", default="tensorflow", choices=("tensorflow", "jax"))
    parser.add_argument(
        "--configs",
        nargs="+",
        default=["none", "SampleGrid", "TrainingCurves", "TensorBoardSamples", "all"],
        choices=CONFIGS,
    )
    parser.add_argument("--units", type=int, default=16, help="width of the toy MLPs (as the soak runs)")
    parser.add_argument("--no-save", action="store_true", help="print only; leave the results file alone")
    parser.add_argument("--worker", choices=CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if malloc_bytes() is None:
        parser.error("this benchmark reads glibc's mallinfo2(), which this system's C library lacks")
    if args.worker:
        print(json.dumps(worker(args.worker, args.epochs, args.units)))
        return

    from keras_wgan.utils.file_utils import write_text_atomically

    rows = {}
    for config in args.configs:
        rows[config] = summarise(*(run_worker(args.backend, config, n, args.units) for n in (1, 101)))
        print(f"{args.backend:10s} {config:20s} {json.dumps(rows[config])}", flush=True)
    if args.no_save:
        return
    path = RESULTS / "interned_strings.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    stored[args.backend] = {
        "configs": rows,
        "machine": machine(),
        "python": sys.version.split()[0],
        "command": "python benchmarks/interned_strings.py "
        + shlex.join(sys.argv[1:] if argv is None else argv),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    write_text_atomically(path, json.dumps(stored, indent=1) + "\n")


if __name__ == "__main__":
    main()
