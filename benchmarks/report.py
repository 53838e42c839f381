"""Renders the results tables of the docs from the files in benchmarks/results/.

    python benchmarks/report.py           # rewrite every stale table in place
    python benchmarks/report.py --check   # list the stale tables, exit 1 if any
    python benchmarks/report.py --list    # every table, its sources and the pages using it

A page (README.md or docs/**/*.md) holds a rendered table between two markers:

    <!-- results:NAME -->
    (generated: do not edit by hand)
    <!-- /results -->

NAME is a key of `TABLES`, which names the results files the table is read
from and the function that renders it. Every rendered table starts with a line
naming the machine, the command(s) and the results file(s), taken from the
results files themselves (or, for logs and CSV files that do not record them,
from `benchmarks/results/provenance.json`); a fact no source states is shown
as "machine not recorded" or "command not recorded", never guessed. So a
measured figure lives in one committed results file and the pages show it as
rendered from there; `tests/test_benchmarks_report.py` fails when a page's
table differs from what this script renders.

To add a table: write a renderer (`(data, provenance) -> Rendered`), register
it in `TABLES` with the results files it reads, put the two markers in a page
and run this script. A results file that does not record its machine or
command gets an entry in provenance.json only when a commit stated them.

This script reads JSON, CSV and text only: `--check` takes about a second and
imports neither Keras nor TensorFlow.
"""

import argparse
import csv
import itertools
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from gpu_table import step_table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")  # read from here
COMMITTED_RESULTS = RESULTS  # linked to from the pages, wherever the files were read from
BLOCK = re.compile(r"(<!-- results:([\w-]+) -->\n)(.*?)(<!-- /results -->)", re.S)
NOT_RECORDED_MACHINE = "machine not recorded"
NOT_RECORDED_COMMAND = "command not recorded"

NETS = {
    "mnist": "MNIST",
    "kerasio": "keras-io",
    "toy": "toy",
    "dcgan32": "DCGAN 32x32x3",
    "dcgan64": "DCGAN 64x64x3",
    "resnet32": "ResNet 32x32x3",
}
VARIANTS = {"gp": "WGAN-GP", "clip": "WGAN"}


@dataclass
class Rendered:
    """A rendered table: its Markdown and the facts of its provenance line.

    `machines` and `commands` hold one entry per fact as the sources state it;
    a source that does not state one contributes the "not recorded" text.
    """

    body: str
    machines: list = field(default_factory=list)  # a machine, or (machine, the source stating it)
    commands: list = field(default_factory=list)  # a command, or (command, words that follow it)


@dataclass(frozen=True)
class Table:
    """A results table: the results files it reads and the function that renders them.

    `render` receives `{file name: parsed content}` for `sources` (JSON parsed,
    CSV as a list of row dicts, anything else as text) and the provenance
    entries of `provenance.json`, and returns a `Rendered`.
    """

    sources: tuple
    render: Callable


# ---------------------------------------------------------------- loading


def load_source(name, results_dir=None):
    """One results file, parsed by its extension."""
    path = os.path.join(results_dir or RESULTS, name)
    with open(path, encoding="utf-8", newline="") as file:
        if name.endswith(".json"):
            return json.load(file)
        if name.endswith(".csv"):
            return list(csv.DictReader(file))
        return file.read()


def load_provenance(results_dir=None):
    """The `files` entries of provenance.json: machine and command of files that lack them."""
    path = os.path.join(results_dir or RESULTS, "provenance.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as file:
        return json.load(file)["files"]


def render_table(name, results_dir=None, page_dir=ROOT):
    """The Markdown of table `name`, with its provenance line, links relative to `page_dir`.

    `results_dir` (default `RESULTS`) is where the sources are read from; the links
    always point at `benchmarks/results/`, where the committed files live.
    """
    if name not in TABLES:
        raise ValueError(
            f"No renderer produces this results table. Known: {sorted(TABLES)}. Received: name={name!r}"
        )
    table = TABLES[name]
    data = {source: load_source(source, results_dir) for source in table.sources}
    rendered = table.render(data, load_provenance(results_dir))
    links = ", ".join(
        f"[{source}]({os.path.relpath(os.path.join(COMMITTED_RESULTS, source), page_dir).replace(os.sep, '/')})"
        for source in table.sources
    )
    machines = _machine_text(rendered.machines)
    commands = _command_text(rendered.commands) or NOT_RECORDED_COMMAND
    line = f"Machine: {machines}. Command: {commands}. Results: {links}."
    return f"{line}\n\n{rendered.body.strip()}"


def _machine_text(machines):
    """The machines of a provenance line: once if all sources agree, else each with its source."""
    pairs = [machine if isinstance(machine, tuple) else (machine, None) for machine in machines]
    pairs = [(text, source) for text, source in pairs if text]
    texts = _unique(text for text, _ in pairs)
    if len(texts) <= 1:
        return texts[0] if texts else NOT_RECORDED_MACHINE
    return "; ".join(_unique(f"{text} ({source})" if source else text for text, source in pairs))


def _unique(items):
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------- provenance helpers


def _argv_command(data):
    """`python ...` from the `argv` a benchmark script records."""
    argv = data.get("argv")
    return "python " + shlex.join(argv) if argv else NOT_RECORDED_COMMAND


def _command_text(commands):
    """The commands of a provenance line: each in backticks, a not-recorded note as words."""
    texts = []
    for command in _unique(commands):
        command, note = command if isinstance(command, tuple) else (command, "")
        text = command if not command or command.startswith(NOT_RECORDED_COMMAND) else f"`{command.strip()}`"
        texts.append(f"{text} {note}".strip())
    return "; ".join(texts)


def _throughput_machine(data):
    """The `machine` block of throughput.py's results, in words."""
    machine = data.get("machine")
    if not machine or not machine.get("cpu"):
        return NOT_RECORDED_MACHINE
    parts = [f"{machine.get('cores', '?')}-core {machine['cpu']}"]
    if machine.get("tensorflow"):
        parts.append(f"TensorFlow {machine['tensorflow']}")
    if machine.get("jax"):
        parts.append(f"JAX {machine['jax']}")
    if machine.get("keras"):
        parts.append(f"Keras {machine['keras']}")
    load = machine.get("loadavg_at_start")
    if load:
        parts.append(f"load average {load[0]:.1f} at the start")
    return ", ".join(parts)


def _declared(provenance, source, key):
    """`key` ("machine" or "command") of `source` in provenance.json, else the not-recorded text."""
    value = provenance.get(source, {}).get(key)
    if value:
        return value
    return NOT_RECORDED_MACHINE if key == "machine" else NOT_RECORDED_COMMAND


def _ms(value):
    """Milliseconds: 0.1 ms below 100 ms, whole ms above, thousands separated."""
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _num(value, digits=1):
    return f"{value:,.{digits}f}"


# ---------------------------------------------------------------- performance.md (CPU)


def cpu_step(data, provenance):
    """Our train step against the plain step on the CPU, with FLOP rates (performance.md)."""
    lines = [
        "| nets | batch | variant | policy | ms/step | plain ms | speed/plain | GFLOP/step | GFLOP/s | % of matmul |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    machines, commands = [], []
    for source in ("throughput_jit_off.json", "throughput_kerasio.json"):
        result = data[source]
        machines.append((_throughput_machine(result), source))
        commands.append(_argv_command(result))
        for row in result["rows"]:
            lines.append(
                f"| {NETS.get(row['nets'], row['nets'])} | {row['batch']} | {VARIANTS[row['variant']]} | {row['policy']} "
                f"| {_ms(row['ms_per_step'])} | {_ms(row['plain_ms_per_step'])} | {row['speed_vs_plain']:.2f} "
                f"| {_gflop(row['profiler_gflop_per_step'])} | {row['gflop_per_s']:.0f} "
                f"| {row['fraction_of_matmul_peak']:.0%} |"
            )
    peaks = [
        f"{dtype} matmul {min(values):.0f}-{max(values):.0f} GFLOP/s"
        for source in ("throughput_jit_off.json", "throughput_kerasio.json")
        for dtype, values in data[source].get("matmul_peak_gflops", {}).items()
    ]
    rss = [
        row[key]
        for source in data
        for row in data[source]["rows"]
        for key in ("peak_rss_mb", "plain_peak_rss_mb")
    ]
    lines += [
        "",
        f"Reference rates measured beside the steps: {'; '.join(peaks)}. "
        f"Peak resident memory of the process: {min(rss) / 1024:.1f} to {max(rss) / 1024:.1f} GB.",
    ]
    return Rendered("\n".join(lines), machines, commands)


def _gflop(value):
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _profile_tables(text):
    """The parts table and the layers table of a profile_step.py log."""
    policy = re.search(r"^policy (\S+),", text, re.M).group(1)
    parts = {
        match.group(1): (float(match.group(2)), match.group(3))
        for match in re.finditer(r"^(\w+)\s+([\d.]+)\s+[\d.]+%\s+[\d.]+\s+[\d.]+\s+([\d.]+)%$", text, re.M)
    }
    layers = {
        match.group(1): (match.group(2), float(match.group(3)), match.group(4))
        for match in re.finditer(
            r"^(\S+/\S+)\s+(\([\d, ]+\))\s+([\d.]+)\s+[\d.]+\s+[\d.]+\s+([\d.]+)%$", text, re.M
        )
    }
    return policy, parts, layers


PROFILE_PARTS = {
    "gen_fwd": "generator forward on m latents",
    "critic_fb": "critic forward + backward on 2m images",
    "penalty": "penalty: input gradient + double backward",
    "adam": "Adam update",
}


def cpu_profile(data, provenance):
    """Where the time of one critic iteration goes, by part and by layer (performance.md)."""
    logs = [data["profile_float32.log"], data["profile_bfloat16.log"]]
    profiles = [_profile_tables(text) for text in logs]
    policies = [profile[0] for profile in profiles]
    lines = [
        f"| part of one critic iteration | {policies[0]} ms (% of matmul rate) | {policies[1]} ms (% of matmul rate) |",
        "|---|---|---|",
    ]
    for key, label in PROFILE_PARTS.items():
        cells = []
        for _, parts, _ in profiles:
            ms, percent = parts[key]
            cells.append(f"{ms:.1f}" if key == "adam" else f"{ms:.1f} ({float(percent):.0f}%)")
        lines.append(f"| {label} | {' | '.join(cells)} |")
    lines += [
        "",
        f"| layer alone, forward + backward | input | {policies[0]} ms (% of matmul rate) | {policies[1]} ms (%) |",
        "|---|---|---|---|",
    ]
    for layer, (shape, _, _) in profiles[0][2].items():
        cells = []
        for _, _, layers in profiles:
            _, ms, percent = layers[layer]
            cells.append(f"{ms:.1f} ({float(percent):.0f}%)")
        lines.append(f"| {layer} | {shape} | {' | '.join(cells)} |")
    sources = ("profile_float32.log", "profile_bfloat16.log")
    return Rendered(
        "\n".join(lines),
        [(_declared(provenance, source, "machine"), source) for source in sources],
        [_declared(provenance, source, "command") for source in sources],
    )


def _curve_value(row, step):
    for point in row["curve"]:
        if point["step"] == step:
            return point["value"]
    return None


def cpu_time_to_quality_mnist(data, provenance):
    """FCD within a fixed training budget, per speed setting (performance.md)."""
    result = data["time_to_quality_mnist.json"]
    minutes = result["rows"][0]["minutes"]
    lines = [
        f"| setting | steps in {minutes:g} min | ms/step | FCD at {minutes:g} min | FCD at step 300 |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        at_300 = _curve_value(row, 300)
        lines.append(
            f"| {row['setting']} | {row['steps']:,} | {row['s_per_step'] * 1000:.0f} | {row['fcd']:.1f} "
            f"| {'-' if at_300 is None else f'{at_300:.1f}'} |"
        )
    return Rendered(
        "\n".join(lines),
        [_declared(provenance, "time_to_quality_mnist.json", "machine")],
        [_argv_command(result)],
    )


def cpu_time_to_quality_toy(data, provenance):
    """Training seconds to exact W1 < 0.12 on 8 gaussians, per setting (performance.md)."""
    result = data["time_to_quality_toy_idle.json"]
    lines = ["| setting | result |", "|---|---|"]
    for row in result["rows"]:
        final = row["final"]
        if row["reached"]:
            reached = row["reached"]
            text = (
                f"W1 {reached['value']:.3f} after {reached['step']:,} steps, {reached['train_s']:.1f} s "
                f"({row['s_per_step'] * 1000:.0f} ms/step): target reached"
            )
        else:
            text = f"W1 {final['value']:.3f} after {final['step']:,} steps, {final['train_s']:.0f} s: target not reached"
        lines.append(f"| {row['setting']} | {text} |")
    return Rendered(
        "\n".join(lines),
        [_declared(provenance, "time_to_quality_toy_idle.json", "machine")],
        [_argv_command(result)],
    )


def cpu_xla(data, provenance):
    """`jit_compile=True` against `False` on the CPU (performance.md)."""
    lines = [
        "| nets | batch | policy | XLA ms/step | no-XLA ms/step | XLA speed-up | XLA speed/plain (both XLA) |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    machines, commands = [], []
    for source in ("throughput_jit_on_toy.json", "throughput_jit_on_mnist.json"):
        result = data[source]
        machines.append((_throughput_machine(result), source))
        commands.append(_argv_command(result))
        off = {
            (row["nets"], row["batch"], row["policy"]): row["ms_per_step"]
            for row in result["rows"]
            if not row["jit_compile"]
        }
        for row in result["rows"]:
            if not row["jit_compile"]:
                continue
            no_xla = off.get((row["nets"], row["batch"], row["policy"]))
            speed_up = "-" if no_xla is None else f"{no_xla / row['ms_per_step']:.2f}x"
            lines.append(
                f"| {NETS[row['nets']]} | {row['batch']} | {row['policy']} | {_ms(row['ms_per_step'])} "
                f"| {'not run' if no_xla is None else _ms(no_xla)} "
                f"| {speed_up} "
                f"| {row['speed_vs_plain']:.2f} |"
            )
    return Rendered("\n".join(lines), machines, commands)


# ---------------------------------------------------------------- performance.md (GPU)


def gpu_step(data, provenance):
    """The GPU step-time table (performance.md)."""
    result = data["gpu_step.json"]
    return Rendered(step_table(result), [_gpu_machine(result["environment"])], [_gpu_command(result)])


def _gpu_machine(env):
    device = env.get("device") or env.get("torch_device") or env.get("jax_device_kind")
    smi = env.get("nvidia_smi")
    return f"{device} ({smi})" if smi else device


def _gpu_command(data):
    # gpu_run.sh ran the script on the GPU machine; its argv is what ran there.
    return _argv_command(data)


def gpu_step_compile(data, provenance):
    """torch.compile without a compiled penalty, beside JAX and eager PyTorch (performance.md)."""
    result = data["gpu_step_compile.json"]
    lines = ["| nets | batch | policy | implementation | ms/step | x JAX |", "|---|---:|---|---|---:|---:|"]
    for row in result.get("compile_rows", []):
        for impl, timing in row["results"].items():
            ratio = timing.get("ratio_to_jax")
            lines.append(
                f"| {row['nets']} | {row['batch']} | {row['policy']} | {impl} | {timing['ms_per_step']:.2f} "
                f"| {'-' if ratio is None else f'{ratio:.2f}'} |"
            )
    refused = result.get("torch_compile_refused")
    if refused:
        lines += ["", f"torch.compile with the penalty's double backward: refused ({refused})."]
    return Rendered("\n".join(lines), [_gpu_machine(result["environment"])], [_gpu_command(result)])


def gpu_time_to_quality(data, provenance):
    """The GPU time-to-quality curve (performance.md)."""
    result = data["gpu_time_to_quality.json"]
    settings, env = result["settings"], result["environment"]
    lines = [
        f"JAX {env['jax']}, Keras {env['keras']}. WGAN-GP, {settings['policy']}, "
        f"batch {settings['batch']}, Adam({_rate(settings['lr'])}, β1 = 0, β2 = 0.9) (the library's default). "
        f"The first step, compilation included, took {result['compile_s']:.1f} s; "
        f"{result['ms_per_step_excl_compile']:.2f} ms per step after it.",
        "",
        "| generator steps | training s | FCD |",
        "| ---: | ---: | ---: |",
    ]
    lines += [f"| {row['step']:,} | {row['train_s']:.1f} | {row['fcd']:.2f} |" for row in result["curve"]]
    return Rendered("\n".join(lines), [_gpu_machine(env)], [_gpu_command(result)])


def _rate(value):
    """1e-4, not 0.0001."""
    return f"{value:.0e}".replace("e-0", "e-")


# ---------------------------------------------------------------- mixed_precision.md


def mixed_precision_fcd(data, provenance):
    """FCD at equal step counts, float32 against mixed_bfloat16 (mixed_precision.md)."""
    result = data["time_to_quality_mnist.json"]
    rows = {row["setting"]: row for row in result["rows"]}
    float32, bf16 = rows["default"], rows["bf16"]
    lines = ["| generator steps | float32 FCD | mixed_bfloat16 FCD |", "|---:|---:|---:|"]
    for point in float32["curve"]:
        other = _curve_value(bf16, point["step"])
        if other is not None:
            lines.append(f"| {point['step']} | {point['value']:.1f} | {other:.1f} |")
    return Rendered(
        "\n".join(lines),
        [_declared(provenance, "time_to_quality_mnist.json", "machine")],
        [_argv_command(result)],
    )


FINITE_CHECKS = (
    "finite_check_bfloat16.json",
    "finite_check_float16_gp.json",
    "finite_check_float16_clip.json",
)


def finite_checks(data, provenance):
    """Non-finite checks of the toy under the mixed policies (mixed_precision.md)."""
    lines = [
        "| policy | variant | generator steps | non-finite steps | weights finite | W1 at the end | final loss scale | seconds |",
        "|---|---|---:|---:|---|---:|---:|---:|",
    ]
    commands = []
    for source in FINITE_CHECKS:
        result = data[source]
        commands.append(_argv_command(result))
        for row in result["rows"]:
            scale = row["critic_loss_scale"]
            lines.append(
                f"| {row['policy']} (units {row['units']}) | {VARIANTS[row['variant']]} | {row['steps']:,} "
                f"| {row['non_finite_steps']} | {'yes' if row['weights_finite'] else 'no'} | {row['w1']:.3f} "
                f"| {'-' if scale is None else f'{scale:.0f}'} | {row['seconds']:.0f} |"
            )
    return Rendered(
        "\n".join(lines),
        [(_declared(provenance, source, "machine"), source) for source in FINITE_CHECKS],
        commands,
    )


def mixed_float16_mnist(data, provenance):
    """The 30-step MNIST run under mixed_float16: every logged value (mixed_precision.md)."""
    source = "mnist_mixed_float16_30_steps.csv"
    rows = data[source]
    columns = [name for name in rows[0] if name != "epoch"]
    lines = ["| epoch | " + " | ".join(columns) + " |", "|---:|" + "---:|" * len(columns)]
    for row in rows:
        lines.append(
            f"| {int(row['epoch']) + 1} | " + " | ".join(f"{float(row[c]):.2f}" for c in columns) + " |"
        )
    return Rendered(
        "\n".join(lines),
        [_declared(provenance, source, "machine")],
        [_declared(provenance, source, "command")],
    )


# ---------------------------------------------------------------- mnist_example.md, conditional.md


def _csv_run_row(rows, label, extra=("conditional_accuracy",)):
    first, last = rows[0], rows[-1]
    cells = [label, str(len(rows))]
    for name in extra:
        if name in last:
            cells.append(f"{float(last[name]):.1%}")
    cells.append(f"{float(first['fcd']):.1f} -> {float(last['fcd']):.1f}")
    best = min(rows, key=lambda row: float(row["fcd"]))
    cells.append(f"{float(best['fcd']):.1f} (epoch {int(best['epoch']) + 1})")
    cells.append(f"{float(first['wasserstein_estimate']):.2f} -> {float(last['wasserstein_estimate']):.2f}")
    return "| " + " | ".join(cells) + " |"


MNIST_LONG_RUNS = {
    "mnist_lr2e-4_metrics.csv": "WGAN-GP, the example's Adam(2e-4, β1 = 0.5)",
    "mnist_clip_long_paper_metrics.csv": "WGAN, the paper's RMSprop 5e-5, c = 0.01",
}


def mnist_long_runs(data, provenance):
    """The 20-epoch runs of the MNIST example, from their metrics files (mnist_example.md)."""
    lines = [
        "| run | epochs | FCD first -> last | best FCD | `wasserstein_estimate` first -> last |",
        "|---|---:|---:|---:|---:|",
    ]
    for source, label in MNIST_LONG_RUNS.items():
        lines.append(_csv_run_row(data[source], label, extra=()))
    return Rendered(
        "\n".join(lines),
        [(_declared(provenance, source, "machine"), source) for source in MNIST_LONG_RUNS],
        [_declared(provenance, source, "command") for source in MNIST_LONG_RUNS],
    )


def mnist_quick_runs(data, provenance):
    """The quick run's FCD per epoch, on an idle and on a loaded machine (mnist_example.md)."""
    search = {record["name"]: record for record in data["clip_quick_search.json"]}
    loaded = data["mnist_quick_rerun_loaded.json"]
    gp = search["gp"]
    # Timings only where the source names the machine: clip_quick_search.json does not.
    lines = [
        "| run | FCD after each epoch | training minutes | load average |",
        "|---|---|---:|---|",
        f"| `{gp['command']}` | {_fcds(gp['fcd_per_epoch'])} | - (machine not recorded) | - |",
        f"| `{loaded['command']}` | {_fcds(loaded['fcd_per_epoch'])} | {loaded['train_minutes']:.1f} "
        f"| {loaded['load_average']} |",
    ]
    return Rendered(
        "\n".join(lines),
        [
            (NOT_RECORDED_MACHINE, "clip_quick_search.json"),
            (loaded["machine"], "mnist_quick_rerun_loaded.json"),
        ],
        [gp["command"], loaded["command"]],
    )


def _fcds(values):
    return ", ".join(f"{value:.1f}" for value in values)


CONDITIONAL_RUNS = {
    "mnist_conditional_lr2e-4_metrics.csv": "Adam 2e-4 (the default), seed 0",
    "mnist_conditional_lr2e-4_seed1_metrics.csv": "Adam 2e-4, seed 1",
    "mnist_conditional_lr1e-4_metrics.csv": "Adam 1e-4 (the official code's), seed 0",
    "mnist_conditional_lr3e-4_metrics.csv": "Adam 3e-4, seed 0",
}


def conditional_runs(data, provenance):
    """The conditional 20-epoch runs, from their metrics files (conditional.md)."""
    lines = [
        "| run | epochs | conditional accuracy at the end | FCD first -> last | best FCD "
        "| `wasserstein_estimate` first -> last |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for source, label in CONDITIONAL_RUNS.items():
        lines.append(_csv_run_row(data[source], label))
    lines += ["", "| run | conditional accuracy over the last 5 epochs |", "|---|---|"]
    for source, label in CONDITIONAL_RUNS.items():
        accuracies = [float(row["conditional_accuracy"]) for row in data[source][-5:]]
        lines.append(f"| {label} | {min(accuracies):.1%} to {max(accuracies):.1%} |")
    return Rendered(
        "\n".join(lines),
        [(_declared(provenance, source, "machine"), source) for source in CONDITIONAL_RUNS],
        [_declared(provenance, source, "command") for source in CONDITIONAL_RUNS],
    )


# ---------------------------------------------------------------- wgan_claims.md


def _flag(command, name):
    match = re.search(rf"{name}\s+(\S+)", command)
    return match.group(1) if match else None


def _common_command(commands):
    """The words all `commands` start with, without a trailing flag whose value differs."""
    split = [shlex.split(command) for command in commands]
    common = []
    for words in zip(*split, strict=False):  # stops at the shortest command
        if len(set(words)) > 1:
            break
        common.append(words[0])
    if common and common[-1].startswith("--"):
        common.pop()
    return shlex.join(common)


def clip_quick_search(data, provenance):
    """Every candidate of the quick clipping preset's search (wgan_claims.md)."""
    records = data["clip_quick_search.json"]
    common = _common_command([record["command"] for record in records])
    lines = [
        "| candidate | flags after the common command | learning rate | c | seed | FCD after epochs 1-4 |",
        "|---|---|---|---|---|---|",
    ]
    for record in records:
        command = record["command"]
        variant = _flag(command, "--variant") or "gp"
        flags = shlex.join(shlex.split(command)[len(shlex.split(common)) :])
        lines.append(
            f"| {record['name']} | {f'`{flags}`' if flags else '-'} | {_flag(command, '--learning-rate') or 'default'} "
            f"| {_flag(command, '--clip-value') or ('default' if variant == 'clip' else '-')} "
            f"| {_flag(command, '--seed') or '0'} | {_fcds(record['fcd_per_epoch'])} |"
        )
    return Rendered("\n".join(lines), [NOT_RECORDED_MACHINE], [(common, "with each row's flags")])


def _claims_machine(result):
    machine = result.get("machine_at_start")
    if not machine:
        return NOT_RECORDED_MACHINE
    load = machine.get("load_average") or [None]
    return (
        f"{machine['cpu_count']} cores, {machine['processor']} (CPU model not recorded), {machine['platform']}, "
        f"Keras {machine['keras']} on {machine['backend']}, load average {load[0]} at the start"
    )


GENERATORS = {"dcgan_bn": "DCGAN, batch norm", "dcgan_no_bn": "DCGAN, no batch norm", "mlp": "MLP (4 x 512)"}
METHODS = {
    "clip": "WGAN, clipping",
    "gp": "WGAN-GP",
    "gan": "standard GAN",
    "gan5": "standard GAN, 5 D steps",
}


def _claims_runs(result):
    lines = [
        "| generator | method | FCD at the last step | best FCD | classes (of 10) | class counts in 1,000 samples | training s |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for run in result["runs"]:
        fcd = run["fcd"]
        lines.append(
            f"| {GENERATORS.get(run['generator'], run['generator'])} | {METHODS.get(run['method'], run['method'])} "
            f"| {fcd[-1]:.1f} | {min(fcd):.1f} | {run['classes']} | {' '.join(map(str, run['class_counts']))} "
            f"| {run['seconds'][-1]:.0f} |"
        )
    return lines


def wgan_claims_architectures(data, provenance):
    """Claim 2: every run of the main claims run (wgan_claims.md)."""
    result = data["wgan_claims/wgan_claims.json"]
    return Rendered("\n".join(_claims_runs(result)), [_claims_machine(result)], [result["command"]])


def wgan_claims_gan5(data, provenance):
    """Claim 2, the standard GAN with 5 discriminator steps (wgan_claims.md)."""
    result = data["wgan_claims_gan5/wgan_claims.json"]
    return Rendered("\n".join(_claims_runs(result)), [_claims_machine(result)], [result["command"]])


def _correlation_rows(result, label):
    rows = []
    for run in result["runs"]:
        correlation = run.get("correlation")
        if not correlation:
            continue
        estimate, fcd = run["wasserstein_estimate"], run["fcd"]
        rows.append(
            f"| {label(run)} | {correlation['points']} | {correlation['pearson']:.3f} | {correlation['spearman']:.3f} "
            f"| {estimate[0]:.2f} -> {estimate[-1]:.2f} | {fcd[0]:.1f} -> {fcd[-1]:.1f} | {min(fcd):.1f} |"
        )
    return rows


CORRELATION_HEADER = [
    "| run | points | Pearson r | Spearman rho | W estimate first -> last | FCD first -> last | best FCD |",
    "|---|---:|---:|---:|---:|---:|---:|",
]


def wgan_claims_correlation(data, provenance):
    """Claim 1: the critic's estimate against the FCD, every WGAN run (wgan_claims.md)."""
    result = data["wgan_claims/wgan_claims.json"]
    rows = _correlation_rows(
        result, lambda run: f"{GENERATORS.get(run['generator'], run['generator'])}, {METHODS[run['method']]}"
    )
    return Rendered("\n".join(CORRELATION_HEADER + rows), [_claims_machine(result)], [result["command"]])


MLP_RUNS = (
    "wgan_claims/wgan_claims.json",
    "wgan_claims_mlp_lr2e-4/wgan_claims.json",
    "wgan_claims_mlp_paper/wgan_claims.json",
)


def wgan_claims_mlp(data, provenance):
    """Claim 2, the clipped MLP generator at three learning rates (wgan_claims.md)."""
    rows, machines, commands = [], [], []
    for source in MLP_RUNS:
        result = data[source]
        clip = result.get("clip") or result.get("clip_preset")
        only_mlp = {**result, "runs": [run for run in result["runs"] if run["generator"] == "mlp"]}
        label = f"MLP, clipping, RMSprop {_rate(clip['learning_rate'])}, c = {clip['clip_value']}"
        rows += _correlation_rows(only_mlp, lambda run, label=label: label)
        machines.append((_claims_machine(result), source))
        commands.append(result["command"])
    return Rendered("\n".join(CORRELATION_HEADER + rows), machines, commands)


def wgan_claims_clip_vs_penalty(data, provenance):
    """Claim 3: FCD by steps and steps (seconds) to FCD thresholds, clipping against the penalty."""
    result = data["wgan_claims/wgan_claims.json"]
    thresholds = (150, 100, 60, 30)
    runs = [
        run for run in result["runs"] if run["generator"] == "dcgan_bn" and run["method"] in ("clip", "gp")
    ]
    last = max(run["steps"][-1] for run in runs)
    checkpoints = (last // 4, last // 2, last)  # a quarter, half and all of the run
    lines = [
        f"| method | FCD at {' / '.join(map(str, checkpoints))} steps | "
        + " | ".join(f"steps (s) to FCD <= {value}" for value in thresholds)
        + " |",
        "|---|---|" + "---|" * len(thresholds),
    ]
    for run in runs:
        by_step = dict(zip(run["steps"], run["fcd"], strict=True))
        cells = [" / ".join(f"{by_step[step]:.1f}" if step in by_step else "-" for step in checkpoints)]
        for value in thresholds:
            reached = next((i for i, fcd in enumerate(run["fcd"]) if fcd <= value), None)
            cells.append(
                "not reached"
                if reached is None
                else f"{run['steps'][reached]} ({run['seconds'][reached]:.0f} s)"
            )
        lines.append(f"| {METHODS[run['method']]} | " + " | ".join(cells) + " |")
    return Rendered("\n".join(lines), [_claims_machine(result)], [result["command"]])


# ---------------------------------------------------------------- stacked_mnist.md


def _stacked_runs(data):
    return data["stacked_mnist.json"]["runs"]


def _stacked_device(run):
    return run.get("device") or NOT_RECORDED_MACHINE


def _stacked_command(run):
    return run.get("command") or NOT_RECORDED_COMMAND


def _stacked_minutes(run):
    return f"{run['seconds'] / 60:.0f}" if run.get("seconds") else "-"


def _stacked_label(run):
    """The variant, and the averaged generator's decay when the run sampled from one."""
    ema = run.get("generator_ema")
    return run["variant"] + (f", generator EMA {ema}" if ema is not None else "")


def _stacked_steps(run):
    # benchmarks/stacked_mnist.py marks a run that --max-minutes stopped before its planned steps.
    return f"{run['steps']:,}" + (" (time limit)" if run.get("stopped_early") else "")


def _stacked_raw(point):
    """The raw generator's modes / KL beside the averaged one's, for runs with a generator EMA."""
    if point.get("raw_modes") is None:
        return "-"
    return f"{point['raw_modes']} / {point['raw_kl']:.3f}"


def stacked_mnist_summary(data, provenance):
    """The best run of each variant (most modes, then lowest KL), beside the published rows (stacked_mnist.md)."""
    best = {}
    for run in _stacked_runs(data):
        if run.get("modes") is None:  # started, not evaluated yet
            continue
        key = _stacked_label(run)
        if key not in best or (run["modes"], -run["kl"]) > (best[key]["modes"], -best[key]["kl"]):
            best[key] = run
    lines = [
        "| model (measured, best run) | `--dim` | generator steps | modes (of 1,000) | KL "
        "| raw generator: modes / KL | wall minutes (evaluations included) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, run in best.items():
        last = run["curve"][-1] if run.get("curve") else {}
        lines.append(
            f"| {label} | {run.get('dim', '-')} | {_stacked_steps(run)} | **{run['modes']}** | **{run['kl']:.3f}** "
            f"| {_stacked_raw(last)} | {_stacked_minutes(run)} |"
        )
    runs = list(best.values())
    return Rendered(
        "\n".join(lines), [_stacked_device(run) for run in runs], [_stacked_command(run) for run in runs]
    )


def stacked_mnist_runs(data, provenance):
    """Every Stacked MNIST run with its curve of modes and KL (stacked_mnist.md)."""
    lines = [
        "| variant | `--dim` | generator steps | modes | KL | wall minutes | device | command "
        "| modes / KL by steps (raw generator's in brackets) |",
        "|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    runs = _stacked_runs(data)
    for run in runs:
        curve = ", ".join(
            f"{p['steps']}: {p['modes']} / {p['kl']:.2f}"
            + (f" ({p['raw_modes']} / {p['raw_kl']:.2f})" if p.get("raw_modes") is not None else "")
            for p in run.get("curve", [])
        )
        modes = "-" if run.get("modes") is None else run["modes"]
        kl = "-" if run.get("kl") is None else f"{run['kl']:.3f}"
        lines.append(
            f"| {_stacked_label(run)} | {run.get('dim', '-')} | {_stacked_steps(run)} | {modes} | {kl} "
            f"| {_stacked_minutes(run)} | {_stacked_device(run)} | `{_stacked_command(run)}` | {curve} |"
        )
    return Rendered(
        "\n".join(lines), [_stacked_device(run) for run in runs], [("", "each row's, in its command column")]
    )


# ---------------------------------------------------------------- small_data.md


def diffaugment_mnist(data, provenance):
    """FCD by generator steps, one table per training-set size, a column per policy and EMA (small_data.md)."""
    result = data["diffaugment_mnist.json"]
    runs = result["runs"]

    def policy(run):
        # Rows from before `policy` was recorded used the default policy.
        return (run.get("policy") or "color,translation,cutout") if run["augment"] else None

    def label(combo):
        name, ema = combo
        text = "no augment" if name is None else f'`"{name}"`'
        return text + (", EMA" if ema else "")

    lines = []
    # One table per training-set size and series (runs of another budget,
    # added with `--series`); the first series has no name.
    groups = sorted({(run["train_digits"], run.get("series") or "") for run in runs})
    for digits, series in groups:
        subset = [run for run in runs if (run["train_digits"], run.get("series") or "") == (digits, series)]
        combos = sorted(
            {(policy(r), r["ema"]) for r in subset}, key=lambda c: (c[0] is not None, c[0] or "", c[1])
        )
        steps = sorted({r["steps"] for r in subset})
        fcd = {(policy(r), r["ema"], r["steps"]): r["fcd"] for r in subset}
        lines += [
            f"{digits:,} training digits{', ' + series if series else ''} (FCD, lower is better):",
            "",
            "| generator steps | " + " | ".join(label(combo) for combo in combos) + " |",
            "|---:|" + "---:|" * len(combos),
        ]
        for step in steps:
            cells = [fcd.get((*combo, step)) for combo in combos]
            lines.append(
                f"| {step:,} | " + " | ".join("-" if v is None else f"{v:.2f}" for v in cells) + " |"
            )
        lines.append("")
    references = result.get("reference_fcd") or {}
    if references:
        lines.append(
            "Real digits for scale: "
            + "; ".join(f"{name}: FCD {value:.2f}" for name, value in references.items())
            + "."
        )
    if result.get("setup"):
        lines += ["", f"{result['setup']}; EMA decay {result.get('ema_decay')}, `dim={result.get('dim')}`."]
    measurements = result.get("measurements", [])
    # A merged measurement lists the machines of its runs.
    machines = [
        machine
        for m in measurements
        for machine in (m["machine"] if isinstance(m.get("machine"), list) else [m.get("machine")])
        if machine
    ]
    machines += [
        run.get("machine") or run.get("device") for run in runs if run.get("machine") or run.get("device")
    ]
    if result.get("machine"):
        machines.append(result["machine"])
    commands = [c for m in measurements for c in m.get("commands", [])] + list(result.get("commands", []))
    commands += [run["command"] for run in runs if run.get("command")]
    commands = [command if command.startswith("python") else f"python {command}" for command in commands]
    return Rendered(
        "\n".join(lines).rstrip(),
        list(dict.fromkeys(machines)) or [NOT_RECORDED_MACHINE],
        list(dict.fromkeys(commands)) or [NOT_RECORDED_COMMAND],
    )


# ---------------------------------------------------------------- reliability.md


def soak(data, provenance):
    """Resident-memory growth per epoch, per backend, run and callback set (reliability.md).

    Runs made with `--malloc` also show glibc's in-use bytes per epoch (after
    a full collection); the others show "-".
    """
    lines = [
        "| backend | run | callbacks | epochs | growth KiB/epoch (second half) | malloc in use KiB/epoch | "
        "largest rise in use over 10 epochs, MiB (epochs) | RSS MiB first / middle / last |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    machines, commands, notes = [], [], []
    for backend in ("tensorflow", "jax"):
        for label, configs in data[f"soak_{backend}.json"]["runs"].items():
            for name, run in configs.items():
                rss = " / ".join(
                    "-" if run.get(k) is None else f"{run[k]:.1f}"
                    for k in ("rss_mib_first_epoch", "rss_mib_middle", "rss_mib_last_epoch")
                )
                mark = ""
                if run.get("note"):
                    notes.append(run["note"])
                    mark = f" [{len(notes)}]"
                in_use = run.get("malloc_in_use_kib_per_epoch")
                in_use = "-" if in_use is None else f"{in_use:.1f}"
                lines.append(
                    f"| {backend} | `{label}` | {name} | {run['epochs']:,} | "
                    f"{run['growth_kib_per_epoch']:.1f}{mark} | {in_use} | {_largest_rise(run)} | {rss} |"
                )
                machines.append(run.get("machine") or NOT_RECORDED_MACHINE)
                commands.append(run.get("command") or NOT_RECORDED_COMMAND)
    for number, note in enumerate(notes, 1):
        lines += ["", f"[{number}] {note}"]
    return Rendered("\n".join(lines), list(dict.fromkeys(machines)), list(dict.fromkeys(commands)))


def _largest_rise(run):
    """The largest rise of the in-use bytes between two samples 10 epochs apart, and where."""
    trace = run.get("malloc_in_use_mib_every_10_epochs")
    if not trace or len(trace) < 2:
        return "-"
    rise, index = max((after - before, i) for i, (before, after) in enumerate(itertools.pairwise(trace)))
    return f"{rise:.2f} ({10 * (index + 1)}-{10 * (index + 2)})"


def interned_strings(data, provenance):
    """Strings each callback leaves in Python's interned-string table per epoch (reliability.md)."""
    lines = [
        "| backend | callbacks | strings per epoch | new strings before the rebuild, after 1 epoch "
        "| rebuild predicted at epoch | rebuild MiB | new strings before the next rebuild, after 1 / 101 epochs |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    machines, commands = [], []
    result = data["interned_strings.json"]
    for backend in ("tensorflow", "jax"):
        if backend not in result:
            continue
        run = result[backend]
        machines.append(f"{run['machine']}, Python {run['python']}")
        commands.append(run["command"])
        for name, row in run["configs"].items():
            predicted = row["predicted_rebuild_epoch"]
            lines.append(
                f"| {backend} | {name} | {row['strings_per_epoch']:.1f} | {row['before_rebuild_after_1_epoch']:,} | "
                f"{'-' if predicted is None else f'{predicted:,}'} | {row['rebuild_mib']:.2f} | "
                f"{row['before_second_rebuild_after_1_epoch']:,} / {row['before_second_rebuild_after_101_epochs']:,} |"
            )
    return Rendered("\n".join(lines), machines, commands)


# ---------------------------------------------------------------- jax.md, images.md


def jax_cpu_step(data, provenance):
    """keras_wgan's step on JAX against TensorFlow, on the CPU (jax.md)."""
    lines = [
        "| nets | batch | variant | policy | JAX ms/step | TensorFlow ms/step | JAX speed-up | first step s (JAX / TF) |",
        "|---|---:|---|---|---:|---:|---:|---|",
    ]
    machines, commands = [], []
    for source in ("throughput_jax.json", "throughput_jax_mnist_rerun.json", "throughput_jax_toy.json"):
        result = data[source]
        machines.append((_throughput_machine(result), source))
        commands.append(_argv_command(result))
        for row in result["rows"]:
            lines.append(
                f"| {NETS[row['nets']]} | {row['batch']} | {VARIANTS[row['variant']]} | {row['policy']} "
                f"| {_ms(row['jax_ms_per_step'])} | {_ms(row['tensorflow_ms_per_step'])} "
                f"| {row['jax_speedup_vs_tensorflow']:.2f}x | {row['jax_first_step_s']:.0f} / "
                f"{row['tensorflow_first_step_s']:.0f} |"
            )
    return Rendered("\n".join(lines), machines, commands)


def images_step(data, provenance):
    """The image networks' step time against the plain step, on the CPU (images.md)."""
    lines = [
        "| nets | batch | policy | ms/step | plain ms | speed/plain | GFLOP/step | % of matmul | results file |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    machines, commands = [], []
    for source in ("throughput_images.json", "throughput_images_dcgan64_rerun.json"):
        result = data[source]
        machines.append((_throughput_machine(result), source))
        commands.append(_argv_command(result))
        for row in result["rows"]:
            lines.append(
                f"| {NETS[row['nets']]} | {row['batch']} | {row['policy']} | {_ms(row['ms_per_step'])} "
                f"| {_ms(row['plain_ms_per_step'])} | {row['speed_vs_plain']:.2f} "
                f"| {_gflop(row['profiler_gflop_per_step'])} | {row['fraction_of_matmul_peak']:.0%} | {source} |"
            )
    return Rendered("\n".join(lines), machines, commands)


def fid_inception_parity(data, provenance):
    """The FID Inception against pytorch-fid's, per backend (images.md)."""
    result = data["fid_inception_parity.json"]
    lines = [
        "| backend | max rel. diff, pool features | max rel. diff, logits | tolerance | reference |",
        "|---|---:|---:|---:|---|",
    ]
    for backend, row in result.items():
        lines.append(
            f"| {backend} | {row['max_rel_diff_pool']:.1e} | {row['max_rel_diff_logits']:.1e} "
            f"| {row['tolerance']:.0e} | {row['torch_reference']} |"
        )
    return Rendered(
        "\n".join(lines),
        [f"{row['machine']}, Keras {row['keras']}" for row in result.values()],
        [row["command"] for row in result.values()],
    )


# ---------------------------------------------------------------- troubleshooting.md


def remapper_check(data, provenance):
    """Grappler's remapper on and off: results and CPU time (troubleshooting.md)."""
    result = data["remapper_check.json"]
    summary = result["summary"]
    lines = [
        "| task | remapper on | remapper off | results |",
        "|---|---:|---:|---|",
        f"| training, median CPU s per step | {summary['train_on_median_cpu_seconds_per_step']:.2f} "
        f"| {summary['train_off_median_cpu_seconds_per_step']:.2f} "
        f"| {'bit-identical' if summary['train_results_identical'] else 'different'} |",
        f"| FCD classifier, median CPU s per 2,000 digits | {summary['classifier_on_median_cpu_seconds_per_2000']:.2f} "
        f"| {summary['classifier_off_median_cpu_seconds_per_2000']:.2f} | |",
    ]
    before, after = result.get("load_average_before"), result.get("load_average_after")
    machine = result.get("machine") or NOT_RECORDED_MACHINE
    if before and after:
        machine += f", load average {before[0]:.0f} before and {after[0]:.0f} after"
    return Rendered("\n".join(lines), [machine], [result.get("command") or NOT_RECORDED_COMMAND])


# ---------------------------------------------------------------- the registry

TABLES = {
    "cpu-step": Table(("throughput_jit_off.json", "throughput_kerasio.json"), cpu_step),
    "cpu-profile": Table(("profile_float32.log", "profile_bfloat16.log"), cpu_profile),
    "cpu-time-to-quality-mnist": Table(("time_to_quality_mnist.json",), cpu_time_to_quality_mnist),
    "cpu-time-to-quality-toy": Table(("time_to_quality_toy_idle.json",), cpu_time_to_quality_toy),
    "cpu-xla": Table(("throughput_jit_on_toy.json", "throughput_jit_on_mnist.json"), cpu_xla),
    "gpu-step": Table(("gpu_step.json",), gpu_step),
    "gpu-step-compile": Table(("gpu_step_compile.json",), gpu_step_compile),
    "gpu-time-to-quality": Table(("gpu_time_to_quality.json",), gpu_time_to_quality),
    "mixed-precision-fcd": Table(("time_to_quality_mnist.json",), mixed_precision_fcd),
    "finite-checks": Table(FINITE_CHECKS, finite_checks),
    "mixed-float16-mnist": Table(("mnist_mixed_float16_30_steps.csv",), mixed_float16_mnist),
    "mnist-quick-runs": Table(("clip_quick_search.json", "mnist_quick_rerun_loaded.json"), mnist_quick_runs),
    "mnist-long-runs": Table(tuple(MNIST_LONG_RUNS), mnist_long_runs),
    "conditional-runs": Table(tuple(CONDITIONAL_RUNS), conditional_runs),
    "clip-quick-search": Table(("clip_quick_search.json",), clip_quick_search),
    "wgan-claims-correlation": Table(("wgan_claims/wgan_claims.json",), wgan_claims_correlation),
    "wgan-claims-architectures": Table(("wgan_claims/wgan_claims.json",), wgan_claims_architectures),
    "wgan-claims-gan5": Table(("wgan_claims_gan5/wgan_claims.json",), wgan_claims_gan5),
    "wgan-claims-mlp": Table(MLP_RUNS, wgan_claims_mlp),
    "wgan-claims-clip-vs-penalty": Table(("wgan_claims/wgan_claims.json",), wgan_claims_clip_vs_penalty),
    "stacked-mnist-summary": Table(("stacked_mnist.json",), stacked_mnist_summary),
    "stacked-mnist-runs": Table(("stacked_mnist.json",), stacked_mnist_runs),
    "diffaugment-mnist": Table(("diffaugment_mnist.json",), diffaugment_mnist),
    "soak": Table(("soak_tensorflow.json", "soak_jax.json"), soak),
    "interned-strings": Table(("interned_strings.json",), interned_strings),
    "jax-cpu-step": Table(
        ("throughput_jax.json", "throughput_jax_mnist_rerun.json", "throughput_jax_toy.json"), jax_cpu_step
    ),
    "images-step": Table(("throughput_images.json", "throughput_images_dcgan64_rerun.json"), images_step),
    "fid-inception-parity": Table(("fid_inception_parity.json",), fid_inception_parity),
    "remapper-check": Table(("remapper_check.json",), remapper_check),
}


# ---------------------------------------------------------------- pages


def pages(root=ROOT):
    """README.md and every Markdown page under docs/."""
    found = [os.path.join(root, "README.md")]
    for folder, _, names in sorted(os.walk(os.path.join(root, "docs"))):
        found += [os.path.join(folder, name) for name in sorted(names) if name.endswith(".md")]
    return found


def render_page(text, path="docs/page.md", results_dir=None):
    """`text` with every results block rendered anew; raises on an unknown NAME.

    `path` is the page's path relative to the repository root: the links to the
    results files are relative to its folder.
    """
    page_dir = os.path.dirname(os.path.join(ROOT, path))

    def replace(match):
        name = match.group(2)
        if name not in TABLES:
            raise ValueError(
                f"{path} has a results block that no renderer produces. Known: {sorted(TABLES)}. "
                f"Received: name={name!r}"
            )
        return f"{match.group(1)}{render_table(name, results_dir, page_dir)}\n{match.group(4)}"

    return BLOCK.sub(replace, text)


def stale_tables(root=ROOT, results_dir=None):
    """`{path: (rendered text, [stale table names])}` of the pages whose tables differ from their results."""
    stale = {}
    for path in pages(root):
        with open(path, encoding="utf-8") as file:
            text = file.read()
        relative = os.path.relpath(path, root)
        rendered = render_page(text, relative, results_dir)
        if rendered != text:
            old = {m.group(2): m.group(0) for m in BLOCK.finditer(text)}
            new = {m.group(2): m.group(0) for m in BLOCK.finditer(rendered)}
            stale[path] = (rendered, sorted(name for name in new if old.get(name) != new[name]))
    return stale


def stale_pages(root=ROOT, results_dir=None):
    """`{path: rendered text}` of the pages whose tables differ from their results."""
    return {path: rendered for path, (rendered, _) in stale_tables(root, results_dir).items()}


def write_text_atomically(path, text):
    """Writes `text` to a temporary file beside `path`, fsyncs it and renames it over `path`.

    A crash leaves the old page or the new one, never half of either. (Not
    keras_wgan.utils.file_utils: importing keras_wgan imports Keras.)
    """
    folder = os.path.dirname(path) or "."
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".report-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def list_tables(root=ROOT):
    """One line per table: its name, its results files and the pages that show it."""
    texts = {}
    for path in pages(root):
        with open(path, encoding="utf-8") as file:
            texts[os.path.relpath(path, root)] = file.read()
    lines = []
    for name, table in TABLES.items():
        used = [page for page, text in texts.items() if f"<!-- results:{name} -->" in text]
        lines.append(f"{name}: {', '.join(table.sources)} -> {', '.join(used) or '(no page)'}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="only report stale tables; exit 1 if any")
    mode.add_argument("--list", action="store_true", help="list the tables, their results files and pages")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(list_tables()))
        return 0
    stale = stale_tables()
    for path, (rendered, names) in stale.items():
        page = os.path.relpath(path, ROOT)
        if args.check:
            print(f"stale: {page}: {', '.join(names)} (run python benchmarks/report.py)")
        else:
            write_text_atomically(path, rendered)
            print(f"rendered: {page}: {', '.join(names)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
