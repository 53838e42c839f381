"""The `tf.data` pipeline of `labelled_data`: the TensorFlow backend's for
arrays, and any backend's for `tf.data.Dataset` inputs. Elements as in
`labelled_data`."""

import tensorflow as tf

from keras_wgan.models import conditioning, data_checks
from keras_wgan.models.labelled_data import split_element


def array_batches(samples, labels, batch_size, critic_steps, shuffle, repeat=False):
    """Labelled batches of checked arrays, grouped by `critic_steps` unless None."""
    dataset = tf.data.Dataset.from_tensor_slices((samples.astype("float32", copy=False), labels))
    if shuffle:
        dataset = dataset.shuffle(len(samples), reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=True)
    return _grouped(dataset, critic_steps)


def dataset_batches(dataset, num_classes, sample_shape, critic_steps, name):
    """Checks a user's dataset of labelled batches; returns `(batches, batch_size)`.

    The first batch is checked in full before training; every batch's labels
    are asserted to lie in `[0, num_classes)` as it is read.
    """
    element_spec = dataset.element_spec
    if isinstance(element_spec, dict):
        split_element(element_spec, name)  # Raises for missing keys before tracing.
    elif not isinstance(element_spec, (tuple, list)) or len(element_spec) < 2:
        raise ValueError(
            f"A conditional model needs labelled batches: `{name}` must yield `(x, y)` pairs or "
            f'dicts with "image" and "label". Received: elements {element_spec}'
        )
    dataset = dataset.map(lambda *element: split_element(element[0] if len(element) == 1 else element, name))
    first = next(iter(dataset.take(1)), None)
    if first is None:
        raise ValueError(f"`{name}` is empty: the dataset yields no batch.")
    samples, labels = (value.numpy() for value in first)
    data_checks.check_samples(samples.dtype, samples.shape, sample_shape, name)
    conditioning.check_labels(labels, num_classes, count=len(samples), name=f"the labels of `{name}`")
    batch_size = int(samples.shape[0])

    def checked(x, y):
        y = tf.reshape(tf.cast(y, "int32"), (-1,))
        message = f"labels of `{name}` must lie in [0, {num_classes}) for num_classes={num_classes}"
        with tf.control_dependencies(
            [
                tf.debugging.assert_non_negative(y, message=message),
                tf.debugging.assert_less(y, num_classes, message=message),
                tf.debugging.assert_equal(
                    tf.shape(y)[0], tf.shape(x)[0], message=f"one label per sample in `{name}`"
                ),
            ]
        ):
            return tf.cast(x, "float32"), tf.identity(y)

    dataset = dataset.map(checked)
    if dataset.element_spec[0].shape[0] != batch_size:
        dataset = dataset.filter(lambda x, y: tf.shape(x)[0] == batch_size)  # As in `real_data_tf`.
    if critic_steps is not None:
        cardinality = int(dataset.cardinality())
        if 0 <= cardinality < critic_steps:
            raise ValueError(
                f"The training data has {cardinality} batches, fewer than "
                f"`critic_steps={critic_steps}` that one generator step needs."
            )
    return _grouped(dataset, critic_steps), batch_size


def _grouped(dataset, critic_steps):
    if critic_steps is not None:
        dataset = dataset.batch(critic_steps, drop_remainder=True)
        dataset = dataset.map(lambda x, y: (tf.experimental.numpy.swapaxes(x, 0, 1), tf.transpose(y)))
    return dataset.prefetch(tf.data.AUTOTUNE)
