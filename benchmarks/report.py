"""Renders the results tables of the docs from the files in benchmarks/results/.

    python benchmarks/report.py           # rewrite every stale table in place
    python benchmarks/report.py --check   # list the stale tables, exit 1 if any

A page (README.md or docs/**/*.md) holds a rendered table between two markers:

    <!-- results:NAME -->
    (generated: do not edit by hand)
    <!-- /results -->

NAME is a key of `RENDERERS`; each renderer reads its results files and
returns Markdown, which names the machine the figures were measured on. So a
figure lives in one committed results file, and the pages show it as
rendered from there. `tests/test_benchmarks_report.py` fails when a page's
table differs from what this script renders.
"""

import argparse
import json
import os
import re
import sys

from gpu_table import step_table

from keras_wgan.utils.file_utils import write_text_atomically

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")
BLOCK = re.compile(r"(<!-- results:([\w-]+) -->\n)(.*?)(<!-- /results -->)", re.S)


def _load(name):
    with open(os.path.join(RESULTS, name), encoding="utf-8") as file:
        return json.load(file)


def gpu_step():
    """The GPU step-time table of docs/performance.md (`gpu_step.json`)."""
    return step_table(_load("gpu_step.json")) + "\n\nResults: `benchmarks/results/gpu_step.json`."


def gpu_time_to_quality():
    """The GPU time-to-quality curve of docs/performance.md (`gpu_time_to_quality.json`)."""
    data = _load("gpu_time_to_quality.json")
    settings, env = data["settings"], data["environment"]
    lines = [
        f"Device: {env['device']}; JAX {env['jax']}, Keras {env['keras']}. WGAN-GP, {settings['policy']}, "
        f"batch {settings['batch']}, Adam({_rate(settings['lr'])}, β1 = 0, β2 = 0.9) (the library's default). "
        f"The first step, compilation included, took {data['compile_s']:.1f} s; "
        f"{data['ms_per_step_excl_compile']:.2f} ms per step after it.",
        "",
        "| generator steps | training s | FCD |",
        "| ---: | ---: | ---: |",
    ]
    lines += [f"| {row['step']:,} | {row['train_s']:.1f} | {row['fcd']:.2f} |" for row in data["curve"]]
    return "\n".join([*lines, "", "Results: `benchmarks/results/gpu_time_to_quality.json`."])


def _rate(value):
    """1e-4, not 0.0001."""
    return f"{value:.0e}".replace("e-0", "e-")


RENDERERS = {
    "gpu-step": gpu_step,
    "gpu-time-to-quality": gpu_time_to_quality,
}


def pages():
    """README.md and every Markdown page under docs/."""
    found = [os.path.join(ROOT, "README.md")]
    for folder, _, names in sorted(os.walk(os.path.join(ROOT, "docs"))):
        found += [os.path.join(folder, name) for name in sorted(names) if name.endswith(".md")]
    return found


def render_page(text, path="page"):
    """`text` with every results block rendered anew; raises on an unknown NAME."""

    def replace(match):
        name = match.group(2)
        if name not in RENDERERS:
            raise ValueError(
                f"{path} has a results block that no renderer produces. Known: {sorted(RENDERERS)}. "
                f"Received: name={name!r}"
            )
        return f"{match.group(1)}{RENDERERS[name]().strip()}\n{match.group(4)}"

    return BLOCK.sub(replace, text)


def stale_pages():
    """`{path: rendered text}` of the pages whose tables differ from their results."""
    stale = {}
    for path in pages():
        with open(path, encoding="utf-8") as file:
            text = file.read()
        rendered = render_page(text, os.path.relpath(path, ROOT))
        if rendered != text:
            stale[path] = rendered
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale tables; exit 1 if any")
    args = parser.parse_args(argv)
    stale = stale_pages()
    for path, rendered in stale.items():
        name = os.path.relpath(path, ROOT)
        if args.check:
            print(f"stale: {name} (run python benchmarks/report.py)")
        else:
            write_text_atomically(path, rendered)
            print(f"rendered: {name}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
