"""Conditional WGAN and WGAN-GP (`num_classes`): labels in, the class asked for out."""

import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import toy_critic, toy_generator
from tests.conftest import mlp

MODELS = [kw.WGAN, kw.WGANGP]
CLASSES = 3
RNG = np.random.default_rng(0)
LABELS = RNG.integers(0, CLASSES, size=640).astype("int32")
# Class c sits at (2c, 0): a conditional generator must put it there.
DATA = (RNG.normal(0.0, 0.3, size=(640, 2)) + np.stack([2.0 * LABELS, 0 * LABELS], axis=1)).astype("float32")


def nets(num_classes=CLASSES, units=16):
    return (
        toy_critic(units, 2, num_classes=num_classes),
        toy_generator(2, units, 2, num_classes=num_classes),
    )


def make(cls=kw.WGANGP, seed=1, num_classes=CLASSES, **kwargs):
    keras.utils.set_random_seed(0)
    model = cls(*nets(num_classes), seed=seed, num_classes=num_classes, **kwargs)
    model.compile()
    return model


def gaussians(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n).astype("int32")
    centres = np.stack([np.where(labels == 1, 2.0, -2.0), np.zeros(n)], axis=1)
    return (centres + rng.normal(0.0, 0.3, size=(n, 2))).astype("float32"), labels


@pytest.mark.slow  # 150 generator steps of 64-unit nets.
def test_each_class_lands_on_its_own_gaussian():
    # Two classes, Gaussians at (-2, 0) and (2, 0) of std 0.3: the samples
    # generated for a class must land on that class's Gaussian.
    keras.utils.set_random_seed(0)
    x, y = gaussians(4096, seed=0)
    model = kw.WGANGP(*nets(num_classes=2, units=64), num_classes=2, gp_weight=1.0, seed=0)
    adam = lambda: keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9)  # noqa: E731
    model.compile(critic_optimizer=adam(), generator_optimizer=adam())
    model.fit(x, y, batch_size=128, epochs=25, verbose=0)  # 150 generator steps
    for label, centre in ((0, -2.0), (1, 2.0)):
        samples = model.generate(500, labels=label, seed=1)
        # Nearer its own Gaussian than the other one: on its side of x = 0.
        assert np.mean(np.sign(samples[:, 0]) == np.sign(centre)) > 0.98, (label, samples.mean(axis=0))
        np.testing.assert_allclose(samples.mean(axis=0), [centre, 0.0], atol=0.4)


@pytest.mark.parametrize("cls", MODELS)
def test_fit_logs_metrics_and_validates_with_labels(cls):
    model = make(cls, critic_steps=2)
    history = model.fit(
        DATA, LABELS, batch_size=32, epochs=1, verbose=0, validation_data=(DATA[:128], LABELS[:128])
    )
    assert int(model.generator_optimizer.iterations) == 10
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert "val_wasserstein_estimate" in history.history
    result = model.evaluate(DATA[:128], LABELS[:128], batch_size=32, verbose=0, return_dict=True)
    assert np.isfinite(result["wasserstein_estimate"])


def test_arrays_repeat_under_steps_per_epoch_and_split_for_validation():
    # 640 samples make 4 steps of 5 batches of 32: 6 steps need a second pass.
    model = make(critic_steps=5)
    history = model.fit(DATA, LABELS, batch_size=32, epochs=1, steps_per_epoch=6, verbose=0)
    assert int(model.generator_optimizer.iterations) == 6
    history = model.fit(DATA, LABELS, batch_size=32, epochs=1, verbose=0, validation_split=0.25)
    assert int(model.generator_optimizer.iterations) == 6 + 3  # 480 training samples: 3 steps
    assert np.isfinite(history.history["val_wasserstein_estimate"]).all()
    with pytest.raises(ValueError, match="non-finite"):
        model.fit(np.where(np.arange(640)[:, None] == 3, np.nan, DATA), LABELS, batch_size=32, verbose=0)


def labelled_forms():
    forms = ["dict", "pydataset", "generator"]
    if keras.backend.backend() == "tensorflow":
        forms += ["dataset", "dict_dataset"]
    return forms


@pytest.mark.parametrize("form", labelled_forms())
def test_accepts_labelled_datasets_dicts_and_generators(form):
    model = make(critic_steps=2)

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 20

        def __getitem__(self, i):
            return DATA[32 * i : 32 * (i + 1)], LABELS[32 * i : 32 * (i + 1)]

    if form == "dict":
        data = {"image": DATA, "label": LABELS}
    elif form == "pydataset":
        data = Batches()
    elif form == "generator":
        data = ((DATA[i : i + 32], LABELS[i : i + 32]) for i in range(0, 640, 32))
    else:
        import tensorflow as tf

        data = tf.data.Dataset.from_tensor_slices((DATA, LABELS[:, None])).batch(32, drop_remainder=True)
        if form == "dict_dataset":
            data = data.map(lambda x, y: {"image": x, "label": y, "id": y})
    kwargs = {"batch_size": 32} if form == "dict" else {}
    if form == "generator":
        kwargs["steps_per_epoch"] = 10  # As for unconditional generators: Keras cannot count them.
    history = model.fit(data, epochs=1, verbose=0, **kwargs)
    assert int(model.generator_optimizer.iterations) == 10
    assert np.isfinite(history.history["critic_loss"]).all()


# -- label errors, before training ----------------------------------------


@pytest.mark.parametrize(
    "labels, message",
    [
        (None, r"trains on labelled samples.*Received: y=None"),
        (LABELS[:-1], r"one label per sample: 640 samples but 639 labels"),
        (np.where(LABELS == 2, 3, LABELS), r"class ids in \[0, 3\).*outside, e.g. 3"),
        (LABELS - 1, r"class ids in \[0, 3\).*outside, e.g. -1"),
        (LABELS.astype("float32"), r"integer class ids.*dtype=float32"),
        (np.eye(CLASSES)[LABELS], r"one-hot.*np.argmax"),
    ],
)
def test_bad_labels_are_refused_before_training(labels, message):
    model = make()
    with pytest.raises(ValueError, match=message):
        model.fit(DATA, labels, batch_size=32, epochs=1, verbose=0)
    assert int(model.generator_optimizer.iterations) == 0


def test_bad_labels_in_a_stream_are_refused():
    model = make()
    bad = ((DATA[i : i + 32], LABELS[i : i + 32] + 3) for i in range(0, 640, 32))
    with pytest.raises(ValueError, match=r"the labels of `x`.*\[0, 3\)"):
        model.fit(bad, epochs=1, verbose=0)
    unlabelled = (DATA[i : i + 32] for i in range(0, 640, 32))
    with pytest.raises(ValueError, match="Received: the labels of `x`=None|trains on labelled samples"):
        model.fit(unlabelled, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"lacks \['label'\]"):
        model.fit({"image": DATA}, batch_size=32, epochs=1, verbose=0)


def test_networks_without_labels_are_refused():
    with pytest.raises(ValueError, match=r"must take two inputs, `\[samples, labels\]`"):
        kw.WGANGP(mlp(2, 1), toy_generator(2, 8, 1, num_classes=3), num_classes=3)
    with pytest.raises(ValueError, match=r"generator must take two inputs, `\[latent, labels\]`"):
        kw.WGANGP(toy_critic(8, 1, num_classes=3), mlp(2, 2), num_classes=3)
    with pytest.raises(ValueError, match="exactly one input"):
        kw.WGANGP(*nets())  # conditional networks, num_classes=None
    with pytest.raises(ValueError, match="num_classes"):
        kw.WGANGP(*nets(), num_classes=1)


def test_unconditional_model_refuses_labels():
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2))
    assert model.num_classes is None and not model.conditional
    assert model.get_config()["num_classes"] is None
    with pytest.raises(ValueError, match="`labels` are for conditional models"):
        model.generate(4, labels=1)
    model.compile()
    with pytest.raises(ValueError, match="`y` must be None"):
        model.fit(DATA, LABELS, epochs=1, verbose=0)


# -- generation, seeds, saving --------------------------------------------


def test_generate_with_labels():
    model = make()
    sevens = model.generate(6, labels=2, seed=0)
    assert sevens.shape == (6, 2)
    np.testing.assert_array_equal(sevens, model.generate(6, labels=np.full(6, 2), seed=0))
    np.testing.assert_array_equal(sevens, model.generate(6, labels=np.full((6, 1), 2), seed=0))
    assert not np.array_equal(sevens, model.generate(6, labels=0, seed=0))  # the label matters
    drawn = model.generate(6, seed=0)
    np.testing.assert_array_equal(drawn, model.generate(6, seed=0))  # labels drawn from the seed too
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\)"):
        model.generate(2, labels=3)
    with pytest.raises(ValueError, match="one label per sample: 6 samples but 2 labels"):
        model.generate(6, labels=[0, 1])
    before = keras.ops.convert_to_numpy(model.seed_generator.state)
    model.generate(3)
    np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(model.seed_generator.state))


@pytest.mark.slow  # Three short trainings per model.
@pytest.mark.parametrize("cls", MODELS)
def test_same_seed_same_run(cls):
    runs = [
        make(cls, seed=seed).fit(DATA, LABELS, batch_size=32, epochs=2, verbose=0, shuffle=False).history
        for seed in (1, 1, 2)
    ]
    assert runs[0] == runs[1]
    assert runs[0]["critic_loss"] != runs[2]["critic_loss"]


@pytest.mark.slow  # Trains, saves, loads and trains twice more.
@pytest.mark.parametrize("cls", MODELS)
def test_save_load_continue(cls, tmp_path):
    model = make(cls, critic_steps=2)
    model.fit(DATA, LABELS, batch_size=32, epochs=1, verbose=0)
    path = tmp_path / "run.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is cls and restored.num_classes == CLASSES
    np.testing.assert_array_equal(restored.generate(4, labels=1, seed=0), model.generate(4, labels=1, seed=0))
    a = model.fit(DATA, LABELS, batch_size=32, epochs=1, verbose=0, shuffle=False).history
    b = restored.fit(DATA, LABELS, batch_size=32, epochs=1, verbose=0, shuffle=False).history
    assert a == b


@pytest.mark.slow  # XLA compiles the whole step.
def test_jit_compile_true_trains():
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(*nets(), num_classes=CLASSES, seed=1)
    model.compile(jit_compile=True)
    before = model.generate(8, labels=1, seed=0)
    history = model.fit(DATA, LABELS, batch_size=32, epochs=1, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    assert not np.allclose(before, model.generate(8, labels=1, seed=0))


# -- the step uses the real batch's labels ----------------------------------


def linear_class_critic(num_classes, dim, norms):
    """f(x, y) = <w_y, x>: its input gradient at any x is w_y, of norm norms[y]."""
    samples = keras.Input((dim,))
    labels = keras.Input((), dtype="int32")
    rows = np.zeros((num_classes, dim), "float32")
    rows[:, 0] = norms
    w = keras.layers.Embedding(num_classes, dim, embeddings_initializer=keras.initializers.Constant(rows))(
        labels
    )
    return keras.Model([samples, labels], keras.layers.Dot(axes=1)([w, samples]))


def test_penalty_interpolates_keep_their_labels():
    # Gradient norms 0.5, 1 and 3 for classes 0, 1, 2: the exact penalty is
    # the mean over examples of (norm of its class - 1)^2, whatever the
    # interpolation coefficients.
    norms = np.array([0.5, 1.0, 3.0], "float32")
    model = kw.WGANGP(
        linear_class_critic(3, 2, norms), toy_generator(2, 8, 1, num_classes=3), num_classes=3, seed=0
    )
    labels = np.array([0, 0, 1, 2], "int32")
    real, fake = DATA[:4], DATA[4:8]
    penalty_loss, logs = model.critic_penalty(real, fake, 0, labels=labels)
    expected = np.mean((norms[labels] - 1.0) ** 2)
    assert float(logs["gradient_penalty"]) == pytest.approx(expected, rel=1e-5)
    assert float(penalty_loss) == pytest.approx(10.0 * expected, rel=1e-5)


def test_fakes_are_generated_with_the_real_batch_labels():
    # The generator writes its label into the sample, G(z, y) = (y, y), and
    # the critic scores f(x, y) = (x_0 - y)^2. Real samples are (l, l) for
    # their label l, so E f(real) - E f(G(z, y)) is 0 exactly when every
    # fake is generated with the label of its real sample.
    def as_float(y):
        return keras.ops.cast(keras.ops.reshape(y, (-1, 1)), "float32")

    latent, labels = keras.Input((2,)), keras.Input((), dtype="int32")
    zero = keras.layers.Dense(2, kernel_initializer="zeros", use_bias=False)(latent)  # weights to update
    fake = keras.layers.Lambda(lambda t: t[0] + keras.ops.concatenate([as_float(t[1])] * 2, axis=1))(
        [zero, labels]
    )
    generator = keras.Model([latent, labels], fake)
    samples, critic_labels = keras.Input((2,)), keras.Input((), dtype="int32")
    zero = keras.layers.Dense(1, kernel_initializer="zeros", use_bias=False)(samples)
    score = keras.layers.Lambda(lambda t: t[0] + keras.ops.square(t[1][:, :1] - as_float(t[2])))(
        [zero, samples, critic_labels]
    )
    critic = keras.Model([samples, critic_labels], score)
    model = kw.WGAN(critic, generator, num_classes=CLASSES, critic_steps=2, clip_value=100.0)
    model.compile(critic_optimizer=keras.optimizers.SGD(0.0), generator_optimizer=keras.optimizers.SGD(0.0))
    x = np.stack([LABELS, LABELS], axis=1).astype("float32")
    history = model.fit(x, LABELS, batch_size=32, epochs=1, verbose=0).history
    assert history["wasserstein_estimate"][0] == pytest.approx(0.0, abs=1e-6)
    # Labels that do not belong to the samples: the estimate is far from 0.
    shuffled = np.random.default_rng(1).permutation(LABELS)
    history = model.fit(x, shuffled, batch_size=32, epochs=1, verbose=0).history
    assert history["wasserstein_estimate"][0] > 0.5
