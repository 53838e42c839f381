"""Backend-specific plumbing of the train step, one module per Keras backend.

The Algorithm 1 loop, the losses, the penalty schedule, clipping and the
metrics are written once in `keras.ops` (`keras_wgan.models`). What differs
between backends lives in `keras_wgan.backends.tensorflow` and
`keras_wgan.backends.jax`, which define the same functions:

- `train_step(model, step_function, *args)`, `test_step(...)`: run the
  backend-independent step inside Keras's trainer (stateful on TensorFlow,
  stateless with threaded state on JAX);
- `value_and_gradients`, `input_gradients`: differentiation;
- `apply_gradients`: one optimizer update;
- `optimizer_container`: what `keras.Model.compile` receives as `optimizer`;
- `replica_rows`, `check_even_split`, `step_logs`: multi-device helpers.

`current` is the module of the backend Keras runs on
(`keras.backend.backend()`).
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from keras_wgan.backends import tensorflow as current
elif _BACKEND == "jax":
    from keras_wgan.backends import jax as current
else:
    raise ImportError(
        "keras_wgan runs on the TensorFlow and JAX backends of Keras. Set "
        "KERAS_BACKEND=tensorflow or KERAS_BACKEND=jax. "
        f"Received: KERAS_BACKEND={_BACKEND!r}"
    )

__all__ = ["current"]
