"""keras_wgan imports without TensorFlow; TF-only features say what to install."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.utils.optional_imports import import_tensorboard, import_tensorflow

ROOT = Path(__file__).resolve().parents[2]

# The modules that may still import TensorFlow at the top, until the JAX
# backend (issue 12) makes the models TF-free; the lead shrinks this list.
MAY_IMPORT_TENSORFLOW = (
    "keras_wgan/backend.py",
    "keras_wgan/backends/",
    "keras_wgan/models/",
    "keras_wgan/penalty.py",
    "keras_wgan/saving.py",
)

# A meta-path finder that refuses `tensorflow` to any keras_wgan module not
# listed above: the innermost keras_wgan frame on the stack is the importer.
BLOCKER = textwrap.dedent(
    """
    import os, sys

    ROOT = {root!r}
    ALLOWED = {allowed!r}

    class TensorFlowBlocker:
        def find_spec(self, name, path=None, target=None):
            if name != "tensorflow" and not name.startswith("tensorflow."):
                return None
            frame = sys._getframe(1)
            while frame is not None:
                filename = os.path.abspath(frame.f_code.co_filename)
                relative = os.path.relpath(filename, ROOT).replace(os.sep, "/")
                if relative.startswith("keras_wgan/"):
                    if relative.startswith(ALLOWED):
                        return None
                    raise ImportError(f"{{relative}} imports {{name}} at import time")
                frame = frame.f_back
            return None

    sys.meta_path.insert(0, TensorFlowBlocker())
    """
)


def run_without_tensorflow(code):
    script = BLOCKER.format(root=str(ROOT), allowed=MAY_IMPORT_TENSORFLOW) + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            "PYTHONPATH": str(ROOT),
            "KERAS_BACKEND": "jax",
            "PATH": "/usr/bin:/bin",
            "JAX_PLATFORMS": "cpu",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # A fresh Python process importing keras_wgan on the JAX backend.
def test_our_modules_import_without_tensorflow():
    result = run_without_tensorflow(
        """
        import keras_wgan
        from keras_wgan import architectures, callbacks, datasets, distances, evaluation, export
        from keras_wgan import visualization, worked_examples
        from keras_wgan.models import generator_utils
        from keras_wgan.utils import argument_validation, file_utils, optional_imports
        assert keras_wgan.datasets.split_holdout(list(range(10)), 2)[1].shape == (2,)
        assert distances.wasserstein_distance([[0, 0]], [[3, 4]]) == 5.0
        print("imported")
        """
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "imported" in result.stdout


@pytest.mark.slow  # A fresh Python process, as above.
def test_the_blocker_catches_a_top_level_import():
    # The check above means something only if a stray import fails it.
    result = run_without_tensorflow(
        """
        import os
        path = os.path.join(ROOT, "keras_wgan", "utils", "_probe_imports_tensorflow.py")
        code = compile("import tensorflow", path, "exec")
        try:
            exec(code, {})
        except ImportError as error:
            print("blocked:", error)
        """
    )
    assert "blocked: keras_wgan/utils/_probe_imports_tensorflow.py imports tensorflow" in result.stdout, (
        result.stdout + result.stderr[-2000:]
    )


@pytest.mark.parametrize(
    "call, feature",
    [
        (
            lambda generator: kw.datasets.make_image_dataset(np.zeros((4, 2, 2), "uint8"), 2),
            "make_image_dataset",
        ),
        (lambda generator: kw.callbacks.TensorBoardSamples("logs"), "TensorBoardSamples"),
        (lambda generator: kw.export_generator(generator, "x"), "export_generator"),
    ],
)
def test_tensorflow_features_without_tensorflow_say_what_to_install(monkeypatch, tmp_path, call, feature):
    generator = kw.architectures.toy_generator(units=4, depth=1)  # Built while TensorFlow is there.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # `import tensorflow` now fails.
    with pytest.raises(ImportError, match=rf"^{feature} needs TensorFlow.*`pip install tensorflow`"):
        call(generator)
    assert not list(tmp_path.iterdir())  # Refused before writing anything.


def test_optional_import_messages_are_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    for importer, package in ((import_tensorflow, "tensorflow"), (import_tensorboard, "tensorboard")):
        with pytest.raises(ImportError) as caught:
            importer("feature_x")
        message = str(caught.value)
        assert (
            "\n" not in message
            and message.startswith("feature_x needs")
            and f"pip install {package}" in message
        )
