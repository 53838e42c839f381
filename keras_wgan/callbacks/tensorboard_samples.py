"""`TensorBoardSamples`: generated samples as TensorBoard images."""

import os

import numpy as np

from keras_wgan.callbacks.fixed_latent_samples import FixedLatentSamples
from keras_wgan.utils.optional_imports import import_tensorboard, import_tensorflow
from keras_wgan.visualization import image_grid, release_figure, render, scatter_figure, to_pixels


class TensorBoardSamples(FixedLatentSamples):
    """Writes generated samples to TensorBoard every `every` epochs.

    The samples come from latent vectors fixed at train begin (see
    `SampleGrid`), as one image per epoch under the tag `"samples"`: a grid
    for image generators, a scatter plot for 2-D samples. They go to
    `<log_dir>/samples`, at step `epoch` (0-based), the step at which
    `keras.callbacks.TensorBoard(log_dir)` writes its epoch scalars, so both
    callbacks with the same `log_dir` give the scalars and the images of one
    run in one TensorBoard.

    Needs the `tensorboard` package (`pip install tensorboard`), which
    TensorFlow 2.21 no longer installs.

    Args:
        log_dir: the TensorBoard log folder.
        num_samples: number of samples per image.
        seed: int, seeds the fixed latent vectors.
        value_range: `(low, high)` of the generator's images (ignored for
            2-D samples); default None: read from the generator's last
            activation (`tanh`: `(-1, 1)`, `sigmoid`: `(0, 1)`).
        every: write after every `every`-th epoch.

    Attributes:
        latent: the fixed latent vectors, a NumPy array of shape
            `(num_samples, latent_dim)`, set at train begin.

    Example:

    ```python
    wgan.fit(
        dataset,
        epochs=10,
        callbacks=[
            keras.callbacks.TensorBoard("logs"),
            keras_wgan.callbacks.TensorBoardSamples("logs"),
        ],
    )
    # then: tensorboard --logdir logs
    ```
    """

    def __init__(self, log_dir, *, num_samples=16, seed=0, value_range=None, every=1):
        # Checked here rather than at the first epoch: a missing package
        # should stop the run before any training time is spent.
        import_tensorflow("TensorBoardSamples")
        import_tensorboard("TensorBoardSamples")
        super().__init__(num_samples=num_samples, seed=seed, value_range=value_range, every=every)
        self.log_dir = os.fspath(log_dir)
        self._writer = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        tf = import_tensorflow("TensorBoardSamples")
        self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))

    def on_epoch_end(self, epoch, logs=None):
        if not self._due(epoch):
            return
        tf = import_tensorflow("TensorBoardSamples")
        samples = self._samples()
        if self.kind == "points":
            figure = scatter_figure(samples, None, f"Epoch {epoch + 1}")
            try:
                pixels = render(figure)
            finally:
                release_figure(figure)
        else:
            pixels = image_grid(to_pixels(samples, self.value_range), columns=None, padding=2)
        with self._writer.as_default():
            tf.summary.image(
                "samples",
                pixels[np.newaxis],
                step=epoch,
                description=f"{self.num_samples} samples from fixed latent vectors (seed {self.seed}).",
            )
        # Flushed every time so that a running TensorBoard shows the images
        # while training goes on, not only when the writer closes.
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
