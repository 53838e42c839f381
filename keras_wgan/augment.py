"""Differentiable augmentation (DiffAugment) for GANs trained on small data.

Zhao, Liu, Lin, Zhu and Han 2020 ("Differentiable Augmentation for
Data-Efficient GAN Training", arXiv 2006.10738): the critic sees real and
generated batches through the same kind of random, differentiable
transformation `T`, so it cannot memorise a small training set, and the
generator, whose loss is `-E f(T(G(z)))`, still gets gradients through `T`.
The operations are those of the paper's code (`DiffAugment_pytorch.py` and
`DiffAugment_tf.py` of github.com/mit-han-lab/data-efficient-gans), for
channels-last images:

- `"color"`: brightness `x + (u - 0.5)`, saturation
  `(x - mean_c) * 2u + mean_c` (mean over channels), contrast
  `(x - mean) * (u + 0.5) + mean` (mean over the image), each with its own
  `u ~ U[0, 1)` per image, in that order;
- `"translation"`: a shift by up to `round(side / 8)` pixels along each
  axis (independent integers, uniform), the uncovered border filled with 0;
- `"cutout"`: a `round(side / 2)` square of zeros at a uniform random
  centre, clipped at the image border.

Each image of the batch gets its own draw.
"""

import keras
from keras import ops

from keras_wgan.utils import argument_validation

_TRANSLATION_RATIO = 0.125
_CUTOUT_RATIO = 0.5


def _brightness(images, seed):
    shift = keras.random.uniform(_per_image(images), dtype=images.dtype, seed=seed) - 0.5
    return images + shift


def _saturation(images, seed):
    factor = keras.random.uniform(_per_image(images), dtype=images.dtype, seed=seed) * 2.0
    mean = ops.mean(images, axis=-1, keepdims=True)
    return (images - mean) * factor + mean


def _contrast(images, seed):
    factor = keras.random.uniform(_per_image(images), dtype=images.dtype, seed=seed) + 0.5
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * factor + mean


def _translation(images, seed):
    height, width = images.shape[1], images.shape[2]
    batch_size = ops.shape(images)[0]
    # The reference's `int(side * ratio + 0.5)`.
    max_shifts = (int(height * _TRANSLATION_RATIO + 0.5), int(width * _TRANSLATION_RATIO + 0.5))
    # Output pixel (i, j) is input pixel (i + dy, j + dx): gathered from the
    # image padded with one row/column of zeros, indices clipped onto it.
    padded = ops.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)))
    for axis, (side, max_shift) in enumerate(zip((height, width), max_shifts, strict=True), start=1):
        shift = keras.random.randint((batch_size, 1), -max_shift, max_shift + 1, seed=seed, dtype="int32")
        indices = ops.clip(ops.arange(side, dtype="int32")[None, :] + shift + 1, 0, side + 1)
        index_shape = [batch_size, 1, 1, 1]
        index_shape[axis] = side
        indices = ops.reshape(indices, index_shape)
        target_shape = list(ops.shape(padded))
        target_shape[axis] = side
        padded = ops.take_along_axis(padded, ops.broadcast_to(indices, target_shape), axis=axis)
    return padded


def _cutout(images, seed):
    height, width = images.shape[1], images.shape[2]
    batch_size = ops.shape(images)[0]
    inside = []
    for side in (height, width):
        size = int(side * _CUTOUT_RATIO + 0.5)
        # The reference's centre: uniform in [0, side + (1 - size % 2)).
        centre = keras.random.randint((batch_size, 1), 0, side + (1 - size % 2), seed=seed, dtype="int32")
        start = centre - size // 2
        positions = ops.arange(side, dtype="int32")[None, :]
        inside.append(ops.logical_and(positions >= start, positions < start + size))
    cut = ops.logical_and(inside[0][:, :, None], inside[1][:, None, :])
    mask = ops.cast(ops.logical_not(cut), images.dtype)
    return images * mask[..., None]


def _per_image(images):
    return (ops.shape(images)[0], 1, 1, 1)


_OPERATIONS = {
    "color": (_brightness, _saturation, _contrast),
    "translation": (_translation,),
    "cutout": (_cutout,),
}


@keras.saving.register_keras_serializable(package="keras_wgan")
class DiffAugment(keras.layers.Layer):
    """Random, differentiable colour, translation and cutout (DiffAugment).

    `augment(images)` returns a batch of the same shape and dtype with new
    random transformations at every call, drawn from the layer's own
    `keras.random.SeedGenerator`. Every operation is differentiable with
    respect to the images, so gradients reach a generator whose samples are
    augmented. Pass it as `WGAN(..., augment=...)` or `WGANGP(..., augment=...)`:
    the model then augments real and generated batches before the critic
    (see `WassersteinGAN`), and its seed-generator state travels with the
    model (threaded on JAX, saved in `.keras` files).

    Operations, applied in the order of `policy` (see the module docstring
    for the formulas, which are those of the paper's code):

        color:        x + (u1 - 1/2); (x - mean_c) * 2 u2 + mean_c;
                      (x - mean) * (u3 + 1/2) + mean,  u_k ~ U[0, 1)
        translation:  x[i + dy, j + dx] (0 outside),  |dy| <= round(H / 8)
        cutout:       0 on a round(H / 2) x round(W / 2) square

    Args:
        policy: comma-separated operations among `"color"`,
            `"translation"` and `"cutout"` (the paper's default for
            CIFAR-10 and small data: all three).
        seed: int or None, seeds the layer's seed generator.
        **kwargs: `name` and other `keras.layers.Layer` arguments.

    Call args:
        images: a float batch `(batch, height, width, channels)`
            (channels last), in any value range.

    Returns:
        The augmented batch, same shape and dtype.

    Example:

    >>> augment = DiffAugment("color,translation,cutout", seed=0)
    >>> augment(keras.ops.zeros((2, 32, 32, 3))).shape
    (2, 32, 32, 3)
    """

    def __init__(self, policy="color,translation,cutout", seed=None, **kwargs):
        # The input keeps its dtype: real float32 batches and float16
        # generated ones are both augmented as they come.
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)
        self.policy = _check_policy(policy)
        self.seed = argument_validation.check_seed(seed, allow_none=True)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def call(self, images):
        images = ops.convert_to_tensor(images)
        if len(images.shape) != 4:
            raise ValueError(
                "DiffAugment takes a batch of images `(batch, height, width, channels)`. "
                f"Received: images.shape={images.shape}"
            )
        for name in self.policy.split(","):
            for operation in _OPERATIONS[name]:
                images = operation(images, self.seed_generator)
        return images

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "policy": self.policy, "seed": self.seed}

    def save_own_variables(self, store):
        # Keras does not save seed generators; a resumed run continues the
        # augmentation's random stream instead of replaying it.
        store["seed_generator_state"] = ops.convert_to_numpy(self.seed_generator.state)

    def load_own_variables(self, store):
        if "seed_generator_state" in store:
            self.seed_generator.state.assign(store["seed_generator_state"])


def _check_policy(policy):
    argument_validation.check_string(policy, "policy")
    names = [name.strip() for name in policy.split(",")]
    unknown = [name for name in names if name not in _OPERATIONS]
    if unknown:
        raise ValueError(
            f"`policy` must be comma-separated operations among {', '.join(map(repr, _OPERATIONS))}; "
            f"unknown: {', '.join(map(repr, unknown))}. {argument_validation.received('policy', policy)}"
        )
    return ",".join(names)
