"""Tests for keras_wgan.architectures.mlp, and what every critic shares (linear output, no batch norm)."""

import keras
import numpy as np
import pytest

from keras_wgan import architectures


def dense_params(inputs, outputs, bias=True):
    return inputs * outputs + (outputs if bias else 0)


def layer_types(model):
    return [type(layer) for layer in model.layers]


CRITIC_BUILDERS = {
    "mnist": lambda: architectures.mnist_critic(),
    "mnist_layer_norm": lambda: architectures.mnist_critic(normalization="layer"),
    "mnist_rgb": lambda: architectures.mnist_critic((28, 28, 3)),
    "mlp_images": lambda: architectures.mlp_critic((28, 28, 1)),
    "mlp_vectors": lambda: architectures.mlp_critic((2,), units=16, depth=2),
    "toy": lambda: architectures.toy_critic(),
}


@pytest.mark.parametrize("name", sorted(CRITIC_BUILDERS))
def test_critics_are_linear_without_batch_norm(name):
    critic = CRITIC_BUILDERS[name]()
    assert critic.output_shape == (None, 1)
    assert keras.layers.BatchNormalization not in layer_types(critic)
    last = critic.layers[-1]
    assert isinstance(last, keras.layers.Dense)
    assert last.activation is keras.activations.linear
    assert critic.inputs[0].name in ("image", "sample")


def test_mlp_critic_and_generator():
    critic = architectures.mlp_critic((28, 28, 1))
    assert critic.inputs[0].name == "sample"
    dense = [layer for layer in critic.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [512] * 4 + [1]
    assert critic.count_params() == (
        dense_params(784, 512) + 3 * dense_params(512, 512) + dense_params(512, 1)
    )

    generator = architectures.mlp_generator(64, (28, 28, 1), depth=3)
    assert generator.inputs[0].name == "latent"
    assert generator.output_shape == (None, 28, 28, 1)
    assert generator.count_params() == (
        dense_params(64, 512) + 2 * dense_params(512, 512) + dense_params(512, 784)
    )
    noise = np.zeros((2, 64), "float32")
    assert keras.ops.convert_to_numpy(generator(noise)).shape == (2, 28, 28, 1)

    linear = architectures.mlp_generator(8, (3,), units=4, depth=1, output_activation=None)
    assert linear.output_shape == (None, 3)


def test_mlp_errors():
    with pytest.raises(ValueError, match="units"):
        architectures.mlp_critic((2,), units=0)
    with pytest.raises(ValueError, match="depth"):
        architectures.mlp_critic((2,), depth=-1)
    with pytest.raises(ValueError, match="input_shape"):
        architectures.mlp_critic((28, 0))
    with pytest.raises(ValueError, match="latent_dim"):
        architectures.mlp_generator(0, (2,))
    with pytest.raises(ValueError, match="output_shape"):
        architectures.mlp_generator(4, ())
    with pytest.raises(ValueError, match="output_activation"):
        architectures.mlp_generator(4, (2,), output_activation="bogus")


def test_toy_networks_match_gan_toy():
    critic = architectures.toy_critic()
    generator = architectures.toy_generator()
    assert critic.inputs[0].name == "sample"
    assert generator.inputs[0].name == "latent"
    assert critic.input_shape == (None, 2) and critic.output_shape == (None, 1)
    assert generator.input_shape == (None, 2)
    assert generator.output_shape == (None, 2)
    hidden = 2 * 512 + 512 + 2 * dense_params(512, 512)
    assert critic.count_params() == hidden + dense_params(512, 1) == 527_361
    assert generator.count_params() == hidden + dense_params(512, 2)
    last = generator.layers[-1]
    assert last.activation is keras.activations.linear
    assert isinstance(
        generator.get_layer("dense_1").kernel_initializer,
        keras.initializers.HeUniform,
    )


def test_toy_errors():
    with pytest.raises(ValueError, match="units"):
        architectures.toy_critic(units=0)
    with pytest.raises(ValueError, match="depth"):
        architectures.toy_generator(depth=0)
    with pytest.raises(ValueError, match="input_dim"):
        architectures.toy_critic(input_dim=-2)
    with pytest.raises(TypeError, match="latent_dim"):
        architectures.toy_generator(latent_dim=1.5)
