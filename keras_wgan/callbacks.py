"""Keras callbacks that show a Wasserstein GAN's progress while it trains.

- `SampleGrid`: a PNG of generated samples every few epochs, always from the
  same latent vectors, so successive files show the generator improving
  rather than new random draws.
- `TrainingCurves`: a PNG of the logged metrics, rewritten every epoch; the
  train and held-out `wasserstein_estimate` share a panel so the gap of an
  overfitting critic (WGAN-GP paper, Fig. 5b) is visible at a glance.
- `TensorBoardSamples`: the same fixed-latent samples as TensorBoard images,
  next to the scalars of `keras.callbacks.TensorBoard`.

`save_image_grid` and `save_scatter_plot` write a final grid or scatter plot
outside `fit`.

Fault tolerance:

- `AtomicModelCheckpoint`: `ModelCheckpoint` that writes a temporary file and
  renames it, and never saves NaN weights.
- `AtomicBackupAndRestore`: `BackupAndRestore` with the same guarantees; a
  killed run resumes from its last completed epoch with its step counters.
- `StopOnNonFinite`: stops at the first NaN or inf metric with a message
  naming the metric and the step (`NonFiniteLossError`).

Plots go through `matplotlib.figure.Figure` and the Agg canvas, never
`pyplot`: training from a notebook or a GUI session keeps its own matplotlib
backend and opens no windows. Every file is written to a temporary file in
the same folder and then renamed over the target, so an image viewer or a
file-sync tool never sees a half-written PNG, and an interrupted run leaves
the previous file intact.
"""

import contextlib
import csv
import json
import math
import os
import re
import shutil
import tempfile
import uuid
import warnings

import keras
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

from keras_wgan.datasets.mnist import _check_value_range, unscale_images
from keras_wgan.models.wasserstein_gan import WassersteinGAN

# Padding between grid tiles: mid-grey separates black-background digits as
# well as light photos, where black or white padding would merge into one.
_PAD_VALUE = 128
# Above this many epochs the markers of the curves would blur into a thick
# line; below it they are what makes a one-epoch curve visible at all.
_MAX_MARKED_EPOCHS = 50
_SCATTER_SIZE_INCHES = 5.0
_DPI = 100

# Panels of `TrainingCurves`, in display order: (title, metrics). Metrics
# not named here get a panel each, with their `val_` counterpart.
_KNOWN_PANELS = (
    ("Wasserstein estimate", ("wasserstein_estimate", "val_wasserstein_estimate")),
    ("Losses", ("critic_loss", "generator_loss", "val_critic_loss", "val_generator_loss")),
    ("Gradient penalty", ("gradient_penalty", "val_gradient_penalty")),
)


# -- functions -------------------------------------------------------------


def save_image_grid(images, path, *, value_range=(-1.0, 1.0), columns=None, padding=2):
    """Writes a batch of images as one PNG grid.

    Pixel values are mapped from `value_range` to [0, 1] (see
    `keras_wgan.datasets.unscale_images`; values outside are clipped) and
    stored as 8-bit grey (one channel) or RGB (three channels). Each image
    keeps its pixel size: a grid of `rows x columns` images of `H x W` is
    `rows * (H + padding) + padding` pixels high and
    `columns * (W + padding) + padding` wide, with grey padding.

    Args:
        images: array or tensor of shape `(N, H, W)`, `(N, H, W, 1)` or
            `(N, H, W, 3)`, e.g. generator outputs.
        path: where to write the PNG; missing parent folders are created.
        value_range: `(low, high)` of `images`: `(-1, 1)` for a `tanh`
            generator, `(0, 1)` for a `sigmoid` one.
        columns: images per row; default `ceil(sqrt(N))`, a square grid.
        padding: pixels between tiles and around the grid.

    Returns:
        `path`, as a string.

    Example:

    ```python
    wgan.fit(dataset, epochs=20)
    keras_wgan.callbacks.save_image_grid(wgan.generate(64, seed=0), "final.png")
    ```
    """
    grid = _image_grid(_to_pixels(images, value_range), columns=columns, padding=padding)
    image = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    return _write_atomically(path, lambda file: image.save(file, format="PNG"))


def save_scatter_plot(points, path, *, reference=None, title=None):
    """Writes 2-D samples as a PNG scatter plot.

    Args:
        points: array or tensor of shape `(N, 2)`, e.g. the output of a toy
            generator.
        path: where to write the PNG; missing parent folders are created.
        reference: optional `(M, 2)` real samples, drawn in grey behind
            `points` so that the plot shows how far the generator is from
            the data.
        title: optional title above the plot.

    Returns:
        `path`, as a string.

    Example:

    ```python
    real = keras_wgan.datasets.sample_toy("8gaussians", 1000)
    keras_wgan.callbacks.save_scatter_plot(wgan.generate(1000, seed=0), "final.png", reference=real)
    ```
    """
    figure = _scatter_figure(_as_points(points, "points"), reference, title)
    return save_figure(figure, path)


# -- callbacks -------------------------------------------------------------


class _FixedLatentSamples(keras.callbacks.Callback):
    """Generates samples from latent vectors drawn once, at train begin."""

    def __init__(self, *, num_samples, seed, value_range, every):
        super().__init__()
        self.num_samples = _positive_int(num_samples, "num_samples")
        self.every = _positive_int(every, "every")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            # An int seed draws statelessly: the same latents in every run,
            # and Keras's global random state (hence training) is untouched.
            raise TypeError(f"`seed` must be an integer. Received: {seed!r}")
        self.seed = int(seed)
        self.value_range = _check_value_range(value_range)
        self.latent = None
        self.kind = None  # "images" or "points", known once the model is.

    def on_train_begin(self, logs=None):
        model = self.model
        if not isinstance(model, WassersteinGAN):
            raise TypeError(
                f"{type(self).__name__} needs a keras_wgan WassersteinGAN (such as "
                "`keras_wgan.WGAN` or `keras_wgan.WGANGP`) to draw samples from its "
                f"generator. Received a model of type {type(model).__name__}."
            )
        self.kind = _sample_kind(model.sample_shape, type(self).__name__)
        shape = (self.num_samples, model.latent_dim)
        # Drawn once and kept across `fit` calls, so that a continued run
        # still shows the same latents.
        if self.latent is None or self.latent.shape != shape:
            self.latent = keras.ops.convert_to_numpy(keras.random.normal(shape, seed=self.seed))

    def _due(self, epoch):
        return (epoch + 1) % self.every == 0

    def _samples(self):
        samples = self.model.generator(self.latent, training=False)
        return keras.ops.convert_to_numpy(keras.ops.cast(samples, "float32"))


class SampleGrid(_FixedLatentSamples):
    """Saves a PNG of generated samples every `every` epochs.

    At train begin it draws `num_samples` latent vectors once, from `seed`:
    every file shows the generator's output for the same latents, so the
    sequence of files shows training progress. Images are saved as a grid
    (grey for one channel, RGB for three; see `save_image_grid`), 2-D
    samples (shape `(2,)`, the toy datasets) as a scatter plot.

    The latents equal those of `model.generate(num_samples, seed=seed)`, and
    drawing them does not change the noise the model trains on.

    Args:
        directory: folder for the PNG files, created if missing.
        num_samples: number of samples per file.
        seed: int, seeds the fixed latent vectors.
        value_range: `(low, high)` of the generator's images (ignored for
            2-D samples).
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
        value_range=(-1.0, 1.0),
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
                f"'samples_epoch_{{epoch:03d}}.png'. Received: {filename!r} ({error!r})"
            ) from None
        self.filename = filename
        self.reference = None if reference is None else _as_points(reference, "reference")
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
            save_image_grid(samples, path, value_range=self.value_range)
        self.last_path = path


class TensorBoardSamples(_FixedLatentSamples):
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
            2-D samples).
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

    def __init__(self, log_dir, *, num_samples=16, seed=0, value_range=(-1.0, 1.0), every=1):
        # Checked here rather than at the first epoch: a missing package
        # should stop the run before any training time is spent.
        try:
            import tensorboard  # noqa: F401
        except ImportError as error:
            raise ImportError(
                "TensorBoardSamples needs the `tensorboard` package, which "
                "TensorFlow 2.21 does not install: `pip install tensorboard` "
                "(or `pip install keras_wgan[tensorboard]`)."
            ) from error
        super().__init__(num_samples=num_samples, seed=seed, value_range=value_range, every=every)
        self.log_dir = os.fspath(log_dir)
        self._writer = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        import tensorflow as tf

        self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))

    def on_epoch_end(self, epoch, logs=None):
        if not self._due(epoch):
            return
        import tensorflow as tf

        samples = self._samples()
        if self.kind == "points":
            pixels = _render(_scatter_figure(samples, None, f"Epoch {epoch + 1}"))
        else:
            pixels = _image_grid(_to_pixels(samples, self.value_range), columns=None, padding=2)
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


class TrainingCurves(keras.callbacks.Callback):
    """Plots the logged metrics to a PNG after every epoch.

    Panels, each only when one of its metrics is logged:

    - `wasserstein_estimate` with `val_wasserstein_estimate`: training and
      held-out estimates together, whose gap shows an overfitting critic
      (WGAN-GP paper, Fig. 5b);
    - `critic_loss` and `generator_loss`;
    - `gradient_penalty` (WGAN-GP);
    - one panel for each other metric, with its `val_` counterpart, e.g. a
      sample-quality metric logged by another callback.

    The x axis is the 1-based epoch. The file is rewritten atomically, so it
    can be watched while training runs.

    To keep earlier epochs in the curves of a resumed run, pass the file of
    a `keras.callbacks.CSVLogger(csv_path, append=True)`: its rows are read
    at train begin. An epoch logged again (the resumed run repeats it)
    replaces the earlier row and all rows after it.

    Works with any Keras model: it reads only the logs.

    Args:
        path: the PNG file to write; missing parent folders are created.
        metrics: optional list of metric names to plot (exact names,
            `val_` ones included); default: all logged metrics.
        csv_path: optional CSV file in `keras.callbacks.CSVLogger` format
            (comma-separated, an `epoch` column counting from 0) whose rows
            are prepended, if the file exists at train begin.

    Attributes:
        rows: one dict per epoch, `{"epoch": 1-based int, metric: float}`.
        last_panels: the panels of the latest figure, a list of
            `(title, [metric names])` in display order.

    Example:

    ```python
    wgan.fit(
        dataset,
        epochs=10,
        validation_data=held_out,
        callbacks=[
            keras.callbacks.CSVLogger("log.csv", append=True),
            keras_wgan.callbacks.TrainingCurves("curves.png", csv_path="log.csv"),
        ],
    )
    ```
    """

    def __init__(self, path, *, metrics=None, csv_path=None):
        super().__init__()
        self.path = os.fspath(path)
        if isinstance(metrics, str):
            metrics = [metrics]
        self.metrics = None if metrics is None else [str(name) for name in metrics]
        self.csv_path = None if csv_path is None else os.fspath(csv_path)
        self.rows = []
        self.last_panels = []
        self._warned_nothing_to_plot = False

    def on_train_begin(self, logs=None):
        # Reset, like keras.callbacks.History: a new `fit` starts its own
        # curves unless the CSV log carries the earlier epochs.
        self.rows = []
        if self.csv_path is not None and os.path.exists(self.csv_path):
            self.rows = _read_csv_log(self.csv_path)

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1}
        for name, value in (logs or {}).items():
            value = _as_float(value)
            if value is not None:
                row[name] = value
        _append_row(self.rows, row)
        panels = _panels(self.rows, self.metrics)
        if not panels:
            if self.metrics is not None and not self._warned_nothing_to_plot:
                self._warned_nothing_to_plot = True
                warnings.warn(
                    f"TrainingCurves: none of the metrics {self.metrics} is logged; "
                    f"logged: {sorted(k for k in row if k != 'epoch')}. Nothing is plotted.",
                    stacklevel=2,
                )
            return
        save_figure(_curves_figure(self.rows, panels), self.path)
        self.last_panels = panels


# -- helpers ---------------------------------------------------------------


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer. Received: {value!r}")
    if value < 1:
        raise ValueError(f"`{name}` must be at least 1. Received: {value}")
    return int(value)


def _sample_kind(sample_shape, owner):
    sample_shape = tuple(sample_shape)
    if sample_shape == (2,):
        return "points"
    if len(sample_shape) == 2 or (len(sample_shape) == 3 and sample_shape[-1] in (1, 3)):
        return "images"
    raise ValueError(
        f"{owner} draws images of shape (H, W), (H, W, 1) or (H, W, 3) and 2-D "
        f"points of shape (2,). This generator makes samples of shape {sample_shape}."
    )


def _as_points(points, name):
    points = np.asarray(keras.ops.convert_to_numpy(points), dtype="float32")
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"`{name}` must have shape (N, 2) with N >= 1. Received shape {points.shape}.")
    return points


def _to_pixels(images, value_range):
    """Maps images to a uint8 array of shape (N, H, W, C)."""
    images = keras.ops.convert_to_numpy(unscale_images(images, value_range))
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            "`images` must be a non-empty batch of shape (N, H, W), (N, H, W, 1) or "
            f"(N, H, W, 3). Received shape {images.shape}."
        )
    # A diverged generator outputs NaN; black pixels keep the grid writable
    # (the losses already tell what happened).
    images = np.nan_to_num(images, nan=0.0)
    return np.round(images * 255.0).astype("uint8")


def _image_grid(pixels, *, columns, padding):
    count, height, width, channels = pixels.shape
    if columns is None:
        columns = math.ceil(math.sqrt(count))
    columns = _positive_int(columns, "columns")
    padding = int(padding)
    if padding < 0:
        raise ValueError(f"`padding` must be non-negative. Received: {padding}")
    rows = math.ceil(count / columns)
    grid = np.full(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        _PAD_VALUE,
        dtype="uint8",
    )
    for index in range(count):
        row, column = divmod(index, columns)
        top = padding + row * (height + padding)
        left = padding + column * (width + padding)
        grid[top : top + height, left : left + width] = pixels[index]
    return grid


def _scatter_figure(points, reference, title):
    figure = Figure(figsize=(_SCATTER_SIZE_INCHES, _SCATTER_SIZE_INCHES), dpi=_DPI)
    axes = figure.add_subplot()
    if reference is not None:
        reference = _as_points(reference, "reference")
        axes.scatter(reference[:, 0], reference[:, 1], s=4, c="0.7", label="real")
    axes.scatter(points[:, 0], points[:, 1], s=6, c="tab:orange", label="generated")
    if reference is not None:
        axes.legend(loc="upper right")
    axes.set_aspect("equal", adjustable="datalim")
    if title:
        axes.set_title(title)
    figure.tight_layout()
    return figure


def _panels(rows, selected):
    logged = []
    for row in rows:
        logged.extend(name for name in row if name != "epoch" and name not in logged)
    if selected is not None:
        logged = [name for name in logged if name in selected]
    panels, placed = [], set()
    for title, names in _KNOWN_PANELS:
        present = [name for name in names if name in logged]
        if present:
            panels.append((title, present))
            placed.update(present)
    for name in logged:
        if name in placed:
            continue
        base = name.removeprefix("val_")
        present = [m for m in (base, "val_" + base) if m in logged and m not in placed]
        panels.append((base, present))
        placed.update(present)
    return panels


def _curves_figure(rows, panels):
    columns = 1 if len(panels) == 1 else 2
    grid_rows = math.ceil(len(panels) / columns)
    figure = Figure(figsize=(6.0 * columns, 3.6 * grid_rows), dpi=_DPI)
    marker = "." if len(rows) <= _MAX_MARKED_EPOCHS else None
    for index, (title, names) in enumerate(panels):
        axes = figure.add_subplot(grid_rows, columns, index + 1)
        for name in names:
            # Metrics evaluated every k epochs log NaN in between: skip
            # those so that the line joins the evaluated epochs.
            points = [(row["epoch"], row[name]) for row in rows if name in row and math.isfinite(row[name])]
            if not points:
                continue
            epochs, values = zip(*points)
            axes.plot(epochs, values, marker=marker, label=name)
        axes.set_title(title)
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    return figure


def _render(figure):
    """Returns the figure's pixels, a uint8 array of shape (H, W, 3)."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def save_figure(figure, path, *, dpi=None):
    """Writes a `matplotlib.figure.Figure` as a PNG, atomically.

    The PNG goes to a temporary file beside `path`, renamed into place once
    complete, so a crash never leaves a half-written figure; missing parent
    folders are created. The figure is drawn on its own Agg canvas: the
    user's pyplot backend is neither used nor changed.

    Args:
        figure: a `matplotlib.figure.Figure`.
        path: where to write the PNG.
        dpi: resolution; None keeps the figure's own.

    Returns:
        `path`, as a string.
    """
    FigureCanvasAgg(figure)
    return _write_atomically(path, lambda file: figure.savefig(file, format="png", dpi=dpi))


def _write_atomically(path, write):
    """Calls `write(binary_file)` on a temporary file, then renames it to `path`."""
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    # Same folder: `os.replace` is atomic only within one file system. A
    # hidden name ending in .tmp keeps watchers of "*.png" from picking up
    # the partial file. `os.open` with 0o666 lets the umask set the final
    # permissions, as for any ordinary file (tempfile would make it 0o600).
    temporary = os.path.join(directory, f".{name}.{uuid.uuid4().hex[:12]}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    return path


def _as_float(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None  # Not a scalar metric, e.g. "NA" in a CSVLogger file.
    return value


def _read_csv_log(path):
    with open(path, newline="") as file:
        reader = csv.DictReader(file)
        if reader.fieldnames is None:
            return []  # CSVLogger creates the file before its first row.
        if "epoch" not in reader.fieldnames:
            raise ValueError(
                f"{path} is not a keras.callbacks.CSVLogger file: its header has no "
                f"'epoch' column. Header: {reader.fieldnames}"
            )
        rows = []
        for line_number, line in enumerate(reader, start=2):
            epoch = _as_float(line["epoch"])
            if epoch is None or not epoch.is_integer():
                raise ValueError(f"{path}, line {line_number}: bad epoch {line['epoch']!r}.")
            row = {"epoch": int(epoch) + 1}  # CSVLogger counts from 0.
            for name, value in line.items():
                if name is None or name == "epoch":
                    continue  # `None` collects the cells of an over-long line.
                value = _as_float(value)
                if value is not None:
                    row[name] = value
            _append_row(rows, row)
    return rows


def _append_row(rows, row):
    # A resumed run logs again the epochs after its restore point; their
    # earlier rows belong to the abandoned run and go. Hence `rows` always
    # counts up, and only its tail needs checking.
    while rows and rows[-1]["epoch"] >= row["epoch"]:
        rows.pop()
    rows.append(row)


# -- fault tolerance -------------------------------------------------------
#
# Checkpoints are written to a temporary file in the target's folder and
# renamed over the target: a process killed while saving leaves the previous
# checkpoint whole (at worst a stray hidden temporary file, removed by the
# next save). Neither callback writes weights that hold NaN or inf.


class NonFiniteLossError(RuntimeError):
    """Raised by `StopOnNonFinite` when a logged metric is NaN or infinite."""


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite metric of a train step.

    After every train step it checks the step's logs (`critic_loss`,
    `generator_loss`, ...; the running means of the epoch, so a non-finite
    value stays visible until the epoch ends) and, at the first NaN or
    inf, raises `NonFiniteLossError` with a message naming the metric, its
    value, the global step (`model.optimizer.iterations`: generator steps
    for a WGAN) and the epoch. Raising, rather than setting
    `model.stop_training`, skips the end-of-epoch callbacks, so no
    checkpoint or backup is written with the diverged weights: the last
    good ones stay on disk. Put it first in the callback list, before any
    callback that saves every few batches.

    `keras.callbacks.TerminateOnNaN` watches a metric called `loss` only,
    which a WGAN does not log.

    Args:
        monitor: names of the metrics to check; default all of the train
            step's logs. Epoch-end metrics (validation, `QualityMetric`'s
            NaN on skipped epochs) are never checked.

    Example:

    ```python
    try:
        wgan.fit(dataset, epochs=10, callbacks=[keras_wgan.callbacks.StopOnNonFinite(), ...])
    except keras_wgan.callbacks.NonFiniteLossError as error:
        print(error)  # critic_loss is nan at step 1234 (epoch 3, batch 34) ...
    ```
    """

    def __init__(self, monitor=None):
        super().__init__()
        if isinstance(monitor, str):
            monitor = [monitor]
        self.monitor = None if monitor is None else [str(name) for name in monitor]
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            if self.monitor is not None and name not in self.monitor:
                continue
            value = _as_float(value)
            if value is None or math.isfinite(value):
                continue
            step = _global_step(self.model)
            step_text = f"step {step}" if step is not None else f"batch {batch + 1}"
            raise NonFiniteLossError(
                f"{name} is {value} at {step_text} (epoch {self._epoch + 1}, batch {batch + 1}): "
                "training stopped. The weights have diverged; no checkpoint was written "
                "after this step, so the last good checkpoint is intact. Resume from it with a "
                "lower learning rate, or check the data for NaN or inf."
            )


class AtomicModelCheckpoint(keras.callbacks.Callback):
    """Saves the model after every epoch, atomically; never saves NaN weights.

    A drop-in for `keras.callbacks.ModelCheckpoint(filepath)` (every epoch,
    overwriting): the model is saved to a hidden temporary file in the same
    folder, flushed to disk and renamed over `filepath`. A process killed
    while saving leaves the previous checkpoint whole and loadable, where
    `ModelCheckpoint`, writing in place, leaves a truncated file. If any
    weight or optimizer variable is NaN or infinite, the save is skipped
    with a warning: the file keeps the last finite model.

    Under `MultiWorkerMirroredStrategy` every worker takes part in the save
    (reading synchronised variables is collective) and only the chief
    writes `filepath`.

    Args:
        filepath: a `.keras` file (or `.weights.h5` with
            `save_weights_only=True`); may hold `str.format` fields filled
            with `epoch` (1-based) and the epoch's logs, e.g.
            `"ckpt/wgan_{epoch:03d}.keras"`.
        save_weights_only: save `model.save_weights` instead of the whole
            model.
        verbose: 1 prints a line per save.

    Attributes:
        last_path: the latest file written, or None.
    """

    def __init__(self, filepath, *, save_weights_only=False, verbose=0):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.save_weights_only = bool(save_weights_only)
        self.verbose = verbose
        suffix = ".weights.h5" if self.save_weights_only else ".keras"
        if not self.filepath.endswith(suffix):
            raise ValueError(
                f"`filepath` must end in {suffix}"
                f"{' with save_weights_only=True' if self.save_weights_only else ''}. "
                f"Received: {self.filepath}"
            )
        self._suffix = suffix
        self.last_path = None

    def on_epoch_end(self, epoch, logs=None):
        path = self.filepath.format(epoch=epoch + 1, **(logs or {}))
        if not _model_is_finite(self.model):
            warnings.warn(
                f"AtomicModelCheckpoint: the model holds NaN or inf after epoch {epoch + 1}; "
                f"{path} was not written and keeps the last finite model.",
                stacklevel=2,
            )
            return
        save = self.model.save_weights if self.save_weights_only else self.model.save
        if _save_atomically(path, save, self._suffix, chief=_is_chief(self.model)):
            self.last_path = path
            if self.verbose:
                keras.utils.io_utils.print_msg(f"\nEpoch {epoch + 1}: saved the model to {path}")


class AtomicBackupAndRestore(keras.callbacks.Callback):
    """`keras.callbacks.BackupAndRestore` with atomic, self-describing backups.

    At the end of every epoch it writes the model's weights and optimizer
    state (`model.save_weights`) to `backup_dir/epoch-NNNNNN.weights.h5`
    through a temporary file and a rename, then deletes older backups but
    one. The epoch number lives in the file name, so weights and epoch can
    never disagree. At train begin it restores the newest backup that loads
    (falling back to the one before if the newest is damaged) and `fit`
    continues with the next epoch; the optimizers' step counters continue
    where they were, so an interrupted and resumed run ends with the same
    step count as an uninterrupted one. Weights holding NaN or inf are
    never backed up.

    Keras's own `BackupAndRestore` rewrites `latest.weights.h5` in place and
    the epoch number in a second file: a kill during the save leaves a
    truncated weights file, or weights of one epoch with the number of the
    previous one. A backup written by it in `backup_dir` is still restored
    (when there is no newer one of this callback), so runs started with it
    continue.

    Like `BackupAndRestore`, it restores to the end of the last completed
    epoch: the steps of an interrupted epoch are run again.

    Under `MultiWorkerMirroredStrategy` the chief writes to `backup_dir`
    and every other worker to `backup_dir/<task_type>-<task_id>`, and each
    restores its own: on separate machines, every worker keeps its backup
    on its own disk.

    Args:
        backup_dir: folder for the backups, used by this run only.
        delete_checkpoint: delete the folder when `fit` completes.
    """

    _PATTERN = re.compile(r"^epoch-(\d{6})\.weights\.h5$")

    def __init__(self, backup_dir, *, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("`backup_dir` must not be empty.")
        self.backup_dir = os.fspath(backup_dir)
        self.delete_checkpoint = bool(delete_checkpoint)
        self.restored_epoch = None

    def _own_dir(self):
        worker = _worker_name(self.model)
        return self.backup_dir if worker is None else os.path.join(self.backup_dir, worker)

    def _backups(self):
        directory = self._own_dir()
        if not os.path.isdir(directory):
            return []
        found = []
        for name in os.listdir(directory):
            match = self._PATTERN.match(name)
            if match:
                found.append((int(match.group(1)), os.path.join(directory, name)))
        return sorted(found, reverse=True)

    def on_train_begin(self, logs=None):
        self.restored_epoch = None
        candidates = sorted(self._backups() + self._keras_backup(), reverse=True)
        optimizer = getattr(self.model, "optimizer", None)
        if candidates and optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)  # Its state is in the backup too.
        for epoch, path in candidates:
            try:
                self.model.load_weights(path)
            except Exception as error:  # A damaged file: try the one before.
                warnings.warn(f"AtomicBackupAndRestore: cannot restore {path} ({error}); trying an older backup.",
                              stacklevel=2)
                continue
            self.restored_epoch = epoch
            # Keras's own BackupAndRestore resumes `fit` the same way.
            self.model._initial_epoch = epoch
            return
        if candidates:
            raise ValueError(
                f"AtomicBackupAndRestore: none of the backups in {self._own_dir()} loads "
                f"({', '.join(path for _, path in candidates)}). Move the folder away to start afresh."
            )

    def _keras_backup(self):
        # The layout of keras.callbacks.BackupAndRestore.
        weights = os.path.join(self._own_dir(), "latest.weights.h5")
        metadata = os.path.join(self._own_dir(), "training_metadata.json")
        if not (os.path.isfile(weights) and os.path.isfile(metadata)):
            return []
        try:
            with open(metadata) as file:
                return [(int(json.load(file)["epoch"]), weights)]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def on_epoch_end(self, epoch, logs=None):
        if not _model_is_finite(self.model):
            warnings.warn(
                f"AtomicBackupAndRestore: the model holds NaN or inf after epoch {epoch + 1}; "
                "not backed up. The last backup keeps the last finite state.",
                stacklevel=2,
            )
            return
        directory = self._own_dir()
        path = os.path.join(directory, f"epoch-{epoch + 1:06d}.weights.h5")
        _save_atomically(path, self.model.save_weights, ".weights.h5", chief=True)
        for _, older in self._backups()[2:]:  # Keep this one and the one before.
            with contextlib.suppress(OSError):
                os.remove(older)

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None  # A later `fit` starts where it is told.
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)


def _global_step(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    return int(keras.ops.convert_to_numpy(optimizer.iterations))


def _model_is_finite(model):
    variables = list(model.weights)
    for name in ("optimizer", "critic_optimizer", "generator_optimizer"):
        optimizer = getattr(model, name, None)
        if optimizer is not None:
            variables.extend(optimizer.variables)
    for variable in variables:
        value = keras.ops.convert_to_numpy(variable)
        if np.issubdtype(value.dtype, np.floating) and not np.all(np.isfinite(value)):
            return False
    return True


def _is_chief(model):
    strategy = getattr(model, "distribute_strategy", None)
    return True if strategy is None else bool(strategy.extended.should_checkpoint)


def _worker_name(model):
    """None for the chief (or no cluster), else e.g. "worker-1"."""
    if _is_chief(model):
        return None
    resolver = model.distribute_strategy.cluster_resolver
    return f"{resolver.task_type}-{resolver.task_id}"


def _save_atomically(path, save, suffix, *, chief=True):
    """Calls `save(temporary_path)`, flushes it to disk and renames it to `path`.

    A non-chief worker saves to a temporary folder that is then deleted:
    it takes part in the collective reads of the save and writes nothing.
    Returns True if `path` was written.
    """
    if not chief:
        directory = tempfile.mkdtemp(prefix="keras_wgan_worker_")
        try:
            save(os.path.join(directory, "model" + suffix))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return False
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    prefix = f".{name}."
    for stale in os.listdir(directory):  # Left by a process killed while saving.
        if stale.startswith(prefix) and stale.endswith(".tmp" + suffix):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(directory, stale))
    # Keras needs the suffix (.keras, .weights.h5) at the end of the name.
    temporary = os.path.join(directory, f"{prefix}{uuid.uuid4().hex[:12]}.tmp{suffix}")
    try:
        save(temporary)
        with open(temporary, "rb") as file:
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    with contextlib.suppress(OSError):  # The rename itself, on disk.
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    return True
