"""Writing files and folders so that a reader never sees a partial one.

Every file keras_wgan writes (PNGs, checkpoints, backups, the classifier
cache, JSON) goes through `write_atomically`, and the SavedModel export
through `publish_directory`:

1. write to a hidden temporary name in the target's own folder (a rename is
   atomic only within one file system);
2. flush it to disk (`fsync`), so that a power cut after the rename cannot
   leave an empty or truncated file under the final name;
3. rename it over the target (`os.replace`), then fsync the folder so the
   rename itself is on disk.

A process killed mid-write leaves the previous file whole and, at worst, a
hidden temporary, which the next write to the same target removes. One
target is meant to have one writer at a time.
"""

import contextlib
import os
import shutil
import tempfile
import uuid


def write_atomically(path, write, *, suffix=""):
    """Calls `write(temporary_path)`, fsyncs the file and renames it to `path`.

    Args:
        path: the file to write (str or path-like); missing parent folders
            are created.
        write: a callable that writes the whole file to the path it is given
            (e.g. `model.save`, `image.save`, `figure.savefig`).
        suffix: ending of the temporary name, for writers that read the
            format from the name (`".keras"`, `".weights.h5"`). The default
            temporary name ends in `.tmp`, so that a watcher of `*.png`
            never picks up a partial file.

    Returns:
        `path`, as a string.

    Example:

    ```python
    write_atomically("weights.weights.h5", model.save_weights, suffix=".weights.h5")
    ```
    """
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    prefix, ending = f".{name}.", f".tmp{suffix}"
    remove_stale_temporaries(directory, prefix, ending)
    temporary = os.path.join(directory, f"{prefix}{uuid.uuid4().hex[:12]}{ending}")
    try:
        write(temporary)
        _fsync_file(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    fsync_directory(directory)
    return path


def write_text_atomically(path, text):
    """Writes a UTF-8 text file atomically; see `write_atomically`."""

    def write(temporary):
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(text)

    return write_atomically(path, write)


def write_temporarily(write, suffix):
    """Calls `write(path)` on a throw-away path, then deletes it.

    For a worker of a multi-worker run that must take part in a collective
    save (reading synchronised variables) without writing the file.
    """
    directory = tempfile.mkdtemp(prefix="keras_wgan_worker_")
    try:
        write(os.path.join(directory, "model" + suffix))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def publish_directory(path, write, *, overwrite=False):
    """Calls `write(staging_folder)`, then renames the folder to `path`.

    The folder is built under a hidden name beside `path`, its files are
    fsynced, and it is renamed into place only once complete: a reader (TF
    Serving watching a model folder) sees the whole folder or none. With
    `overwrite`, an existing `path` is moved aside, the new folder renamed
    in and the old one deleted, so `path` is never half-written and the old
    folder survives a failure. Staging folders left by a killed process are
    removed by the next call.

    Args:
        path: the folder to publish (str or path-like); its parent is
            created if missing (and removed again if the write fails).
        write: a callable writing the folder's content into the folder it is
            given (which exists and is empty).
        overwrite: whether to replace an existing non-empty `path`.

    Returns:
        The absolute path of the folder, a string.

    Raises:
        FileExistsError: if `path` is a file, or a non-empty folder and
            `overwrite` is False.
    """
    target = os.path.abspath(os.fspath(path))
    parent, name = os.path.split(target)
    _check_publishable(target, overwrite)
    created_parent = not os.path.isdir(parent)
    os.makedirs(parent, exist_ok=True)
    for stale in os.listdir(parent):  # Left by a process killed mid-export.
        if stale.startswith((f".{name}.tmp-", f".{name}.old-")):
            shutil.rmtree(os.path.join(parent, stale), ignore_errors=True)
    staging = tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=parent)
    try:
        write(staging)
        _fsync_tree(staging)
        _move_into_place(staging, target, parent, name, overwrite)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created_parent:
            with contextlib.suppress(OSError):
                os.rmdir(parent)  # Only if still empty.
        raise
    fsync_directory(parent)
    return target


def remove_stale_temporaries(directory, prefix, ending):
    """Removes files of `directory` named `prefix...ending` (killed writes)."""
    for stale in os.listdir(directory):
        if stale.startswith(prefix) and stale.endswith(ending):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(directory, stale))


def fsync_directory(directory):
    """Flushes a folder's entries (a rename in it) to disk, where supported."""
    with contextlib.suppress(OSError):  # Not supported on every platform.
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _fsync_file(path):
    with open(path, "rb") as file:
        os.fsync(file.fileno())


def _fsync_tree(folder):
    for directory, _, names in os.walk(folder):
        for name in names:
            _fsync_file(os.path.join(directory, name))
        fsync_directory(directory)


def _check_publishable(target, overwrite):
    if os.path.lexists(target) and not os.path.isdir(target):
        raise FileExistsError(f"{target!r} exists and is not a folder; remove it or pick another name.")
    if os.path.isdir(target) and os.listdir(target) and not overwrite:
        raise FileExistsError(
            f"The folder {target!r} already exists and is not empty. Pass overwrite=True to replace it."
        )


def _move_into_place(staging, target, parent, name, overwrite):
    # Checked again: another process may have written `target` meanwhile.
    _check_publishable(target, overwrite)
    if not os.path.isdir(target):
        os.rename(staging, target)
        return
    if not os.listdir(target):
        os.rmdir(target)
        os.rename(staging, target)
        return
    aside = tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent)
    old = os.path.join(aside, name)
    try:
        os.rename(target, old)
    except BaseException:
        os.rmdir(aside)
        raise
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        os.rmdir(aside)
        raise
    shutil.rmtree(aside, ignore_errors=True)
