"""`SampleGrid`: a PNG of generated samples every few epochs."""

import os

from keras_wgan.callbacks.fixed_latent_samples import FixedLatentSamples
from keras_wgan.visualization import as_points, save_image_grid, save_scatter_plot


class SampleGrid(FixedLatentSamples):
    """Saves a PNG of generated samples every `every` epochs.

    At train begin it draws `num_samples` latent vectors once, from `seed`:
    every file shows the generator's output for the same latents, so the
    sequence of files shows training progress. Images are saved as a grid
    (grey for one channel, RGB for three; see `save_image_grid`), 2-D
    samples (shape `(2,)`, the toy datasets) as a scatter plot.

    The latents equal those of `model.generate(num_samples, seed=seed)`, and
    drawing them does not change the noise the model trains on. A
    conditional model's grid has one row per class, the same latents in
    every row (see `FixedLatentSamples`).

    Args:
        directory: folder for the PNG files, created if missing.
        num_samples: number of samples per file.
        seed: int, seeds the fixed latent vectors.
        value_range: `(low, high)` of the generator's images (ignored for
            2-D samples); default None: read from the generator's last
            activation (`tanh`: `(-1, 1)`, `sigmoid`: `(0, 1)`).
        every: save after every `every`-th epoch.
        filename: file name template, formatted with the 1-based `epoch`
            (the numbering of Keras's progress bar).
        reference: optional real 2-D samples drawn in grey behind the
            generated ones (2-D samples only).

    Attributes:
        latent: the fixed latent vectors, a NumPy array of shape
            `(num_samples, latent_dim)`, set at train begin.
        last_path: path of the latest file written, or None.

    Example:

    ```python
    wgan = keras_wgan.WGANGP(critic, generator)
    wgan.compile()
    wgan.fit(dataset, epochs=10, callbacks=[keras_wgan.callbacks.SampleGrid("samples")])
    # samples/samples_epoch_001.png ... samples/samples_epoch_010.png
    ```
    """

    def __init__(
        self,
        directory,
        *,
        num_samples=64,
        seed=0,
        value_range=None,
        every=1,
        filename="samples_epoch_{epoch:03d}.png",
        reference=None,
    ):
        super().__init__(num_samples=num_samples, seed=seed, value_range=value_range, every=every)
        self.directory = os.fspath(directory)
        try:
            filename.format(epoch=1)
        except (AttributeError, IndexError, KeyError, ValueError) as error:
            raise ValueError(
                "`filename` must be a string formatted with `epoch` only, e.g. "
                f"'samples_epoch_{{epoch:03d}}.png' ({error!r}). Received: filename={filename!r}"
            ) from None
        self.filename = filename
        self.reference = None if reference is None else as_points(reference, "reference")
        self.last_path = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.reference is not None and self.kind != "points":
            raise ValueError(
                "`reference` is for 2-D samples only; this generator makes samples "
                f"of shape {self.model.sample_shape}."
            )
        os.makedirs(self.directory, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        if not self._due(epoch):
            return
        path = os.path.join(self.directory, self.filename.format(epoch=epoch + 1))
        samples = self._samples()
        if self.kind == "points":
            save_scatter_plot(samples, path, reference=self.reference, title=f"Epoch {epoch + 1}")
        else:
            save_image_grid(samples, path, value_range=self.value_range, columns=self.columns)
        self.last_path = path
