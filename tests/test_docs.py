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
    # Not C++ names in quoted logs ("Mutation::Apply"): "::" after a word character.
    for path, name in re.findall(r"(?:(tests/[\w/]+\.py)|(?<!\w))::(\w+)", text):
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


def _api_blocks():
    """`{identifier: members}` of the `::: identifier` blocks in docs/api/*.md.

    `members` is the list under `options: members:`, `()` for `members: false`,
    or None when the block renders the whole module.
    """
    blocks = {}
    for page in sorted((ROOT / "docs" / "api").glob("*.md")):
        for match in re.finditer(r"^::: ([\w.]+)\n((?:[ \t]+.*\n?)*)", page.read_text(), re.M):
            options = match.group(2)
            if re.search(r"^\s*members:\s*false\s*$", options, re.M):
                blocks[match.group(1)] = ()
            elif re.search(r"^\s*members:\s*$", options, re.M):
                blocks[match.group(1)] = re.findall(r"^\s*- (\w+)\s*$", options, re.M)
            else:
                blocks[match.group(1)] = None
    return blocks


def _public_modules():
    """keras_wgan, its subpackages and the modules its `__init__` imports by name."""
    import importlib
    import pkgutil

    import keras_wgan

    names = ["keras_wgan"]
    init = (ROOT / "keras_wgan" / "__init__.py").read_text()
    exported = set(re.findall(r"^from keras_wgan import ([\w, ]+)$", init, re.M))
    exported = {name.strip() for line in exported for name in line.split(",")}
    for module in pkgutil.iter_modules(keras_wgan.__path__):
        if module.ispkg or module.name in exported:
            names.append(f"keras_wgan.{module.name}")
    return {name: importlib.import_module(name) for name in names}


def _public_names(module):
    """`__all__`, or else the names not starting with "_"; modules left out."""
    import inspect

    if hasattr(module, "__all__"):  # less the subpackages: they have their own pages
        return [name for name in module.__all__ if not inspect.ismodule(getattr(module, name))]
    return [
        name
        for name in dir(module)
        if not name.startswith("_")
        and not inspect.ismodule(getattr(module, name))
        and getattr(getattr(module, name), "__module__", "keras_wgan").startswith("keras_wgan")
    ]


def test_api_pages_cover_every_public_name():
    # A name added to a package's __init__ (or __all__) must be added to its
    # docs/api page: listed under `members:` of that package's `:::` block, or
    # listed under another block as the same object with the same name (the
    # models are documented once, at the top level).
    import importlib

    blocks = _api_blocks()
    documented = {}  # name -> objects documented under that name
    for identifier, members in blocks.items():
        try:
            module = importlib.import_module(identifier)
        except ModuleNotFoundError:  # `::: package.module.function`: one object
            parent, name = identifier.rsplit(".", 1)
            parent_module = importlib.import_module(parent)
            assert hasattr(parent_module, name), f"docs/api names {identifier}, which does not exist"
            documented.setdefault(name, []).append(getattr(parent_module, name))
            continue
        if members is None:
            members = _public_names(module)
        for name in members:
            assert hasattr(module, name), f"docs/api lists {identifier}.{name}, which does not exist"
            documented.setdefault(name, []).append(getattr(module, name))
    missing = []
    for module_name, module in _public_modules().items():
        for name in _public_names(module):
            if not any(obj is getattr(module, name) for obj in documented.get(name, [])):
                missing.append(f"{module_name}.{name}")
    assert not missing, f"public names on no docs/api page: {missing}"


def test_mkdocs_nav_lists_every_page():
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = [*(ROOT / "docs").glob("*.md"), *(ROOT / "docs" / "api").glob("*.md")]
    for page in pages:
        assert page.relative_to(ROOT / "docs").as_posix() in nav, page.name


def test_api_members_are_not_shadowed_submodules():
    # `from .image_folder import image_folder` in a package's __init__: mkdocstrings
    # (griffe, which reads the source) sees the submodule under that name, not the
    # function, and renders nothing for it. Such a name needs its own block,
    # `::: keras_wgan.datasets.image_folder.image_folder`.
    import griffe

    package = griffe.load("keras_wgan", search_paths=[str(ROOT)], resolve_aliases=False)
    for identifier, members in _api_blocks().items():
        obj = package.modules_collection[identifier] if identifier != "keras_wgan" else package
        for name in members or ():
            assert not obj[name].is_module, (
                f"docs/api lists {identifier}.{name}, which the docs build reads as the submodule "
                f"{identifier}.{name}; document it as `::: {identifier}.{name}.{name}`"
            )
