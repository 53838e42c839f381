"""Loading saved Wasserstein GANs, with clear errors.

`keras.models.load_model` reports a truncated `.keras` file as "File not
found" and loads any other Keras model without complaint. `load_wgan` checks
the file first and raises `FileNotFoundError` or `ValueError` naming the
file and what is wrong with it. It loads with Keras's `safe_mode` on (no
code from the file is run): every class keras_wgan saves is registered with
`keras.saving`. Exported generators (SavedModels) are loaded by
`keras_wgan.export.load_exported_generator`, beside `export_generator`.
"""

import json
import os
import zipfile

import keras

from keras_wgan.models.wasserstein_gan import WassersteinGAN

_KERAS_ENTRIES = ("config.json", "model.weights.h5")


def load_wgan(path, *, compile=True):
    """Loads a `WGAN` or `WGANGP` saved with `model.save(path)`.

    Equivalent to `keras.models.load_model(path, compile=compile)` (with
    `safe_mode=True`) on a good file, and restores the whole training state:
    weights, both optimizers, their step counters and the noise state.

    Args:
        path: a `.keras` file.
        compile: restore the optimizers too (needed to continue training).

    Returns:
        The `WassersteinGAN`.

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: `path` is a truncated or corrupt `.keras` file, a folder
            (a SavedModel), a weights-only file, or holds a model that is
            not a keras_wgan `WassersteinGAN`.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {path}")
    if os.path.isdir(path):
        hint = (
            " It is a SavedModel (such as a generator exported by `export_generator`): load it "
            "with `keras_wgan.load_exported_generator` or `tf.saved_model.load`."
            if os.path.isfile(os.path.join(path, "saved_model.pb"))
            else ""
        )
        raise ValueError(f"{path} is a folder, not a .keras file.{hint}")
    if path.endswith(".weights.h5"):
        raise ValueError(
            f"{path} holds weights only, not a model: build the same WGAN and call "
            "`model.load_weights(path)`."
        )
    size = os.path.getsize(path)
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a complete .keras file ({size} bytes, not a zip archive): it is "
            "truncated or corrupt, e.g. written by a process killed while saving. "
            "`keras_wgan.callbacks.AtomicModelCheckpoint` never leaves such a file."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
            names = set(archive.namelist())
            config = json.loads(archive.read("config.json")) if "config.json" in names else None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ValueError(f"{path} is a damaged .keras file: {error}") from error
    if damaged is not None:
        raise ValueError(f"{path} is a damaged .keras file: the entry {damaged} fails its checksum.")
    missing = [entry for entry in _KERAS_ENTRIES if entry not in names]
    if missing or not isinstance(config, dict):
        raise ValueError(
            f"{path} is a zip archive but not a Keras model file: it lacks {', '.join(missing)}."
        )
    _check_class(path, config)
    try:
        model = keras.models.load_model(path, compile=compile)
    except Exception as error:
        raise ValueError(f"Cannot load {path}: {type(error).__name__}: {error}") from error
    if not isinstance(model, WassersteinGAN):  # A class registered under another name.
        raise ValueError(f"{path} holds a {type(model).__name__}, not a keras_wgan WassersteinGAN.")
    return model


def _check_class(path, config):
    registered = config.get("registered_name")
    cls = keras.saving.get_registered_object(registered) if registered else None
    if not (isinstance(cls, type) and issubclass(cls, WassersteinGAN)):
        found = config.get("class_name", "?")
        module = config.get("module")
        raise ValueError(
            f"{path} holds a {found}{f' ({module})' if module else ''}, not a keras_wgan WGAN or "
            "WGANGP. Load it with `keras.models.load_model`, or pass the checkpoint of a WGAN run."
        )
