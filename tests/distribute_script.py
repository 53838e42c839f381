"""Runs keras_wgan under tf.distribute in a fresh process, for tests/test_distribute.py.

Logical devices must be configured before TensorFlow initialises its
devices, which the pytest process has long done: the tests run this script
as a subprocess.

    python tests/distribute_script.py equivalence
        Splits the CPU into 2 logical devices and compares one train step
        under MirroredStrategy with the same step on one device, on the same
        global batch, weights and seed. Prints one JSON object of measured
        differences (the test asserts on them).

    TF_CONFIG=... python tests/distribute_script.py multiworker OUT_DIR
        One worker of a MultiWorkerMirroredStrategy cluster: trains a toy
        WGAN-GP for 3 steps with keras_wgan's checkpoint callbacks (into
        OUT_DIR/checkpoints and OUT_DIR/backup) and writes its final weights
        to OUT_DIR/worker<index>.npz; worker 0 adds those of the same 3
        steps on one device.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Run from a checkout without `pip install -e .` too.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

GLOBAL_BATCH = 16  # 8 samples per replica
LATENT_DIM = 3


def split_cpu(n):
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * n)
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def make_nets(seed=0):
    import keras

    keras.utils.set_random_seed(seed)

    def mlp(input_dim, output_dim):
        inputs = x = keras.Input((input_dim,))
        x = keras.layers.Dense(16, activation="relu")(x)
        x = keras.layers.Dense(16, activation="relu")(x)
        return keras.Model(inputs, keras.layers.Dense(output_dim)(x))

    critic, generator = mlp(2, 1), mlp(LATENT_DIM, 2)
    return critic.get_weights(), generator.get_weights(), mlp


def make_conditional_nets(seed=0, num_classes=3):
    """As `make_nets`, conditional: `[samples, labels]` critic, `[latent, labels]` generator."""
    import keras

    from keras_wgan.architectures import toy_critic, toy_generator

    keras.utils.set_random_seed(seed)

    def build(input_dim, output_dim):
        if output_dim == 1:
            return toy_critic(16, 2, input_dim, num_classes=num_classes)
        return toy_generator(input_dim, 16, 2, output_dim, num_classes=num_classes)

    critic, generator = build(2, 1), build(LATENT_DIM, 2)
    return critic.get_weights(), generator.get_weights(), build


def train(cls, strategy, data, *, steps, optimizers, weights, callbacks=(), labels=None, **kwargs):
    """One model built in `strategy.scope()` from `weights`, trained `steps` steps."""
    import keras

    critic_weights, generator_weights, mlp = weights
    with strategy.scope():
        critic, generator = mlp(2, 1), mlp(LATENT_DIM, 2)
        critic.set_weights(critic_weights)
        generator.set_weights(generator_weights)
        model = cls(critic, generator, seed=7, **kwargs)
        model.compile(critic_optimizer=optimizers(), generator_optimizer=optimizers())
    history = model.fit(
        data,
        labels,
        batch_size=GLOBAL_BATCH,
        epochs=1,
        steps_per_epoch=steps,
        shuffle=False,
        verbose=0,
        callbacks=list(callbacks),
    )
    return {
        "critic": [w.copy() for w in model.critic.get_weights()],
        "generator": [w.copy() for w in model.generator.get_weights()],
        "history": {k: float(v[-1]) for k, v in history.history.items()},
        "seed_state": keras.ops.convert_to_numpy(model.seed_generator.state).tolist(),
        "generator_steps": int(keras.ops.convert_to_numpy(model.generator_optimizer.iterations)),
    }


def differences(a, b, initial):
    """Max abs and relative difference of the weight CHANGES of two runs."""
    out = {}
    for net in ("critic", "generator"):
        delta_a = np.concatenate([(w - w0).ravel() for w, w0 in zip(a[net], initial[net], strict=True)])
        delta_b = np.concatenate([(w - w0).ravel() for w, w0 in zip(b[net], initial[net], strict=True)])
        scale = float(np.max(np.abs(delta_a)))
        abs_diff = float(np.max(np.abs(delta_a - delta_b)))
        out[net] = {
            "max_abs": abs_diff,
            "max_rel": abs_diff / scale if scale else 0.0,
            "scale": scale,
            "fraction_above_1e-7": float(np.mean(np.abs(delta_a - delta_b) > 1e-7)),
        }
    out["history"] = {k: [a["history"][k], b["history"].get(k)] for k in a["history"]}
    out["seed_states_equal"] = a["seed_state"] == b["seed_state"]
    out["generator_steps"] = [a["generator_steps"], b["generator_steps"]]
    return out


def equivalence():
    devices = split_cpu(2)
    import keras

    import keras_wgan as kw
    from keras_wgan.backends import tensorflow as backend

    mirrored = tf.distribute.MirroredStrategy(devices)
    single = tf.distribute.get_strategy()
    assert mirrored.num_replicas_in_sync == 2, devices
    rng = np.random.default_rng(0)
    weights = make_nets()
    initial = {"critic": weights[0], "generator": weights[1]}
    sgd = lambda: keras.optimizers.SGD(learning_rate=1.0)  # noqa: E731  update = -gradient
    cases = {
        # Gradients: one critic update, then one generator update, with
        # plain SGD at learning rate 1, so that each weight change is minus
        # the gradient of the global-batch loss (clipping far away for WGAN).
        "wgan_gradients": (kw.WGAN, dict(critic_steps=1, clip_value=1e3), sgd, 1),
        "wgangp_gradients": (kw.WGANGP, dict(critic_steps=1), sgd, 1),
        # Updates with the papers' optimizers and constraints: two steps of
        # two critic updates (two real batches per step, each split across
        # the replicas) and one generator update.
        "wgan_updates": (kw.WGAN, dict(critic_steps=2), None, 2),
        "wgangp_updates": (kw.WGANGP, dict(critic_steps=2), None, 2),
    }
    report = {"replicas": mirrored.num_replicas_in_sync}
    runs = {}
    for name, (cls, kwargs, optimizer, steps) in cases.items():
        data = rng.normal(0.5, 1.0, size=(GLOBAL_BATCH * kwargs["critic_steps"] * steps, 2)).astype("float32")
        optimizers = optimizer or (lambda: None)
        runs[name] = [
            train(cls, strategy, data, steps=steps, optimizers=optimizers, weights=weights, **kwargs)
            for strategy in (single, mirrored)
        ]
        report[name] = differences(*runs[name], initial)
        if cls is kw.WGAN and "clip_value" not in kwargs:
            report[name]["max_abs_weight"] = float(max(np.max(np.abs(w)) for w in runs[name][1]["critic"]))
        if name == "wgan_gradients":
            wgan_gradients_data = data

    # A conditional WGAN-GP: labels are split with their samples, and each
    # replica generates its fakes with its own rows' labels.
    conditional_weights = make_conditional_nets()
    data = rng.normal(0.5, 1.0, size=(GLOBAL_BATCH * 2, 2)).astype("float32")
    labels = rng.integers(0, 3, size=len(data)).astype("int32")
    conditional = [
        train(
            kw.WGANGP,
            strategy,
            data,
            steps=1,
            optimizers=sgd,
            weights=conditional_weights,
            labels=labels,
            critic_steps=2,
            num_classes=3,
        )
        for strategy in (single, mirrored)
    ]
    report["wgangp_conditional_gradients"] = differences(
        *conditional, {"critic": conditional_weights[0], "generator": conditional_weights[1]}
    )

    # Sensitivity: with every replica drawing its own rows from the shared
    # seed state (the behaviour without `replica_rows`), the replicas get
    # identical noise and the update differs from the single-device one.
    def same_noise_on_every_replica(draw, batch_size):
        return draw(batch_size)

    backend.replica_rows = same_noise_on_every_replica
    cls, kwargs, optimizers, steps = cases["wgan_gradients"]
    same_noise = train(
        cls, mirrored, wgan_gradients_data, steps=steps, optimizers=optimizers, weights=weights, **kwargs
    )
    report["wgan_gradients_same_noise_per_replica"] = differences(
        runs["wgan_gradients"][0], same_noise, initial
    )
    print("RESULT " + json.dumps(report))


def multiworker(out_dir):
    import keras

    import keras_wgan as kw

    config = json.loads(os.environ["TF_CONFIG"])
    task = config["task"]["index"]
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    assert strategy.num_replicas_in_sync == len(config["cluster"]["worker"])
    weights = make_nets()
    data = np.random.default_rng(0).normal(0.5, 1.0, size=(GLOBAL_BATCH * 2 * 3, 2)).astype("float32")
    sgd = lambda: keras.optimizers.SGD(learning_rate=0.01)  # noqa: E731
    arrays = {}
    strategies = {"multiworker": strategy}
    if task == 0:  # The reference: the same 3 steps on one device.
        strategies["single"] = tf.distribute.get_strategy()
    for name, each in strategies.items():
        callbacks = []
        if name == "multiworker":  # Checkpoints: the chief writes, every worker takes part.
            callbacks = [
                kw.callbacks.StopOnNonFinite(),
                kw.callbacks.AtomicBackupAndRestore(os.path.join(out_dir, "backup"), delete_checkpoint=False),
                kw.callbacks.AtomicModelCheckpoint(os.path.join(out_dir, "checkpoints", "wgan.keras")),
            ]
        run = train(
            kw.WGANGP,
            each,
            data,
            steps=3,
            optimizers=sgd,
            weights=weights,
            critic_steps=2,
            callbacks=callbacks,
        )
        for net in ("critic", "generator"):
            arrays.update({f"{name}/{net}_{i}": w for i, w in enumerate(run[net])})
        arrays[f"{name}/generator_steps"] = np.array(run["generator_steps"])
        arrays[f"{name}/critic_loss"] = np.array(run["history"]["critic_loss"])
    out_path = os.path.join(out_dir, f"worker{task}.npz")
    temporary = out_path + ".tmp.npz"
    np.savez(temporary, **arrays)
    os.replace(temporary, out_path)
    print(f"worker {task} done", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "equivalence":
        equivalence()
    elif sys.argv[1] == "multiworker":
        multiworker(sys.argv[2])
    else:
        sys.exit(f"unknown mode {sys.argv[1]!r}")
