"""The undocumented Keras behaviour keras_wgan relies on, listed beside the pin in pyproject.toml.

Each test checks one item directly, so that a Keras upgrade that changes it
fails here, with its name, rather than somewhere deep in a train step.
"""

import inspect

import keras
import numpy as np
import pytest

UPGRADE = "Keras {version} changed {what}, which keras_wgan relies on (see pyproject.toml, beside the pin)"


def fail_message(what):
    return UPGRADE.format(version=keras.__version__, what=what)


def test_stateless_scope_records_assignments_by_variable_id():
    recorded = []

    class Recording(keras.StatelessScope):
        def add_update(self, update):
            super().add_update(update)
            recorded.append(update)

    variable, untouched = keras.Variable(np.zeros(2, "float32")), keras.Variable(0.0)
    with Recording() as scope:
        variable.assign(np.ones(2, "float32"))
        assert scope.get_current_value(untouched) is None, fail_message("get_current_value")
    assert len(recorded) == 1 and recorded[0][0] is variable, fail_message("StatelessScope.add_update")
    assert id(variable) in scope.state_mapping, fail_message("StatelessScope.state_mapping keys")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(scope.state_mapping[id(variable)]), [1.0, 1.0])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable.value), [0.0, 0.0])


def test_functional_graph_history():
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, name="hidden")(inputs)
    outputs = keras.layers.Activation("tanh", name="squash")(hidden)
    model = keras.Model(inputs, outputs)
    last = model.outputs[0]._keras_history.operation
    assert last.name == "squash", fail_message("KerasTensor._keras_history")
    nodes = last._inbound_nodes
    assert len(nodes) == 1 and len(nodes[0].input_tensors) == 1, fail_message("Layer._inbound_nodes")
    assert nodes[0].input_tensors[0]._keras_history.operation.name == "hidden", fail_message(
        "Node.input_tensors"
    )


def test_a_callback_sets_the_first_epoch_with_initial_epoch():
    class StartLater(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.model._initial_epoch = 2

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.zeros((8, 2)), np.zeros((8, 1)), epochs=4, verbose=0, callbacks=[StartLater()])
    assert history.epoch == [2, 3], fail_message("Model._initial_epoch")


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="the JAX trainer's state threading")
def test_the_jax_trainer_threads_and_finalizes_the_optimizer_it_is_given():
    finalized = []

    class Pair(keras.optimizers.SGD):
        """An optimizer with one extra variable the trainer must thread."""

        def build(self, variables):
            super().build(variables)
            self.extra = self.add_variable((), name="extra")

        def stateless_apply(self, optimizer_variables, grads, trainable_variables):
            new_trainable, new_optimizer = super().stateless_apply(
                optimizer_variables, grads, trainable_variables
            )
            index = [id(v) for v in self.variables].index(id(self.extra))
            new_optimizer = list(new_optimizer)
            new_optimizer[index] = optimizer_variables[index] + 1.0
            return new_trainable, new_optimizer

        def finalize_variable_values(self, var_list):
            finalized.append(list(var_list))
            super().finalize_variable_values(var_list)

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=Pair(0.01), loss="mse")
    model.fit(np.zeros((8, 2)), np.zeros((8, 1)), batch_size=4, epochs=1, verbose=0)
    assert float(model.optimizer.extra.value) == 2.0, fail_message(
        "the JAX trainer's optimizer.variables threading"
    )
    assert finalized, fail_message("finalize_variable_values at the end of fit")


def test_saving_looks_up_its_skip_sets_under_another_name_than_it_stores_them(tmp_path):
    from keras.src.backend.common import global_state

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.save_weights(str(tmp_path / "model.weights.h5"))
    stored = [name for name in vars(global_state.GLOBAL_STATE_TRACKER) if name.startswith("saving_attr_")]
    # cache_keras_saving_skipsets copies "saving_attr_skipset_<type>" to the
    # "saving_attr_skiplist_<type>" that the lookup reads; when Keras stores
    # under the name it looks up, the copy is no longer needed.
    assert any(name.startswith("saving_attr_skipset_") for name in stored), fail_message(
        "saving's skip sets stored as saving_attr_skipset_<type>"
    )
    from keras.src.saving import saving_lib

    assert "saving_attr_skiplist_" in inspect.getsource(saving_lib.get_attr_skipset), fail_message(
        "saving's skip sets looked up as saving_attr_skiplist_<type>"
    )
