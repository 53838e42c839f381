"""The Wasserstein loss written with the label trick of the lecture slides."""

import keras
from keras import ops

REAL_LABEL = 1.0
FAKE_LABEL = -1.0


@keras.saving.register_keras_serializable(package="keras_wgan")
def wasserstein_loss(y_true, y_pred):
    """Wasserstein loss with labels +1 for real and -1 for fake samples.

    Formula: `loss = -mean(y_true * y_pred)`.

    With `REAL_LABEL = 1.0` and `FAKE_LABEL = -1.0` the critic loss
    `wasserstein_loss(REAL_LABEL, f(real)) + wasserstein_loss(FAKE_LABEL, f(fake))`
    equals `-(E[f(real)] - E[f(fake)])`, minus the critic's estimate of the
    Wasserstein-1 distance, and the generator loss
    `wasserstein_loss(REAL_LABEL, f(G(z)))` equals `-E[f(G(z))]`.
    The critic's output must be linear (no sigmoid).

    Args:
        y_true: labels, `REAL_LABEL` or `FAKE_LABEL`; a scalar or a tensor
            that broadcasts against `y_pred`.
        y_pred: critic outputs, shape `(batch_size, 1)` or `(batch_size,)`.

    Returns:
        A scalar tensor. It can be passed to `Model.compile(loss=...)`, in
        which case Keras averages it over the batch once more (a no-op for a
        scalar).

    Example:

    >>> float(wasserstein_loss(REAL_LABEL, [[2.0], [4.0]]))
    -3.0
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    return -ops.mean(y_true * y_pred)
