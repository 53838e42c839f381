"""One backend's keras_wgan train step, timed on request: the worker of `throughput.py --backend jax`.

Keras picks its backend once per process, so `throughput.py --backend jax`
starts one worker per backend (`KERAS_BACKEND=tensorflow` and `jax`) and
INTERLEAVES them: it writes `step` to one worker's stdin, waits for the time
it reports, then asks the other; only one runs at a time, and both see the
same load. Imports neither TensorFlow nor JAX itself: what Keras's backend
needs only.

Protocol (one line each): the worker builds the nets from NumPy weights
(the same on both backends), warms up, and prints `ready <json>`; then for
every `step` line it runs one train step (5 critic iterations and one
generator iteration, on the same real batch array) and prints
`ms <milliseconds>`; `quit` ends it.

    KERAS_BACKEND=jax python benchmarks/backend_step.py --nets mnist --batch 64 --variant gp \
        --policy float32
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_wgan as kw  # noqa: E402
from keras_wgan import architectures  # noqa: E402

CRITIC_STEPS = 5


def build(nets, variant, policy):
    keras.config.set_dtype_policy(policy)
    try:
        if nets == "mnist":
            critic, generator = architectures.mnist_critic(dim=64), architectures.mnist_generator(latent_dim=128, dim=64)
        else:
            critic, generator = architectures.toy_critic(), architectures.toy_generator()
        rng = np.random.default_rng(0)
        for net in (critic, generator):
            net.set_weights([rng.normal(0.0, 0.05, w.shape).astype(w.dtype) for w in net.get_weights()])
        model = kw.WGANGP(critic, generator, seed=0) if variant == "gp" else kw.WGAN(critic, generator, seed=0)
        model.compile()  # jit_compile="auto": XLA on JAX, off on TensorFlow's CPU
    finally:
        keras.config.set_dtype_policy("float32")
    return model


def step_function(model, data):
    """A no-argument callable running one train step to completion."""
    if keras.backend.backend() == "jax":
        import jax

        # What `fit` runs: Keras's jitted (donating) train function, the
        # state threaded from call to call.
        model.make_train_function()
        state = tuple(
            [v.value for v in variables]
            for variables in (
                model.trainable_variables,
                model.non_trainable_variables,
                model.optimizer.variables,
                model.metrics_variables,
            )
        )
        data = jax.numpy.asarray(data)

        def run():
            nonlocal state
            logs, state = model.train_function(state, iter([data]))
            jax.block_until_ready((logs, state))

        return run
    import tensorflow as tf

    train = tf.function(model.train_step, jit_compile=model.jit_compile)
    data = tf.constant(data)
    return lambda: [v.numpy() for v in train(data).values()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nets", default="mnist", choices=["mnist", "toy"])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--variant", default="gp", choices=["gp", "clip"])
    parser.add_argument("--policy", default="float32")
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)
    model = build(args.nets, args.variant, args.policy)
    shape = tuple(model.critic.input_shape[1:])
    data = np.random.default_rng(0).uniform(-1, 1, size=(args.batch, CRITIC_STEPS) + shape).astype("float32")
    run = step_function(model, data)
    start = time.perf_counter()
    run()  # tracing / compilation
    compile_s = time.perf_counter() - start
    for _ in range(args.warmup - 1):
        run()
    info = {"backend": keras.backend.backend(), "jit_compile": bool(model.jit_compile), "first_step_s": compile_s}
    print("ready " + json.dumps(info), flush=True)
    for line in sys.stdin:
        if line.strip() != "step":
            break
        start = time.perf_counter()
        run()
        print(f"ms {1e3 * (time.perf_counter() - start)}", flush=True)


if __name__ == "__main__":
    main()
