"""keras_wgan's modules import each other without cycles, in layers.

Read from the source with `ast`, so every import counts, those inside
functions (lazy imports hide cycles, they do not remove them) included. An
edge goes from a module to the module it names: `from keras_wgan.models
import conditioning` to `keras_wgan.models.conditioning`, `from
keras_wgan.models import WGAN` to the package `keras_wgan.models`.
"""

import ast
import pathlib

import pytest

PACKAGE_ROOT = pathlib.Path(__file__).resolve().parent.parent / "keras_wgan"


def module_name(path):
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE_ROOT.rglob("*.py")}


def imported_modules(name):
    """The keras_wgan modules that module `name` imports, anywhere in its source."""
    tree = ast.parse(MODULES[name].read_text())
    is_package = MODULES[name].name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
            ]
        else:
            continue
        found.update(target for target in targets if target in MODULES and target != name)
    return found


GRAPH = {name: imported_modules(name) for name in MODULES}


def find_cycle():
    """A list of modules that import each other round, or None."""
    state = {}

    def visit(name, path):
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                return path[path.index(target) :] + [target]
            if target not in state:
                cycle = visit(target, path + [target])
                if cycle:
                    return cycle
        state[name] = "done"
        return None

    for name in sorted(GRAPH):
        if name not in state:
            cycle = visit(name, [name])
            if cycle:
                return cycle
    return None


def test_the_graph_sees_the_imports():
    # The walk is worth only what it finds: known edges must be there.
    assert "keras_wgan.models.data.checks" in GRAPH["keras_wgan.models.conditioning"]
    assert "keras_wgan.utils.argument_validation" in GRAPH["keras_wgan.models.wasserstein_gan"]
    assert "keras_wgan.models.data.adapters" in GRAPH["keras_wgan.models.data.fit_data"]


def test_no_import_cycle():
    cycle = find_cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("keras_wgan.utils")))
def test_utils_import_nothing_else_of_keras_wgan(name):
    outside = {target for target in GRAPH[name] if not target.startswith("keras_wgan.utils")}
    assert not outside, f"{name} imports {sorted(outside)}: utils is the bottom layer"
