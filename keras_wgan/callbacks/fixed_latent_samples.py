"""The base of the sample callbacks: latent vectors fixed at train begin."""

import math

import keras
import numpy as np

from keras_wgan.models import network_inspection
from keras_wgan.models.generator_utils import draw_latent
from keras_wgan.models.wasserstein_gan import WassersteinGAN
from keras_wgan.utils import argument_validation


class FixedLatentSamples(keras.callbacks.Callback):
    """Generates samples from latent vectors drawn once, at train begin.

    The base of `SampleGrid` and `TensorBoardSamples`. The latents equal
    those of `model.generate(num_samples, seed=seed)`
    (`keras_wgan.models.generator_utils.draw_latent`), and drawing them does
    not change the noise the model trains on.

    For a conditional model (`num_classes` set) the samples form one row
    per class: `columns = ceil(num_samples / num_classes)` latents, drawn
    once, each generated with every label, so that column `j` shows latent
    `j` as every class and row `c` shows how class `c` forms.

    Args:
        num_samples: number of samples per output.
        seed: int, seeds the fixed latent vectors.
        value_range: `(low, high)` of the generator's images, or None to
            read it from the generator's last activation at train begin
            (`tanh`: `(-1, 1)`, `sigmoid`: `(0, 1)`; `(-1, 1)` otherwise).
        every: write after every `every`-th epoch.

    Attributes:
        latent: the fixed latent vectors, a NumPy array of shape
            `(num_samples, latent_dim)`, set at train begin (conditional:
            `(num_classes * columns, latent_dim)`, row-major).
        labels: None, or (conditional) the class of each sample.
        columns: images per row of a grid: None (square), or `columns`.
        kind: `"images"` or `"points"` (2-D samples), set at train begin.
    """

    def __init__(self, *, num_samples, seed, value_range, every):
        super().__init__()
        self.num_samples = argument_validation.check_positive_int(num_samples, "num_samples")
        self.every = argument_validation.check_positive_int(every, "every")
        # An int seed draws statelessly: the same latents in every run, and
        # Keras's global random state (hence training) is untouched.
        self.seed = argument_validation.check_seed(seed)
        self.requested_value_range = (
            None if value_range is None else argument_validation.check_value_range(value_range)
        )
        self.value_range = self.requested_value_range
        self.latent = None
        self.labels = None
        self.columns = None
        self.kind = None

    def on_train_begin(self, logs=None):
        model = self.model
        if not isinstance(model, WassersteinGAN):
            raise TypeError(
                f"{type(self).__name__} needs a keras_wgan WassersteinGAN (such as "
                "`keras_wgan.WGAN` or `keras_wgan.WGANGP`) to draw samples from its "
                f"generator. Received: model={model!r} of type {type(model).__name__}"
            )
        self.kind = sample_kind(model.sample_shape, type(self).__name__)
        if self.requested_value_range is None:
            bounds = network_inspection.output_range(model.generator)
            self.value_range = (-1.0, 1.0) if bounds is None else bounds[:2]
        num_classes = model.num_classes
        columns = None if num_classes is None else math.ceil(self.num_samples / num_classes)
        rows = 1 if num_classes is None else num_classes
        shape = ((columns or self.num_samples) * rows, model.latent_dim)
        # Drawn once and kept across `fit` calls, so that a continued run
        # still shows the same latents.
        if self.latent is None or self.latent.shape != shape:
            self.latent = draw_latent(columns or self.num_samples, model.latent_dim, self.seed)
            if num_classes is not None:
                self.latent = np.tile(self.latent, (num_classes, 1))
        self.columns = columns
        self.labels = (
            None if num_classes is None else np.repeat(np.arange(num_classes, dtype="int32"), columns)
        )

    def _due(self, epoch):
        return (epoch + 1) % self.every == 0

    def _samples(self):
        samples = self.model.generator_output(self.latent, self.labels, training=False)
        return keras.ops.convert_to_numpy(keras.ops.cast(samples, "float32"))


def sample_kind(sample_shape, owner):
    """`"points"` for 2-D samples, `"images"` for `(H, W)`, `(H, W, 1)`, `(H, W, 3)`."""
    sample_shape = tuple(sample_shape)
    if sample_shape == (2,):
        return "points"
    if len(sample_shape) == 2 or (len(sample_shape) == 3 and sample_shape[-1] in (1, 3)):
        return "images"
    raise ValueError(
        f"{owner} draws images of shape (H, W), (H, W, 1) or (H, W, 3) and 2-D "
        f"points of shape (2,). This generator makes samples of shape {sample_shape}."
    )
