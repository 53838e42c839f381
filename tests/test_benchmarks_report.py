"""benchmarks/report.py: the docs' results tables match the committed results files.

Every measured figure of the docs lives in one results file under
benchmarks/results/ and reaches a page only as a table rendered from it, with
a line naming the machine, the command and the file. These tests render each
table from small fixtures, check that the committed pages are up to date, and
that changing a results file makes its page stale.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHMARKS = os.path.join(ROOT, "benchmarks")
sys.path.insert(0, BENCHMARKS)

import report  # noqa: E402


def write_results(folder, files):
    """`files` ({name: JSON-able object or text}) as results files in `folder`."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(folder)


def provenance_line(rendered):
    return rendered.split("\n", 1)[0]


# -- the committed pages ---------------------------------------------------


def test_no_rendered_table_is_stale():
    stale = report.stale_tables()
    assert not stale, (
        f"results tables differ from benchmarks/results/: {[(os.path.relpath(p, ROOT), n) for p, (_, n) in stale.items()]}; "
        "run `python benchmarks/report.py` and commit the pages"
    )


def test_every_table_is_used_by_a_page():
    text = "".join(open(path, encoding="utf-8").read() for path in report.pages())
    for name in report.TABLES:
        assert f"<!-- results:{name} -->" in text, name


def test_every_table_names_machine_command_and_results_files():
    for name, table in report.TABLES.items():
        line = provenance_line(report.render_table(name, page_dir=os.path.join(ROOT, "docs")))
        assert line.startswith("Machine: "), (name, line)
        assert ". Command: " in line and ". Results: " in line, (name, line)
        for source in table.sources:
            assert f"[{source}](../benchmarks/results/{source})" in line, (name, source)


def test_check_passes_on_the_committed_docs_quickly_and_without_keras():
    # --check runs in CI and before commits: it must not pay for importing Keras or TensorFlow.
    code = (
        "import sys; sys.path.insert(0, 'benchmarks'); import report; rc = report.main(['--check']); "
        "assert not {'keras', 'tensorflow', 'jax', 'keras_wgan'} & set(sys.modules), sorted(sys.modules); "
        "sys.exit(rc)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_list_names_every_table_its_sources_and_pages(capsys):
    assert report.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(report.TABLES)
    assert "gpu-step: gpu_step.json -> docs/performance.md" in lines


# -- staleness -------------------------------------------------------------


def copy_results(tmp_path):
    folder = tmp_path / "results"
    shutil.copytree(report.RESULTS, folder)
    return folder


def test_a_changed_results_file_makes_its_page_stale(tmp_path):
    folder = copy_results(tmp_path)
    path = folder / "gpu_step.json"
    data = json.loads(path.read_text())
    data["rows"][0]["results"]["jax"]["ms_per_step"] = 1234.5
    path.write_text(json.dumps(data))
    stale = report.stale_tables(results_dir=str(folder))
    assert list(stale) == [os.path.join(ROOT, "docs", "performance.md")]
    rendered, names = stale[os.path.join(ROOT, "docs", "performance.md")]
    assert names == ["gpu-step"]
    assert "| 1234.50 |" in rendered


def test_check_exits_non_zero_and_names_the_stale_table(tmp_path, monkeypatch, capsys):
    folder = copy_results(tmp_path)
    rows = (folder / "mnist_lr2e-4_metrics.csv").read_text().splitlines()
    (folder / "mnist_lr2e-4_metrics.csv").write_text("\n".join(rows[:-1]) + "\n")  # one epoch fewer
    monkeypatch.setattr(report, "RESULTS", str(folder))
    assert report.main(["--check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "stale: docs/mnist_example.md: mnist-long-runs (run python benchmarks/report.py)"
    ]


def test_rendering_rewrites_a_stale_page_atomically_and_then_it_is_clean(tmp_path, monkeypatch):
    page_root = tmp_path / "repo"
    (page_root / "docs").mkdir(parents=True)
    (page_root / "README.md").write_text("# readme\n")
    page = page_root / "docs" / "page.md"
    page.write_text("before\n<!-- results:gpu-step -->\nhand-edited\n<!-- /results -->\nafter\n")
    stale = report.stale_tables(root=str(page_root))
    assert list(stale) == [str(page)]
    for path, (rendered, _) in stale.items():
        report.write_text_atomically(path, rendered)
    assert report.stale_tables(root=str(page_root)) == {}
    assert [
        name for name in os.listdir(page.parent) if name.startswith(".report-")
    ] == []  # no temp file left


# -- the markers -----------------------------------------------------------


def test_markers_round_trip_and_text_outside_them_is_kept():
    page = "intro\n<!-- results:gpu-step -->\n| hand | edited |\n<!-- /results -->\nafter\n"
    rendered = report.render_page(page)
    assert rendered != page
    assert "| hand | edited |" not in rendered
    assert rendered.startswith("intro\n<!-- results:gpu-step -->\nMachine: ")
    assert rendered.endswith("\n<!-- /results -->\nafter\n")
    assert report.render_page(rendered) == rendered  # rendering is idempotent


def test_links_are_relative_to_the_page():
    block = "<!-- results:gpu-step -->\n<!-- /results -->\n"
    assert "(benchmarks/results/gpu_step.json)" in report.render_page(block, "README.md")
    assert "(../benchmarks/results/gpu_step.json)" in report.render_page(block, "docs/performance.md")


def test_an_unknown_table_name_is_an_error():
    with pytest.raises(ValueError, match="Received: name='no-such-table'"):
        report.render_page("<!-- results:no-such-table -->\n<!-- /results -->\n", "docs/x.md")


# -- renderers on small fixtures -------------------------------------------


def throughput_row(nets, policy, ms, plain_ms, variant="gp", jit=False):
    return {
        "nets": nets,
        "batch": 64,
        "variant": variant,
        "policy": policy,
        "jit_compile": jit,
        "ms_per_step": ms,
        "plain_ms_per_step": plain_ms,
        "speed_vs_plain": plain_ms / ms,
        "profiler_gflop_per_step": 210.4,
        "gflop_per_s": 213.0,
        "fraction_of_matmul_peak": 0.65,
        "peak_rss_mb": 1024.0,
        "plain_peak_rss_mb": 2048.0,
    }


def test_cpu_step_renders_every_row_and_the_recorded_machine(tmp_path):
    machine = {
        "cpu": "Test CPU",
        "cores": 2,
        "tensorflow": "2.21.0",
        "keras": "3.15.1",
        "loadavg_at_start": [0.5],
    }
    folder = write_results(
        tmp_path,
        {
            "throughput_jit_off.json": {
                "machine": machine,
                "argv": ["benchmarks/throughput.py", "--nets", "mnist"],
                "matmul_peak_gflops": {"float32": [300.0, 320.0]},
                "rows": [throughput_row("mnist", "float32", 989.0, 999.0)],
            },
            "throughput_kerasio.json": {
                "machine": machine,
                "argv": ["benchmarks/throughput.py", "--nets", "kerasio"],
                "rows": [throughput_row("kerasio", "mixed_bfloat16", 1642.0, 1703.0)],
            },
        },
    )
    rendered = report.render_table("cpu-step", folder)
    line = provenance_line(rendered)
    assert "Machine: 2-core Test CPU, TensorFlow 2.21.0, Keras 3.15.1, load average 0.5 at the start." in line
    assert (
        "`python benchmarks/throughput.py --nets mnist`; `python benchmarks/throughput.py --nets kerasio`"
        in line
    )
    assert "| MNIST | 64 | WGAN-GP | float32 | 989 | 999 | 1.01 | 210.4 | 213 | 65% |" in rendered
    assert "| keras-io | 64 | WGAN-GP | mixed_bfloat16 | 1,642 | 1,703 | 1.04 |" in rendered
    assert "float32 matmul 300-320 GFLOP/s" in rendered
    assert "1.0 to 2.0 GB" in rendered


def test_a_source_without_machine_or_command_says_so(tmp_path):
    rows = "epoch,critic_loss,wasserstein_estimate\n0,-1.5,2.0\n1,-0.5,1.0\n"
    folder = write_results(
        tmp_path, {"mnist_mixed_float16_30_steps.csv": rows, "provenance.json": {"files": {}}}
    )
    rendered = report.render_table("mixed-float16-mnist", folder)
    assert provenance_line(rendered).startswith(
        "Machine: machine not recorded. Command: command not recorded."
    )
    assert "| 2 | -0.50 | 1.00 |" in rendered


def test_provenance_json_fills_in_what_a_csv_does_not_record(tmp_path):
    rows = "epoch,critic_loss,wasserstein_estimate\n0,-1.5,2.0\n"
    provenance = {"files": {"mnist_mixed_float16_30_steps.csv": {"command": "python run.py", "machine": "M"}}}
    folder = write_results(
        tmp_path, {"mnist_mixed_float16_30_steps.csv": rows, "provenance.json": provenance}
    )
    assert provenance_line(report.render_table("mixed-float16-mnist", folder)).startswith(
        "Machine: M. Command: `python run.py`."
    )


def stacked_run(variant, steps, modes, kl, **extra):
    return {
        "variant": variant,
        "steps": steps,
        "modes": modes,
        "kl": kl,
        "seconds": 600.0,
        "dim": 32,
        "device": "2-core Test CPU",
        "command": f"python benchmarks/stacked_mnist.py --variant {variant} --steps {steps}",
        "curve": [{"steps": steps, "modes": modes, "kl": kl}] if modes is not None else [],
        **extra,
    }


def test_stacked_mnist_summary_keeps_the_best_run_of_each_variant(tmp_path):
    ema_run = stacked_run("wgan-gp", 5000, 1000, 0.09, generator_ema=0.999, stopped_early=True)
    ema_run["curve"][-1].update(raw_modes=998, raw_kl=0.1234)
    runs = [
        stacked_run("wgan-gp", 1800, 1000, 0.117),
        stacked_run("wgan-gp", 5000, 1000, 0.08),  # a later, longer run: the new best
        ema_run,  # its own row
        stacked_run("gan", 1500, 9, 6.045),
        {**stacked_run("wgan-clip", 0, None, None), "curve": []},  # started, not evaluated yet
    ]
    folder = write_results(tmp_path, {"stacked_mnist.json": {"runs": runs}})
    rendered = report.render_table("stacked-mnist-summary", folder)
    assert "| wgan-gp | 32 | 5,000 | **1000** | **0.080** | - | 10 |" in rendered
    assert (
        "| wgan-gp, generator EMA 0.999 | 32 | 5,000 (time limit) | **1000** | **0.090** | 998 / 0.123 | 10 |"
        in rendered
    )
    assert "| gan | 32 | 1,500 | **9** | **6.045** | - | 10 |" in rendered
    assert "0.117" not in rendered
    assert "wgan-clip" not in rendered.split("\n\n", 1)[1]
    assert "Machine: 2-core Test CPU." in provenance_line(rendered)


def test_stacked_mnist_runs_lists_every_run_with_its_command(tmp_path):
    ema_run = stacked_run("wgan-gp", 1800, 1000, 0.117, generator_ema=0.99)
    ema_run["curve"][-1].update(raw_modes=999, raw_kl=0.2)
    runs = [
        ema_run,
        stacked_run("wgan-clip", 1000, 771, 1.258),
        {**stacked_run("gan", 0, None, None), "curve": []},
    ]
    runs[1].pop("device")
    folder = write_results(tmp_path, {"stacked_mnist.json": {"runs": runs}})
    rendered = report.render_table("stacked-mnist-runs", folder)
    body = rendered.split("\n\n", 1)[1]
    assert len(body.splitlines()) == 2 + len(runs)
    assert "`python benchmarks/stacked_mnist.py --variant wgan-clip --steps 1000`" in body
    assert "| wgan-clip | 32 | 1,000 | 771 | 1.258 | 10 | machine not recorded |" in body
    assert "| 1800: 1000 / 0.12 (999 / 0.20) |" in body
    assert "| gan | 32 | 0 | - | - | 10 |" in body
    assert "Machine: 2-core Test CPU; machine not recorded." in provenance_line(rendered)


def test_diffaugment_has_a_table_per_size_a_column_per_setting_and_a_row_per_step(tmp_path):
    runs = [
        {"train_digits": digits, "augment": augment, "ema": ema, "steps": steps, "fcd": fcd, "policy": policy}
        for digits, augment, policy, ema, steps, fcd in [
            (1000, True, None, False, 150, 266.26),  # before `policy` was recorded: the default
            (1000, False, None, False, 150, 109.28),
            (1000, False, None, True, 150, 233.53),
            (1000, False, None, False, 300, 54.44),
            (1000, True, "translation", False, 300, 86.59),  # added later, at other steps
            (2000, True, "color,translation,cutout", False, 300, 99.5),
        ]
    ]
    data = {
        "runs": runs,
        "reference_fcd": {"training digits vs held-out digits": 3.55},
        "measurements": [
            {"machine": "2-core Test CPU", "commands": ["benchmarks/diffaugment_mnist.py --augment on"]},
            {
                "machine": ["2-core Test CPU"],
                "commands": ["benchmarks/diffaugment_mnist.py --policy translation"],
            },
        ],
    }
    folder = write_results(tmp_path, {"diffaugment_mnist.json": data})
    rendered = report.render_table("diffaugment-mnist", folder)
    first, second = rendered.split("2,000 training digits")
    assert (
        '| generator steps | no augment | no augment, EMA | `"color,translation,cutout"` | `"translation"` |'
        in first
    )
    assert "| 150 | 109.28 | 233.53 | 266.26 | - |" in first
    assert "| 300 | 54.44 | - | - | 86.59 |" in first
    assert '| generator steps | `"color,translation,cutout"` |' in second and "| 300 | 99.50 |" in second
    assert "training digits vs held-out digits: FCD 3.55" in second
    assert provenance_line(rendered).startswith(
        "Machine: 2-core Test CPU. Command: `python benchmarks/diffaugment_mnist.py --augment on`; "
        "`python benchmarks/diffaugment_mnist.py --policy translation`."
    )


def test_diffaugment_series_get_tables_of_their_own(tmp_path):
    def row(steps, fcd, **extra):
        return {
            "train_digits": 1000,
            "augment": False,
            "policy": None,
            "ema": False,
            "steps": steps,
            "fcd": fcd,
            **extra,
        }

    data = {
        "runs": [row(300, 54.44), row(500, 35.9, series="longer runs"), row(1000, 18.3, series="longer runs")]
    }
    rendered = report.render_table(
        "diffaugment-mnist", write_results(tmp_path, {"diffaugment_mnist.json": data})
    )
    first, longer = rendered.split("1,000 training digits, longer runs (FCD, lower is better):")
    assert "1,000 training digits (FCD, lower is better):" in first and "| 300 | 54.44 |" in first
    assert "| 500 |" not in first
    assert "| 500 | 35.90 |" in longer and "| 1,000 | 18.30 |" in longer and "| 300 |" not in longer


def test_clip_quick_search_shows_each_candidates_flags(tmp_path):
    base = "python examples/mnist_wgan.py --quick --fcd-every 1"
    records = [
        {"name": "gp", "command": f"{base} --variant gp"},
        {"name": "clip-lr1e-3", "command": f"{base} --variant clip --learning-rate 1e-3 --clip-value 0.02"},
    ]
    for record in records:
        record.update(fcd_per_epoch=[240.0, 50.25], train_minutes=2.5, load_before=[1.4])
    folder = write_results(tmp_path, {"clip_quick_search.json": records})
    rendered = report.render_table("clip-quick-search", folder)
    assert f"Command: `{base}` with each row's flags." in provenance_line(rendered)
    assert (
        "| clip-lr1e-3 | `--variant clip --learning-rate 1e-3 --clip-value 0.02` | 1e-3 | 0.02 | 0 |"
        in rendered
    )
    assert "| gp | `--variant gp` | default | - | 0 | 240.0, 50.2 |" in rendered
    assert "2.5" not in rendered  # no timing from a source that does not name its machine


def test_finite_checks_render_every_policy(tmp_path):
    files = {}
    for source in report.FINITE_CHECKS:
        files[source] = {
            "argv": ["benchmarks/time_to_quality.py", "--json", source],
            "rows": [
                {
                    "policy": "mixed_float16",
                    "variant": "gp",
                    "steps": 2000,
                    "units": 64,
                    "non_finite_steps": 0,
                    "weights_finite": True,
                    "w1": 0.188,
                    "seconds": 1706.0,
                    "critic_loss_scale": 131072.0,
                }
            ],
        }
    rendered = report.render_table("finite-checks", write_results(tmp_path, files))
    assert (
        rendered.count("| mixed_float16 (units 64) | WGAN-GP | 2,000 | 0 | yes | 0.188 | 131072 | 1706 |")
        == 3
    )


def test_every_renderer_is_documented_and_reads_only_its_sources(tmp_path):
    # A renderer that read a file outside its `sources` would escape the staleness check.
    for name, table in report.TABLES.items():
        assert table.render.__doc__, name
        folder = tmp_path / name
        folder.mkdir()
        for source in table.sources:
            (folder / source).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(os.path.join(report.RESULTS, source), folder / source)
        shutil.copy(os.path.join(report.RESULTS, "provenance.json"), folder / "provenance.json")
        assert report.render_table(name, str(folder)) == report.render_table(name)


PROFILE_LOG = """\
W0000 some TensorFlow warning
policy {policy}, batch 64, load (0.5, 0.5, 0.5), matmul best 330 GFLOP/s (median 324)
part             ms  share   GFLOP  GFLOP/s  %peak
gen_fwd        21.3  11.7%    3.08    144.3  43.8%
critic_fb      77.1  42.4%   16.45    213.3  64.7%
penalty        79.0  43.5%   19.06    241.1  73.1%
adam            4.4   2.4%    0.00      0.0   0.0%

layers alone, forward + backward (input and weight gradients); matmul best 336 GFLOP/s
layer                                                 input       ms   GFLOP  GFLOP/s  %peak
mnist_critic/conv_1                        (128, 28, 28, 1)      9.6    0.25     25.7   7.6%
mnist_generator/deconv_4                   (64, 14, 14, 64)      2.2    0.12     54.0  16.0%
"""


def test_cpu_profile_parses_the_parts_and_layers_of_both_logs(tmp_path):
    folder = write_results(
        tmp_path,
        {
            "profile_float32.log": PROFILE_LOG.format(policy="float32"),
            "profile_bfloat16.log": PROFILE_LOG.format(policy="mixed_bfloat16"),
            "provenance.json": {"files": {"profile_float32.log": {"machine": "M", "command": "python p.py"}}},
        },
    )
    rendered = report.render_table("cpu-profile", folder)
    assert "| part of one critic iteration | float32 ms (% of matmul rate) | mixed_bfloat16 ms" in rendered
    assert "| penalty: input gradient + double backward | 79.0 (73%) | 79.0 (73%) |" in rendered
    assert "| Adam update | 4.4 | 4.4 |" in rendered
    assert "| mnist_critic/conv_1 | (128, 28, 28, 1) | 9.6 (8%) | 9.6 (8%) |" in rendered
    # Only the float32 log has a provenance entry: the line says which source lacks one.
    assert provenance_line(rendered).startswith(
        "Machine: M (profile_float32.log); machine not recorded (profile_bfloat16.log)."
    )


def test_conditional_runs_read_the_first_and_last_epochs_of_each_csv(tmp_path):
    header = "epoch,conditional_accuracy,fcd,wasserstein_estimate\n"
    files = {
        source: header + "0,0.5,250.0,20.0\n1,0.9,30.0,5.0\n2,0.94,12.9,2.41\n"
        for source in report.CONDITIONAL_RUNS
    }
    rendered = report.render_table("conditional-runs", write_results(tmp_path, files))
    assert (
        "| Adam 2e-4 (the default), seed 0 | 3 | 94.0% | 250.0 -> 12.9 | 12.9 (epoch 3) | 20.00 -> 2.41 |"
        in rendered
    )
    assert "| Adam 3e-4, seed 0 | 50.0% to 94.0% |" in rendered


def claims_run(generator, method, fcd, estimate=None):
    run = {
        "generator": generator,
        "method": method,
        "steps": [50 * (i + 1) for i in range(len(fcd))],
        "seconds": [10.0 * (i + 1) for i in range(len(fcd))],
        "fcd": fcd,
        "classes": 10,
        "class_counts": [100] * 10,
    }
    if estimate:
        run.update(
            wasserstein_estimate=estimate, correlation={"pearson": 0.9, "spearman": 0.95, "points": len(fcd)}
        )
    return run


def test_wgan_claims_tables_from_a_small_run(tmp_path):
    result = {
        "command": "python benchmarks/wgan_claims.py --steps 200",
        "machine_at_start": {
            "cpu_count": 2,
            "processor": "x86_64",
            "platform": "Linux",
            "keras": "3.15.1",
            "backend": "tensorflow",
            "load_average": [3.0],
        },
        "runs": [
            claims_run("dcgan_bn", "clip", [200.0, 140.0, 120.0, 90.0], estimate=[20.0, 10.0, 5.0, 2.0]),
            claims_run("dcgan_bn", "gp", [180.0, 95.0, 50.0, 25.0], estimate=[25.0, 12.0, 4.0, 3.0]),
            claims_run("dcgan_no_bn", "gan", [300.0, 310.0, 305.0, 304.0]),
        ],
    }
    folder = write_results(tmp_path, {"wgan_claims/wgan_claims.json": result})
    architectures = report.render_table("wgan-claims-architectures", folder)
    assert "| DCGAN, no batch norm | standard GAN | 304.0 | 300.0 | 10 | " in architectures
    assert (
        "Machine: 2 cores, x86_64 (CPU model not recorded), Linux, Keras 3.15.1 on tensorflow"
        in architectures
    )
    correlation = report.render_table("wgan-claims-correlation", folder)
    assert (
        "| DCGAN, batch norm, WGAN-GP | 4 | 0.900 | 0.950 | 25.00 -> 3.00 | 180.0 -> 25.0 | 25.0 |"
        in correlation
    )
    assert "standard GAN" not in correlation  # no estimate to correlate
    versus = report.render_table("wgan-claims-clip-vs-penalty", folder)
    assert "| method | FCD at 50 / 100 / 200 steps | steps (s) to FCD <= 150 |" in versus
    assert (
        "| WGAN, clipping | 200.0 / 140.0 / 90.0 | 100 (20 s) | 200 (40 s) | not reached | not reached |"
        in versus
    )
    assert "| WGAN-GP | 180.0 / 95.0 / 25.0 | 100 (20 s) | 100 (20 s) | 150 (30 s) | 200 (40 s) |" in versus


def test_soak_has_a_row_per_backend_run_and_callback_set(tmp_path):
    def run(growth, **extra):
        return {
            "growth_kib_per_epoch": growth,
            "rss_mib_first_epoch": 900.0,
            "rss_mib_middle": 901.0,
            "rss_mib_last_epoch": 902.0,
            "epochs": 200,
            "machine": "2-core Test CPU",
            "command": "python benchmarks/soak.py --epochs 200",
            **extra,
        }

    files = {
        "soak_tensorflow.json": {
            "runs": {
                "fixed": {
                    "none": run(1.87),
                    "all": run(
                        13.21,
                        malloc_in_use_kib_per_epoch=2.04,
                        malloc_in_use_mib_every_10_epochs=[180.0, 180.01, 183.64, 183.65],
                    ),
                }
            }
        },
        "soak_jax.json": {"runs": {"fixed": {"all": run(-5.0, note="RSS falls")}}},
    }
    rendered = report.render_table("soak", write_results(tmp_path, files))
    assert (
        "| tensorflow | `fixed` | all | 200 | 13.2 | 2.0 | 3.63 (20-30) | 900.0 / 901.0 / 902.0 |" in rendered
    )
    assert "| tensorflow | `fixed` | none | 200 | 1.9 | - | - | 900.0 / 901.0 / 902.0 |" in rendered
    assert "| jax | `fixed` | all | 200 | -5.0 [1] | - | - |" in rendered and "[1] RSS falls" in rendered
    assert provenance_line(rendered).startswith(
        "Machine: 2-core Test CPU. Command: `python benchmarks/soak.py --epochs 200`."
    )


def test_interned_strings_has_a_row_per_backend_and_callback_set(tmp_path):
    row = {
        "strings_per_epoch": 26.0,
        "before_rebuild_after_1_epoch": 19950,
        "before_rebuild_after_101_epochs": 17350,
        "rebuild_mib": 3.67,
        "predicted_rebuild_epoch": 768,
        "before_second_rebuild_after_1_epoch": 197850,
        "before_second_rebuild_after_101_epochs": 197850,
    }
    none = dict(row, strings_per_epoch=-0.1, predicted_rebuild_epoch=None)
    files = {
        "interned_strings.json": {
            "tensorflow": {
                "configs": {"none": none, "all": row},
                "machine": "2-core Test CPU",
                "python": "3.11.7",
                "command": "python benchmarks/interned_strings.py --backend tensorflow",
            }
        }
    }
    rendered = report.render_table("interned-strings", write_results(tmp_path, files))
    assert "| tensorflow | all | 26.0 | 19,950 | 768 | 3.67 | 197,850 / 197,850 |" in rendered
    assert "| tensorflow | none | -0.1 | 19,950 | - | 3.67 | 197,850 / 197,850 |" in rendered
    assert provenance_line(rendered).startswith(
        "Machine: 2-core Test CPU, Python 3.11.7. Command: `python benchmarks/interned_strings.py --backend tensorflow`."
    )
