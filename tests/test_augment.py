"""DiffAugment: the reference code's operations, exactly where they can be known."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.augment import DiffAugment
from keras_wgan.backends import current as backend


def numpy(x):
    return keras.ops.convert_to_numpy(x)


def shifted(image, dy, dx):
    """`image[i + dy, j + dx]`, 0 outside: the reference's translation."""
    out = np.zeros_like(image)
    height, width = image.shape[:2]
    for i in range(height):
        for j in range(width):
            if 0 <= i + dy < height and 0 <= j + dx < width:
                out[i, j] = image[i + dy, j + dx]
    return out


@pytest.mark.parametrize("policy", ["color", "translation", "cutout", "color,translation,cutout"])
def test_same_shape_and_dtype(policy):
    images = np.random.default_rng(0).uniform(-1, 1, (3, 16, 12, 3)).astype("float32")
    out = DiffAugment(policy, seed=0)(images)
    assert tuple(out.shape) == images.shape
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    assert np.all(np.isfinite(numpy(out)))


def test_brightness_is_a_uniform_shift_of_grey_flat_images():
    # On a constant one-channel image saturation and contrast are the
    # identity (x equals its means), so colour leaves x + (u - 1/2).
    images = np.full((500, 4, 4, 1), 0.25, "float32")
    shift = numpy(DiffAugment("color", seed=1)(images)) - images
    per_image = shift[:, 0, 0, 0]
    np.testing.assert_allclose(shift, np.broadcast_to(per_image[:, None, None, None], shift.shape), atol=1e-6)
    assert per_image.min() >= -0.5 and per_image.max() < 0.5
    assert per_image.min() < -0.4 and per_image.max() > 0.4  # the whole range is drawn
    assert abs(per_image.mean()) < 0.05


def test_saturation_and_contrast_keep_the_image_mean():
    # Brightness moves the mean by u - 1/2; saturation and contrast keep it.
    images = np.random.default_rng(2).uniform(-1, 1, (64, 8, 8, 3)).astype("float32")
    out = numpy(DiffAugment("color", seed=2)(images))
    shift = out.mean(axis=(1, 2, 3)) - images.mean(axis=(1, 2, 3))
    assert shift.min() >= -0.5 - 1e-5 and shift.max() < 0.5 + 1e-5
    assert not np.allclose(out - images, shift[:, None, None, None])  # more than a shift


def test_translation_is_a_zero_filled_shift_of_at_most_an_eighth():
    # 16 px: shifts in [-2, 2] on each axis (round(16 / 8) = 2).
    image = np.arange(1, 16 * 16 + 1, dtype="float32").reshape(16, 16, 1)
    images = np.broadcast_to(image, (300, 16, 16, 1)).copy()
    out = numpy(DiffAugment("translation", seed=3)(images))
    seen = set()
    for augmented in out:
        matches = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if np.array_equal(augmented, shifted(image, dy, dx))
        ]
        assert len(matches) == 1
        seen.add(matches[0])
    assert len(seen) == 25  # every shift in [-2, 2]^2 is drawn


def test_cutout_zeroes_a_clipped_half_size_square():
    # 8 px: a 4x4 square whose top-left corner lies in [-2, 6] on each axis.
    images = np.ones((400, 8, 8, 2), "float32")
    out = numpy(DiffAugment("cutout", seed=4)(images))
    starts = set()
    for augmented in out:
        np.testing.assert_array_equal(augmented[..., 0], augmented[..., 1])
        zero_rows = np.flatnonzero((augmented[..., 0] == 0).any(axis=1))
        zero_cols = np.flatnonzero((augmented[..., 0] == 0).any(axis=0))
        expected = np.ones((8, 8), "float32")
        expected[zero_rows.min() : zero_rows.max() + 1, zero_cols.min() : zero_cols.max() + 1] = 0
        np.testing.assert_array_equal(augmented[..., 0], expected)
        for zeros in (zero_rows, zero_cols):
            assert len(zeros) == 4 or (len(zeros) in (2, 3) and (zeros[0] == 0 or zeros[-1] == 7))
        top = zero_rows.max() - 3 if zero_rows[0] == 0 else zero_rows.min()
        starts.add(int(top))
    assert starts == set(range(-2, 7))


def test_gradients_reach_the_input():
    augment = DiffAugment(seed=5)
    images = np.random.default_rng(5).uniform(-1, 1, (4, 8, 8, 3)).astype("float32")
    weights = np.random.default_rng(6).normal(size=(1, 8, 8, 3)).astype("float32")
    gradients = numpy(backend.input_gradients(lambda x: augment(x) * weights, images))
    assert gradients.shape == images.shape
    for per_image in gradients:
        assert np.abs(per_image).sum() > 0


def test_new_draws_every_call_and_equal_seeds_equal_draws():
    images = np.random.default_rng(7).uniform(-1, 1, (4, 8, 8, 3)).astype("float32")
    first, second = DiffAugment(seed=8), DiffAugment(seed=8)
    a1, a2 = numpy(first(images)), numpy(first(images))
    b1, b2 = numpy(second(images)), numpy(second(images))
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)
    assert not np.array_equal(a1, numpy(DiffAugment(seed=9)(images)))


def test_config_round_trip_and_public_name():
    augment = kw.augment.DiffAugment("translation, cutout", seed=3, name="aug")
    assert augment.policy == "translation,cutout"
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(augment))
    assert isinstance(restored, DiffAugment)
    assert (restored.policy, restored.seed, restored.name) == ("translation,cutout", 3, "aug")


def test_saved_in_a_keras_file_with_its_random_state(tmp_path):
    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, DiffAugment("translation,cutout", seed=1, name="augment")(inputs))
    images = np.random.default_rng(0).uniform(size=(4, 8, 8, 1)).astype("float32")
    model(images)  # advances the random state
    path = str(tmp_path / "augment.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_array_equal(numpy(restored(images)), numpy(model(images)))


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"unknown: 'flip'.*Received: policy='color,flip'"):
        DiffAugment("color,flip")
    with pytest.raises(TypeError, match="Received: policy=3"):
        DiffAugment(3)
    with pytest.raises(ValueError, match=r"Received: images.shape=\(4, 8\)"):
        DiffAugment()(np.zeros((4, 8), "float32"))


def reference_numpy(images, draws):
    """The reference's color, translation and cutout in NumPy, channels last, given the draws.

    `draws` are the layer's random tensors in the order it draws them:
    brightness, saturation and contrast factors, then the translation's
    and the cutout's height and width offsets.
    """
    u_brightness, u_saturation, u_contrast, t_height, t_width, c_height, c_width = draws
    x = images + (u_brightness - 0.5)
    mean = x.mean(axis=3, keepdims=True)
    x = (x - mean) * (u_saturation * 2) + mean
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    x = (x - mean) * (u_contrast + 0.5) + mean
    batch, height, width, _ = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    rows = np.clip(np.arange(height)[None, :] + t_height + 1, 0, height + 1)
    cols = np.clip(np.arange(width)[None, :] + t_width + 1, 0, width + 1)
    x = padded[np.arange(batch)[:, None, None], rows[:, :, None], cols[:, None, :]]
    size_h, size_w = int(height * 0.5 + 0.5), int(width * 0.5 + 0.5)
    mask = np.ones((batch, height, width), x.dtype)
    for b in range(batch):
        top, left = c_height[b, 0] - size_h // 2, c_width[b, 0] - size_w // 2
        mask[b, max(top, 0) : max(top + size_h, 0), max(left, 0) : max(left + size_w, 0)] = 0
    return x * mask[..., None]


def test_the_reference_operations_on_the_same_draws(monkeypatch):
    # Non-square, three-channel images: an axis swap (height/width, or the
    # channel mean over the wrong axis) changes the result.
    images = np.random.default_rng(10).uniform(-1, 1, (6, 12, 20, 3)).astype("float32")
    draws, ranges = [], []
    uniform, randint = keras.random.uniform, keras.random.randint

    def recording_uniform(shape, *args, **kwargs):
        out = uniform(shape, *args, **kwargs)
        draws.append(numpy(out))
        return out

    def recording_randint(shape, minval, maxval, *args, **kwargs):
        out = randint(shape, minval, maxval, *args, **kwargs)
        draws.append(numpy(out))
        ranges.append((minval, maxval))
        return out

    monkeypatch.setattr(keras.random, "uniform", recording_uniform)
    monkeypatch.setattr(keras.random, "randint", recording_randint)
    out = numpy(DiffAugment("color,translation,cutout", seed=11)(images))
    # Per image: one draw of each kind for every image of the batch.
    assert [d.shape[0] for d in draws] == [6] * 7 and all(d.size == 6 for d in draws)
    # Shifts up to round(12 / 8) = 2 and round(20 / 8) = 3 (height, width);
    # cutout centres in [0, side + 1 - size % 2) for sizes 6 and 10.
    assert ranges == [(-2, 3), (-3, 4), (0, 13), (0, 21)]
    np.testing.assert_allclose(out, reference_numpy(images, draws), rtol=1e-5, atol=1e-5)
