"""Markdown tables of a GPU run, for the README: `python benchmarks/gpu_table.py [STEP_JSON [TTQ_JSON]]`.

Reads what `benchmarks/gpu_run.sh` wrote (`gpu_step.json`,
`gpu_time_to_quality.json`) and prints the step table (ms per generator
step of each implementation, its ratio to JAX, and the bfloat16 speed-up
over float32) and the time-to-quality line. `--fair [JSON]` prints the
table of `gpu_fair_step.json` instead (`fair_table`).
"""

import json
import os
import sys

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def step_table(data):
    env = data["environment"]
    device = env.get("torch_device") or env.get("jax_device_kind")
    lines = [
        f"Device: {device}; JAX {env['jax']}, Keras {env['keras']}, PyTorch {env.get('torch')}. "
        "ms per generator step (5 critic + 1 generator iterations), median of interleaved repetitions; "
        "x = that implementation's time / JAX's (>1: JAX faster); torch.compile was timed in a later "
        "round, interleaved with JAX again, and its x is against that round's JAX.",
        "",
        "| nets | batch | policy | JAX ms | eager PyTorch ms (x) | torch.compile ms (x) | JAX bf16 speed-up |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    compiled = {(r["nets"], r["batch"], r["policy"]): r["results"] for r in data.get("compile_rows", [])}
    jax_ms = {
        (r["nets"], r["batch"], r["policy"]): r["results"].get("jax", {}).get("ms_per_step")
        for r in data["rows"]
    }
    for row in data["rows"]:
        key = (row["nets"], row["batch"], row["policy"])
        results = row["results"]
        jax = results.get("jax", {}).get("ms_per_step")
        eager = results.get("torch_eager")
        comp = compiled.get(key, {})
        comp = comp.get("torch_compile") or comp.get("torch_compile_no_penalty")
        name = "" if not compiled.get(key) or "torch_compile" in compiled[key] else " (penalty eager)"
        f32 = jax_ms.get((row["nets"], row["batch"], "float32"))
        speedup = f"{f32 / jax:.2f}" if row["policy"] == "mixed_bfloat16" and f32 and jax else ""
        lines.append(
            f"| {row['nets']} | {row['batch']} | {row['policy']} | {_ms(jax)} | "
            f"{_ms(eager and eager['ms_per_step'])}{_x(eager)} | {_ms(comp and comp['ms_per_step'])}{_x(comp)}{name if comp else ''} "
            f"| {speedup} |"
        )
    if data.get("torch_compile_refused"):
        lines += [
            "",
            f"torch.compile with the penalty's double backward: refused ({data['torch_compile_refused']}).",
        ]
    return "\n".join(lines)


def ttq_line(data):
    reached = data.get("reached", {})
    parts = []
    for target in sorted({float(t) for t in data["settings"]["targets"]}, reverse=True):
        hit = reached.get(str(target))
        parts.append(
            f"FCD {target:g}: {hit['train_s']:.0f} s ({hit['step']} steps)"
            if hit
            else f"FCD {target:g}: not reached"
        )
    return (
        f"Time to quality ({data['environment']['device']}, {data['settings']['policy']}, batch "
        f"{data['settings']['batch']}): "
        + "; ".join(parts)
        + f"; best FCD {data['best_fcd']:.2f} after {data['train_s']:.0f} s of training ({data['steps']} steps, "
        f"first step with compilation {data['compile_s']:.1f} s, {data['ms_per_step_excl_compile']:.2f} ms/step after it)."
    )


# The columns of the fair table: (title, impl, options the row must carry).
FAIR_COLUMNS = (
    ("keras_wgan step", "keras_wgan_step", {}),
    ("fit", "keras_wgan_fit", {"callbacks": "none", "device_data": True}),
    ("fit, example's callbacks", "keras_wgan_fit", {"callbacks": "example"}),
    ("fit, host data", "keras_wgan_fit", {"callbacks": "none", "device_data": False}),
    ("torch eager", "torch_eager", {}),
    ("torch tuned", "torch_tuned", {}),
    ("torch CUDA graph", "torch_cuda_graph", {}),
    ("torch.compile", "torch_compile", {}),
)


def fair_table(data):
    """ms per generator step of every implementation, one line per (nets, batch, policy), and the fit's ratio.

    "fit / graph": keras_wgan's `fit` (no callbacks, data on the device)
    against the CUDA-graph PyTorch step (>1: PyTorch faster). A CUDA graph
    whose losses did not match the tuned step's is marked "(unverified)".
    """
    precision = data.get("precision", {})
    lines = [
        f"Device: {data.get('device')}; versions {json.dumps(data.get('versions', {}))}; precision: JAX "
        f"{precision.get('jax_default_matmul_precision')}, PyTorch TF32 matmul "
        f"{precision.get('torch_matmul_allow_tf32')} / cuDNN {precision.get('torch_cudnn_allow_tf32')}. "
        f"{data.get('unit', 'ms per generator step')}, medians.",
        "",
        "| nets | batch | policy | " + " | ".join(title for title, _, _ in FAIR_COLUMNS) + " | fit / graph |",
        "| --- | ---: | --- | " + " | ".join("---:" for _ in FAIR_COLUMNS) + " | ---: |",
    ]
    configs = []
    for row in data["rows"]:
        key = (row["nets"], row["batch"], row["policy"])
        if key not in configs:
            configs.append(key)
    for key in configs:
        rows = [r for r in data["rows"] if (r["nets"], r["batch"], r["policy"]) == key]
        cells = []
        for _, impl, options in FAIR_COLUMNS:
            match = next(
                (r for r in rows if r["impl"] == impl and all(r.get(k) == v for k, v in options.items())),
                None,
            )
            cell = _ms(match and match["ms_per_step"])
            if match and match.get("verified") is False:
                cell += " (unverified)"
            cells.append((impl, options, match, cell))
        fit = cells[1][2]
        graph = cells[6][2]
        ratio = f"{fit['ms_per_step'] / graph['ms_per_step']:.2f}" if fit and graph else ""
        lines.append(
            f"| {key[0]} | {key[1]} | {key[2]} | " + " | ".join(c[3] for c in cells) + f" | {ratio} |"
        )
    for busy in data.get("busy", []):
        lines.append(
            f"\nGPU busy ({busy['impl']}, {busy['nets']} batch {busy['batch']} {busy['policy']}): "
            f"{_ms(busy.get('gpu_busy_ms_per_step'))} ms of {_ms(busy['wall_ms_per_step'])} ms wall per step."
        )
    return "\n".join(lines)


def _ms(value):
    return f"{value:.2f}" if value else "-"


def _x(result):
    return f" (x{result['ratio_to_jax']:.2f})" if result and "ratio_to_jax" in result else ""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--fair":
        path = argv[1] if len(argv) > 1 else os.path.join(RESULTS, "gpu_fair_step.json")
        with open(path) as f:
            print(fair_table(json.load(f)))
        return
    step_path = argv[0] if argv else os.path.join(RESULTS, "gpu_step.json")
    ttq_path = argv[1] if len(argv) > 1 else os.path.join(RESULTS, "gpu_time_to_quality.json")
    for path, render in ((step_path, step_table), (ttq_path, ttq_line)):
        if os.path.exists(path):
            with open(path) as f:
                print(render(json.load(f)))
            print()
        else:
            print(f"({path} not found)\n")


if __name__ == "__main__":
    main()
