"""Tests for keras_wgan.architectures.mnist: the WGAN-GP paper's MNIST networks."""

import keras
import numpy as np
import pytest

from keras_wgan import architectures


def conv_params(kernel, in_channels, out_channels, bias=True):
    weights = kernel * kernel * in_channels * out_channels
    return weights + (out_channels if bias else 0)


def dense_params(inputs, outputs, bias=True):
    return inputs * outputs + (outputs if bias else 0)


def layer_types(model):
    return [type(layer) for layer in model.layers]


@pytest.mark.parametrize("normalization", [None, "layer"])
def test_mnist_critic_treats_examples_independently(normalization):
    # What the gradient penalty relies on: no normalisation across the batch.
    critic = architectures.mnist_critic(normalization=normalization)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1))
    together = keras.ops.convert_to_numpy(critic(images))
    alone = np.concatenate([keras.ops.convert_to_numpy(critic(images[i : i + 1])) for i in range(3)])
    np.testing.assert_allclose(together, alone, rtol=1e-4, atol=1e-5)


def test_mnist_critic_matches_official_layers():
    critic = architectures.mnist_critic()
    assert critic.name == "mnist_critic"
    assert critic.inputs[0].name == "image"
    assert critic.input_shape == (None, 28, 28, 1)
    convs = [layer for layer in critic.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [conv.filters for conv in convs] == [64, 128, 256]
    assert all(conv.kernel_size == (5, 5) for conv in convs)
    assert all(conv.strides == (2, 2) for conv in convs)
    assert [conv.output.shape[1] for conv in convs] == [14, 7, 4]
    leaky = [layer for layer in critic.layers if isinstance(layer, keras.layers.LeakyReLU)]
    assert [layer.negative_slope for layer in leaky] == pytest.approx([0.2] * 3)
    expected = (
        conv_params(5, 1, 64)
        + conv_params(5, 64, 128)
        + conv_params(5, 128, 256)
        + dense_params(4 * 4 * 256, 1)
    )
    assert critic.count_params() == expected == 1_030_145


def test_mnist_critic_layer_normalization_after_conv_2_and_3():
    critic = architectures.mnist_critic(normalization="layer")
    names = [layer.name for layer in critic.layers]
    norms = [layer for layer in critic.layers if isinstance(layer, keras.layers.LayerNormalization)]
    assert len(norms) == 2
    assert names.index("layer_norm_2") == names.index("conv_2") + 1
    assert names.index("layer_norm_3") == names.index("conv_3") + 1
    # Normalised over each example's whole feature map.
    assert sorted(norms[0].axis) == [1, 2, 3]
    extra = 2 * (7 * 7 * 128) + 2 * (4 * 4 * 256)
    assert critic.count_params() == 1_030_145 + extra


def test_mnist_critic_errors():
    with pytest.raises(ValueError, match="normalization"):
        architectures.mnist_critic(normalization="batch")
    with pytest.raises(ValueError, match=r"\(28, 28, channels\)"):
        architectures.mnist_critic((32, 32, 1))
    with pytest.raises(ValueError, match=r"\(28, 28, channels\)"):
        architectures.mnist_critic((28, 28))
    with pytest.raises(ValueError, match="positive ints"):
        architectures.mnist_critic((28, 28, 0))


def test_mnist_generator_shapes_and_parameters():
    generator = architectures.mnist_generator()
    assert generator.name == "mnist_generator"
    assert generator.inputs[0].name == "latent"
    assert generator.input_shape == (None, 128)
    assert generator.output_shape == (None, 28, 28, 1)
    assert layer_types(generator).count(keras.layers.BatchNormalization) == 3
    crop = generator.get_layer("crop_to_7x7")
    assert tuple(crop.output.shape[1:3]) == (7, 7)
    trainable = (
        dense_params(128, 4096, bias=False)
        + conv_params(5, 256, 128, bias=False)
        + conv_params(5, 128, 64, bias=False)
        + conv_params(5, 64, 1)
        + 2 * (4096 + 128 + 64)  # BatchNormalization gamma and beta.
    )
    counted = sum(np.prod(w.shape) for w in generator.trainable_weights)
    assert counted == trainable


@pytest.mark.parametrize("activation, low, high", [("tanh", -1.0, 1.0), ("sigmoid", 0.0, 1.0)])
def test_mnist_generator_output_range(activation, low, high):
    generator = architectures.mnist_generator(latent_dim=16, output_activation=activation)
    noise = np.random.default_rng(0).normal(size=(4, 16)).astype("float32")
    images = keras.ops.convert_to_numpy(generator(noise, training=False))
    assert images.shape == (4, 28, 28, 1)
    assert images.min() >= low and images.max() <= high


def test_mnist_generator_without_batch_norm():
    generator = architectures.mnist_generator(batch_normalization=False)
    assert keras.layers.BatchNormalization not in layer_types(generator)
    assert generator.output_shape == (None, 28, 28, 1)


def test_mnist_generator_errors():
    for latent_dim in (0, -3):
        with pytest.raises(ValueError, match="latent_dim"):
            architectures.mnist_generator(latent_dim)
    for latent_dim in (2.5, True, None):  # Not ints: see tests/utils/test_argument_validation.py.
        with pytest.raises(TypeError, match="latent_dim"):
            architectures.mnist_generator(latent_dim)
    with pytest.raises(ValueError, match="output_activation"):
        architectures.mnist_generator(output_activation="no_such_activation")


def test_mnist_networks_for_stacked_mnist_colour_images():
    # Stacked MNIST: the same networks with 3 channels (the last layer's
    # filters and the first's inputs change, nothing else).
    generator = architectures.mnist_generator(latent_dim=16, dim=8, channels=3)
    critic = architectures.mnist_critic((28, 28, 3), dim=8)
    images = generator(np.zeros((2, 16), "float32"), training=False)
    assert tuple(images.shape) == (2, 28, 28, 3)
    assert tuple(critic(images).shape) == (2, 1)
    assert generator.get_layer("deconv_4").kernel.shape == (5, 5, 3, 8)
    with pytest.raises(ValueError, match="channels"):
        architectures.mnist_generator(channels=0)
