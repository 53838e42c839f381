"""The README and docs/: short front page, links that resolve, tests that exist."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_readme_fits_on_two_screens():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200


def test_readme_links_every_docs_page():
    readme = (ROOT / "README.md").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        assert f"docs/{page.name}" in readme, page.name


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_relative_links_resolve(page):
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text()):
        if "://" in target:
            continue
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_named_tests_exist(page):
    # "tests/test_x.py::test_name" and "::test_name" right after it name real tests.
    text = page.read_text()
    current = None
    for path, name in re.findall(r"(tests/[\w/]+\.py)?::(\w+)", text):
        current = path or current
        assert current, f"{page.name}: '::{name}' without a test file before it"
        source = (ROOT / current).read_text()
        assert re.search(rf"def {name}\b", source), f"{page.name}: {current}::{name} does not exist"
    for path in re.findall(r"(tests/[\w/]+\.py)", text):
        assert (ROOT / path).exists(), f"{page.name} names missing {path}"


def test_package_table_lists_the_public_names():
    readme = (ROOT / "README.md").read_text()
    for name in (
        "save_image_grid",
        "save_scatter_plot",
        "NonFiniteLossError",
        "QualityMetric",
        "export_generator",
    ):
        assert f"`{name}" in readme, name


@pytest.mark.slow  # Trains the README's MNIST networks for two steps in a fresh process.
def test_readme_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    assert len(code.strip().splitlines()) <= 10
    assert "wgan.fit(dataset, epochs=5)" in code
    code = code.replace(
        "wgan.fit(dataset, epochs=5)", "wgan.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "digits.png").read_bytes().startswith(b"\x89PNG")
