"""How keras_wgan reads a critic and a generator: mistakes named at construction (issue 22)."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import toy_critic, toy_generator
from keras_wgan.models import network_inspection
from tests.conftest import mlp


def conditional_nets(num_classes):
    return toy_critic(8, 1, num_classes=num_classes), toy_generator(2, 8, 1, num_classes=num_classes)


def test_networks_built_for_fewer_classes_name_num_classes():
    # Item 1: labels 3 and 4 would index past an embedding of 3 rows.
    with pytest.raises(ValueError, match=r"critic was built for 3 classes.*`num_classes=5`.*num_classes=3"):
        kw.WGANGP(*conditional_nets(3), num_classes=5)
    critic, _ = conditional_nets(5)
    with pytest.raises(ValueError, match=r"generator was built for 3 classes.*`num_classes=5`"):
        kw.WGANGP(critic, conditional_nets(3)[1], num_classes=5)
    # More classes in the networks than in the model is legal.
    assert kw.WGANGP(*conditional_nets(5), num_classes=3).num_classes == 3


def test_conditional_networks_without_num_classes_name_the_argument():
    # Item 2.
    with pytest.raises(ValueError, match=r"looks conditional.*no `num_classes`.*Pass `num_classes=4`"):
        kw.WGANGP(*conditional_nets(4))


def test_swapped_critic_and_generator_are_named():
    # Item 5: not "end it with Dense(1)".
    critic, generator = mlp(2, 1), mlp(2, 2)
    with pytest.raises(ValueError, match=r"critic and the generator look swapped.*critic first") as raised:
        kw.WGAN(generator, critic)
    assert "Dense(1)" not in str(raised.value)
    with pytest.raises(ValueError, match="look swapped"):
        kw.WGANGP(*reversed(conditional_nets(3)), num_classes=3)


class Critic(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.score = keras.layers.Dense(1)

    def call(self, x):
        return self.score(self.hidden(x))


class Generator(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.samples = keras.layers.Dense(2)

    def call(self, z):
        return self.samples(self.hidden(z))


def test_subclassed_networks_built_by_a_call_train():
    # Item 4: the tutorial pattern, built by calling each network once.
    keras.utils.set_random_seed(0)
    critic, generator = Critic(), Generator()
    critic(np.zeros((4, 2), "float32"))
    generator(np.zeros((4, 3), "float32"))
    model = kw.WGANGP(critic, generator, critic_steps=2)
    assert (model.latent_dim, model.sample_shape) == (3, (2,))
    model.compile()
    data = np.random.default_rng(0).normal(size=(128, 2)).astype("float32")
    history = model.fit(data, batch_size=32, epochs=1, verbose=0)
    assert int(model.generator_optimizer.iterations) == 2
    assert np.isfinite(history.history["critic_loss"]).all()
    assert model.generate(5, seed=0).shape == (5, 2)


def test_unbuilt_subclassed_networks_say_how_to_build_them():
    with pytest.raises(ValueError, match=r"critic must be built.*called once on a batch"):
        kw.WGANGP(Critic(), mlp(2, 2))


def test_network_signature_of_a_subclassed_model_traces_its_output():
    generator = Generator()
    generator(np.zeros((1, 5), "float32"))
    assert network_inspection.network_signature(generator, "generator") == ([(None, 5)], [(None, 2)])
