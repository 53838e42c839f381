"""The data path of `WassersteinGAN.fit` and `evaluate`: adapters and checks."""

from keras_wgan.models.data.adapters import get_adapter, group
from keras_wgan.models.data.checks import DataSpec
from keras_wgan.models.data.fit_data import fit_batches, held_out_batches

__all__ = ["DataSpec", "fit_batches", "get_adapter", "group", "held_out_batches"]
