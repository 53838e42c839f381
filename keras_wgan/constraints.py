"""Weight clipping for the WGAN critic."""

import keras
from keras import ops

from keras_wgan.utils import argument_validation


@keras.saving.register_keras_serializable(package="keras_wgan")
class ClipConstraint(keras.constraints.Constraint):
    """Clips every weight to `[-clip_value, clip_value]`.

    This is the weight clipping of WGAN (Arjovsky et al. 2017, Algorithm 1,
    `c = 0.01`): it keeps the critic in a compact set of functions, hence
    K-Lipschitz for some K, which the Kantorovich-Rubinstein duality needs.

    Args:
        clip_value: positive float, the bound `c`.

    Example:

    >>> layer = keras.layers.Dense(4, kernel_constraint=ClipConstraint(0.01))
    """

    def __init__(self, clip_value=0.01):
        self.clip_value = argument_validation.check_number(
            clip_value, "clip_value", minimum=0.0, exclusive_minimum=True
        )

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        return ops.clip(w, -self.clip_value, self.clip_value)

    def get_config(self):
        return {"clip_value": self.clip_value}
