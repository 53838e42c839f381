"""Tests for keras_wgan.utils.file_utils: atomic files and published folders."""

import os

import pytest

from keras_wgan.utils.file_utils import (
    publish_directory,
    write_atomically,
    write_temporarily,
    write_text_atomically,
)


def test_writes_are_atomic(tmp_path):
    path = tmp_path / "file.png"
    path.write_bytes(b"old")

    def fail(temporary):
        with open(temporary, "wb") as file:
            file.write(b"partial")
        raise RuntimeError("disk full")

    def write_new(temporary):
        with open(temporary, "wb") as file:
            file.write(b"new")

    with pytest.raises(RuntimeError):
        write_atomically(path, fail)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["file.png"]
    write_atomically(path, write_new)
    assert path.read_bytes() == b"new" and os.listdir(tmp_path) == ["file.png"]


def write_bytes(data):
    def write(path):
        with open(path, "wb") as file:
            file.write(data)

    return write


def test_the_file_and_its_folder_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    write_atomically(tmp_path / "a.bin", write_bytes(b"x"))
    assert events == ["fsync", "replace", "fsync"]  # data, rename, folder entry


def test_stale_temporaries_of_the_same_target_are_removed(tmp_path):
    (tmp_path / ".a.bin.0123456789ab.tmp").write_bytes(b"half")
    (tmp_path / ".b.bin.0123456789ab.tmp").write_bytes(b"another target's")
    write_atomically(tmp_path / "a.bin", write_bytes(b"x"))
    assert sorted(os.listdir(tmp_path)) == [".b.bin.0123456789ab.tmp", "a.bin"]


def test_suffix_keeps_the_format_visible_to_the_writer(tmp_path):
    seen = []
    write_atomically(
        tmp_path / "m.keras", lambda path: (seen.append(path), write_bytes(b"z")(path)), suffix=".keras"
    )
    assert seen[0].endswith(".tmp.keras") and os.path.basename(seen[0]).startswith(".m.keras.")
    assert os.listdir(tmp_path) == ["m.keras"]


def test_text_and_missing_parent_folders(tmp_path):
    path = write_text_atomically(tmp_path / "new" / "info.json", '{"a": 1}\n')
    assert open(path, encoding="utf-8").read() == '{"a": 1}\n'


def test_write_temporarily_leaves_nothing(tmp_path):
    written = []
    write_temporarily(lambda path: (written.append(path), write_bytes(b"w")(path)), ".weights.h5")
    assert written[0].endswith("model.weights.h5") and not os.path.exists(written[0])


def write_folder(files):
    def write(folder):
        for name, data in files.items():
            with open(os.path.join(folder, name), "wb") as file:
                file.write(data)

    return write


def test_publish_directory_new_overwrite_and_refusal(tmp_path):
    target = tmp_path / "model" / "1"
    assert publish_directory(target, write_folder({"a": b"1"})) == str(target)
    assert os.listdir(target) == ["a"]
    with pytest.raises(FileExistsError, match="overwrite=True"):
        publish_directory(target, write_folder({"b": b"2"}))
    publish_directory(target, write_folder({"b": b"2"}), overwrite=True)
    assert os.listdir(target) == ["b"]
    assert os.listdir(tmp_path / "model") == ["1"]  # no staging or old folder left


def test_publish_directory_failure_keeps_the_old_folder_and_cleans_up(tmp_path):
    target = tmp_path / "model" / "1"
    publish_directory(target, write_folder({"a": b"1"}))

    def failing(folder):
        write_folder({"half": b"h"})(folder)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        publish_directory(target, failing, overwrite=True)
    assert os.listdir(target) == ["a"] and os.listdir(tmp_path / "model") == ["1"]
    with pytest.raises(RuntimeError):
        publish_directory(tmp_path / "fresh" / "1", failing)
    assert not (tmp_path / "fresh").exists()  # the parent it created is gone too


def test_publish_directory_removes_staging_folders_of_a_killed_run(tmp_path):
    stale = tmp_path / ".1.tmp-abc123"
    stale.mkdir()
    (stale / "saved_model.pb").write_bytes(b"half")
    publish_directory(tmp_path / "1", write_folder({"a": b"1"}))
    assert os.listdir(tmp_path) == ["1"]


def test_publish_directory_refuses_a_file(tmp_path):
    (tmp_path / "1").write_bytes(b"")
    with pytest.raises(FileExistsError, match="not a folder"):
        publish_directory(tmp_path / "1", write_folder({}))
