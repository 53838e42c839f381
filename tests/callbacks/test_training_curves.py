"""Tests for keras_wgan.callbacks.TrainingCurves."""

import csv

import pytest

from keras_wgan import callbacks
from tests.testing_utils import agg_renderers_alive, open_png


def test_training_curves_with_validation(toy_run):
    open_png(toy_run.root / "curves.png")
    assert toy_run.curves.last_panels == [
        ("Wasserstein estimate", ["wasserstein_estimate", "val_wasserstein_estimate"]),
        ("Losses", ["critic_loss", "generator_loss"]),
        ("Gradient penalty", ["gradient_penalty"]),
    ]
    assert [row["epoch"] for row in toy_run.curves.rows] == [1, 2]
    assert toy_run.curves.rows[1]["critic_loss"] == pytest.approx(toy_run.history.history["critic_loss"][1])


def test_training_curves_reads_a_csv_logger_file(toy_run, tmp_path):
    # The CSVLogger file of the toy run (epochs 0 and 1) continued by a
    # resumed run at its third epoch.
    curves = callbacks.TrainingCurves(tmp_path / "curves.png", csv_path=toy_run.root / "log.csv")
    curves.on_train_begin()
    assert curves.rows == toy_run.curves.rows
    curves.on_epoch_end(2, {"critic_loss": -1.0, "wasserstein_estimate": 0.5})
    assert [row["epoch"] for row in curves.rows] == [1, 2, 3]
    open_png(tmp_path / "curves.png")


def test_csv_rows_of_an_abandoned_run_are_replaced(tmp_path):
    log = tmp_path / "log.csv"
    with open(log, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["epoch", "critic_loss", "val_critic_loss"])
        for epoch, loss in [(0, 3.0), (1, 2.0), (2, 1.0), (1, 2.5)]:  # resumed at epoch 1
            writer.writerow([epoch, loss, "NA"])
    curves = callbacks.TrainingCurves(tmp_path / "c.png", csv_path=log)
    curves.on_train_begin()
    assert curves.rows == [{"epoch": 1, "critic_loss": 3.0}, {"epoch": 2, "critic_loss": 2.5}]
    curves.on_epoch_end(0, {"critic_loss": 9.0})  # a fresh run starts over
    assert curves.rows == [{"epoch": 1, "critic_loss": 9.0}]
    # A missing CSV file is a fresh run.
    fresh = callbacks.TrainingCurves(tmp_path / "c.png", csv_path=tmp_path / "none.csv")
    fresh.on_train_begin()
    assert fresh.rows == []


def test_training_curves_panels_for_other_metrics_and_filter(tmp_path):
    logs = {
        "critic_loss": 1.0,
        "generator_loss": 2.0,
        "w1_to_data": 0.3,
        "val_w1_to_data": 0.4,
        "frechet_distance": 30.0,
        "note": "text",
    }
    curves = callbacks.TrainingCurves(tmp_path / "c.png")
    curves.on_train_begin()
    curves.on_epoch_end(0, logs)
    assert curves.last_panels == [
        ("Losses", ["critic_loss", "generator_loss"]),
        ("w1_to_data", ["w1_to_data", "val_w1_to_data"]),
        ("frechet_distance", ["frechet_distance"]),
    ]
    only = callbacks.TrainingCurves(tmp_path / "only.png", metrics=["val_w1_to_data"])
    only.on_train_begin()
    only.on_epoch_end(0, logs)
    assert only.last_panels == [("w1_to_data", ["val_w1_to_data"])]
    none = callbacks.TrainingCurves(tmp_path / "none.png", metrics=["missing"])
    none.on_train_begin()
    with pytest.warns(UserWarning, match="missing"):
        none.on_epoch_end(0, logs)
    assert not (tmp_path / "none.png").exists()


def test_training_curves_rejects_a_csv_without_epochs(tmp_path):
    (tmp_path / "log.csv").write_text("loss\n1.0\n")
    curves = callbacks.TrainingCurves(tmp_path / "c.png", csv_path=tmp_path / "log.csv")
    with pytest.raises(ValueError, match="epoch"):
        curves.on_train_begin()


def test_training_curves_frees_each_figure_without_the_garbage_collector(tmp_path, monkeypatch):
    curves = callbacks.TrainingCurves(tmp_path / "curves.png")
    curves.on_train_begin()
    with agg_renderers_alive(monkeypatch) as renderers:
        for epoch in range(3):
            curves.on_epoch_end(epoch, {"critic_loss": -1.0 / (epoch + 1), "generator_loss": 0.5})
        created, alive = renderers()
        assert created >= 3 and alive == 0
    open_png(tmp_path / "curves.png")
