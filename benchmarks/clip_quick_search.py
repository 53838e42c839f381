"""The search behind the quick preset for weight clipping (docs/wgan_claims.md).

Runs `examples/mnist_wgan.py --quick` once per candidate, one after the
other, with the FCD (`keras_wgan.evaluation`, 1,000 generated digits against
the 1,000 held-out real ones) logged after every epoch, and appends one record
per candidate to a JSON file: its arguments, the FCD after each epoch, the
last W estimate, the training minutes the example printed, the wall time of
the whole process and the machine's load average.

A candidate is `name=ARGS`, ARGS being extra arguments of the example:

    python benchmarks/clip_quick_search.py \
        gp="--variant gp" \
        clip-paper="--variant clip --learning-rate 5e-5 --clip-value 0.01" \
        clip-lr5e-4="--variant clip --learning-rate 5e-4"

Results: benchmarks/results/clip_quick_search.json (records accumulate over
calls; a candidate run again gets a second record) and the runs themselves in
--runs (default runs/clip_quick_search/NAME).
"""

import argparse
import csv
import json
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "mnist_wgan.py")


def run_candidate(name, extra, runs):
    out = os.path.join(runs, name)
    suffix = 1
    while os.path.exists(out):
        suffix += 1
        out = os.path.join(runs, f"{name}-{suffix}")
    command = [sys.executable, EXAMPLE, "--quick", "--fcd-every", "1", "--out", out, *shlex.split(extra)]
    load_before = os.getloadavg()
    start = time.time()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.time() - start
    record = {
        "name": name,
        "command": "python examples/mnist_wgan.py --quick --fcd-every 1 " + extra,
        "returncode": result.returncode,
        "wall_seconds": round(wall, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "out": os.path.relpath(out, ROOT),
    }
    minutes = re.search(r"trained for ([0-9.]+) min", result.stdout)
    record["train_minutes"] = float(minutes.group(1)) if minutes else None
    metrics = os.path.join(out, "metrics.csv")
    if os.path.exists(metrics):
        with open(metrics, newline="") as f:
            rows = list(csv.DictReader(f))
        record["fcd_per_epoch"] = [round(float(r["fcd"]), 2) for r in rows]
        record["final_fcd"] = record["fcd_per_epoch"][-1]
        record["final_wasserstein_estimate"] = float(rows[-1]["wasserstein_estimate"])
    if result.returncode:
        record["error"] = (result.stdout + result.stderr)[-2000:]
    return record


def append_record(path, record):
    records = []
    if os.path.exists(path):
        with open(path) as f:
            records = json.load(f)
    records.append(record)
    # Imported here: this driver runs the example in subprocesses and needs no Keras itself.
    from keras_wgan.utils.file_utils import write_text_atomically

    write_text_atomically(path, json.dumps(records, indent=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("candidates", nargs="+", metavar="NAME=ARGS")
    parser.add_argument(
        "--results", default=os.path.join(ROOT, "benchmarks", "results", "clip_quick_search.json")
    )
    parser.add_argument("--runs", default=os.path.join(ROOT, "runs", "clip_quick_search"))
    args = parser.parse_args()
    candidates = []
    for candidate in args.candidates:
        name, separator, extra = candidate.partition("=")
        if not separator or not name:
            parser.error(f"a candidate is NAME=ARGS. Received: {candidate!r}")
        candidates.append((name, extra))
    for name, extra in candidates:
        record = run_candidate(name, extra, args.runs)
        append_record(args.results, record)
        print(
            json.dumps(
                {
                    k: record.get(k)
                    for k in (
                        "name",
                        "final_fcd",
                        "fcd_per_epoch",
                        "train_minutes",
                        "wall_seconds",
                        "load_before",
                        "returncode",
                    )
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
