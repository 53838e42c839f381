"""Helpers shared by the keras_wgan packages: argument checks, file writing, optional imports.

The bottom layer: nothing here imports the rest of keras_wgan.
"""

from keras_wgan.utils import argument_validation, file_utils, network, optional_imports

__all__ = ["argument_validation", "file_utils", "network", "optional_imports"]
