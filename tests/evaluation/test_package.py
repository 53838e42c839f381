"""keras_wgan.evaluation computes; it does not import keras_wgan.callbacks (the callbacks use it)."""

import ast
import pathlib

import keras_wgan as kw

PACKAGE = pathlib.Path(kw.evaluation.__file__).parent


def test_evaluation_does_not_import_callbacks():
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.startswith("keras_wgan.callbacks") for name in names), path.name


def test_quality_metric_lives_in_callbacks_only():
    assert not hasattr(kw.evaluation, "QualityMetric")
    assert not hasattr(kw.evaluation, "inception_metrics")
    assert kw.callbacks.QualityMetric.__module__ == "keras_wgan.callbacks.quality_metric"
