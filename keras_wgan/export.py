"""Exports a trained generator as a TensorFlow SavedModel for TF Serving.

`export_generator` writes only the generator, wrapped in two serving
signatures, with `keras.export.ExportArchive`. The SavedModel holds plain
TensorFlow graphs and variables: loading it needs TensorFlow alone (e.g.
`tf.saved_model.load` or TF Serving), not keras_wgan nor any Keras object.

Serving it with TensorFlow Serving (REST API on port 8501):

```python
import keras_wgan

gan = ...  # a trained keras_wgan.WGANGP, or its generator
keras_wgan.export_generator(gan, "export/mnist_generator", version=1)
```

```shell
docker run -p 8501:8501 \\
    -v "$PWD/export/mnist_generator:/models/mnist_generator" \\
    -e MODEL_NAME=mnist_generator tensorflow/serving
```

TF Serving loads the highest numbered folder under the model folder
(`export/mnist_generator/1/`, `2/`, ...), and picks up a newer version
while running. The temporary folders `export_generator` writes into start
with a dot and are not numbers, so TF Serving never sees a half-written
version.

Images from your own latent vectors (`serving_default`), POST to
`http://localhost:8501/v1/models/mnist_generator:predict`:

```json
{"signature_name": "serving_default",
 "instances": [{"latent": [0.1, -1.3, ...128 floats...]},
               {"latent": [...128 floats...]}]}
```

The answer is `{"predictions": [<28x28x1 nested lists in [0, 1]>, ...]}`,
one per instance.

Images from noise drawn inside the model (`sample`); its inputs are
scalars, which the columnar `"inputs"` format carries as they are, whereas
the row format (`"instances"`) expects a batch dimension on every input and
does not fit scalar inputs, so use `"inputs"`:

```json
{"signature_name": "sample", "inputs": {"num_samples": 4, "seed": 0}}
```

The answer is `{"outputs": {"images": [...4 images...], "latent": [...4
vectors...]}}`; the same seed gives the same images.

A conditional model (`num_classes` set) is exported with labels:
`serving_default` takes `latent` and `labels` (int32 class ids, one per
latent vector), and `sample` takes `num_samples`, `seed` and `label` (one
class for all samples):

```json
{"signature_name": "serving_default",
 "instances": [{"latent": [...128 floats...], "labels": 7}]}
{"signature_name": "sample", "inputs": {"num_samples": 4, "seed": 0, "label": 7}}
```

From the command line, with TensorFlow installed (`saved_model_cli`
evaluates `--input_exprs` as Python literals only, so `np.zeros(...)` is
refused there: pass arrays as `.npy` files with `--inputs`):

```shell
saved_model_cli show --dir export/mnist_generator/1 --all
python -c "import numpy as np; np.save('latent.npy', np.random.randn(2, 128))"
saved_model_cli run --dir export/mnist_generator/1 --tag_set serve \\
    --signature_def serving_default --inputs 'latent=latent.npy' \\
    --outdir generated  # writes generated/images.npy, shape (2, 28, 28, 1)
saved_model_cli run --dir export/mnist_generator/1 --tag_set serve \\
    --signature_def sample --input_exprs 'num_samples=4;seed=0'
# a conditional model: also 'labels=labels.npy' (int32), and 'label=7' for sample
```
"""

import os
import warnings

import keras

from keras_wgan.models import network_inspection
from keras_wgan.models.generator_utils import generator_of
from keras_wgan.models.wasserstein_gan import WassersteinGAN
from keras_wgan.utils import argument_validation
from keras_wgan.utils.file_utils import publish_directory
from keras_wgan.utils.optional_imports import import_tensorflow

# Keys of the serving signatures; clients depend on them.
LATENT_KEY = "latent"
LABELS_KEY = "labels"
LABEL_KEY = "label"
IMAGES_KEY = "images"
NUM_SAMPLES_KEY = "num_samples"
SEED_KEY = "seed"
SAMPLE_SIGNATURE = "sample"
DEFAULT_SIGNATURE = "serving_default"


def export_generator(model, path, *, version=1, value_range=None, overwrite=False, num_classes=None):
    """Exports a generator as a SavedModel in TF Serving's folder layout.

    The SavedModel is written to `<path>/<version>/` (`saved_model.pb` and
    `variables/`), the layout TensorFlow Serving loads, with two
    signatures, both returning float32 images in [0, 1]:

        images = clip((G(latent) - low) / (high - low), 0, 1)

    where `G` is the generator run in inference mode (`training=False`) and
    `(low, high) = value_range` is the range of its outputs.

    - `serving_default`: input `latent` (float32, shape
      `[None, latent_dim]`), output `images` (float32, shape
      `[None, *sample_shape]`, e.g. `[None, 28, 28, 1]`).
    - `sample`: inputs `num_samples` and `seed` (int32 scalars), outputs
      `images` and `latent`, the noise `latent ~ N(0, I)` drawn in the
      graph with `tf.random.stateless_normal(seed=[seed, 0])`: the same seed
      gives the same images.

    A conditional generator (`[latent, labels]` inputs, a model built with
    `num_classes`) gets `labels` (int32, shape `[None]`, one class id per
    latent vector) as a second input of `serving_default` and `label`
    (an int32 scalar, the class of all samples) as a third input of
    `sample`; labels outside `[0, num_classes)` are refused with an error.

    The export is written to a temporary sibling folder
    (`<path>/.<version>.tmp-XXXX`) and renamed to `<path>/<version>` only
    once complete, so a failed export leaves neither a half-written version
    nor a damaged previous one. Loading the result needs TensorFlow only
    (`tf.saved_model.load`, `saved_model_cli`, TF Serving), not keras_wgan.
    See the module docstring for the TF Serving command and REST requests.

    Args:
        model: a keras_wgan `WassersteinGAN` (`WGAN`, `WGANGP`), whose
            `generator` is exported, or a generator `keras.Model` with one
            input of shape `(None, latent_dim)` and one output.
        path: the model folder (str or path-like), created if missing; the
            version folder goes inside it.
        version: positive int, the name of the version folder.
        value_range: `(low, high)` range of the generator's outputs:
            `(-1.0, 1.0)` for a `tanh` generator, `(0.0, 1.0)` for a
            `sigmoid` one. Outputs outside it are clipped. Default None:
            read from the generator's last activation (`tanh`: `(-1, 1)`,
            `sigmoid`: `(0, 1)`); `(-1, 1)`, with a warning, when it is
            linear or unknown.
        overwrite: whether to replace an existing non-empty version folder.
            `path` itself must be a folder (or not exist): a file there is
            refused even with `overwrite=True`, since it is not an export.
        num_classes: for a bare conditional generator (two inputs) only:
            its number of classes. A conditional `WassersteinGAN` gives its
            own.

    Returns:
        The absolute path of the version folder, `<path>/<version>`, as a
        str.

    Raises:
        TypeError: if `model` is neither a `WassersteinGAN` nor a
            `keras.Model`.
        ValueError: if the generator does not have one input of shape
            `(None, latent_dim)` and one output, or for a bad `version` or
            `value_range`.
        FileExistsError: if `<path>/<version>` is a non-empty folder and
            `overwrite` is False, or if it, `path` or a folder above `path`
            is a file (with or without `overwrite`).

    Example:

    >>> generator = keras_wgan.architectures.mnist_generator(latent_dim=128)
    >>> folder = export_generator(generator, "export/mnist_generator")
    >>> import tensorflow as tf
    >>> served = tf.saved_model.load(folder)
    >>> out = served.signatures["sample"](
    ...     num_samples=tf.constant(4), seed=tf.constant(0))
    >>> out["images"].shape, out["latent"].shape
    (TensorShape([4, 28, 28, 1]), TensorShape([4, 128]))
    """
    generator = generator_of(model)
    num_classes = _num_classes(model, generator, num_classes)
    latent_dim = _check_generator(generator, conditional=num_classes is not None)
    version = argument_validation.check_int(version, "version", minimum=1)
    overwrite = argument_validation.check_bool(overwrite, "overwrite")
    tf = import_tensorflow("export_generator")
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            "export_generator needs the TensorFlow backend of Keras. "
            f"Current backend: {keras.backend.backend()!r}"
        )
    low, high = _value_range(generator, value_range)
    model_folder = _checked_model_folder(path, overwrite)
    target = os.path.join(model_folder, str(version))

    def to_images(latent, labels=None):
        if labels is None:
            outputs = generator(latent, training=False)
        else:
            labels = _checked_labels(tf, labels, latent, num_classes)
            if len(generator.inputs[1].shape) == 2:
                labels = labels[:, tf.newaxis]
            outputs = generator([latent, labels], training=False)
        outputs = tf.cast(outputs, tf.float32)
        return tf.clip_by_value((outputs - low) / (high - low), 0.0, 1.0)

    def serve(latent, labels=None):
        return {IMAGES_KEY: to_images(latent, labels)}

    def sample(num_samples, seed, label=None):
        check = tf.debugging.assert_non_negative(num_samples, message="`num_samples` must not be negative.")
        with tf.control_dependencies([check]):
            shape = tf.stack([num_samples, tf.constant(latent_dim, tf.int32)])
        latent = tf.random.stateless_normal(
            shape,
            seed=tf.stack([seed, tf.constant(0, tf.int32)]),
            dtype=tf.float32,
        )
        labels = None if label is None else tf.fill([num_samples], label)
        return {IMAGES_KEY: to_images(latent, labels), LATENT_KEY: latent}

    conditional = num_classes is not None

    archive = keras.export.ExportArchive()
    archive.track(generator)
    archive.add_endpoint(
        name=DEFAULT_SIGNATURE,
        fn=serve,
        input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, name=LATENT_KEY)]
        + ([tf.TensorSpec([None], tf.int32, name=LABELS_KEY)] if conditional else []),
    )
    archive.add_endpoint(
        name=SAMPLE_SIGNATURE,
        fn=sample,
        input_signature=[
            tf.TensorSpec([], tf.int32, name=NUM_SAMPLES_KEY),
            tf.TensorSpec([], tf.int32, name=SEED_KEY),
        ]
        + ([tf.TensorSpec([], tf.int32, name=LABEL_KEY)] if conditional else []),
    )

    # TF Serving reads the version from the folder name and loads a new
    # version as soon as its folder appears: publish it whole or not at all.
    return publish_directory(
        target, lambda folder: archive.write_out(folder, verbose=False), overwrite=overwrite
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
    tf = import_tensorflow("load_exported_generator")
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


def _value_range(generator, value_range):
    """`value_range` checked, or (None) read from the generator's last activation."""
    bounds = network_inspection.output_range(generator)  # (low, high, activation) or None
    if value_range is None:
        if bounds is None:
            warnings.warn(
                f"export_generator cannot tell the range of the outputs of {generator.name!r}: it "
                "does not end in tanh or sigmoid. The export maps [-1, 1] to the images' [0, 1]; pass "
                "`value_range=(low, high)`, the range of the generator's outputs, to choose. "
                "Received: value_range=None",
                stacklevel=3,
            )
            return -1.0, 1.0
        return bounds[:2]
    value_range = argument_validation.check_value_range(value_range)
    if bounds is not None and value_range != bounds[:2]:
        warnings.warn(
            f"The generator {generator.name!r} ends in {bounds[2]} and "
            f"produces values in [{bounds[0]:g}, {bounds[1]:g}], but value_range={value_range}: the "
            "served images will be washed out or clipped. Leave `value_range` out to use the "
            "generator's own range.",
            stacklevel=3,
        )
    return value_range


def _checked_model_folder(path, overwrite):
    """The absolute model folder `path`; refuses a file in its place or above it."""
    folder = os.path.abspath(os.fspath(path))
    existing = folder
    while not os.path.lexists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if os.path.lexists(existing) and not os.path.isdir(existing):
        where = "`path`" if existing == folder else f"{existing!r}, a parent of `path`,"
        remedy = (
            "`overwrite=True` replaces version folders inside the model folder, never a file in its "
            "place: that file is not an export, and deleting it could lose your data. Remove or "
            "rename it yourself, or pick another path."
            if overwrite
            else "Remove or rename it, or pick another path."
        )
        raise FileExistsError(
            f"{where} is a file, but export_generator writes a folder there (the model folder that "
            f"holds the version folders 1/, 2/, ...). {remedy} Received: path={os.fspath(path)!r}"
        )
    return folder


def _num_classes(model, generator, num_classes):
    """The number of classes of a conditional generator, None for an unconditional one."""
    if isinstance(model, WassersteinGAN) and model.num_classes is not None:
        return model.num_classes
    if _takes_labels(generator):
        if num_classes is None:
            raise ValueError(
                "This generator takes two inputs, `[latent, labels]`: pass its number of classes "
                "as `num_classes`, or export the conditional WGAN itself. Received: num_classes=None"
            )
        return argument_validation.check_int(num_classes, "num_classes", minimum=2)
    return None


def _takes_labels(generator):
    """Whether `generator` has the inputs `[latent, labels]` of a conditional generator."""
    inputs = getattr(generator, "inputs", None) or ()
    if len(inputs) != 2:
        return False
    labels = inputs[1]
    return "int" in str(labels.dtype) and tuple(labels.shape[1:]) in ((), (1,))


def _checked_labels(tf, labels, latent, num_classes):
    message = f"`{LABELS_KEY}` must hold class ids in [0, {num_classes}), one per latent vector."
    checks = [
        tf.debugging.assert_non_negative(labels, message=message),
        tf.debugging.assert_less(labels, tf.constant(num_classes, tf.int32), message=message),
        tf.debugging.assert_equal(tf.shape(labels)[0], tf.shape(latent)[0], message=message),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(labels)


def _check_generator(generator, conditional=False):
    inputs = getattr(generator, "inputs", None)
    outputs = getattr(generator, "outputs", None)
    if not inputs or not outputs:
        raise ValueError(
            "The generator must be a built functional keras.Model (e.g. "
            "made with keras.Input) with one input of shape "
            f"(None, latent_dim). Received: {generator.name!r} with no "
            "known inputs or outputs."
        )
    if conditional and len(inputs) == 2 and len(outputs) == 1:
        inputs = inputs[:1]
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(
            "The generator must have exactly one input, of shape "
            "(None, latent_dim), and one output. Received: "
            f"{generator.name!r} with {len(inputs)} inputs and "
            f"{len(outputs)} outputs."
        )
    input_shape = tuple(inputs[0].shape)
    if len(input_shape) != 2 or input_shape[0] is not None or input_shape[1] is None:
        raise ValueError(
            "The generator's input must have shape (None, latent_dim): a "
            "free batch dimension and a known latent size. Received: "
            f"{generator.name!r} with input shape {input_shape}."
        )
    return int(input_shape[1])
