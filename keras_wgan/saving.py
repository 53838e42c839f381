"""Loading saved Wasserstein GANs and exported generators, with clear errors.

`keras.models.load_model` reports a truncated `.keras` file as "File not
found", loads any other Keras model without complaint, and
`tf.saved_model.load` on a SavedModel with truncated variables fails with
"IndexError: Read less bytes than requested". The two functions here check
the file first and raise `FileNotFoundError` or `ValueError` naming the file
and what is wrong with it.

Both load with Keras's `safe_mode` on (no code from the file is run): every
class keras_wgan saves is registered with `keras.saving`.
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


def load_exported_generator(path):
    """Loads a generator exported by `export_generator` (a SavedModel).

    Args:
        path: the version folder, e.g. `export/mnist_generator/1`.

    Returns:
        The object `tf.saved_model.load(path)` returns, with the
        `serving_default` and `sample` signatures.

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: `path` is not a SavedModel folder (a `.keras` file, the
            model folder above the version folders), its files are truncated
            or corrupt, or it is a SavedModel without the two signatures.
    """
    import tensorflow as tf

    from keras_wgan.export import DEFAULT_SIGNATURE, SAMPLE_SIGNATURE

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such folder: {path}")
    if not os.path.isdir(path):
        hint = " It is a .keras file: load it with `keras_wgan.load_wgan`." if path.endswith(".keras") else ""
        raise ValueError(f"{path} is a file, not a SavedModel folder.{hint}")
    if not os.path.isfile(os.path.join(path, "saved_model.pb")):
        versions = sorted(name for name in os.listdir(path) if name.isdigit())
        hint = f" Pass a version folder, e.g. {os.path.join(path, versions[-1])}." if versions else ""
        raise ValueError(f"{path} holds no saved_model.pb: it is not a SavedModel.{hint}")
    try:
        loaded = tf.saved_model.load(path)
    except Exception as error:
        raise ValueError(
            f"{path} is a truncated or corrupt SavedModel: {type(error).__name__}: {error}"
        ) from error
    signatures = sorted(loaded.signatures.keys())
    if not {DEFAULT_SIGNATURE, SAMPLE_SIGNATURE} <= set(signatures):
        raise ValueError(
            f"{path} is a SavedModel but not a generator exported by keras_wgan: its signatures "
            f"are {signatures}, not {DEFAULT_SIGNATURE!r} and {SAMPLE_SIGNATURE!r}."
        )
    return loaded
