"""Helpers of the keras_wgan callbacks: log values, model state, multi-worker saving."""

import keras
import numpy as np
from keras.src.backend.common import global_state

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
    try:
        if not chief:
            write_temporarily(save, suffix)
            return False
        write_atomically(path, save, suffix=suffix)
        return True
    finally:
        cache_keras_saving_skipsets()


_SKIPSET_STORED = "saving_attr_skipset_"
_SKIPSET_LOOKED_UP = "saving_attr_skiplist_"


def cache_keras_saving_skipsets():
    """Makes Keras's saving find the attribute skip sets it has already built.

    Keras's saving walk (`keras.src.saving.saving_lib.get_attr_skipset`)
    stores the attributes to skip for each kind of object under
    `"saving_attr_skipset_<type>"` but looks them up under
    `"saving_attr_skiplist_<type>"`: the lookup always misses, and every
    save builds the sets again from throw-away reference objects, among
    them a new `Optimizer(1.0)` per optimizer saved. On TensorFlow each of
    those leaves native memory behind (it creates TensorFlow variables), so
    a callback saving a WGAN every epoch grew the process epoch after epoch
    (docs/reliability.md, "Memory over long runs"). Storing the sets under
    the name looked up too, once a save has built them, lets every later
    save reuse them. Called after each save, since
    `keras.utils.clear_session()` empties the store.
    """
    tracker = global_state.GLOBAL_STATE_TRACKER
    for name, skipset in list(vars(tracker).items()):
        if name.startswith(_SKIPSET_STORED):
            looked_up = _SKIPSET_LOOKED_UP + name.removeprefix(_SKIPSET_STORED)
            if getattr(tracker, looked_up, None) is None:
                setattr(tracker, looked_up, skipset)
