import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

from keras_wgan.datasets import image_folder
from keras_wgan.datasets.image_folder import list_image_files
from tests.image_folders import FORMATS, add_broken_files, make_shapes_folder

PACKAGE_DIR = os.path.dirname(os.path.dirname(sys.modules[image_folder.__module__].__file__))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("shapes"))
    return root, make_shapes_folder(root, count=12)


def batches(dataset):
    return [batch.numpy() for batch in dataset]


def test_finds_every_format_recursively_and_shapes_batches(folder):
    root, paths = folder
    assert sorted(list_image_files(root)) == paths
    assert {p.rsplit(".", 1)[1] for p in paths} == set(FORMATS)
    result = batches(image_folder(root, image_size=32, batch_size=5, shuffle=False, verbose=False))
    assert len(result) == 2  # 12 // 5, remainder dropped
    for batch in result:
        assert batch.shape == (5, 32, 32, 3) and batch.dtype == np.float32
        assert batch.min() >= -1.0 and batch.max() <= 1.0


def test_centre_crop_then_resize_matches_pil(folder):
    # 48x40 PNG -> centre 40x40 square (rows 4..44) -> 20x20: against PIL's
    # antialiased bilinear resize of the same crop, in [0, 1].
    root, _ = folder
    dataset = image_folder(
        root, image_size=20, batch_size=1, shuffle=False, value_range=(0, 1), verbose=False
    )
    first = next(iter(dataset)).numpy()[0]
    with Image.open(list_image_files(root)[0]) as image:  # a PNG
        reference = np.asarray(image.crop((0, 4, 40, 44)).resize((20, 20), Image.BILINEAR), np.float32) / 255
    assert np.mean(np.abs(first - reference)) < 0.02
    assert np.abs(first - reference).max() < 0.2


def test_value_range_and_grey(folder):
    root, _ = folder
    unit = batches(
        image_folder(root, image_size=16, batch_size=4, shuffle=False, value_range=(0, 1), verbose=False)
    )
    signed = batches(image_folder(root, image_size=16, batch_size=4, shuffle=False, verbose=False))
    np.testing.assert_allclose(signed[0], unit[0] * 2 - 1, atol=1e-6)
    grey = batches(
        image_folder(
            root, image_size=16, channels=1, batch_size=4, shuffle=False, value_range=(0, 1), verbose=False
        )
    )
    assert grey[0].shape == (4, 16, 16, 1)  # also for the BMP and GIF files
    luma = unit[0] @ np.array([0.2989, 0.587, 0.114], np.float32)
    np.testing.assert_allclose(grey[0][..., 0], luma, atol=2 / 255)


def test_shuffle_is_seeded_and_changes_each_pass(folder):
    root, _ = folder
    dataset = image_folder(root, image_size=8, batch_size=12, seed=3, verbose=False)
    first, second = batches(dataset), batches(dataset)
    again = batches(image_folder(root, image_size=8, batch_size=12, seed=3, verbose=False))
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], second[0])
    # The same images, in another order.
    np.testing.assert_allclose(np.sort(first[0].ravel()), np.sort(second[0].ravel()))


def test_cache_and_repeat(folder):
    root, _ = folder
    dataset = image_folder(root, image_size=8, batch_size=6, cache=True, repeat=True, seed=0, verbose=False)
    assert len(batches(dataset.take(7))) == 7  # past the end of one pass


def test_broken_files_are_skipped_with_one_warning(tmp_path):
    root = str(tmp_path)
    good = make_shapes_folder(root, count=6)
    broken = add_broken_files(root)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = image_folder(root, image_size=16, batch_size=2, shuffle=False, verbose=False)
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(messages) == 1, messages
    assert "Skipping 2 of 8 image files" in messages[0]
    for path in broken:
        assert path in messages[0]
    assert len(batches(dataset)) == len(good) // 2


def test_warning_names_only_the_first_few(tmp_path):
    root = str(tmp_path)
    make_shapes_folder(root, count=2)
    for index in range(8):
        (tmp_path / f"junk_{index}.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.warns(UserWarning, match=r"Skipping 8 of 10 .*\n.*junk_0.png[\s\S]*and 3 more"):
        image_folder(root, image_size=8, batch_size=1, verbose=False)


def test_empty_and_unreadable_folders_are_errors(tmp_path):
    with pytest.raises(ValueError, match="No image files"):
        image_folder(str(tmp_path), image_size=8)
    (tmp_path / "bad.jpg").write_text("text")
    with pytest.warns(UserWarning, match="Skipping 1 of 1"), pytest.raises(ValueError, match="None of the 1"):
        image_folder(str(tmp_path), image_size=8)
    with pytest.raises(ValueError, match="not a folder"):
        image_folder(str(tmp_path / "missing"), image_size=8)


def test_bad_arguments(folder):
    root, _ = folder
    with pytest.raises(ValueError, match="channels"):
        image_folder(root, image_size=8, channels=2)
    with pytest.raises(ValueError, match="value_range"):
        image_folder(root, image_size=8, value_range=(1, 0))
    with pytest.raises(ValueError, match="batch_size=13"):
        image_folder(root, image_size=8, batch_size=13, verbose=False)
    with pytest.raises(TypeError, match="image_size"):
        image_folder(root, image_size=8.0)


def test_small_images_are_counted_in_a_warning(folder):
    root, _ = folder
    with pytest.warns(UserWarning, match="12 of the 12 images .* smaller than 64x64"):
        image_folder(root, image_size=64, batch_size=4, verbose=False)


def test_module_imports_tensorflow_only_when_called():
    # The module alone, its packages' __init__ files skipped (other modules
    # of the package may import TensorFlow): importing it must not.
    code = (
        "import importlib, sys, types\n"
        "for name in ('keras_wgan', 'keras_wgan.utils', 'keras_wgan.datasets'):\n"
        "    package = types.ModuleType(name)\n"
        f"    package.__path__ = [{PACKAGE_DIR!r} + name[len('keras_wgan'):].replace('.', '/')]\n"
        "    sys.modules[name] = package\n"
        "module = importlib.import_module('keras_wgan.datasets.image_folder')\n"
        "print(callable(module.image_folder), 'tensorflow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "False"]
