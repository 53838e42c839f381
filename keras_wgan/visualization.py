"""Writing samples and figures as PNG files: image grids and scatter plots.

`save_image_grid` writes a batch of images as one grid, `save_scatter_plot`
2-D samples over optional real ones, `save_figure` any matplotlib figure.
The sample callbacks (`keras_wgan.callbacks.SampleGrid`, ...) use them
during `fit`; they are re-exported from `keras_wgan.callbacks`.

Plots go through `matplotlib.figure.Figure` and the Agg canvas, never
`pyplot`: training from a notebook or a GUI session keeps its own matplotlib
backend and opens no windows. Every file is written atomically
(`keras_wgan.utils.file_utils.write_atomically`), so an image viewer or a
file-sync tool never sees a half-written PNG, and an interrupted run leaves
the previous file intact.
"""

import math
import warnings

import keras
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from keras_wgan.datasets.images import unscale_images
from keras_wgan.utils import argument_validation
from keras_wgan.utils.file_utils import write_atomically

# Padding between grid tiles: mid-grey separates black-background digits as
# well as light photos, where black or white padding would merge into one.
_PAD_VALUE = 128
_SCATTER_SIZE_INCHES = 5.0
DPI = 100
"""Resolution of the figures drawn here."""


def save_image_grid(images, path, *, value_range=None, columns=None, padding=2):
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
            generator, `(0, 1)` for a `sigmoid` one. Default None:
            `(-1, 1)`, with a warning when all values lie in [0, 1] (a
            sigmoid generator's images, which `(-1, 1)` would wash out).
        columns: images per row; default `ceil(sqrt(N))`, a square grid.
        padding: pixels between tiles and around the grid.

    Returns:
        `path`, as a string.

    Example:

    ```python
    wgan.fit(dataset, epochs=20)
    keras_wgan.visualization.save_image_grid(wgan.generate(64, seed=0), "final.png")
    ```
    """
    if value_range is None:
        value_range = _default_value_range(images)
    grid = image_grid(to_pixels(images, value_range), columns=columns, padding=padding)
    image = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    return write_atomically(path, lambda temporary: image.save(temporary, format="PNG"))


def _default_value_range(images):
    """(-1, 1), with a warning for images that look like a sigmoid generator's."""
    values = np.asarray(keras.ops.convert_to_numpy(images), dtype="float32")
    values = values[np.isfinite(values)]
    if values.size and 0.0 <= values.min() < values.max() <= 1.0:
        warnings.warn(
            "All of `images` lie in [0, 1], as a sigmoid generator's do, but the default "
            "value_range=(-1, 1) maps them to the upper half of the grey scale: washed-out "
            "images. Pass value_range=(0, 1) for a sigmoid generator, or value_range=(-1, 1) "
            "to keep the mapping. Received: value_range=None",
            stacklevel=3,
        )
    return (-1.0, 1.0)


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
    keras_wgan.visualization.save_scatter_plot(wgan.generate(1000, seed=0), "final.png", reference=real)
    ```
    """
    figure = scatter_figure(as_points(points, "points"), reference, title)
    try:
        return save_figure(figure, path)
    finally:
        release_figure(figure)


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
    return write_atomically(path, lambda temporary: figure.savefig(temporary, format="png", dpi=dpi))


def release_figure(figure):
    """Frees a figure drawn for one file or one image, without waiting for the garbage collector.

    A drawn figure and its artists, canvas and Agg renderer (the pixel
    buffer, a few MB) form reference cycles, so dropping the last reference
    frees nothing: the memory waits for a full collection of the cyclic
    garbage collector, which comes rarely in a process holding as many
    long-lived objects as TensorFlow or JAX. A callback drawing a figure
    every epoch then grows the process epoch after epoch. Clearing the
    figure and dropping its renderer breaks those cycles, so the buffer is
    freed at once. For figures made here and thrown away: the figure is
    empty afterwards.

    Args:
        figure: a `matplotlib.figure.Figure`, not used again.
    """
    # Drawn texts keep the renderer they were drawn with; the figure's
    # artists stay in cycles of their own after `clear`.
    for artist in figure.findobj(lambda artist: getattr(artist, "_renderer", None) is not None):
        artist._renderer = None
    figure.clear()
    # FigureCanvasAgg.get_renderer keeps the renderer on the canvas, reused
    # while `_lastKey` (size, dpi) matches: drop both.
    canvas = figure.canvas
    canvas.__dict__.pop("renderer", None)
    canvas._lastKey = None


def as_points(points, name):
    """Returns `points` as a float32 NumPy array of shape `(N, 2)`, N >= 1."""
    points = np.asarray(keras.ops.convert_to_numpy(points), dtype="float32")
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(
            f"`{name}` must have shape (N, 2) with N >= 1. Received: {name}.shape={points.shape}"
        )
    return points


def to_pixels(images, value_range):
    """Maps images in `value_range` to a uint8 array of shape (N, H, W, C)."""
    images = keras.ops.convert_to_numpy(unscale_images(images, value_range))
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            "`images` must be a non-empty batch of shape (N, H, W), (N, H, W, 1) or "
            f"(N, H, W, 3). Received: images.shape={images.shape}"
        )
    # A diverged generator outputs NaN; black pixels keep the grid writable
    # (the losses already tell what happened).
    images = np.nan_to_num(images, nan=0.0)
    return np.round(images * 255.0).astype("uint8")


def image_grid(pixels, *, columns=None, padding=2):
    """Tiles uint8 images `(N, H, W, C)` into one `(rows, columns)` grid image."""
    count, height, width, channels = pixels.shape
    if columns is None:
        columns = math.ceil(math.sqrt(count))
    columns = argument_validation.check_positive_int(columns, "columns")
    padding = argument_validation.check_int(padding, "padding", minimum=0)
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


def scatter_figure(points, reference=None, title=None):
    """A `Figure` of 2-D `points` over optional grey `reference` points."""
    figure = Figure(figsize=(_SCATTER_SIZE_INCHES, _SCATTER_SIZE_INCHES), dpi=DPI)
    axes = figure.add_subplot()
    if reference is not None:
        reference = as_points(reference, "reference")
        axes.scatter(reference[:, 0], reference[:, 1], s=4, c="0.7", label="real")
    axes.scatter(points[:, 0], points[:, 1], s=6, c="tab:orange", label="generated")
    if reference is not None:
        axes.legend(loc="upper right")
    axes.set_aspect("equal", adjustable="datalim")
    if title:
        axes.set_title(title)
    figure.tight_layout()
    return figure


def render(figure):
    """Returns the figure's pixels, a uint8 array of shape (H, W, 3)."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()
