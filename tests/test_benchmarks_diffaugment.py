"""benchmarks/diffaugment_mnist.py: merging keeps the steps both runs reached; a run resumes from its checkpoint."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import diffaugment_mnist  # noqa: E402


def per_setting(augment, steps):
    return {
        "command": f"diffaugment_mnist.py --augment {'on' if augment else 'off'}",
        "source": "bundled",
        "train_digits": 1000,
        "augment": augment,
        "ema_decay": 0.99,
        "dim": 32,
        "evaluations": [
            {"steps": s, "training_seconds": float(s), "fcd": 100.0 - s / 10, "fcd_ema": 90.0 - s / 10}
            for s in steps
        ],
    }


def test_merge_keeps_common_steps_raw_and_averaged(tmp_path):
    paths = []
    for augment, steps in ((True, [150, 300, 450]), (False, [150, 300])):
        path = tmp_path / f"{augment}.json"
        path.write_text(json.dumps(per_setting(augment, steps)))
        paths.append(str(path))
    out = tmp_path / "merged.json"
    diffaugment_mnist.merge(diffaugment_mnist.parse_args(["--merge", *paths, "--out", str(out)]))
    runs = json.loads(out.read_text())["runs"]
    assert {run["steps"] for run in runs} == {150, 300}
    assert len(runs) == 2 * 2 * 2  # settings x steps x (raw, averaged)
    assert all(set(run) == {"train_digits", "augment", "policy", "ema", "steps", "fcd"} for run in runs)
    averaged = [run for run in runs if run["augment"] and run["ema"] and run["steps"] == 300]
    assert averaged == [
        {
            "train_digits": 1000,
            "augment": True,
            "policy": "color,translation,cutout",
            "ema": True,
            "steps": 300,
            "fcd": 60.0,
        }
    ]
    assert {run["policy"] for run in runs if not run["augment"]} == {None}


def test_policy_and_machine_are_recorded(tmp_path):
    paths = []
    for augment, policy in ((True, "translation"), (False, None)):
        result = per_setting(augment, [150])
        result.update(policy=policy, machine="2-core Some CPU", backend="tensorflow")
        result["evaluations"][0]["load_average"] = [1.0, 2.0, 3.0]
        path = tmp_path / f"{augment}.json"
        path.write_text(json.dumps(result))
        paths.append(str(path))
    out = tmp_path / "merged.json"
    diffaugment_mnist.merge(diffaugment_mnist.parse_args(["--merge", *paths, "--out", str(out)]))
    merged = json.loads(out.read_text())
    assert {run["policy"] for run in merged["runs"]} == {"translation", None}
    assert merged["machine"] == ["2-core Some CPU"]
    assert merged["load_average"] == {
        "1000 digits, translation": [[1.0, 2.0, 3.0]],
        "1000 digits, off": [[1.0, 2.0, 3.0]],
    }
    assert diffaugment_mnist.device_name().split("-core ")[0].isdigit()


def test_a_series_is_added_to_the_results_file_in_place_of_its_earlier_version(tmp_path):
    out = tmp_path / "results.json"
    out.write_text(
        json.dumps(
            {
                "runs": [{"train_digits": 1000, "augment": False, "steps": 150, "fcd": 9.0}],
                "measurements": [{"commands": ["first"]}],
                "setup": "kept",
            }
        )
    )
    for steps in ([500], [500, 1000]):  # The second merge of the series replaces the first.
        paths = []
        for augment in (True, False):
            path = tmp_path / f"{augment}.json"
            path.write_text(json.dumps(per_setting(augment, steps)))
            paths.append(str(path))
        arguments = ["--merge", *paths, "--series", "longer runs", "--out", str(out)]
        diffaugment_mnist.merge(diffaugment_mnist.parse_args(arguments))
    stored = json.loads(out.read_text())
    assert stored["setup"] == "kept"
    assert [run["steps"] for run in stored["runs"] if "series" not in run] == [150]
    longer = [run for run in stored["runs"] if run.get("series") == "longer runs"]
    assert sorted({run["steps"] for run in longer}) == [500, 1000] and len(longer) == 2 * 2 * 2
    assert [m.get("series") for m in stored["measurements"]] == [None, "longer runs"]
    assert stored["measurements"][1]["training_seconds"] == {
        "1000 digits, color,translation,cutout": 1000.0,
        "1000 digits, off": 1000.0,
    }


@pytest.mark.slow
def test_a_run_is_resumed_from_its_checkpoint(tmp_path, monkeypatch, small_classifier):
    import keras_wgan as kw

    monkeypatch.setattr(diffaugment_mnist, "mnist_classifier", lambda: small_classifier[0])
    out = str(tmp_path / "on.json")
    common = ["--augment", "on", "--policy", "translation", "--train-digits", "64", "--dim", "4"]
    common += ["--eval-every", "1", "--out", out]
    diffaugment_mnist.run(diffaugment_mnist.parse_args([*common, "--steps", "2"]))
    diffaugment_mnist.run(diffaugment_mnist.parse_args([*common, "--steps", "3", "--resume"]))
    result = json.loads(Path(out).read_text())
    assert [evaluation["steps"] for evaluation in result["evaluations"]] == [1, 2, 3]
    assert result["resumed_at_steps"] == [2]
    model = kw.load_wgan(tmp_path / "on.keras")
    assert int(model.generator_optimizer.iterations) == 3
    assert model.augment is not None and model.generator_ema == 0.99
    with pytest.raises(
        ValueError, match=r"its own settings, \{'augment': True.*Received: \{'augment': False"
    ):
        diffaugment_mnist.run(
            diffaugment_mnist.parse_args([*common, "--steps", "4", "--resume", "--augment", "off"])
        )
