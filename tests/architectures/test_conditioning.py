"""Conditional builders (`num_classes=`): label inputs, projection critics, label embeddings."""

import keras
import numpy as np
import pytest

from keras_wgan import architectures

CONDITIONAL_BUILDERS = {
    "mnist": (
        lambda n: architectures.mnist_critic(dim=4, num_classes=n),
        lambda n: architectures.mnist_generator(8, dim=4, num_classes=n),
        (28, 28, 1),
    ),
    "mlp": (
        lambda n: architectures.mlp_critic((5,), units=8, depth=2, num_classes=n),
        lambda n: architectures.mlp_generator(8, (5,), units=8, depth=2, num_classes=n),
        (5,),
    ),
    "toy": (
        lambda n: architectures.toy_critic(8, 2, num_classes=n),
        lambda n: architectures.toy_generator(8, 8, 2, num_classes=n),
        (2,),
    ),
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
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(critic([x, y]))[:, 0], expected, rtol=1e-5, atol=1e-6
    )


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
