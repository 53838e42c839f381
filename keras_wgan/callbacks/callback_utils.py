"""Helpers of the keras_wgan callbacks: log values, model state, multi-worker saving."""

import keras
import numpy as np

from keras_wgan.utils.file_utils import write_atomically, write_temporarily


def as_float(value):
    """A logged value as a Python float, or None if it is not a scalar (e.g. "NA")."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value


def global_step(model):
    """`model.optimizer.iterations` as an int, or None without an optimizer."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    return int(keras.ops.convert_to_numpy(optimizer.iterations))


def model_is_finite(model):
    """Whether all weights and optimizer variables of `model` are finite."""
    variables = list(model.weights)
    for name in ("optimizer", "critic_optimizer", "generator_optimizer"):
        optimizer = getattr(model, name, None)
        if optimizer is not None:
            variables.extend(optimizer.variables)
    for variable in variables:
        value = keras.ops.convert_to_numpy(variable)
        if np.issubdtype(value.dtype, np.floating) and not np.all(np.isfinite(value)):
            return False
    return True


def is_chief(model):
    """Whether this process writes checkpoints (always, outside a multi-worker run)."""
    strategy = getattr(model, "distribute_strategy", None)
    return True if strategy is None else bool(strategy.extended.should_checkpoint)


def worker_name(model):
    """None for the chief (or no cluster), else e.g. "worker-1"."""
    if is_chief(model):
        return None
    resolver = model.distribute_strategy.cluster_resolver
    return f"{resolver.task_type}-{resolver.task_id}"


def save_model_atomically(path, save, suffix, *, chief=True):
    """Calls `save(temporary_path)` and renames the result to `path`, atomically.

    A non-chief worker of a multi-worker run saves to a throw-away path: it
    takes part in the collective reads of the save and writes nothing.

    Returns:
        True if `path` was written.
    """
    if not chief:
        write_temporarily(save, suffix)
        return False
    write_atomically(path, save, suffix=suffix)
    return True
