"""Tests of `keras_wgan.export.export_generator` (SavedModel for TF Serving)."""

import os
import shutil
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_wgan
from keras_wgan.export import export_generator

LATENT_DIM = 8


def small_generator(seed=0, activation="tanh"):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((LATENT_DIM,), name="latent")
    x = keras.layers.Dense(28 * 28, activation=activation)(inputs)
    return keras.Model(inputs, keras.layers.Reshape((28, 28, 1))(x), name="small_generator")


def to_unit(outputs, low=-1.0, high=1.0):
    return np.clip((np.asarray(outputs, np.float32) - low) / (high - low), 0.0, 1.0)


def folder_snapshot(root):
    """{relative path: bytes} of every file under `root`."""
    snapshot = {}
    for directory, _, files in os.walk(root):
        for name in files:
            full = os.path.join(directory, name)
            with open(full, "rb") as handle:
                snapshot[os.path.relpath(full, root)] = handle.read()
    return snapshot


def subprocess_env():
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["CUDA_VISIBLE_DEVICES"] = "-1"
    return env


def saved_model_cli(*args):
    executable = shutil.which("saved_model_cli")
    command = (
        [executable] if executable else [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli"]
    )
    return subprocess.Popen(
        command + list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=subprocess_env(),
    )


def finish(process, timeout=120):
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The small generator exported once, as (generator, version folder)."""
    generator = small_generator()
    root = tmp_path_factory.mktemp("export") / "small_generator"
    return generator, export_generator(generator, root)


# -- loading without keras_wgan ------------------------------------------------

FRESH_PROCESS = textwrap.dedent(
    """
    import sys
    import numpy as np
    import tensorflow as tf

    folder, latent_file, out_file = sys.argv[1:4]
    served = tf.saved_model.load(folder)
    assert "keras_wgan" not in sys.modules, "keras_wgan was imported"
    assert set(served.signatures) == {"serving_default", "sample"}, list(served.signatures)
    latent = np.load(latent_file)
    images = served.signatures["serving_default"](latent=tf.constant(latent))["images"]
    sample = served.signatures["sample"]
    first = sample(num_samples=tf.constant(5), seed=tf.constant(7))
    again = sample(num_samples=tf.constant(5), seed=tf.constant(7))
    other = sample(num_samples=tf.constant(5), seed=tf.constant(8))
    empty = sample(num_samples=tf.constant(0), seed=tf.constant(7))
    assert "keras_wgan" not in sys.modules, "keras_wgan was imported"
    np.savez(
        out_file,
        images=images.numpy(),
        sample_images=first["images"].numpy(),
        sample_latent=first["latent"].numpy(),
        again_images=again["images"].numpy(),
        again_latent=again["latent"].numpy(),
        other_latent=other["latent"].numpy(),
        empty_images_shape=np.array(empty["images"].shape),
        keras_wgan_loaded=np.array("keras_wgan" in sys.modules),
    )
    """
)


@pytest.mark.slow  # A fresh Python process loading TensorFlow.
def test_fresh_process_without_keras_wgan_reproduces_the_generator(exported, tmp_path):
    generator, folder = exported
    latent = np.random.default_rng(1).standard_normal((3, LATENT_DIM)).astype(np.float32)
    np.save(tmp_path / "latent.npy", latent)
    out_file = tmp_path / "out.npz"
    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, folder, str(tmp_path / "latent.npy"), str(out_file)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = np.load(out_file)
    assert not out["keras_wgan_loaded"]

    # serving_default: the generator's outputs mapped from [-1, 1] to [0, 1].
    expected = to_unit(generator(latent, training=False))
    assert out["images"].dtype == np.float32
    assert out["images"].shape == (3, 28, 28, 1)
    np.testing.assert_allclose(out["images"], expected, atol=1e-5)

    # sample: N(0, I) noise drawn in the graph, images in [0, 1], deterministic.
    images, sample_latent = out["sample_images"], out["sample_latent"]
    assert images.shape == (5, 28, 28, 1) and images.dtype == np.float32
    assert sample_latent.shape == (5, LATENT_DIM)
    assert images.min() >= 0.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, out["again_images"])
    np.testing.assert_array_equal(sample_latent, out["again_latent"])
    assert not np.allclose(sample_latent, out["other_latent"])
    assert 0.2 < sample_latent.std() < 3.0
    np.testing.assert_allclose(images, to_unit(generator(sample_latent, training=False)), atol=1e-5)
    assert tuple(out["empty_images_shape"]) == (0, 28, 28, 1)


# -- saved_model_cli -----------------------------------------------------------


@pytest.mark.slow  # Runs saved_model_cli three times in fresh processes.
def test_saved_model_cli_show_and_run(exported, tmp_path):
    """The commands of the README, really run (side by side to save time)."""
    generator, folder = exported
    latent = np.random.default_rng(2).standard_normal((2, LATENT_DIM))  # float64: cast on feeding.
    np.save(tmp_path / "latent.npy", latent)
    show = saved_model_cli("show", "--dir", folder, "--all")
    run = saved_model_cli(
        "run",
        "--dir",
        folder,
        "--tag_set",
        "serve",
        "--signature_def",
        "serving_default",
        "--inputs",
        f"latent={tmp_path / 'latent.npy'}",
        "--outdir",
        str(tmp_path / "generated"),
    )
    sample = saved_model_cli(
        "run",
        "--dir",
        folder,
        "--tag_set",
        "serve",
        "--signature_def",
        "sample",
        "--input_exprs",
        "num_samples=4;seed=0",
        "--outdir",
        str(tmp_path / "sampled"),
    )
    shown, ran, sampled = finish(show), finish(run), finish(sample)

    assert "signature_def['serving_default']" in shown
    assert "signature_def['sample']" in shown
    assert "inputs['latent']" in shown
    assert "outputs['images']" in shown
    assert "inputs['num_samples']" in shown and "inputs['seed']" in shown
    assert "outputs['latent']" in shown
    assert "shape: (-1, 8)" in shown and "shape: (-1, 28, 28, 1)" in shown

    assert "Output images is saved to" in ran, ran
    images = np.load(tmp_path / "generated" / "images.npy")
    assert images.shape == (2, 28, 28, 1) and images.dtype == np.float32
    expected = to_unit(generator(latent.astype(np.float32), training=False))
    np.testing.assert_allclose(images, expected, atol=1e-5)

    assert "Output images is saved to" in sampled and "Output latent is saved to" in sampled, sampled
    sampled_images = np.load(tmp_path / "sampled" / "images.npy")
    sampled_latent = np.load(tmp_path / "sampled" / "latent.npy")
    assert sampled_images.shape == (4, 28, 28, 1) and sampled_latent.shape == (4, LATENT_DIM)
    np.testing.assert_allclose(sampled_images, to_unit(generator(sampled_latent, training=False)), atol=1e-5)


# -- layout and versions -------------------------------------------------------


def test_layout_and_second_version(tmp_path):
    root = tmp_path / "models" / "gen"
    first = export_generator(small_generator(0), root)
    assert first == str(root / "1")
    assert (root / "1" / "saved_model.pb").is_file()
    assert (root / "1" / "variables").is_dir()
    before = folder_snapshot(root / "1")

    second = export_generator(small_generator(1), str(root), version=np.int64(2))
    assert second == str(root / "2")
    assert sorted(os.listdir(root)) == ["1", "2"]  # No temporary folders left.
    assert (root / "2" / "saved_model.pb").is_file()
    assert folder_snapshot(root / "1") == before


def test_wgangp_object_is_exported_through_its_generator(tmp_path):
    keras.utils.set_random_seed(0)
    generator = keras_wgan.architectures.mnist_generator(latent_dim=16)
    # Moving statistics far from their initial values: the export must run
    # the generator in inference mode, as `generator(z, training=False)`.
    for layer in generator.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.moving_mean.assign(np.full(layer.moving_mean.shape, 0.3, np.float32))
            layer.moving_variance.assign(np.full(layer.moving_variance.shape, 2.0, np.float32))
    critic_input = keras.Input((28, 28, 1), name="image")
    critic = keras.Model(critic_input, keras.layers.Dense(1)(keras.layers.Flatten()(critic_input)))
    gan = keras_wgan.WGANGP(critic, generator)

    folder = export_generator(gan, tmp_path / "mnist_generator", version=3)
    assert folder == str(tmp_path / "mnist_generator" / "3")
    served = tf.saved_model.load(folder)
    latent = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32)
    images = served.signatures["serving_default"](latent=tf.constant(latent))["images"].numpy()
    assert images.shape == (4, 28, 28, 1)
    np.testing.assert_allclose(images, to_unit(generator(latent, training=False)), atol=1e-5)
    sample = served.signatures["sample"](num_samples=tf.constant(2), seed=tf.constant(0))
    assert sample["latent"].shape == (2, 16) and sample["images"].shape == (2, 28, 28, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_samples"):
        served.signatures["sample"](num_samples=tf.constant(-1), seed=tf.constant(0))


def test_value_range_maps_and_clips(tmp_path):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((LATENT_DIM,), name="latent")
    generator = keras.Model(
        inputs, keras.layers.Dense(6, kernel_initializer=keras.initializers.RandomNormal(stddev=3.0))(inputs)
    )
    folder = export_generator(generator, tmp_path / "linear", value_range=(0.0, 2.0))
    latent = np.random.default_rng(0).standard_normal((32, LATENT_DIM)).astype(np.float32)
    served = tf.saved_model.load(folder)
    images = served.signatures["serving_default"](latent=tf.constant(latent))["images"].numpy()
    outputs = keras.ops.convert_to_numpy(generator(latent))
    assert outputs.min() < 0.0 and outputs.max() > 2.0  # Clipping is exercised.
    np.testing.assert_allclose(images, to_unit(outputs, 0.0, 2.0), atol=1e-6)


def served_images(folder, latent):
    served = tf.saved_model.load(str(folder))
    return served.signatures["serving_default"](latent=tf.constant(latent))["images"].numpy()


def test_default_value_range_follows_the_last_activation(tmp_path):
    latent = np.random.default_rng(0).standard_normal((4, LATENT_DIM)).astype(np.float32)
    sigmoid = small_generator(activation="sigmoid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # A sigmoid or tanh generator exports silently.
        folder = export_generator(sigmoid, tmp_path / "sigmoid")
    # The images are G itself, not the washed-out (G + 1) / 2 of (-1, 1).
    np.testing.assert_allclose(served_images(folder, latent), to_unit(sigmoid(latent), 0.0, 1.0), atol=1e-6)


def test_an_unknown_or_contradicted_range_is_named(tmp_path):
    latent = np.ones((2, LATENT_DIM), np.float32)
    linear = small_generator(activation=None)
    with pytest.warns(UserWarning, match=r"cannot tell the range.*pass `value_range=\(low, high\)`"):
        folder = export_generator(linear, tmp_path / "linear")
    np.testing.assert_allclose(served_images(folder, latent), to_unit(linear(latent)), atol=1e-6)
    with pytest.warns(UserWarning, match=r"ends in sigmoid .*\[0, 1\].*Leave `value_range` out"):
        export_generator(small_generator(activation="sigmoid"), tmp_path / "sig", value_range=(-1, 1))


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_file_at_path_is_refused_in_words(tmp_path, overwrite):
    target = tmp_path / "generator"
    target.write_text("my notes")
    expected = r"`path` is a file, but export_generator writes a folder there"
    if overwrite:
        expected += r".*`overwrite=True` replaces version folders .* never a file"
    with pytest.raises(FileExistsError, match=expected):
        export_generator(small_generator(), target, overwrite=overwrite)
    with pytest.raises(FileExistsError, match=r"generator', a parent of `path`, is a file"):
        export_generator(small_generator(), target / "inner", overwrite=overwrite)
    assert target.read_text() == "my notes"
    assert os.listdir(tmp_path) == ["generator"]


# -- existing folders, overwrite and failures ----------------------------------


def test_existing_version_needs_overwrite(tmp_path):
    root = tmp_path / "gen"
    export_generator(small_generator(0), root)
    before = folder_snapshot(root / "1")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_generator(small_generator(1), root)
    assert folder_snapshot(root / "1") == before
    assert os.listdir(root) == ["1"]

    replacement = small_generator(1)
    export_generator(replacement, root, overwrite=True)
    assert os.listdir(root) == ["1"]  # Neither the old copy nor a temporary one.
    served = tf.saved_model.load(str(root / "1"))
    latent = np.ones((2, LATENT_DIM), np.float32)
    images = served.signatures["serving_default"](latent=tf.constant(latent))["images"].numpy()
    np.testing.assert_allclose(images, to_unit(replacement(latent)), atol=1e-5)


def test_empty_version_folder_is_reused_and_a_file_is_refused(tmp_path):
    root = tmp_path / "gen"
    (root / "1").mkdir(parents=True)
    export_generator(small_generator(), root)
    assert (root / "1" / "saved_model.pb").is_file()

    (root / "2").write_text("not a folder")
    with pytest.raises(FileExistsError, match="not a folder"):
        export_generator(small_generator(), root, version=2, overwrite=True)
    assert (root / "2").read_text() == "not a folder"


@pytest.mark.parametrize("overwrite", [False, True])
def test_failed_export_leaves_nothing_behind(tmp_path, monkeypatch, overwrite):
    root = tmp_path / "gen"
    export_generator(small_generator(0), root)
    before = folder_snapshot(root / "1")
    version = 1 if overwrite else 2

    def failing_write_out(self, filepath, *args, **kwargs):
        os.makedirs(os.path.join(filepath, "variables"), exist_ok=True)
        with open(os.path.join(filepath, "saved_model.pb"), "wb") as handle:
            handle.write(b"half written")
        raise RuntimeError("disk full")

    # `ExportArchive()` returns an instance of the backend's subclass.
    archive_class = type(keras.export.ExportArchive())
    monkeypatch.setattr(archive_class, "write_out", failing_write_out)
    with pytest.raises(RuntimeError, match="disk full"):
        export_generator(small_generator(1), root, version=version, overwrite=overwrite)
    assert os.listdir(root) == ["1"]
    assert folder_snapshot(root / "1") == before

    # A model folder created by the failed call is removed too.
    with pytest.raises(RuntimeError, match="disk full"):
        export_generator(small_generator(1), tmp_path / "new" / "gen")
    assert os.listdir(tmp_path / "new") == []


# -- loading an export ---------------------------------------------------------------


def test_load_exported_generator(exported, tmp_path):
    _, export = exported
    served = keras_wgan.load_exported_generator(export)
    out = served.signatures["sample"](num_samples=tf.constant(2), seed=tf.constant(0))
    assert out["images"].shape == (2, 28, 28, 1)
    damages = [
        ("truncated_pb", "saved_model.pb"),
        ("truncated_variables", "variables/variables.data-00000-of-00001"),
    ]
    for name, damage in damages:
        shutil.copytree(export, tmp_path / name)
        damaged = tmp_path / name / damage
        damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    module = tf.Module()
    module.f = tf.function(lambda x: x + 1, input_signature=[tf.TensorSpec([None], tf.float32)])
    tf.saved_model.save(
        module, str(tmp_path / "foreign_saved_model"), signatures={"serving_default": module.f}
    )
    shutil.copytree(os.path.dirname(export), tmp_path / "export")
    (tmp_path / "good.keras").write_bytes(b"PK")
    cases = [
        ("truncated_pb", r"truncated_pb is a truncated or corrupt SavedModel: .*parse"),
        ("truncated_variables", r"truncated_variables is a truncated or corrupt SavedModel"),
        (
            "foreign_saved_model",
            r"not a generator exported by keras_wgan: its signatures are \['serving_default'\]",
        ),
        ("export", r"holds no saved_model\.pb.*Pass a version folder, e\.g\. .*export/1"),
        ("good.keras", r"is a file, not a SavedModel folder\. It is a \.keras file"),
    ]
    for name, message in cases:
        with pytest.raises(ValueError, match=message):
            keras_wgan.load_exported_generator(tmp_path / name)
    with pytest.raises(FileNotFoundError, match="No such folder"):
        keras_wgan.load_exported_generator(tmp_path / "nowhere")


# -- argument errors -----------------------------------------------------------


def test_bad_model_type(tmp_path):
    with pytest.raises(TypeError, match="WassersteinGAN.*str"):
        export_generator("generator.keras", tmp_path / "gen")
    with pytest.raises(TypeError, match="Dense"):
        export_generator(keras.layers.Dense(3), tmp_path / "gen")
    assert not (tmp_path / "gen").exists()


def test_bad_generator_shapes(tmp_path):
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    two_inputs = keras.Model([a, b], keras.layers.Concatenate()([a, b]))
    with pytest.raises(ValueError, match="one input"):
        export_generator(two_inputs, tmp_path / "gen")
    images = keras.Input((4, 4), name="latent")
    with pytest.raises(ValueError, match=r"\(None, latent_dim\)"):
        export_generator(keras.Model(images, keras.layers.Flatten()(images)), tmp_path / "gen")
    assert not (tmp_path / "gen").exists()


@pytest.mark.parametrize(
    "version, error",
    [(0, ValueError), (-1, ValueError), (1.0, TypeError), ("1", TypeError), (True, TypeError)],
)
def test_bad_version(tmp_path, version, error):
    with pytest.raises(error, match="`version` must be"):
        export_generator(small_generator(), tmp_path / "gen", version=version)
    assert not (tmp_path / "gen").exists()


@pytest.mark.parametrize(
    "value_range, error",
    [((1.0, -1.0), ValueError), ((0.0, float("inf")), ValueError), ((0.0,), TypeError), ("ab", TypeError)],
)
def test_bad_value_range(tmp_path, value_range, error):
    with pytest.raises(error, match="value_range"):
        export_generator(small_generator(), tmp_path / "gen", value_range=value_range)


# -- a conditional generator -----------------------------------------------------

CONDITIONAL_PROCESS = textwrap.dedent(
    """
    import sys
    import numpy as np
    import tensorflow as tf

    folder, out_file = sys.argv[1:3]
    served = tf.saved_model.load(folder)
    latent = tf.constant(np.random.default_rng(0).standard_normal((3, 8)).astype("float32"))
    images = served.signatures["serving_default"](latent=latent, labels=tf.constant([0, 1, 2]))["images"]
    sevens = served.signatures["sample"](num_samples=tf.constant(4), seed=tf.constant(5), label=tf.constant(2))
    try:
        served.signatures["serving_default"](latent=latent, labels=tf.constant([0, 1, 3]))
        refused = False
    except tf.errors.InvalidArgumentError:
        refused = True
    assert "keras_wgan" not in sys.modules, "keras_wgan was imported"
    np.savez(out_file, latent=latent.numpy(), images=images.numpy(), sample_images=sevens["images"].numpy(),
             sample_latent=sevens["latent"].numpy(), refused=np.array(refused))
    """
)


def conditional_generator(seed=0):
    keras.utils.set_random_seed(seed)
    return keras_wgan.architectures.mnist_generator(LATENT_DIM, dim=2, num_classes=3)


@pytest.mark.slow  # A fresh Python process loading TensorFlow.
def test_conditional_export_round_trip_in_a_fresh_process(tmp_path):
    generator = conditional_generator()
    gan = keras_wgan.WGANGP(
        keras_wgan.architectures.mnist_critic(dim=2, num_classes=3), generator, num_classes=3
    )
    folder = export_generator(gan, tmp_path / "conditional")
    result = subprocess.run(
        [sys.executable, "-c", CONDITIONAL_PROCESS, folder, str(tmp_path / "out.npz")],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = np.load(tmp_path / "out.npz")
    labels = np.array([0, 1, 2], "int32")
    np.testing.assert_allclose(
        out["images"], to_unit(generator([out["latent"], labels], training=False)), atol=1e-5
    )
    np.testing.assert_allclose(
        out["sample_images"],
        to_unit(generator([out["sample_latent"], np.full(4, 2, "int32")], training=False)),
        atol=1e-5,
    )
    assert out["refused"]  # label 3 of 3 classes


@pytest.mark.slow  # Runs saved_model_cli three times in fresh processes.
def test_conditional_saved_model_cli_run(tmp_path):
    generator = conditional_generator()
    folder = export_generator(generator, tmp_path / "conditional", num_classes=3)
    latent = np.random.default_rng(2).standard_normal((2, LATENT_DIM)).astype(np.float32)
    np.save(tmp_path / "latent.npy", latent)
    np.save(tmp_path / "labels.npy", np.array([2, 0], np.int32))
    show = saved_model_cli("show", "--dir", folder, "--all")
    run = saved_model_cli(
        "run",
        "--dir",
        folder,
        "--tag_set",
        "serve",
        "--signature_def",
        "serving_default",
        "--inputs",
        f"latent={tmp_path / 'latent.npy'};labels={tmp_path / 'labels.npy'}",
        "--outdir",
        str(tmp_path / "generated"),
    )
    sample = saved_model_cli(
        "run",
        "--dir",
        folder,
        "--tag_set",
        "serve",
        "--signature_def",
        "sample",
        "--input_exprs",
        "num_samples=3;seed=0;label=1",
        "--outdir",
        str(tmp_path / "sampled"),
    )
    shown, _, _ = finish(show), finish(run), finish(sample)
    assert "inputs['labels']" in shown and "inputs['label']" in shown
    images = np.load(tmp_path / "generated" / "images.npy")
    expected = to_unit(generator([latent, np.array([2, 0], np.int32)], training=False))
    np.testing.assert_allclose(images, expected, atol=1e-5)
    sampled_latent = np.load(tmp_path / "sampled" / "latent.npy")
    expected = to_unit(generator([sampled_latent, np.full(3, 1, np.int32)], training=False))
    np.testing.assert_allclose(np.load(tmp_path / "sampled" / "images.npy"), expected, atol=1e-5)


def test_a_bare_conditional_generator_needs_num_classes(tmp_path):
    with pytest.raises(ValueError, match="pass its number of classes as `num_classes`"):
        export_generator(conditional_generator(), tmp_path / "g")
