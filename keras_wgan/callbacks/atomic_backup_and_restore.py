"""`AtomicBackupAndRestore`: `BackupAndRestore` with atomic, self-describing backups."""

import contextlib
import json
import os
import re
import shutil
import warnings

import keras

from keras_wgan.callbacks.callback_utils import model_is_finite, save_model_atomically, worker_name
from keras_wgan.utils import argument_validation


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
        self.backup_dir = argument_validation.check_string(os.fspath(backup_dir), "backup_dir")
        self.delete_checkpoint = argument_validation.check_bool(delete_checkpoint, "delete_checkpoint")
        self.restored_epoch = None

    def _own_dir(self):
        worker = worker_name(self.model)
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
                warnings.warn(
                    f"AtomicBackupAndRestore: cannot restore {path} ({error}); trying an older backup.",
                    stacklevel=2,
                )
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
        if not model_is_finite(self.model):
            warnings.warn(
                f"AtomicBackupAndRestore: the model holds NaN or inf after epoch {epoch + 1}; "
                "not backed up. The last backup keeps the last finite state.",
                stacklevel=2,
            )
            return
        directory = self._own_dir()
        path = os.path.join(directory, f"epoch-{epoch + 1:06d}.weights.h5")
        save_model_atomically(path, self.model.save_weights, ".weights.h5", chief=True)
        for _, older in self._backups()[2:]:  # Keep this one and the one before.
            with contextlib.suppress(OSError):
                os.remove(older)

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None  # A later `fit` starts where it is told.
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)
