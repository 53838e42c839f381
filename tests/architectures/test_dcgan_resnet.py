"""The papers' image networks: shapes, sizes, saving, and training with both variants."""

import warnings

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import (
    dcgan_critic,
    dcgan_generator,
    resnet_critic,
    resnet_generator,
)


def conv_params(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


@pytest.mark.parametrize("size", [32, 64])
def test_shapes_for_rgb_and_grey(size):
    for channels in (1, 3):
        for critic, generator in (
            (dcgan_critic(size, channels, dim=4), dcgan_generator(8, size, channels, dim=4)),
            (resnet_critic(size, channels, dim=4), resnet_generator(8, size, channels, dim=4)),
        ):
            assert critic.input_shape == (None, size, size, channels)
            assert critic.output_shape == (None, 1)
            assert generator.output_shape == (None, size, size, channels)


def test_dcgan_widths_follow_the_official_code():
    # DCGAN_D(isize=64, ndf=64): 64 -> 128 -> 256 -> 512 channels down to 4x4.
    critic = dcgan_critic(64)
    convs = [layer for layer in critic.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [64, 128, 256, 512]
    assert critic.get_layer("flatten").output.shape[1:] == (4 * 4 * 512,)
    generator = dcgan_generator(100, 64)
    assert generator.get_layer("reshape").output.shape[1:] == (4, 4, 512)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in critic.layers)
    assert [c.filters for c in dcgan_critic(32).layers if isinstance(c, keras.layers.Conv2D)] == [
        64,
        128,
        256,
    ]


def test_resnet_critic_has_the_official_parameter_count():
    # gan_cifar_resnet.py with DIM_D = 128: OptimizedResBlockDisc1, one
    # "down" block, two plain blocks, Linear(128, 1).
    d = 128
    first = conv_params(3, 3, d) + conv_params(3, d, d) + conv_params(1, 3, d)
    down = 2 * conv_params(3, d, d) + conv_params(1, d, d)
    plain = 2 * conv_params(3, d, d)
    assert resnet_critic().count_params() == first + down + 2 * plain + (d + 1)
    # Generator: Linear(128, 4*4*128), three "up" blocks (each with two BNs),
    # the output BN and Conv(128 -> 3, 3x3).
    bn = 4 * d  # gamma, beta, moving mean and variance
    up = 2 * conv_params(3, d, d) + conv_params(1, d, d) + 2 * bn
    assert resnet_generator().count_params() == (128 * 16 * d + 16 * d) + 3 * up + bn + conv_params(3, d, 3)


def test_resnet_plain_block_is_identity_plus_residual():
    critic = resnet_critic(32, dim=8)
    block_input = critic.get_layer("block_3_relu_1").input
    block_output = critic.get_layer("block_3_add").output
    probe = keras.Model(critic.input, [block_input, block_output])
    conv = critic.get_layer("block_3_conv_2")
    conv.set_weights([np.zeros_like(w) for w in conv.get_weights()])
    x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    inside, out = probe(x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), keras.ops.convert_to_numpy(inside), atol=1e-6)


def test_normalization_options():
    layer_norm = dcgan_critic(32, dim=4, normalization="layer")
    assert sum(isinstance(layer, keras.layers.LayerNormalization) for layer in layer_norm.layers) == 2
    batch_norm = dcgan_critic(32, dim=4, normalization="batch")
    with pytest.warns(UserWarning, match="BatchNormalization"):
        kw.WGANGP(batch_norm, dcgan_generator(8, 32, dim=4))
    with pytest.raises(ValueError, match="normalization"):
        dcgan_critic(32, normalization="group")
    with pytest.raises(ValueError, match="image_size"):
        resnet_critic(48)


@pytest.mark.parametrize("arch", ["dcgan", "resnet"])
def test_save_and_load_with_safe_mode(tmp_path, arch):
    builders = {"dcgan": (dcgan_critic, dcgan_generator), "resnet": (resnet_critic, resnet_generator)}[arch]
    critic, generator = builders[0](32, dim=4), builders[1](8, 32, dim=4)
    for model in (critic, generator):
        path = str(tmp_path / f"{model.name}.keras")
        model.save(path)
        loaded = keras.saving.load_model(path, safe_mode=True)
        x = np.random.default_rng(1).standard_normal((2, *model.input_shape[1:])).astype("float32")
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)), atol=1e-6
        )


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["dcgan", "resnet"])
def test_one_step_with_clipping_and_with_the_penalty(arch):
    builders = {"dcgan": (dcgan_critic, dcgan_generator), "resnet": (resnet_critic, resnet_generator)}[arch]
    real = np.random.default_rng(2).uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    for variant in (kw.WGAN, kw.WGANGP):
        keras.utils.set_random_seed(0)
        model = variant(builders[0](32, dim=4), builders[1](8, 32, dim=4), critic_steps=1, seed=0)
        model.compile()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras: the data run out after one step
            history = model.fit(real, batch_size=2, epochs=1, verbose=0)
        assert all(np.isfinite(values[-1]) for values in history.history.values())
        if variant is kw.WGAN:
            clip = max(float(np.max(np.abs(w))) for w in model.critic.get_weights())
            assert clip <= 0.01 + 1e-7
        else:
            assert history.history["gradient_penalty"][-1] > 0


BUILDERS = {"dcgan": (dcgan_critic, dcgan_generator), "resnet": (resnet_critic, resnet_generator)}


def numpy(x):
    return keras.ops.convert_to_numpy(x)


def spectral_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.SpectralNormalization)]


@pytest.mark.parametrize("arch, expected", [("dcgan", 3 + 1), ("resnet", 3 + 3 + 2 * 2 + 1)])
def test_spectral_critic_wraps_every_convolution_and_the_score(arch, expected):
    # DCGAN at 32 px: three convolutions and the score. ResNet: the first
    # block's three convolutions, the "down" block's three, two per plain
    # block, and the score.
    critic = BUILDERS[arch][0](32, dim=4, normalization="spectral")
    wrapped = spectral_layers(critic)
    assert len(wrapped) == expected
    assert all(isinstance(layer.layer, (keras.layers.Conv2D, keras.layers.Dense)) for layer in wrapped)
    assert not any(isinstance(layer, keras.layers.Conv2D) for layer in critic.layers)


@pytest.mark.parametrize("arch", ["dcgan", "resnet"])
def test_spectral_kernels_end_with_unit_largest_singular_value(arch):
    # Each training call divides W by its power-iteration estimate of
    # sigma(W); once the estimate has converged, sigma(W / sigma) = 1.
    keras.utils.set_random_seed(0)
    critic = BUILDERS[arch][0](32, 1, dim=4, normalization="spectral")
    x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 1)).astype("float32")
    before = [
        np.linalg.norm(numpy(layer.kernel).reshape(-1, layer.kernel.shape[-1]), 2)
        for layer in spectral_layers(critic)
    ]
    assert max(abs(s - 1.0) for s in before) > 0.2
    for _ in range(30):
        critic(x, training=True)
    for layer in spectral_layers(critic):
        kernel = numpy(layer.kernel).reshape(-1, layer.kernel.shape[-1])
        assert np.linalg.norm(kernel, 2) == pytest.approx(1.0, rel=0.02), layer.name


def test_spectral_score_stays_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        for arch in BUILDERS:
            critic = BUILDERS[arch][0](32, dim=4, normalization="spectral")
            assert critic.output.dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_normalization_options_of_the_resnet_critic():
    with pytest.raises(ValueError, match="Received: normalization='layer'"):
        resnet_critic(32, dim=4, normalization="layer")
    assert not spectral_layers(resnet_critic(32, dim=4))


@pytest.mark.parametrize("arch", ["dcgan", "resnet"])
def test_conditional_builders_take_labels(arch):
    critic_builder, generator_builder = BUILDERS[arch]
    critic = critic_builder(32, dim=4, num_classes=10)
    generator = generator_builder(8, 32, dim=4, num_classes=10)
    assert [tuple(t.shape) for t in critic.inputs] == [(None, 32, 32, 3), (None,)]
    assert [tuple(t.shape) for t in generator.inputs] == [(None, 8), (None,)]
    assert critic.output_shape == (None, 1) and generator.output_shape == (None, 32, 32, 3)
    latent = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    labels = np.array([0, 1, 2, 3])
    samples = numpy(generator([latent, labels], training=False))
    other = numpy(generator([latent, np.array([5, 5, 5, 5])], training=False))
    assert not np.allclose(samples, other)  # the label changes the sample
    scores = numpy(critic([samples, labels]))
    assert not np.allclose(scores, numpy(critic([samples, np.array([5, 5, 5, 5])])))


@pytest.mark.parametrize("arch, features", [("dcgan", "flatten"), ("resnet", "mean_pool")])
@pytest.mark.parametrize("normalization", [None, "spectral"])
def test_projection_critic_is_psi_plus_embedding_dot_features(arch, features, normalization):
    # f(x, y) = psi(phi(x)) + <embed(y), phi(x)> (Miyato and Koyama 2018).
    critic = BUILDERS[arch][0](32, 1, dim=4, normalization=normalization, num_classes=3)
    x = np.random.default_rng(1).uniform(-1, 1, (6, 32, 32, 1)).astype("float32")
    y = np.array([0, 1, 2, 0, 1, 2])
    phi = numpy(keras.Model(critic.inputs[0], critic.get_layer(features).output)(x))
    score = critic.get_layer("spectral_score" if normalization else "score")
    psi = numpy(score(phi))
    embedding = numpy(critic.get_layer("label_projection").embeddings)
    expected = psi[:, 0] + np.sum(embedding[y] * phi, axis=1)
    np.testing.assert_allclose(numpy(critic([x, y]))[:, 0], expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("arch", ["dcgan", "resnet"])
def test_spectral_conditional_critic_saves_with_safe_mode(tmp_path, arch):
    critic = BUILDERS[arch][0](32, dim=4, normalization="spectral", num_classes=4)
    x = np.random.default_rng(2).uniform(-1, 1, (3, 32, 32, 3)).astype("float32")
    y = np.array([0, 1, 3])
    critic([x, y], training=True)  # moves the power-iteration vectors
    path = str(tmp_path / "critic.keras")
    critic.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(numpy(loaded([x, y])), numpy(critic([x, y])), atol=1e-6)
    for mine, theirs in zip(spectral_layers(critic), spectral_layers(loaded), strict=True):
        np.testing.assert_array_equal(numpy(mine.vector_u), numpy(theirs.vector_u))


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["dcgan", "resnet"])
def test_conditional_spectral_wgan_gp_trains(arch):
    critic_builder, generator_builder = BUILDERS[arch]
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(
        critic_builder(32, dim=4, normalization="spectral", num_classes=3),
        generator_builder(8, 32, dim=4, num_classes=3),
        critic_steps=1,
        num_classes=3,
        seed=0,
    )
    model.compile()
    real = np.random.default_rng(3).uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    history = model.fit(real, labels, batch_size=4, steps_per_epoch=2, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values())
    assert model.generate(3, labels=[0, 1, 2], seed=0).shape == (3, 32, 32, 3)
