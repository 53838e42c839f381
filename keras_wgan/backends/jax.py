"""The JAX backend's part of the train step: stateless plumbing, `jax.grad`.

Keras's JAX trainer is stateless: it calls `train_step(state, data)` with
the values of the model's trainable, non-trainable, optimizer and metric
variables, jit-compiles it, and expects the new values back. The
backend-independent step (`keras_wgan.models`) is written with ordinary
variable reads and assignments; here it runs inside a `keras.StatelessScope`
that maps every variable to its threaded value and records every
assignment, so the same code is a pure function of `state` under `jax.jit`.
The `SeedGenerator`'s state is a non-trainable variable: each draw reads the
threaded state and records the next one, so every step gets new noise.

Both optimizers travel in `model.optimizer` (the trainer threads the
variables of that one optimizer only): `OptimizerPair` is a container whose
`variables` are the critic optimizer's followed by the generator
optimizer's. Updates use each optimizer's own `stateless_apply`.

See `keras_wgan.backends` for the functions every backend module defines.
"""

import contextlib

import jax
import keras
from jax import numpy as jnp

# The stateless scopes keras_wgan has entered, innermost last: the step's
# own scope (`_run_stateless`) and the child scopes of differentiated
# functions. Tracked here rather than asked of Keras, which keeps no public
# handle on the current scope.
_open_scopes = []


@contextlib.contextmanager
def _entered(scope):
    with scope:
        _open_scopes.append(scope)
        try:
            yield scope
        finally:
            _open_scopes.pop()


def _current_scope():
    return _open_scopes[-1] if _open_scopes else None


def train_step(model, step_function, state, data):
    """Runs `step_function(data)` as a pure function of the trainer's state.

    Args:
        model: the `WassersteinGAN`; `model.optimizer` is its `OptimizerPair`.
        step_function: the backend-independent train step, `data -> logs`.
        state: `(trainable, non_trainable, optimizer, metrics)` values, in
            the order of the model's variable lists (Keras's JAX trainer).
        data: one batch.

    Returns:
        `(logs, new_state)`.
    """
    variables = (
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
        model.metrics_variables,
    )
    return _run_stateless(step_function, variables, state, data)


def test_step(model, step_function, state, data):
    """As `train_step`, with the state `(trainable, non_trainable, metrics)`."""
    variables = (model.trainable_variables, model.non_trainable_variables, model.metrics_variables)
    return _run_stateless(step_function, variables, state, data)


def _run_stateless(step_function, variables, state, data):
    mapping = [
        pair
        for group, values in zip(variables, state, strict=True)
        for pair in zip(group, values, strict=True)
    ]
    with _entered(keras.StatelessScope(state_mapping=mapping)) as scope:
        logs = step_function(data)
    new_state = tuple([scope.get_current_value(v) for v in group] for group in variables)
    return logs, new_state


class _ChildScope(keras.StatelessScope):
    """A stateless scope that reads through to the enclosing one.

    Variables listed in `overrides` read as the given (traced) values; every
    other variable reads as in the enclosing scope. Assignments are recorded
    here, with their variables, so that a differentiated function can return
    them as auxiliary outputs instead of leaking its tracers.
    """

    def __init__(self, overrides=()):
        super().__init__()
        self.parent = _current_scope()
        self.updated = {}
        for variable, value in overrides:
            self.state_mapping[id(variable)] = value

    def add_update(self, update):
        super().add_update(update)
        variable, _ = update
        self.updated[id(variable)] = variable

    def get_current_value(self, variable):
        value = super().get_current_value(variable)
        if value is None and self.parent is not None:
            value = self.parent.get_current_value(variable)
        return value


def _call_recording_updates(function, overrides=()):
    """Calls `function()` in a `_ChildScope`; returns `(result, variables, values)`."""
    with _entered(_ChildScope(overrides)) as scope:
        result = function()
    skip = {id(variable) for variable, _ in overrides}
    updated = [v for key, v in scope.updated.items() if key not in skip]
    return result, updated, [scope.state_mapping[id(v)] for v in updated]


def _publish(variables, values):
    # Into the enclosing step's scope, or onto the variables when called
    # outside a train step (eagerly, e.g. `gradient_penalty` on its own).
    for variable, value in zip(variables, values, strict=True):
        variable.assign(value)


def _read(variable):
    scope = _current_scope()
    value = scope.get_current_value(variable) if scope is not None else None
    return variable.value if value is None else value


def value_and_gradients(loss_function, variables, scale_loss=None):
    """Evaluates `loss_function()` and the gradients of its loss.

    Args:
        loss_function: callable returning `(loss, aux)`; it reads the
            model's variables as usual.
        variables: the variables to differentiate with respect to.
        scale_loss: optional callable applied to the loss before
            differentiation, e.g. `optimizer.scale_loss` for loss scaling.

    Returns:
        `((loss, aux), gradients)`. Variables assigned inside
        `loss_function` (the seed generator's state, normalisation
        statistics) keep their new values.
    """
    variables = list(variables)
    updated = []

    def differentiable(values):
        (loss, aux), updated[:], new_values = _call_recording_updates(
            loss_function, list(zip(variables, values, strict=True))
        )
        scaled = loss if scale_loss is None else scale_loss(loss)
        return scaled, (loss, aux, new_values)

    (_, (loss, aux, new_values)), gradients = jax.value_and_grad(differentiable, has_aux=True)(
        [_read(v) for v in variables]
    )
    _publish(updated, new_values)
    return (loss, aux), gradients


def input_gradients(function, inputs):
    """Gradient of `sum(function(inputs))` with respect to `inputs`.

    Row `i` is the gradient of output `i` with respect to input `i` when
    `function` treats examples independently. Called inside
    `value_and_gradients`, the result is differentiable again (`jax.grad`
    nests), which the gradient penalty needs.
    """
    updated = []

    def total(x):
        result, updated[:], new_values = _call_recording_updates(lambda: function(x))
        return jnp.sum(result), new_values

    gradients, new_values = jax.grad(total, has_aux=True)(jnp.asarray(inputs))
    _publish(updated, new_values)
    return gradients


def apply_gradients(optimizer, gradients, variables):
    """Applies one update of `optimizer` with its `stateless_apply`.

    `stateless_apply` (not `apply`) so that a `LossScaleOptimizer`'s
    skip-on-overflow branch stays a pure `lax.cond`. Constraints are applied
    as in `apply`.
    """
    variables = list(variables)
    optimizer_variables = list(optimizer.variables)
    new_values, new_optimizer_values = optimizer.stateless_apply(
        [_read(v) for v in optimizer_variables], gradients, [_read(v) for v in variables]
    )
    _publish(variables + optimizer_variables, list(new_values) + list(new_optimizer_values))


@keras.saving.register_keras_serializable(package="keras_wgan")
class OptimizerPair(keras.optimizers.Optimizer):
    """The critic's and the generator's optimizers as `model.optimizer`.

    Keras's JAX trainer threads, syncs and purges the variables of
    `model.optimizer` only; this container's `variables` are both
    optimizers' (critic first), so both states travel through the jitted
    step. Its `iterations` are the generator's: one train step is one
    generator update. Nothing of its own is saved: the two optimizers are
    model attributes and are saved as such, which keeps `.keras` files the
    same on every backend. It is not meant to `apply` anything itself.
    """

    def __init__(
        self, critic_optimizer, generator_optimizer, name="optimizer_pair", variable_lists=((), ()), **kwargs
    ):
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        self.critic_optimizer = critic_optimizer
        self.generator_optimizer = generator_optimizer
        # The variables each optimizer was built on, for their
        # `finalize_variable_values` (EMA weights) at the end of `fit`.
        self.variable_lists = tuple(list(variables) for variables in variable_lists)
        self.built = True

    def build(self, variables):
        # Both optimizers are built on their own networks in `compile`.
        self.built = True

    @property
    def variables(self):
        return list(self.critic_optimizer.variables) + list(self.generator_optimizer.variables)

    @property
    def iterations(self):
        return self.generator_optimizer.iterations

    def apply(self, grads, trainable_variables=None):
        raise NotImplementedError(
            "OptimizerPair carries two optimizers' state through Keras's JAX trainer; "
            "apply updates with `critic_optimizer` or `generator_optimizer`."
        )

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        self.apply(grads, trainable_variables)

    def finalize_variable_values(self, var_list):
        optimizers = (self.critic_optimizer, self.generator_optimizer)
        for optimizer, variables in zip(optimizers, self.variable_lists, strict=True):
            optimizer.finalize_variable_values(variables)

    def save_own_variables(self, store):
        pass

    def load_own_variables(self, store):
        pass

    def get_config(self):
        return {
            "name": self.name,
            "critic_optimizer": keras.saving.serialize_keras_object(self.critic_optimizer),
            "generator_optimizer": keras.saving.serialize_keras_object(self.generator_optimizer),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("critic_optimizer", "generator_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key], custom_objects=custom_objects)
        return cls(**config)


def optimizer_container(critic_optimizer, generator_optimizer, variable_lists):
    """What `keras.Model.compile` receives as `optimizer`: an `OptimizerPair`.

    `variable_lists`: the critic's and the generator's trainable variables,
    which the two optimizers were built on.
    """
    return OptimizerPair(critic_optimizer, generator_optimizer, variable_lists=variable_lists)


def replica_rows(draw, batch_size):
    """Returns `draw(batch_size)`.

    Under `keras.distribution.DataParallel` the jitted step sees the global
    batch (XLA shards it across devices), so one draw of the global batch's
    noise is already what one device draws.
    """
    return draw(batch_size)


def check_even_split(batch_size, model, name="batch_size"):
    """Raises `ValueError` unless the distribution splits `batch_size` evenly.

    Under a `keras.distribution` with a batch axis (e.g. `DataParallel`),
    every device gets `batch_size / devices` rows of each batch.
    """
    distribution = keras.distribution.distribution()
    batch_axis = getattr(distribution, "batch_dim_name", None)
    if batch_axis is None:
        return
    devices = distribution.device_mesh.shape[distribution.device_mesh.axis_names.index(batch_axis)]
    if batch_size % devices:
        raise ValueError(
            f"`{name}={batch_size}` does not split evenly across the {devices} devices of "
            f"{type(distribution).__name__}: pass a multiple of {devices} (the global batch), "
            f"e.g. {max(devices, batch_size - batch_size % devices)}."
        )


def step_logs(logs):
    """Returns the logs unchanged: Keras's JAX trainer reduces them itself."""
    return logs
