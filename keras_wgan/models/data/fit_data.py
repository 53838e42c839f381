"""What `WassersteinGAN.fit` and `evaluate` hand to Keras, from what users pass.

Training data becomes elements of `(m, critic_steps, *sample_shape)` real
samples (and `(m, critic_steps)` labels, for a conditional model); held-out
data becomes batches of `(m, *sample_shape)` (and `(m,)` labels). The
adapters (`adapters`) read each input kind, the `checks.DataSpec` checks
it, and `validation_split` applies before training starts.
"""

from keras_wgan.backends import current as backend
from keras_wgan.models import network_inspection
from keras_wgan.models.data import adapters, checks


def data_spec(model, name, errors=None):
    """The `checks.DataSpec` of `model`'s data called `name`."""
    return checks.DataSpec(
        model.sample_shape,
        num_classes=model.num_classes,
        value_range=network_inspection.output_range(model.generator),
        name=name,
        errors=errors,
    )


def fit_batches(model, x, y, *, batch_size, validation_data, shuffle, fit_kwargs, device_data=False):
    """Returns `(batches, validation_batches, spec)` for `keras.Model.fit`.

    Args:
        model: the `WassersteinGAN` being trained.
        x, y, batch_size, validation_data, shuffle: as `model.fit` takes them.
        fit_kwargs: the other arguments of `fit`; `validation_split` and
            `validation_batch_size` are taken out of it, and
            `steps_per_epoch` makes an array repeat (every epoch runs the
            steps asked for).
        device_data: `"auto"`, True or False: an array kept whole in device
            memory (see `adapters.keeps_on_device`).

    Returns:
        The training elements, the held-out batches (or None), and the
        training data's `checks.DataSpec`, whose `raise_recorded` raises
        the error of a bad later batch.
    """
    spec = data_spec(model, "x")
    validation_split = fit_kwargs.pop("validation_split", 0.0)
    if validation_split and validation_data is None:  # As in Keras, validation_data wins.
        x = checks.standardize_input(x)
        if isinstance(x, dict) and model.conditional:
            x, y = spec.split(x)
        elif isinstance(x, dict):
            x = spec.split(x, hint='x["{key}"]')[0]
        x, x_val = checks.split_validation(x, validation_split)
        y, y_val = checks.split_validation(y, validation_split)
        validation_data = (x_val, y_val)
    steps_per_epoch = fit_kwargs.get("steps_per_epoch")
    adapter = adapters.get_adapter(
        x,
        y,
        spec,
        batch_size=batch_size,
        shuffle=shuffle,
        repeat=steps_per_epoch is not None,
        training=True,
        steps_per_epoch=steps_per_epoch,
        device_data=device_data,
    )
    backend.check_even_split(adapter.batch_size, model)
    batches = adapters.group(adapter, model.critic_steps)
    if validation_data is not None:
        validation_batch_size = fit_kwargs.pop("validation_batch_size", None) or adapter.batch_size
        validation_data = held_out_batches(model, validation_data, validation_batch_size, errors=spec.errors)
    fit_kwargs.pop("validation_batch_size", None)
    return batches, validation_data, spec


def held_out_batches(model, data, batch_size, name="validation_data", errors=None):
    """Returns batches of held-out samples (and labels) for `fit` or `evaluate`."""
    spec = data_spec(model, name, errors)
    x, y = checks.held_out_parts(data, model.conditional)
    x = checks.standardize_input(x, name)
    if not (checks.is_array_like(x) or isinstance(x, dict)):
        batch_size = None  # Streams come batched.
    adapter = adapters.get_adapter(x, y, spec, batch_size=batch_size)
    backend.check_even_split(adapter.batch_size, model, name="validation batch size")
    return adapter.batches()
