"""The FID Inception: the 2015-12-05 TF1 Inception graph as a Keras model.

Published FIDs and Inception Scores (the TTUR reference code, pytorch-fid,
torch-fidelity, clean-fid's legacy mode, StudioGAN) all come from one
network: the Inception-v3 graph TensorFlow released on 2015-12-05
(`inception-2015-12-05.tgz`), its `pool_3` features and its 1008-class
`softmax` head. It differs from `keras.applications.InceptionV3` in its
weights, in its last block (max instead of average pooling in the pool
branch of `mixed_10`), in its average pools (padding left out of the
average) and in its input resize (`keras_wgan.evaluation.tf1_resize`).
`fid_inception` builds that network from standard Keras layers, after
pytorch-fid's `fid_inception_v3` (`FIDInceptionA/C/E`); its layers carry
pytorch-fid's module names (`Mixed_7c.branch_pool` is `Mixed_7c_branch_pool_conv`
and `_bn`).

The weights come from a file the user downloads once (nothing is
downloaded here):

- `inception-2015-12-05.tgz`, the original TF1 graph (`TF_GRAPH_URL`), read
  with TensorFlow's `GraphDef`; or
- `pt_inception-2015-12-05-6726825d.pth`, pytorch-fid's conversion of it
  (`TORCH_WEIGHTS_URL`), read with PyTorch.

Put one in `weights_directory()` (`~/.keras/keras_wgan/`, or under
`KERAS_HOME`) or pass its path. It is converted to Keras weights on first
use and the result cached there (`fid_inception-2015-12-05.weights.h5`).

Example:

```python
import keras_wgan as kw

model = kw.evaluation.fid_inception()  # weights="auto"
outputs = model.predict(images)  # any size, values in [-1, 1], 1 or 3 channels
outputs["pool"].shape, outputs["logits"].shape  # (N, 2048), (N, 1008)
```
"""

import hashlib
import os
import tarfile

import keras
import numpy as np

from keras_wgan.evaluation.tf1_resize import TF1Resize
from keras_wgan.utils import argument_validation, file_utils

INCEPTION_SIZE = 299
"""Side of the square images the network sees after its resize."""

POOL_DIM = 2048
NUM_CLASSES = 1008
"""The graph's head: the 1000 ImageNet classes and 8 unused ones."""

TF_GRAPH_FILE = "inception-2015-12-05.tgz"
TF_GRAPH_URL = "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz"
TF_GRAPH_MEMBER = "classify_image_graph_def.pb"
# No published sha256 of the .tgz is known to us (neither pytorch-fid nor
# torch-fidelity pins one), so none is invented: the graph is checked by its
# content instead (every expected tensor present with its expected shape).

TORCH_WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
TORCH_WEIGHTS_URL = "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth"
TORCH_WEIGHTS_SHA256_PREFIX = "6726825d"
"""The file's published hash: `torch.hub` names checked files `<name>-<first 8 hex digits of sha256>`."""

CACHE_FILE = "fid_inception-2015-12-05.weights.h5"
_MODELS = {}

# pytorch-fid's block names, their TF graph scopes, and kind.
_BLOCKS = [
    ("Mixed_5b", "mixed", "A", 192, 32),
    ("Mixed_5c", "mixed_1", "A", 256, 64),
    ("Mixed_5d", "mixed_2", "A", 288, 64),
    ("Mixed_6a", "mixed_3", "B", 288, None),
    ("Mixed_6b", "mixed_4", "C", 768, 128),
    ("Mixed_6c", "mixed_5", "C", 768, 160),
    ("Mixed_6d", "mixed_6", "C", 768, 160),
    ("Mixed_6e", "mixed_7", "C", 768, 192),
    ("Mixed_7a", "mixed_8", "D", 768, None),
    ("Mixed_7b", "mixed_9", "E", 1280, "avg"),
    ("Mixed_7c", "mixed_10", "E", 2048, "max"),
]


# ---------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------


def fid_inception(weights="auto"):
    """The 2015-12-05 Inception of FID and the Inception Score, as a Keras model.

    Input: images of any size, values in [-1, 1], 1 or 3 channels, resized
    inside to 299x299 with TF1's bilinear resize (`resize_bilinear_tf1`).
    Output: a dict with `"pool"`, the `(N, 2048)` `pool_3` features of FID
    and KID, and `"logits"`, the `(N, 1008)` logits of its `softmax` head
    (`softmax(logits)` gives the Inception Score's class probabilities).
    Built once per `weights` and float32 whatever the dtype policy.

    Args:
        weights: `"auto"` (the converted weights cached in
            `weights_directory()`, else `inception-2015-12-05.tgz` or
            `pt_inception-2015-12-05-6726825d.pth` found there, converted on
            first use), the path of one of those files (or of the converted
            `.weights.h5`), or None for random weights (tests only: their
            distances mean nothing).

    Returns:
        A `keras.Model`; `model.predict(images)` returns the dict.

    Raises:
        FileNotFoundError: if the weights are not found; the message names
            the files, their URLs and where to put them.

    Example:

    ```python
    model = fid_inception(weights=None)
    model.predict(np.zeros((2, 32, 32, 3)))["pool"].shape  # (2, 2048)
    ```
    """
    if weights is None:
        key = None
    elif weights == "auto":
        key = ("auto", weights_directory())
    else:
        key = os.path.abspath(os.fspath(weights))
    if key not in _MODELS:
        load = None if weights is None else _loader(weights)  # missing files: an error before the build
        model = _build()
        if load is not None:
            load(model)
        _MODELS[key] = model
    return _MODELS[key]


def _build():
    previous = keras.config.dtype_policy()
    # The features are a fixed yardstick: float32 whatever the policy of the
    # networks being trained.
    keras.config.set_dtype_policy("float32")
    try:
        images = keras.Input(shape=(None, None, None), name="images")
        x = TF1Resize(INCEPTION_SIZE, name="resize")(images)
        x = _conv(x, 32, 3, "Conv2d_1a_3x3", strides=2, padding="valid")
        x = _conv(x, 32, 3, "Conv2d_2a_3x3", padding="valid")
        x = _conv(x, 64, 3, "Conv2d_2b_3x3")
        x = keras.layers.MaxPooling2D(3, 2, name="MaxPool_1")(x)
        x = _conv(x, 80, 1, "Conv2d_3b_1x1")
        x = _conv(x, 192, 3, "Conv2d_4a_3x3", padding="valid")
        x = keras.layers.MaxPooling2D(3, 2, name="MaxPool_2")(x)
        for name, _, kind, _, option in _BLOCKS:
            x = _BLOCK_BUILDERS[kind](x, name, option)
        pool = keras.layers.GlobalAveragePooling2D(name="pool_3")(x)
        logits = keras.layers.Dense(NUM_CLASSES, name="fc")(pool)
        return keras.Model(images, {"pool": pool, "logits": logits}, name="fid_inception")
    finally:
        keras.config.set_dtype_policy(previous)


def _conv(x, filters, kernel, name, *, strides=1, padding="same"):
    """pytorch-fid's `BasicConv2d`: convolution without bias, batch norm (eps 1e-3), ReLU."""
    x = keras.layers.Conv2D(filters, kernel, strides, padding, use_bias=False, name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(epsilon=1e-3, name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def _average_pool(x, name):
    # TF's average pool leaves the padding out of the average
    # (`count_include_pad=False` in pytorch-fid), as Keras's "same" does.
    return keras.layers.AveragePooling2D(3, 1, padding="same", name=f"{name}_avg_pool")(x)


def _block_a(x, name, pool_features):
    branches = [
        _conv(x, 64, 1, f"{name}_branch1x1"),
        _conv(_conv(x, 48, 1, f"{name}_branch5x5_1"), 64, 5, f"{name}_branch5x5_2"),
        _double_3x3(x, name, 64, 96),
        _conv(_average_pool(x, name), pool_features, 1, f"{name}_branch_pool"),
    ]
    return keras.layers.Concatenate(name=name)(branches)


def _double_3x3(x, name, first, second, last_strides=1, last_padding="same"):
    x = _conv(x, first, 1, f"{name}_branch3x3dbl_1")
    x = _conv(x, second, 3, f"{name}_branch3x3dbl_2")
    return _conv(x, second, 3, f"{name}_branch3x3dbl_3", strides=last_strides, padding=last_padding)


def _block_b(x, name, _):
    branches = [
        _conv(x, 384, 3, f"{name}_branch3x3", strides=2, padding="valid"),
        _double_3x3(x, name, 64, 96, last_strides=2, last_padding="valid"),
        keras.layers.MaxPooling2D(3, 2, name=f"{name}_max_pool")(x),
    ]
    return keras.layers.Concatenate(name=name)(branches)


def _block_c(x, name, channels_7x7):
    c7 = channels_7x7
    single = _conv(x, c7, 1, f"{name}_branch7x7_1")
    single = _conv(single, c7, (1, 7), f"{name}_branch7x7_2")
    single = _conv(single, 192, (7, 1), f"{name}_branch7x7_3")
    double = _conv(x, c7, 1, f"{name}_branch7x7dbl_1")
    for index, (kernel, filters) in enumerate([((7, 1), c7), ((1, 7), c7), ((7, 1), c7), ((1, 7), 192)]):
        double = _conv(double, filters, kernel, f"{name}_branch7x7dbl_{index + 2}")
    branches = [
        _conv(x, 192, 1, f"{name}_branch1x1"),
        single,
        double,
        _conv(_average_pool(x, name), 192, 1, f"{name}_branch_pool"),
    ]
    return keras.layers.Concatenate(name=name)(branches)


def _block_d(x, name, _):
    single = _conv(
        _conv(x, 192, 1, f"{name}_branch3x3_1"), 320, 3, f"{name}_branch3x3_2", strides=2, padding="valid"
    )
    triple = _conv(x, 192, 1, f"{name}_branch7x7x3_1")
    triple = _conv(triple, 192, (1, 7), f"{name}_branch7x7x3_2")
    triple = _conv(triple, 192, (7, 1), f"{name}_branch7x7x3_3")
    triple = _conv(triple, 192, 3, f"{name}_branch7x7x3_4", strides=2, padding="valid")
    pool = keras.layers.MaxPooling2D(3, 2, name=f"{name}_max_pool")(x)
    return keras.layers.Concatenate(name=name)([single, triple, pool])


def _block_e(x, name, pool):
    def split(y, prefix):
        return keras.layers.Concatenate(name=f"{prefix}_concat")(
            [_conv(y, 384, (1, 3), f"{prefix}a"), _conv(y, 384, (3, 1), f"{prefix}b")]
        )

    single = split(_conv(x, 384, 1, f"{name}_branch3x3_1"), f"{name}_branch3x3_2")
    double = _conv(_conv(x, 448, 1, f"{name}_branch3x3dbl_1"), 384, 3, f"{name}_branch3x3dbl_2")
    double = split(double, f"{name}_branch3x3dbl_3")
    if pool == "max":
        # The graph's last block pools with a max where Inception-v3 has an
        # average (pytorch-fid's FIDInceptionE_2).
        pooled = keras.layers.MaxPooling2D(3, 1, padding="same", name=f"{name}_max_pool")(x)
    else:
        pooled = _average_pool(x, name)
    branches = [
        _conv(x, 320, 1, f"{name}_branch1x1"),
        single,
        double,
        _conv(pooled, 192, 1, f"{name}_branch_pool"),
    ]
    return keras.layers.Concatenate(name=name)(branches)


_BLOCK_BUILDERS = {"A": _block_a, "B": _block_b, "C": _block_c, "D": _block_d, "E": _block_e}


# ---------------------------------------------------------------------------
# Weight layouts: pytorch-fid's state dict and the TF graph's constants
# ---------------------------------------------------------------------------


def _conv_names():
    """`(torch module, TF graph scope)` of every BasicConv2d, in network order."""
    names = [
        ("Conv2d_1a_3x3", "conv"),
        ("Conv2d_2a_3x3", "conv_1"),
        ("Conv2d_2b_3x3", "conv_2"),
        ("Conv2d_3b_1x1", "conv_3"),
        ("Conv2d_4a_3x3", "conv_4"),
    ]
    branches = {
        "A": [("branch1x1", "conv"), ("branch5x5_1", "tower/conv"), ("branch5x5_2", "tower/conv_1")]
        + [(f"branch3x3dbl_{i + 1}", "tower_1/" + c) for i, c in enumerate(["conv", "conv_1", "conv_2"])]
        + [("branch_pool", "tower_2/conv")],
        "B": [("branch3x3", "conv")]
        + [(f"branch3x3dbl_{i + 1}", "tower/" + c) for i, c in enumerate(["conv", "conv_1", "conv_2"])],
        "C": [("branch1x1", "conv")]
        + [(f"branch7x7_{i + 1}", "tower/" + c) for i, c in enumerate(["conv", "conv_1", "conv_2"])]
        + [(f"branch7x7dbl_{i + 1}", f"tower_1/conv{'_' + str(i) if i else ''}") for i in range(5)]
        + [("branch_pool", "tower_2/conv")],
        "D": [("branch3x3_1", "tower/conv"), ("branch3x3_2", "tower/conv_1")]
        + [(f"branch7x7x3_{i + 1}", f"tower_1/conv{'_' + str(i) if i else ''}") for i in range(4)],
        "E": [
            ("branch1x1", "conv"),
            ("branch3x3_1", "tower/conv"),
            ("branch3x3_2a", "tower/mixed/conv"),
            ("branch3x3_2b", "tower/mixed/conv_1"),
            ("branch3x3dbl_1", "tower_1/conv"),
            ("branch3x3dbl_2", "tower_1/conv_1"),
            ("branch3x3dbl_3a", "tower_1/mixed/conv"),
            ("branch3x3dbl_3b", "tower_1/mixed/conv_1"),
            ("branch_pool", "tower_2/conv"),
        ],
    }
    for block, scope, kind, _, _ in _BLOCKS:
        names += [(f"{block}.{branch}", f"{scope}/{tower}") for branch, tower in branches[kind]]
    return names


def torch_state_dict_layout(model=None):
    """Names and shapes of pytorch-fid's state dict, `{name: shape}`.

    The layout `FIDInceptionV3.state_dict()` has (`.conv.weight` as
    `(out, in, kh, kw)`, the batch norms' `weight`, `bias`, `running_mean`,
    `running_var`, and `fc.weight` `(1008, 2048)`, `fc.bias`), taken from
    the Keras model (built with random weights when not given).
    """
    model = model if model is not None else fid_inception(weights=None)
    layout = {}
    for torch_name, _ in _conv_names():
        kh, kw, cin, cout = model.get_layer(f"{torch_name.replace('.', '_')}_conv").kernel.shape
        layout[f"{torch_name}.conv.weight"] = (cout, cin, kh, kw)
        for field in ("weight", "bias", "running_mean", "running_var"):
            layout[f"{torch_name}.bn.{field}"] = (cout,)
    layout["fc.weight"] = (NUM_CLASSES, POOL_DIM)
    layout["fc.bias"] = (NUM_CLASSES,)
    return layout


def tf_graph_layout(model=None):
    """Names and shapes of the TF graph's weight constants, `{node name: shape}`.

    `<scope>/conv2d_params` `(kh, kw, in, out)`, `<scope>/batchnorm/`
    `gamma`, `beta`, `moving_mean`, `moving_variance`, and
    `softmax/weights` `(2048, 1008)`, `softmax/biases`: the names
    torch-fidelity's converter reads from `classify_image_graph_def.pb`.
    """
    torch_layout = torch_state_dict_layout(model)
    layout = {}
    for torch_name, scope in _conv_names():
        cout, cin, kh, kw = torch_layout[f"{torch_name}.conv.weight"]
        layout[f"{scope}/conv2d_params"] = (kh, kw, cin, cout)
        for field in _TF_BATCHNORM:
            layout[f"{scope}/batchnorm/{field}"] = (cout,)
    layout["softmax/weights"] = (POOL_DIM, NUM_CLASSES)
    layout["softmax/biases"] = (NUM_CLASSES,)
    return layout


_TF_BATCHNORM = {
    "gamma": "weight",
    "beta": "bias",
    "moving_mean": "running_mean",
    "moving_variance": "running_var",
}


def load_state_dict(model, state):
    """Sets the weights of a `fid_inception` model from a pytorch-fid state dict.

    Args:
        model: a model from `fid_inception`.
        state: `{name: array}` in pytorch-fid's layout (see
            `torch_state_dict_layout`); arrays or tensors with `.numpy()`.

    Raises:
        ValueError: if a name is missing or a shape differs; the message
            names it.
    """
    layout = torch_state_dict_layout(model)
    state = {name: np.asarray(value, dtype=np.float32) for name, value in state.items()}
    missing = sorted(set(layout) - set(state))
    if missing:
        raise ValueError(
            f"The state dict lacks {len(missing)} of the {len(layout)} tensors of pytorch-fid's "
            f"Inception, e.g. {missing[:3]}. Received: {len(state)} tensors"
        )
    for name, shape in layout.items():
        if state[name].shape != tuple(shape):
            raise ValueError(
                f"Tensor {name!r} must have shape {tuple(shape)}. Received: shape={state[name].shape}"
            )
    for torch_name, _ in _conv_names():
        prefix, layer = torch_name, torch_name.replace(".", "_")
        model.get_layer(f"{layer}_conv").set_weights([state[f"{prefix}.conv.weight"].transpose(2, 3, 1, 0)])
        model.get_layer(f"{layer}_bn").set_weights(
            [state[f"{prefix}.bn.{field}"] for field in ("weight", "bias", "running_mean", "running_var")]
        )
    model.get_layer("fc").set_weights([state["fc.weight"].T, state["fc.bias"]])


def state_dict_from_tf_graph(constants, model=None):
    """pytorch-fid's state dict from the TF graph's constants (torch-fidelity's conversion).

    Args:
        constants: `{node name: array}` of the graph's `Const` nodes (see
            `tf_graph_layout`); a batch norm whose graph op says
            `scale_after_normalization=False` may be marked by a
            `<scope>/batchnorm/scale_after_normalization` entry of False,
            and its gamma is then ignored (set to 1).
        model: a `fid_inception` model giving the layout (built with
            random weights when not given).

    Returns:
        `{name: float32 array}` in pytorch-fid's layout.
    """
    layout = tf_graph_layout(model)
    missing = sorted(set(layout) - set(constants))
    if missing:
        raise ValueError(
            f"The graph lacks {len(missing)} of the {len(layout)} weight constants of the "
            f"2015-12-05 Inception, e.g. {missing[:3]}: is it {TF_GRAPH_MEMBER} from {TF_GRAPH_FILE}? "
            f"Received: {len(constants)} constants"
        )
    for name, shape in layout.items():
        if np.shape(constants[name]) != tuple(shape):
            raise ValueError(
                f"Constant {name!r} must have shape {tuple(shape)}. Received: {np.shape(constants[name])}"
            )
    state = {}
    for torch_name, scope in _conv_names():
        state[f"{torch_name}.conv.weight"] = np.asarray(constants[f"{scope}/conv2d_params"]).transpose(
            3, 2, 0, 1
        )
        for tf_field, torch_field in _TF_BATCHNORM.items():
            state[f"{torch_name}.bn.{torch_field}"] = np.asarray(constants[f"{scope}/batchnorm/{tf_field}"])
        if constants.get(f"{scope}/batchnorm/scale_after_normalization", True) is False:
            state[f"{torch_name}.bn.weight"] = np.ones_like(state[f"{torch_name}.bn.weight"])
    state["fc.weight"] = np.asarray(constants["softmax/weights"]).T
    state["fc.bias"] = np.asarray(constants["softmax/biases"])
    return {name: value.astype(np.float32) for name, value in state.items()}


# ---------------------------------------------------------------------------
# Reading the downloaded files
# ---------------------------------------------------------------------------


def read_tf_graph(path):
    """The weight constants of `classify_image_graph_def.pb` in `inception-2015-12-05.tgz`.

    Needs TensorFlow (its `GraphDef` parser), whichever Keras backend runs.

    Args:
        path: the `.tgz`, or the `.pb` taken out of it.

    Returns:
        `{node name: array}` of the graph's `Const` nodes, with the
        `scale_after_normalization` flag of each batch-norm op.
    """
    tf = _import_tensorflow(path)
    if tarfile.is_tarfile(path):
        with tarfile.open(path, "r:*") as archive:
            member = next(
                (m for m in archive.getmembers() if os.path.basename(m.name) == TF_GRAPH_MEMBER), None
            )
            if member is None:
                raise ValueError(
                    f"{path} has no {TF_GRAPH_MEMBER}: is it {TF_GRAPH_FILE} from {TF_GRAPH_URL}?"
                )
            content = archive.extractfile(member).read()
    else:
        with open(path, "rb") as file:
            content = file.read()
    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString(content)
    constants = {}
    for node in graph.node:
        if node.op == "Const":
            constants[node.name] = tf.make_ndarray(node.attr["value"].tensor)
        elif node.op == "BatchNormWithGlobalNormalization" and "scale_after_normalization" in node.attr:
            constants[f"{node.name}/scale_after_normalization"] = bool(
                node.attr["scale_after_normalization"].b
            )
    return constants


def read_torch_weights(path, *, check_hash=True):
    """pytorch-fid's state dict from `pt_inception-2015-12-05-6726825d.pth` (needs PyTorch).

    Args:
        path: the `.pth` file.
        check_hash: whether to check that the file's sha256 starts with the
            published `6726825d` (for files named after another hash, or
            test files, pass False).

    Returns:
        `{name: float32 array}`.
    """
    torch = _import_torch(path)
    if check_hash:
        digest = _sha256(path)
        if not digest.startswith(TORCH_WEIGHTS_SHA256_PREFIX):
            raise ValueError(
                f"{path} is not pytorch-fid's {TORCH_WEIGHTS_FILE}: its sha256 must start with "
                f"{TORCH_WEIGHTS_SHA256_PREFIX}. Received: sha256={digest}"
            )
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {name: value.detach().cpu().numpy().astype(np.float32) for name, value in state.items()}


def _import_tensorflow(path):
    try:
        import tensorflow
    except ImportError as error:
        raise ImportError(
            f"Reading {os.path.basename(path)} needs TensorFlow (the graph is a TF GraphDef). Install "
            f"tensorflow, or pass pytorch-fid's {TORCH_WEIGHTS_FILE} (with PyTorch) instead."
        ) from error
    return tensorflow


def _import_torch(path):
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            f"Reading {os.path.basename(path)} needs PyTorch (`pip install torch`), which is not "
            f"installed. Or use the original TF graph instead: {TF_GRAPH_FILE} from {TF_GRAPH_URL}."
        ) from error
    return torch


def weights_directory():
    """Where `weights="auto"` looks for the downloaded file and caches the conversion."""
    home = os.path.expanduser(os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))
    return os.path.join(home, "keras_wgan")


def _loader(weights):
    """`load(model)` for `weights`, the files checked first."""
    if weights == "auto":
        directory = weights_directory()
        cache = os.path.join(directory, CACHE_FILE)
        if os.path.isfile(cache):
            return lambda model: model.load_weights(cache)
        for name in (TF_GRAPH_FILE, TF_GRAPH_MEMBER, TORCH_WEIGHTS_FILE):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                _check_reader(path)

                def convert(model, path=path):
                    load_state_dict(model, _read(path, model))
                    file_utils.write_atomically(cache, model.save_weights, suffix=".weights.h5")

                return convert
        raise FileNotFoundError(_missing_message(directory))
    path = os.fspath(weights)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No weights file at {path!r}. "
            + _missing_message(weights_directory())
            + f" {argument_validation.received('weights', weights)}"
        )
    if path.endswith(".weights.h5"):
        return lambda model: model.load_weights(path)
    _check_reader(path)
    return lambda model: load_state_dict(model, _read(path, model))


def _read(path, model):
    if path.endswith(".pth"):
        return read_torch_weights(path, check_hash=os.path.basename(path) == TORCH_WEIGHTS_FILE)
    return state_dict_from_tf_graph(read_tf_graph(path), model)


def _check_reader(path):
    """Fails before the network is built when the library reading `path` is missing."""
    if path.endswith(".pth"):
        _import_torch(path)
    else:
        _import_tensorflow(path)


def _missing_message(directory):
    return (
        "FID, KID and the Inception Score comparable with published numbers need the 2015-12-05 "
        f"Inception graph, which is not downloaded here. Download {TF_GRAPH_FILE} from {TF_GRAPH_URL} "
        f"(or pytorch-fid's {TORCH_WEIGHTS_FILE} from {TORCH_WEIGHTS_URL}, read with PyTorch) and "
        f"put it in {directory} (or pass weights=PATH); it is converted to Keras weights on first use."
    )


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
