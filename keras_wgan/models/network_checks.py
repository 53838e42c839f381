"""Checks that a critic and a generator fit together as an unconditional WGAN.

(A conditional model's networks are checked by `conditioning`.)
"""

import keras


def check_networks(critic, generator):
    """Raises `TypeError`/`ValueError` unless `critic` and `generator` fit together.

    Both must be built `keras.Model`s with one input and one output; the
    critic returns one value per example, the generator takes flat latent
    vectors and returns samples of the critic's input shape.
    """
    for name, network in (("critic", critic), ("generator", generator)):
        if not isinstance(network, keras.Model):
            raise TypeError(f"`{name}` must be a keras.Model. Received: {type(network).__name__}")
        if not network.built or not network.inputs:
            raise ValueError(
                f"The {name} must be built with a known input shape, e.g. a "
                "functional model starting with `keras.Input(shape=...)`."
            )
        if len(network.inputs) != 1 or len(network.outputs) != 1:
            raise ValueError(f"The {name} must have exactly one input and one output.")
    critic_output = tuple(critic.output_shape[1:])
    if critic_output not in ((), (1,)):
        raise ValueError(
            "The critic must return one value per example, shape (batch_size, 1). "
            f"Its output shape is {critic.output_shape}: end it with `Dense(1)` "
            "(linear, no sigmoid)."
        )
    if len(generator.input_shape) != 2:
        raise ValueError(
            f"The generator must take flat latent vectors (batch_size, latent_dim). "
            f"Its input shape is {generator.input_shape}."
        )
    if tuple(generator.output_shape[1:]) != tuple(critic.input_shape[1:]):
        raise ValueError(
            f"The generator's output shape {generator.output_shape} differs from the "
            f"critic's input shape {critic.input_shape}."
        )
