"""The FID Inception: parity with pytorch-fid (fixture), the weight conversion on a fake TF graph, errors."""

import importlib.util
import os
import tarfile

import keras
import numpy as np
import pytest

import keras_wgan as kw
from benchmarks.fid_inception_parity import FIXTURE, TOLERANCE, max_rel_diff, seeded_images, seeded_state_dict
from keras_wgan.evaluation import fid_network


@pytest.fixture(scope="module")
def network():
    return fid_network._build()


def test_outputs_equal_pytorch_fid_on_seeded_weights(network):
    # The fixture holds pytorch-fid's fid_inception_v3() outputs for these
    # seeded weights and images (benchmarks/fid_inception_parity.py --torch).
    expected = np.load(FIXTURE)
    fid_network.load_state_dict(network, seeded_state_dict(fid_network.torch_state_dict_layout(network)))
    outputs = network(seeded_images(int(expected["seed"])), training=False)
    outputs = {key: keras.ops.convert_to_numpy(value) for key, value in outputs.items()}
    assert set(outputs) == {"pool", "logits"}
    assert outputs["pool"].shape == (2, 2048) and outputs["logits"].shape == (2, 1008)
    assert np.abs(expected["pool"]).mean() > 0.1  # a signal, not vanishing activations
    for key in ("pool", "logits"):
        assert max_rel_diff(outputs[key], expected[key]) < TOLERANCE, key


def test_layouts_name_every_weight_once(network):
    torch_layout = fid_network.torch_state_dict_layout(network)
    tf_layout = fid_network.tf_graph_layout(network)
    assert len(torch_layout) == len(tf_layout) == 94 * 5 + 2  # 94 BasicConv2d, the fc layer
    assert torch_layout["Mixed_7c.branch_pool.conv.weight"] == (192, 2048, 1, 1)
    assert tf_layout["mixed_10/tower_2/conv/conv2d_params"] == (1, 1, 2048, 192)
    assert tf_layout["mixed_9/tower_1/mixed/conv_1/batchnorm/moving_variance"] == (384,)
    assert tf_layout["softmax/weights"] == (2048, 1008)
    assert sum(np.prod(shape) for name, shape in torch_layout.items() if "running" not in name) == sum(
        np.prod(weight.shape) for weight in network.trainable_weights
    )


def test_state_dict_with_missing_or_misshapen_tensors_is_refused(network):
    state = {
        name: np.zeros(shape, "float32")
        for name, shape in fid_network.torch_state_dict_layout(network).items()
    }
    del state["fc.bias"]
    with pytest.raises(ValueError, match="lacks 1 of the 472 tensors"):
        fid_network.load_state_dict(network, state)
    state["fc.bias"] = np.zeros(3, "float32")
    with pytest.raises(ValueError, match=r"'fc.bias' must have shape \(1008,\)"):
        fid_network.load_state_dict(network, state)


def fake_tf_graph(path, *, unscaled_scope=None):
    """A .tgz holding a GraphDef with the real graph's weight constants (names, shapes), patterned values."""
    import tensorflow as tf

    graph = tf.compat.v1.GraphDef()
    constants = {}
    for index, (name, shape) in enumerate(fid_network.tf_graph_layout().items()):
        size = int(np.prod(shape))
        # Distinct values along every axis, so that a transposition shows.
        value = ((np.arange(size) % 251) * 1e-3 + index * 1e-5).astype("float32").reshape(shape)
        constants[name] = value
        node = graph.node.add(name=name, op="Const")
        node.attr["dtype"].type = tf.float32.as_datatype_enum
        node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value))
    for name in [name[: -len("/gamma")] for name in constants if name.endswith("batchnorm/gamma")]:
        node = graph.node.add(name=name, op="BatchNormWithGlobalNormalization")
        node.attr["scale_after_normalization"].b = name != f"{unscaled_scope}/batchnorm"
    graph.node.add(name="DecodeJpeg/contents", op="Placeholder")  # other nodes are ignored
    member = path.parent / fid_network.TF_GRAPH_MEMBER
    member.write_bytes(graph.SerializeToString())
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        archive.add(member, arcname=fid_network.TF_GRAPH_MEMBER)
    member.unlink()
    return constants


@pytest.mark.slow
def test_conversion_of_the_tf_graph_and_its_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    directory = tmp_path / "keras_home" / "keras_wgan"
    directory.mkdir(parents=True)
    archive = directory / fid_network.TF_GRAPH_FILE
    constants = fake_tf_graph(archive, unscaled_scope="mixed_3/conv")
    model = kw.evaluation.fid_inception("auto")
    for torch_name, scope in fid_network._conv_names():
        layer = torch_name.replace(".", "_")
        # The graph's (kh, kw, in, out) is Keras's layout: through pytorch-fid's
        # (out, in, kh, kw) and back, the kernel must arrive unchanged.
        np.testing.assert_array_equal(
            model.get_layer(f"{layer}_conv").kernel, constants[f"{scope}/conv2d_params"]
        )
        gamma, beta, mean, variance = (np.asarray(w) for w in model.get_layer(f"{layer}_bn").weights)
        expected_gamma = 1.0 if scope == "mixed_3/conv" else constants[f"{scope}/batchnorm/gamma"]
        np.testing.assert_array_equal(gamma, np.broadcast_to(expected_gamma, gamma.shape))
        np.testing.assert_array_equal(beta, constants[f"{scope}/batchnorm/beta"])
        np.testing.assert_array_equal(mean, constants[f"{scope}/batchnorm/moving_mean"])
        np.testing.assert_array_equal(variance, constants[f"{scope}/batchnorm/moving_variance"])
    np.testing.assert_array_equal(model.get_layer("fc").kernel, constants["softmax/weights"])
    np.testing.assert_array_equal(model.get_layer("fc").bias, constants["softmax/biases"])
    # Converted once, cached atomically; the next build reads the cache only.
    cache = directory / fid_network.CACHE_FILE
    assert cache.is_file() and not [name for name in os.listdir(directory) if name.startswith(".")]
    archive.unlink()
    fid_network._MODELS.clear()
    again = kw.evaluation.fid_inception("auto")
    np.testing.assert_array_equal(again.get_layer("fc").kernel, constants["softmax/weights"])
    # The cache file is also accepted as weights=PATH.
    assert kw.evaluation.fid_inception(str(cache)).get_layer("fc").bias.shape == (1008,)
    fid_network._MODELS.clear()


def test_missing_weights_are_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        kw.evaluation.fid_inception("auto")
    message = str(error.value)
    assert "inception-2015-12-05.tgz" in message and fid_network.TF_GRAPH_URL in message
    assert fid_network.TORCH_WEIGHTS_URL in message and str(tmp_path / "keras_wgan") in message
    with pytest.raises(FileNotFoundError, match="No weights file at .*nowhere.tgz"):
        kw.evaluation.fid_inception(str(tmp_path / "nowhere.tgz"))


def test_a_tgz_without_the_graph_is_refused(tmp_path, network):
    pytest.importorskip("tensorflow")
    other = tmp_path / "readme.txt"
    other.write_text("not a graph")
    path = tmp_path / "inception-2015-12-05.tgz"
    with tarfile.open(path, "w:gz") as archive:
        archive.add(other, arcname="readme.txt")
    with pytest.raises(ValueError, match="has no classify_image_graph_def.pb"):
        fid_network.read_tf_graph(str(path))
    with pytest.raises(ValueError, match="lacks 472 of the 472 weight constants"):
        fid_network.state_dict_from_tf_graph({}, network)


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None, reason="checks the error without PyTorch")
def test_pth_without_pytorch_is_a_clear_error(tmp_path):
    path = tmp_path / fid_network.TORCH_WEIGHTS_FILE
    path.write_bytes(b"")
    with pytest.raises(ImportError, match=r"needs PyTorch.*inception-2015-12-05.tgz"):
        kw.evaluation.fid_inception(str(path))


@pytest.mark.slow
def test_random_weights_take_grey_and_rgb_images_of_any_size():
    keras.utils.set_random_seed(0)
    model = kw.evaluation.fid_inception(weights=None)
    assert kw.evaluation.fid_inception(weights=None) is model  # built once
    grey = np.random.default_rng(3).uniform(-1, 1, (2, 28, 28, 1)).astype("float32")
    outputs = model.predict(grey, verbose=0)
    rgb = model.predict(np.repeat(grey, 3, axis=-1), verbose=0)
    np.testing.assert_allclose(outputs["pool"], rgb["pool"], rtol=1e-5, atol=1e-6)
    assert outputs["logits"].shape == (2, 1008) and np.all(np.isfinite(outputs["logits"]))
