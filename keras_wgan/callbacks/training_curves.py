"""`TrainingCurves`: a PNG of the logged metrics, rewritten every epoch."""

import csv
import math
import os
import warnings

import keras
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from keras_wgan.callbacks.callback_utils import as_float
from keras_wgan.visualization import DPI, release_figure, save_figure

# Above this many epochs the markers of the curves would blur into a thick
# line; below it they are what makes a one-epoch curve visible at all.
_MAX_MARKED_EPOCHS = 50

# Panels of `TrainingCurves`, in display order: (title, metrics). Metrics
# not named here get a panel each, with their `val_` counterpart.
_KNOWN_PANELS = (
    ("Wasserstein estimate", ("wasserstein_estimate", "val_wasserstein_estimate")),
    ("Losses", ("critic_loss", "generator_loss", "val_critic_loss", "val_generator_loss")),
    ("Gradient penalty", ("gradient_penalty", "val_gradient_penalty")),
)


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
            value = as_float(value)
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
        figure = _curves_figure(self.rows, panels)
        try:
            save_figure(figure, self.path)
        finally:
            release_figure(figure)
        self.last_panels = panels


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
    figure = Figure(figsize=(6.0 * columns, 3.6 * grid_rows), dpi=DPI)
    marker = "." if len(rows) <= _MAX_MARKED_EPOCHS else None
    for index, (title, names) in enumerate(panels):
        axes = figure.add_subplot(grid_rows, columns, index + 1)
        for name in names:
            # Metrics evaluated every k epochs log NaN in between: skip
            # those so that the line joins the evaluated epochs.
            points = [(row["epoch"], row[name]) for row in rows if name in row and math.isfinite(row[name])]
            if not points:
                continue
            epochs, values = zip(*points, strict=False)
            axes.plot(epochs, values, marker=marker, label=name)
        axes.set_title(title)
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    return figure


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
            epoch = as_float(line["epoch"])
            if epoch is None or not epoch.is_integer():
                raise ValueError(f"{path}, line {line_number}: bad epoch {line['epoch']!r}.")
            row = {"epoch": int(epoch) + 1}  # CSVLogger counts from 0.
            for name, value in line.items():
                if name is None or name == "epoch":
                    continue  # `None` collects the cells of an over-long line.
                value = as_float(value)
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
