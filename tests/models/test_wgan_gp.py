import keras
import numpy as np
import pytest

import keras_wgan as kw
from keras_wgan.architectures import toy_critic, toy_generator
from keras_wgan.datasets import eight_gaussians
from keras_wgan.distances import wasserstein_distance
from tests.conftest import mlp


def translation_generator(shift):
    """G(z) = z + shift: N(0, I) translated by `shift`."""
    latent = keras.Input((2,))
    layer = keras.layers.Dense(2)
    generator = keras.Model(latent, layer(latent))
    layer.set_weights([np.eye(2, dtype="float32"), np.asarray(shift, "float32")])
    return generator


@pytest.mark.slow
def test_critic_estimates_w1_of_a_translation():
    # N(0, I) against N(v, I): the exact W1 is ||v||. With a soft penalty
    # the best critic overshoots to ||v|| (1 + ||v|| / (2 lambda)).
    keras.utils.set_random_seed(0)
    shift = np.array([1.0, 0.5])
    exact = float(np.linalg.norm(shift))
    model = kw.WGANGP(mlp(2, 1, units=64), translation_generator(shift), seed=0)
    model.compile(
        critic_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
        generator_optimizer=keras.optimizers.SGD(0.0),  # the generator stays put
    )
    real = np.random.default_rng(0).normal(size=(16384, 2)).astype("float32")
    model.fit(real, batch_size=256, epochs=3, verbose=0)
    estimate = model.evaluate(real[:4096], batch_size=256, verbose=0, return_dict=True)[
        "wasserstein_estimate"
    ]
    print(f"translation |v| = {exact:.4f}, critic estimate = {estimate:.4f}")
    assert estimate == pytest.approx(exact, rel=0.15)


def toy_w1_before_and_after(**options):
    """Exact W1 to 8 gaussians before and after 320 generator steps."""
    keras.utils.set_random_seed(0)
    real = eight_gaussians(20480, seed=0)
    reference = eight_gaussians(1000, seed=1)
    model = kw.WGANGP(toy_critic(units=128), toy_generator(units=128), gp_weight=0.1, seed=0, **options)
    model.compile(
        critic_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
    )
    before = wasserstein_distance(model.generate(1000, seed=0), reference)
    model.fit(real, batch_size=256, epochs=20, verbose=0)
    after = wasserstein_distance(model.generate(1000, seed=0), reference)
    return before, after


@pytest.mark.slow
def test_toy_training_lowers_exact_w1():
    before, after = toy_w1_before_and_after()
    print(f"8 gaussians exact W1: {before:.3f} -> {after:.3f}")
    assert after < 0.5 * before


@pytest.mark.slow
def test_logs_the_penalty_apart():
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), gp_weight=10.0)
    model.compile()
    history = model.fit(np.ones((640, 2), "float32"), batch_size=64, epochs=1, verbose=0).history
    # critic_loss = -estimate + gp_weight * penalty, averaged the same way.
    expected = -history["wasserstein_estimate"][0] + 10.0 * history["gradient_penalty"][0]
    assert history["critic_loss"][0] == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_default_optimizers_follow_the_paper():
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2))
    model.compile()
    for optimizer in (model.critic_optimizer, model.generator_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert float(optimizer.learning_rate) == pytest.approx(1e-4)
        assert optimizer.beta_1 == 0.0 and optimizer.beta_2 == 0.9
    assert model.gp_weight == 10.0 and model.critic_steps == 5 and not model.one_sided


@pytest.mark.slow
def test_one_sided_reaches_the_penalty():
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), one_sided=True)
    model.compile()
    history = model.fit(np.ones((640, 2), "float32"), batch_size=64, epochs=1, verbose=0).history
    assert np.isfinite(history["gradient_penalty"][0])
    assert model.get_config()["one_sided"] is True


def test_rejects_negative_gp_weight():
    with pytest.raises(ValueError, match="gp_weight"):
        kw.WGANGP(mlp(2, 1), mlp(2, 2), gp_weight=-1.0)


@pytest.mark.parametrize("gp_weight", [0, 0.0])
def test_warns_that_gp_weight_zero_removes_the_lipschitz_constraint(gp_weight):
    with pytest.warns(
        UserWarning, match=r"gp_weight=0 turns the gradient penalty off.*Use a positive weight"
    ):
        kw.WGANGP(mlp(2, 1), mlp(2, 2), gp_weight=gp_weight)


def test_warns_about_batch_normalization_in_critic():
    inputs = keras.Input((2,))
    inner = keras.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization()])
    critic = keras.Model(inputs, keras.layers.Dense(1)(inner(inputs)))
    with pytest.warns(UserWarning, match="BatchNormalization.*LayerNormalization"):
        kw.WGANGP(critic, mlp(2, 2))


# -- speed options: lazy penalty and penalty on a sub-batch -------------------


def test_speed_options_default_to_the_paper_and_round_trip():
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2))
    assert model.penalty_every == 1 and model.penalty_batch_fraction == 1.0
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), penalty_every=5, penalty_batch_fraction=0.25)
    config = model.get_config()
    assert config["penalty_every"] == 5 and config["penalty_batch_fraction"] == 0.25
    restored = kw.WGANGP.from_config(config)
    assert restored.penalty_every == 5 and restored.penalty_batch_fraction == 0.25


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"penalty_every": 0}, ValueError),
        ({"penalty_every": 6}, ValueError),  # more than critic_steps=5
        ({"penalty_every": 1.5}, TypeError),
        ({"penalty_every": True}, TypeError),
        ({"penalty_batch_fraction": 0.0}, ValueError),
        ({"penalty_batch_fraction": 1.5}, ValueError),
        ({"penalty_batch_fraction": True}, TypeError),
    ],
)
def test_speed_options_are_validated(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        kw.WGANGP(mlp(2, 1), mlp(2, 2), **kwargs)


def _count_penalties(monkeypatch, **options):
    from keras_wgan.models import wgan_gp

    calls = []

    def counting_penalty(critic, real, fake, **kwargs):
        calls.append(int(real.shape[0]))
        return gradient_penalty(critic, real, fake, **kwargs)

    gradient_penalty = wgan_gp.gradient_penalty
    monkeypatch.setattr(wgan_gp, "gradient_penalty", counting_penalty)
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), seed=0, **options)
    model.compile(run_eagerly=True)
    model.fit(np.ones((20 * 5 * 2, 2), "float32"), batch_size=20, epochs=1, verbose=0)  # 2 steps
    return calls


@pytest.mark.parametrize("every, per_step", [(1, 5), (2, 3), (5, 1)])
def test_lazy_penalty_is_computed_on_every_kth_critic_iteration(monkeypatch, every, per_step):
    assert len(_count_penalties(monkeypatch, penalty_every=every)) == 2 * per_step


def test_penalty_batch_fraction_takes_the_first_ceil_f_m_examples(monkeypatch):
    assert _count_penalties(monkeypatch, penalty_batch_fraction=0.25) == [5] * 10  # ceil(0.25 * 20)
    assert _count_penalties(monkeypatch, penalty_batch_fraction=0.01) == [1] * 10


@pytest.mark.slow
@pytest.mark.parametrize(
    "options", [{"penalty_every": 2}, {"penalty_every": 5}, {"penalty_batch_fraction": 0.5}]
)
def test_speed_options_keep_the_average_penalty_weight(options):
    # Over an epoch: critic_loss = -estimate + gp_weight * mean penalty, as
    # for the default, because the lazy weight is critic_steps / (penalised
    # iterations) and the penalty metric averages the penalised iterations.
    keras.utils.set_random_seed(0)
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), gp_weight=10.0, **options)
    model.compile()
    history = model.fit(np.ones((640, 2), "float32"), batch_size=64, epochs=1, verbose=0).history
    expected = -history["wasserstein_estimate"][0] + 10.0 * history["gradient_penalty"][0]
    assert history["critic_loss"][0] == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_lazy_penalty_with_an_explicit_step_index():
    # A base class that passes the critic iteration's index is honoured too.
    model = kw.WGANGP(mlp(2, 1), mlp(2, 2), penalty_every=2, seed=0)
    real, fake = np.ones((4, 2), "float32"), np.zeros((4, 2), "float32")
    assert model.critic_penalty(real, fake, 1) == (0.0, {})
    loss, logs = model.critic_penalty(real, fake, 2)
    assert float(loss) == pytest.approx(10.0 * 5 / 3 * float(logs["gradient_penalty"]), rel=1e-6)


@pytest.mark.slow
def test_speed_options_train_the_toy_problem():
    before, after = toy_w1_before_and_after(penalty_every=5, penalty_batch_fraction=0.5)
    assert after < 0.5 * before
