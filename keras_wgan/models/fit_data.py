"""What `WassersteinGAN.fit` and `evaluate` hand to Keras, from what users pass.

Training data becomes batches of `(m, critic_steps, *sample_shape)` real
samples (and labels, for a conditional model: `labelled_data`); held-out
data becomes batches of `(m, *sample_shape)`. `validation_split` and the
checks of `data_checks` apply before training starts.
"""

from keras_wgan.backends import current as backend
from keras_wgan.models import data_checks, labelled_data, real_data


def fit_batches(model, x, y, *, batch_size, validation_data, shuffle, fit_kwargs):
    """Returns `(batches, validation_batches)` for `keras.Model.fit`.

    Args:
        model: the `WassersteinGAN` being trained.
        x, y, batch_size, validation_data, shuffle: as `model.fit` takes them.
        fit_kwargs: the other arguments of `fit`; `validation_split` and
            `validation_batch_size` are taken out of it, and
            `steps_per_epoch` makes an array repeat (every epoch runs the
            steps asked for).

    Returns:
        The training batches and the held-out batches (or None).
    """
    validation_split = fit_kwargs.pop("validation_split", 0.0)
    if validation_split and validation_data is None:  # As in Keras, validation_data wins.
        if model.conditional:
            if isinstance(x, dict):
                x, y = labelled_data.split_element(x)
            x, x_val = data_checks.split_validation(x, validation_split)
            y, y_val = data_checks.split_validation(y, validation_split) if y is not None else (None, None)
            validation_data = (x_val, y_val)
        else:
            x, validation_data = data_checks.split_validation(x, validation_split)
    arguments = dict(
        batch_size=batch_size,
        sample_shape=model.sample_shape,
        critic_steps=model.critic_steps,
        shuffle=shuffle,
        repeat=fit_kwargs.get("steps_per_epoch") is not None,
        value_range=data_checks.output_range(model.generator),
    )
    if model.conditional:
        batches, batch_size = labelled_data.training_batches(x, y, num_classes=model.num_classes, **arguments)
    else:
        batches, batch_size = real_data.training_batches(x, **arguments)
    backend.check_even_split(batch_size, model)
    validation_batch_size = fit_kwargs.pop("validation_batch_size", None) or batch_size
    if validation_data is not None:
        if not model.conditional:
            validation_data = data_checks.validation_samples(validation_data)
        validation_data = held_out_batches(model, validation_data, validation_batch_size)
    return batches, validation_data


def held_out_batches(model, data, batch_size, name="validation_data"):
    """Returns batches of held-out samples (and labels) for `fit` or `evaluate`."""
    arguments = dict(
        batch_size=batch_size,
        sample_shape=model.sample_shape,
        name=name,
        value_range=data_checks.output_range(model.generator),
    )
    if model.conditional:
        batches, batch_size = labelled_data.held_out_batches(data, num_classes=model.num_classes, **arguments)
    else:
        batches, batch_size = real_data.held_out_batches(data, **arguments)
    backend.check_even_split(batch_size, model, name="validation batch size")
    return batches
