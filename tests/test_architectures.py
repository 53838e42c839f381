"""Tests for keras_wgan.architectures."""

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


CRITIC_BUILDERS = {
    "mnist": lambda: architectures.mnist_critic(),
    "mnist_layer_norm": lambda: architectures.mnist_critic(
        normalization="layer"
    ),
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


@pytest.mark.parametrize("normalization", [None, "layer"])
def test_mnist_critic_treats_examples_independently(normalization):
    # What the gradient penalty relies on: no normalisation across the batch.
    critic = architectures.mnist_critic(normalization=normalization)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1))
    together = keras.ops.convert_to_numpy(critic(images))
    alone = np.concatenate(
        [
            keras.ops.convert_to_numpy(critic(images[i : i + 1]))
            for i in range(3)
        ]
    )
    np.testing.assert_allclose(together, alone, rtol=1e-4, atol=1e-5)


def test_mnist_critic_matches_official_layers():
    critic = architectures.mnist_critic()
    assert critic.name == "mnist_critic"
    assert critic.inputs[0].name == "image"
    assert critic.input_shape == (None, 28, 28, 1)
    convs = [
        layer
        for layer in critic.layers
        if isinstance(layer, keras.layers.Conv2D)
    ]
    assert [conv.filters for conv in convs] == [64, 128, 256]
    assert all(conv.kernel_size == (5, 5) for conv in convs)
    assert all(conv.strides == (2, 2) for conv in convs)
    assert [conv.output.shape[1] for conv in convs] == [14, 7, 4]
    leaky = [
        layer
        for layer in critic.layers
        if isinstance(layer, keras.layers.LeakyReLU)
    ]
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
    norms = [
        layer
        for layer in critic.layers
        if isinstance(layer, keras.layers.LayerNormalization)
    ]
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


@pytest.mark.parametrize(
    "activation, low, high", [("tanh", -1.0, 1.0), ("sigmoid", 0.0, 1.0)]
)
def test_mnist_generator_output_range(activation, low, high):
    generator = architectures.mnist_generator(
        latent_dim=16, output_activation=activation
    )
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


def test_mlp_critic_and_generator():
    critic = architectures.mlp_critic((28, 28, 1))
    assert critic.inputs[0].name == "sample"
    dense = [l for l in critic.layers if isinstance(l, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [512] * 4 + [1]
    assert critic.count_params() == (
        dense_params(784, 512)
        + 3 * dense_params(512, 512)
        + dense_params(512, 1)
    )

    generator = architectures.mlp_generator(64, (28, 28, 1), depth=3)
    assert generator.inputs[0].name == "latent"
    assert generator.output_shape == (None, 28, 28, 1)
    assert generator.count_params() == (
        dense_params(64, 512)
        + 2 * dense_params(512, 512)
        + dense_params(512, 784)
    )
    noise = np.zeros((2, 64), "float32")
    assert keras.ops.convert_to_numpy(generator(noise)).shape == (2, 28, 28, 1)

    linear = architectures.mlp_generator(
        8, (3,), units=4, depth=1, output_activation=None
    )
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


# -- conditional builders (num_classes) ----------------------------------------

CONDITIONAL_BUILDERS = {
    "mnist": (lambda n: architectures.mnist_critic(dim=4, num_classes=n),
              lambda n: architectures.mnist_generator(8, dim=4, num_classes=n), (28, 28, 1)),
    "mlp": (lambda n: architectures.mlp_critic((5,), units=8, depth=2, num_classes=n),
            lambda n: architectures.mlp_generator(8, (5,), units=8, depth=2, num_classes=n), (5,)),
    "toy": (lambda n: architectures.toy_critic(8, 2, num_classes=n),
            lambda n: architectures.toy_generator(8, 8, 2, num_classes=n), (2,)),
}


@pytest.mark.parametrize("name", sorted(CONDITIONAL_BUILDERS))
def test_conditional_builders_take_labels(name):
    make_critic, make_generator, sample_shape = CONDITIONAL_BUILDERS[name]
    critic, generator = make_critic(10), make_generator(10)
    assert [tuple(t.shape) for t in critic.inputs] == [(None, *sample_shape), (None,)]
    assert [tuple(t.shape) for t in generator.inputs] == [(None, 8), (None,)]
    assert critic.inputs[1].dtype == "int32" and critic.output_shape == (None, 1)
    assert generator.output_shape == (None, *sample_shape)
    latent = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    samples = generator([latent, np.array([0, 1, 2, 3])], training=False)
    # The label changes the sample and the score.
    other = generator([latent, np.array([5, 5, 5, 5])], training=False)
    assert not np.allclose(keras.ops.convert_to_numpy(samples), keras.ops.convert_to_numpy(other))
    assert critic([samples, keras.ops.convert_to_tensor(np.array([0, 1, 2, 3]))]).shape == (4, 1)


def test_projection_critic_is_psi_plus_embedding_dot_features():
    # f(x, y) = psi(phi(x)) + <embed(y), phi(x)>, checked against its parts.
    critic = architectures.toy_critic(8, 2, num_classes=3)
    x = np.random.default_rng(0).normal(size=(6, 2)).astype("float32")
    y = np.array([0, 1, 2, 0, 1, 2])
    features = keras.Model(critic.inputs[0], critic.get_layer("dense_2").output)(x)
    phi = keras.ops.convert_to_numpy(features)
    score = critic.get_layer("score")
    psi = phi @ keras.ops.convert_to_numpy(score.kernel) + keras.ops.convert_to_numpy(score.bias)
    embed = keras.ops.convert_to_numpy(critic.get_layer("label_projection").embeddings)[y]
    expected = psi[:, 0] + np.sum(embed * phi, axis=1)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(critic([x, y]))[:, 0], expected, rtol=1e-5, atol=1e-6)


def test_num_classes_none_builds_the_unconditional_networks():
    pairs = [
        (architectures.mnist_critic(dim=4), architectures.mnist_critic(dim=4, num_classes=None)),
        (architectures.mnist_generator(8, dim=4), architectures.mnist_generator(8, dim=4, num_classes=None)),
        (architectures.toy_generator(8, 8, 2), architectures.toy_generator(8, 8, 2, num_classes=None)),
    ]
    for default, explicit in pairs:
        assert len(explicit.inputs) == 1
        assert [layer.name for layer in default.layers] == [layer.name for layer in explicit.layers]
        assert default.count_params() == explicit.count_params()
    with pytest.raises(ValueError, match="num_classes"):
        architectures.mnist_critic(num_classes=1)
