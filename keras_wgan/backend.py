"""The TensorFlow-specific part of keras_wgan: automatic differentiation.

Everything else in the package is written with `keras.ops`. A train step for
another Keras backend needs its own versions of these two functions.
"""

import tensorflow as tf
from keras import ops


def input_gradients(function, inputs):
    """Gradient of `sum(function(inputs))` with respect to `inputs`.

    Because the outputs are summed, row `i` of the result is the gradient of
    output `i` with respect to input `i` when `function` treats examples
    independently (no BatchNormalization). Called inside an outer
    `tf.GradientTape`, the returned gradient is itself differentiable, which
    the gradient penalty needs.
    """
    inputs = ops.convert_to_tensor(inputs)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        total = ops.sum(function(inputs))
    return tape.gradient(total, inputs)


def value_and_gradients(loss_function, variables, scale_loss=None):
    """Evaluates `loss_function()` and the gradients of its loss.

    Args:
        loss_function: callable returning `(loss, aux)`.
        variables: the variables to differentiate with respect to.
        scale_loss: optional callable applied to the loss before
            differentiation, e.g. `optimizer.scale_loss` for loss scaling.

    Returns:
        `((loss, aux), gradients)`. Under `tf.distribute` the gradients are
        those of `loss / num_replicas`: the optimizer sums them over the
        replicas, so each update equals the single-device update on the
        global batch.
    """
    with tf.GradientTape() as tape:
        loss, aux = loss_function()
        replica_loss = loss / _num_replicas()
        if scale_loss is not None:
            replica_loss = scale_loss(replica_loss)
    gradients = tape.gradient(replica_loss, variables)
    return (loss, aux), gradients


def _num_replicas():
    context = tf.distribute.get_replica_context()
    if context is None:  # Cross-replica context: nothing is split.
        return 1
    return context.num_replicas_in_sync
