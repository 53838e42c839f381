"""`WassersteinGAN.compile`'s helpers: its arguments, its optimizers, its saved config."""

import keras

# `keras.Model.compile` arguments that a WGAN computes for itself.
_UNUSED_ARGUMENTS = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics")


def check_compile_arguments(model, kwargs):
    """Raises `ValueError` for `compile` arguments a WGAN does not use."""
    for unused in _UNUSED_ARGUMENTS:
        if unused in kwargs:
            raise ValueError(
                f"`{unused}` is not used by {type(model).__name__}: it computes "
                "its own losses and metrics. Pass `critic_optimizer` and "
                "`generator_optimizer` instead of `optimizer`."
            )


def resolve_optimizer(optimizer, default, critic):
    """Returns the optimizer to use: `default()` for None, loss-scaled under `mixed_float16`.

    Args:
        optimizer: a `keras.optimizers.Optimizer`, an identifier such as
            `"adam"`, or None.
        default: callable returning the paper's optimizer.
        critic: the model's critic; loss scaling follows the networks'
            dtype policy, not the global one.
    """
    optimizer = default() if optimizer is None else keras.optimizers.get(optimizer)
    if critic.dtype_policy.name == "mixed_float16" and not isinstance(
        optimizer, keras.optimizers.LossScaleOptimizer
    ):
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def compile_config(model):
    """The arguments of `model.compile`, serialised for a `.keras` file."""
    return {
        "critic_optimizer": keras.saving.serialize_keras_object(model.critic_optimizer),
        "generator_optimizer": keras.saving.serialize_keras_object(model.generator_optimizer),
        # As requested, not as resolved: "auto" means XLA on JAX and no XLA
        # on TensorFlow's CPU, so a file moves between backends.
        "jit_compile": model._requested_jit_compile,
        "steps_per_execution": model.steps_per_execution,
        "run_eagerly": model.run_eagerly,
    }


def compile_arguments(config):
    """The arguments of `compile` from `compile_config`'s output."""
    config = dict(config)
    for key in ("critic_optimizer", "generator_optimizer"):
        config[key] = keras.saving.deserialize_keras_object(config[key])
    return config
