"""`AtomicModelCheckpoint`: `ModelCheckpoint` that never leaves a truncated or NaN file."""

import os
import warnings

import keras

from keras_wgan.callbacks.callback_utils import is_chief, model_is_finite, save_model_atomically
from keras_wgan.utils import argument_validation


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
        self.save_weights_only = argument_validation.check_bool(save_weights_only, "save_weights_only")
        self.verbose = argument_validation.check_int(verbose, "verbose", minimum=0)
        suffix = ".weights.h5" if self.save_weights_only else ".keras"
        if not self.filepath.endswith(suffix):
            raise ValueError(
                f"`filepath` must end in {suffix}"
                f"{' with save_weights_only=True' if self.save_weights_only else ''}. "
                f"Received: filepath={self.filepath!r}"
            )
        self._suffix = suffix
        self.last_path = None

    def on_epoch_end(self, epoch, logs=None):
        path = self.filepath.format(epoch=epoch + 1, **(logs or {}))
        if not model_is_finite(self.model):
            warnings.warn(
                f"AtomicModelCheckpoint: the model holds NaN or inf after epoch {epoch + 1}; "
                f"{path} was not written and keeps the last finite model.",
                stacklevel=2,
            )
            return
        save = self.model.save_weights if self.save_weights_only else self.model.save
        if save_model_atomically(path, save, self._suffix, chief=is_chief(self.model)):
            self.last_path = path
            if self.verbose:
                keras.utils.io_utils.print_msg(f"\nEpoch {epoch + 1}: saved the model to {path}")
