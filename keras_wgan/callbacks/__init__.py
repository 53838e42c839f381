"""Keras callbacks for training a Wasserstein GAN: progress, quality and fault tolerance.

Progress:

- `SampleGrid`: a PNG of generated samples every few epochs, always from the
  same latent vectors, so successive files show the generator improving
  rather than new random draws.
- `TensorBoardSamples`: the same fixed-latent samples as TensorBoard images,
  next to the scalars of `keras.callbacks.TensorBoard`.
- `TrainingCurves`: a PNG of the logged metrics, rewritten every epoch; the
  train and held-out `wasserstein_estimate` share a panel so the gap of an
  overfitting critic (WGAN-GP paper, Fig. 5b) is visible at a glance.
- `QualityMetric`: a sample-quality metric (exact W1, FCD, any
  `metric(model)`) written into the epoch logs; `inception_metrics` builds
  those logging FID, KID and the Inception Score.

Fault tolerance:

- `AtomicModelCheckpoint`: `ModelCheckpoint` that writes a temporary file and
  renames it, and never saves NaN weights.
- `AtomicBackupAndRestore`: `BackupAndRestore` with the same guarantees; a
  killed run resumes from its last completed epoch with its step counters.
- `StopOnNonFinite`: stops at the first NaN or inf metric with a message
  naming the metric and the step (`NonFiniteLossError`).

The PNG writers `save_image_grid`, `save_scatter_plot` and `save_figure`
live in `keras_wgan.visualization`; their old names here still work, with a
`DeprecationWarning`.
"""

import warnings

from keras_wgan.callbacks.atomic_backup_and_restore import AtomicBackupAndRestore
from keras_wgan.callbacks.atomic_model_checkpoint import AtomicModelCheckpoint
from keras_wgan.callbacks.inception_metrics import inception_metrics
from keras_wgan.callbacks.quality_metric import QualityMetric
from keras_wgan.callbacks.sample_grid import SampleGrid
from keras_wgan.callbacks.stop_on_non_finite import NonFiniteLossError, StopOnNonFinite
from keras_wgan.callbacks.tensorboard_samples import TensorBoardSamples
from keras_wgan.callbacks.training_curves import TrainingCurves

__all__ = [
    "AtomicBackupAndRestore",
    "AtomicModelCheckpoint",
    "NonFiniteLossError",
    "QualityMetric",
    "SampleGrid",
    "StopOnNonFinite",
    "TensorBoardSamples",
    "TrainingCurves",
    "inception_metrics",
]

_MOVED_TO_VISUALIZATION = ("save_figure", "save_image_grid", "save_scatter_plot")


def __getattr__(name):
    # The PNG writers were re-exported here before `keras_wgan.visualization`.
    if name in _MOVED_TO_VISUALIZATION:
        from keras_wgan import visualization

        warnings.warn(
            f"`keras_wgan.callbacks.{name}` is deprecated: it lives in `keras_wgan.visualization`. "
            f"Use `keras_wgan.visualization.{name}`.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(visualization, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
