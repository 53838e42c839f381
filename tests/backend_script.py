"""Runs keras_wgan in a fresh process on a chosen backend, for tests/test_jax_backend.py.

Keras picks its backend once per process, and JAX fixes its devices when it
first uses them: every check that needs another backend, two host devices
or an environment without TensorFlow runs this script as a subprocess.

    KERAS_BACKEND=tensorflow|jax python tests/backend_script.py step OUT.npz
        One train step of WGAN and of WGAN-GP from fixed weights on fixed
        data, with noise that is plain arithmetic on the seed state (the
        same on every backend); saves every weight after the step.

    KERAS_BACKEND=... python tests/backend_script.py save DIR
        Trains a WGAN-GP two steps, saves DIR/run.keras and, in DIR/run.npz,
        its weights, optimizer variables, seed state and the generator's
        output on a fixed latent batch.

    KERAS_BACKEND=... python tests/backend_script.py load DIR
        Loads DIR/run.keras written by the other backend, checks it against
        DIR/run.npz, trains one more step and, on TensorFlow, exports the
        generator for TF Serving and checks the served samples.

    XLA_FLAGS=--xla_force_host_platform_device_count=2 KERAS_BACKEND=jax
    python tests/backend_script.py dataparallel
        Two train steps under keras.distribution.DataParallel on 2 host
        devices and on one device, same weights, data and seed.

    python tests/backend_script.py without_tensorflow
        Hides TensorFlow from the import system, then imports keras_wgan,
        trains WGAN and WGAN-GP on arrays, a PyDataset and a generator.

Each mode prints one line `RESULT <json>` that the tests assert on.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

DATA = np.random.default_rng(0).normal(1.0, 0.5, size=(256, 2)).astype("float32")


def report(result):
    print("RESULT " + json.dumps(result), flush=True)


def nets(seed=0):
    """A critic and a generator with weights fixed by NumPy, not by the backend's RNG."""
    import keras

    rng = np.random.default_rng(seed)

    def mlp(input_dim, output_dim):
        inputs = x = keras.Input((input_dim,))
        x = keras.layers.Dense(16, activation="relu")(x)
        x = keras.layers.Dense(16, activation="relu")(x)
        model = keras.Model(inputs, keras.layers.Dense(output_dim)(x))
        model.set_weights([rng.normal(0.0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
        return model

    return mlp(2, 1), mlp(2, 2)


def counter_noise(scale, offset):
    """Noise that is plain arithmetic on the seed generator's counter."""
    import keras

    def sample(shape, *args, seed=None, dtype=None, **kwargs):
        size = int(np.prod(shape))
        step = keras.ops.cast(seed.next()[1] % 1000, "float32")
        uniform = keras.ops.mod(keras.ops.arange(size, dtype="float32") * 0.618034 + step * 0.137, 1.0)
        return keras.ops.reshape(scale * uniform + offset, shape)

    return sample


def weights_of(model):
    return {
        f"{net}_{i}": w
        for net in ("critic", "generator")
        for i, w in enumerate(getattr(model, net).get_weights())
    }


def step(out):
    import keras

    import keras_wgan as kw

    keras.random.normal = counter_noise(2.0, -1.0)
    keras.random.uniform = counter_noise(1.0, 0.0)
    arrays = {}
    for cls, optimizers in (
        (kw.WGAN, {}),  # RMSprop 5e-5 and clipping
        (kw.WGANGP, {}),  # Adam 1e-4
        (
            kw.WGANGP,
            {
                "critic_optimizer": keras.optimizers.SGD(0.01),
                "generator_optimizer": keras.optimizers.SGD(0.01),
            },
        ),
    ):
        name = cls.__name__ + ("_sgd" if optimizers else "")
        critic, generator = nets()
        model = cls(
            critic, generator, critic_steps=2, seed=3, **({"clip_value": 0.5} if cls is kw.WGAN else {})
        )
        model.compile(**optimizers)
        history = model.fit(
            DATA, batch_size=32, epochs=1, steps_per_epoch=1, shuffle=False, verbose=0
        ).history
        arrays.update({f"{name}/{k}": v for k, v in weights_of(model).items()})
        arrays.update({f"{name}/log_{k}": np.float32(v[-1]) for k, v in history.items()})
    np.savez(out, **arrays)
    report({"backend": keras.backend.backend(), "saved": len(arrays)})


def _optimizer_arrays(model):
    return {
        f"{name}_{i}": np.asarray(v.numpy())
        for name in ("critic_optimizer", "generator_optimizer")
        for i, v in enumerate(getattr(model, name).variables)
    }


def save(directory):
    import keras

    import keras_wgan as kw

    critic, generator = nets()
    model = kw.WGANGP(critic, generator, critic_steps=2, seed=3)
    model.compile()
    model.fit(DATA, batch_size=32, epochs=1, steps_per_epoch=2, verbose=0)
    model.save(os.path.join(directory, "run.keras"))
    latent = np.random.default_rng(1).normal(size=(4, 2)).astype("float32")
    np.savez(
        os.path.join(directory, "run.npz"),
        latent=latent,
        samples=keras.ops.convert_to_numpy(model.generator(latent)),
        seed_state=keras.ops.convert_to_numpy(model.seed_generator.state),
        **weights_of(model),
        **_optimizer_arrays(model),
    )
    report({"backend": keras.backend.backend(), "generator_steps": int(model.generator_optimizer.iterations)})


def load(directory):
    import keras

    import keras_wgan as kw

    saved = np.load(os.path.join(directory, "run.npz"))
    model = kw.load_wgan(os.path.join(directory, "run.keras"))
    result = {"backend": keras.backend.backend(), "class": type(model).__name__}
    mine = {**weights_of(model), **_optimizer_arrays(model)}
    result["arrays_equal"] = sorted(mine) == sorted(k for k in saved.files if k[0] in "cg") and all(
        np.array_equal(mine[k], saved[k]) for k in mine
    )
    result["seed_state_equal"] = bool(
        np.array_equal(keras.ops.convert_to_numpy(model.seed_generator.state), saved["seed_state"])
    )
    samples = keras.ops.convert_to_numpy(model.generator(saved["latent"]))
    result["samples_max_abs_diff"] = float(np.abs(samples - saved["samples"]).max())
    model.fit(DATA, batch_size=32, epochs=1, steps_per_epoch=1, verbose=0)
    result["generator_steps_after_continue"] = int(model.generator_optimizer.iterations)
    result["critic_steps_after_continue"] = int(model.critic_optimizer.iterations)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        model = kw.load_wgan(os.path.join(directory, "run.keras"))
        export_dir = os.path.join(directory, "export")
        kw.export_generator(model, export_dir, value_range=(-1, 1))  # A linear toy generator.
        served = kw.load_exported_generator(os.path.join(export_dir, "1"))
        outputs = served.signatures["sample"](num_samples=tf.constant(3), seed=tf.constant(0))
        result["served_shapes"] = [list(v.shape) for v in outputs.values()]
    report(result)


def dataparallel():
    import jax
    import keras

    import keras_wgan as kw

    def run(distributed, cls):
        if distributed:
            keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
        try:
            critic, generator = nets()
            model = cls(critic, generator, critic_steps=2, seed=3)
            model.compile(
                critic_optimizer=keras.optimizers.SGD(0.1), generator_optimizer=keras.optimizers.SGD(0.1)
            )
            history = model.fit(
                DATA, batch_size=32, epochs=1, steps_per_epoch=2, shuffle=False, verbose=0
            ).history
            devices = len(model.critic.trainable_variables[0].value.sharding.device_set)
            return weights_of(model), history, devices, keras.ops.convert_to_numpy(model.seed_generator.state)
        finally:
            keras.distribution.set_distribution(None)

    result = {"devices": len(jax.devices())}
    for cls in (kw.WGAN, kw.WGANGP):
        single, history_1, devices_1, seed_1 = run(False, cls)
        multi, history_2, devices_2, seed_2 = run(True, cls)
        diff = max(float(np.abs(single[k] - multi[k]).max()) for k in single)
        scale = max(float(np.abs(single[k]).max()) for k in single)
        result[cls.__name__] = {
            "max_abs_diff": diff,
            "max_abs_weight": scale,
            "variable_devices": [devices_1, devices_2],
            "history": {k: [history_1[k][-1], history_2[k][-1]] for k in history_1},
            "seed_states_equal": bool(np.array_equal(seed_1, seed_2)),
        }
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
    critic, generator = nets()
    model = kw.WGANGP(critic, generator)
    model.compile()
    try:
        model.fit(DATA, batch_size=31, epochs=1, verbose=0)
        result["odd_batch_error"] = None
    except ValueError as error:
        result["odd_batch_error"] = str(error)
    report(result)


def without_tensorflow():
    class HideTensorFlow:
        def find_spec(self, name, path=None, target=None):
            if name == "tensorflow" or name.startswith("tensorflow."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, HideTensorFlow())
    import keras

    import keras_wgan as kw

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 8

        def __getitem__(self, index):
            return DATA[index * 32 : (index + 1) * 32]

    result = {"backend": keras.backend.backend()}
    for cls in (kw.WGAN, kw.WGANGP):
        critic, generator = nets()
        model = cls(critic, generator, critic_steps=2, seed=3)
        model.compile()
        model.fit(DATA, batch_size=32, epochs=1, verbose=0)
        model.fit(Batches(), epochs=2, verbose=0)
        model.fit((DATA[i : i + 32] for i in range(0, 256, 32)), epochs=1, verbose=0)
        result[cls.__name__] = int(model.generator_optimizer.iterations)
    result["tensorflow_imported"] = "tensorflow" in sys.modules
    try:
        kw.export_generator(model, "unused")
        result["export_error"] = None
    except Exception as error:  # noqa: BLE001 - the message is the result
        result["export_error"] = f"{type(error).__name__}: {error}"
    report(result)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    {
        "step": step,
        "save": save,
        "load": load,
        "dataparallel": dataparallel,
        "without_tensorflow": without_tensorflow,
    }[mode](*args)
