"""`WassersteinGAN.compile`'s helpers: its arguments, its optimizers, its saved config."""

import keras

from keras_wgan.utils.argument_validation import received

# `keras.Model.compile` arguments that a WGAN computes for itself.
_UNUSED_ARGUMENTS = ("loss", "loss_weights", "metrics", "weighted_metrics")


def check_compile_arguments(model, kwargs):
    """Raises `ValueError` for `compile` arguments a WGAN does not use."""
    for unused in _UNUSED_ARGUMENTS:
        if unused in kwargs:
            raise ValueError(
                f"`{unused}` is not used by {type(model).__name__}: it computes "
                "its own losses and metrics. Pass only the optimizers "
                "(`critic_optimizer`, `generator_optimizer`) and the execution "
                "options (`jit_compile`, `steps_per_execution`, `run_eagerly`)."
            )


def split_optimizers(positional, critic_optimizer, generator_optimizer, kwargs):
    """`(critic_optimizer, generator_optimizer)` from `compile`'s arguments.

    Two positional optimizers are `(critic_optimizer, generator_optimizer)`;
    one, with `generator_optimizer` given, is the critic's. One optimizer
    alone, positional or as Keras's `optimizer=`, is meant for the model, so
    it serves both networks: the critic gets it and the generator a copy
    built from its config (one optimizer cannot own two sets of variables),
    as a Keras user expects of `model.compile(keras.optimizers.Adam(2e-4))`.
    Removes `optimizer` from `kwargs`.

    Raises:
        TypeError: more than two positional optimizers, or one given both
            by position and by name.
        ValueError: `optimizer` with `critic_optimizer` or
            `generator_optimizer`.
    """
    shared = kwargs.pop("optimizer", None)
    if len(positional) > 2:
        raise TypeError(
            "`compile` takes at most two positional optimizers, `critic_optimizer` then "
            f"`generator_optimizer`. Received: {len(positional)} positional arguments"
        )
    given = {"critic_optimizer": critic_optimizer, "generator_optimizer": generator_optimizer}
    if len(positional) == 1 and critic_optimizer is None and generator_optimizer is None:
        if shared is not None:
            raise TypeError(
                f"`optimizer` is given twice, by position and by name. {received('optimizer', shared)}"
            )
        shared = positional[0]
    else:
        for name, value in zip(list(given)[: len(positional)], positional, strict=True):
            if given[name] is not None:
                raise TypeError(
                    f"`{name}` is given twice, by position and by name. {received(name, given[name])}"
                )
            given[name] = value
    if shared is None:
        return given["critic_optimizer"], given["generator_optimizer"]
    if any(value is not None for value in given.values()):
        raise ValueError(
            "Pass either one optimizer for both networks or `critic_optimizer` and "
            f"`generator_optimizer`, not both. {received('optimizer', shared)}, "
            + ", ".join(f"{name}={value!r}" for name, value in given.items())
        )
    shared = keras.optimizers.get(shared)
    return shared, type(shared).from_config(shared.get_config())


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
