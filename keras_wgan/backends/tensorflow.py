"""The TensorFlow backend's part of the train step: tapes, tf.distribute.

Keras's TensorFlow trainer is stateful: the step reads and assigns
variables directly. See `keras_wgan.backends` for the functions every
backend module defines.
"""

import tensorflow as tf
from keras import ops


def train_step(model, step_function, data):
    """Runs `step_function(data)`, the backend-independent train step."""
    return step_function(data)


def test_step(model, step_function, data):
    """Runs `step_function(data)`, the backend-independent test step."""
    return step_function(data)


def optimizer_container(critic_optimizer, generator_optimizer, variable_lists):
    """What `keras.Model.compile` receives as `optimizer`.

    The generator's: Keras's `model.optimizer.iterations` (step counters of
    callbacks such as TensorBoard) then counts generator updates, one per
    train step. The critic's optimizer is a model attribute and is saved
    and restored as one. `variable_lists` (the networks' trainable
    variables) serve the JAX backend only.
    """
    return generator_optimizer


def apply_gradients(optimizer, gradients, variables):
    """Applies one update of `optimizer` (constraints included)."""
    optimizer.apply(gradients, variables)


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


def replica_info():
    """Returns `(replica_id, num_replicas)` of the calling replica.

    `(0, 1)` outside `tf.distribute` and in a cross-replica context;
    `replica_id` may be a scalar tensor.
    """
    context = tf.distribute.get_replica_context()
    if context is None:  # Cross-replica context: nothing is split.
        return 0, 1
    return context.replica_id_in_sync_group, context.num_replicas_in_sync


def replica_rows(draw, batch_size):
    """Returns this replica's `batch_size` rows of `draw(global_batch_size)`.

    Under `tf.distribute` every replica holds `batch_size` rows of a global
    batch of `batch_size * num_replicas` rows: replica `r` holds rows
    `r * batch_size` to `(r + 1) * batch_size - 1`. A `SeedGenerator`'s
    state is mirrored, so every replica draws the SAME numbers from it:
    drawing `batch_size` rows on each replica would give all replicas the
    same noise. This draws the global batch on every replica (random draws
    are cheap next to the networks) and keeps this replica's rows, so that
    the replicas get distinct noise, and together exactly the noise one
    device draws for the whole global batch.

    Args:
        draw: callable taking a number of rows and returning a random
            tensor with that many rows, e.g.
            `lambda n: keras.random.normal((n, 8), seed=seed_generator)`.
        batch_size: the rows this replica needs (its share of the global
            batch); the split must be even (see `check_even_split`).
    """
    replica_id, num_replicas = replica_info()
    if num_replicas == 1:
        return draw(batch_size)
    rows = draw(batch_size * num_replicas)
    start = replica_id * batch_size
    return rows[start : start + batch_size]


def check_even_split(batch_size, model, name="batch_size"):
    """Raises `ValueError` unless `strategy` splits `batch_size` evenly.

    With equal shares, the mean over each replica's share divided by the
    number of replicas and summed (the all-reduce of the gradients) equals
    the mean over the global batch, and `replica_rows` hands each replica
    its own rows of the global noise. `model` is the model whose
    `distribute_strategy` splits the batch (or a strategy itself).
    """
    strategy = getattr(model, "distribute_strategy", model)
    num_replicas = strategy.num_replicas_in_sync
    if batch_size % num_replicas:
        raise ValueError(
            f"`{name}={batch_size}` does not split evenly across the "
            f"{num_replicas} replicas of {type(strategy).__name__}: pass a "
            f"multiple of {num_replicas} (the global batch), e.g. "
            f"{max(num_replicas, batch_size - batch_size % num_replicas)}."
        )


def step_logs(logs):
    """Returns a train or test step's logs in the form `fit` can reduce.

    Under a multi-worker `MultiWorkerMirroredStrategy`, Keras 3 reduces the
    logs of every step with `strategy.reduce("MEAN", value, axis=0)`, which
    fails on scalars ("Invalid reduction dimension 0 for input with 0
    dimensions", tensorflow/tensorflow#72388). Shape `(1,)` values reduce
    to the mean over the replicas, a scalar again. Other strategies get the
    logs unchanged.
    """
    strategy = tf.distribute.get_strategy()
    in_multi_worker_mode = getattr(strategy.extended, "_in_multi_worker_mode", None)
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and (
        in_multi_worker_mode is None or in_multi_worker_mode()
    ):
        return {name: tf.reshape(value, (1,)) for name, value in logs.items()}
    return logs


def _num_replicas():
    return replica_info()[1]
