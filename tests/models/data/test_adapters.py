"""Every input kind gives the same batches: the same samples train to the same weights.

Also the stream mistakes caught by the adapters (issue 22, items 3 and 8):
a dataset that repeats forever without `steps_per_epoch`, and a bad label
in a later batch of a stream.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_wgan as kw
from keras_wgan.architectures import toy_critic, toy_generator
from tests.conftest import mlp

RNG = np.random.default_rng(0)
DATA = RNG.uniform(-0.9, 0.9, size=(192, 2)).astype("float32")
LABELS = RNG.integers(0, 3, size=192).astype("int32")
STEPS = 3  # 192 samples / (batch 32 * 2 critic steps)


class Batches(keras.utils.PyDataset):
    def __init__(self, labelled):
        super().__init__()
        self.labelled = labelled

    def __len__(self):
        return len(DATA) // 32

    def __getitem__(self, index):
        rows = slice(32 * index, 32 * (index + 1))
        return (DATA[rows], LABELS[rows]) if self.labelled else DATA[rows]


def forms(labelled):
    """The same batches of 32, in order, as every input kind: `(x, y, batch_size)`."""
    pairs = (DATA, LABELS)
    dataset = tf.data.Dataset.from_tensor_slices(pairs if labelled else DATA).batch(32, drop_remainder=True)
    tfds = tf.data.Dataset.from_tensor_slices({"image": DATA, "label": LABELS}).batch(32, drop_remainder=True)
    generator = (
        (DATA[i : i + 32], LABELS[i : i + 32]) if labelled else DATA[i : i + 32] for i in range(0, 192, 32)
    )
    return {
        "array": (DATA, LABELS if labelled else None, 32),
        "list_of_one_array": ([DATA], LABELS if labelled else None, 32),
        "dict_of_arrays": ({"image": DATA, "label": LABELS}, None, 32),
        "tf_data": (dataset, None, None),
        "tfds_dict_dataset": (tfds, None, None),
        "pydataset": (Batches(labelled), None, None),
        "generator": (generator, None, None),
    }


def trained_weights(x, y, batch_size, num_classes=None):
    keras.utils.set_random_seed(0)
    if num_classes is None:
        model = kw.WGANGP(mlp(2, 1, units=8), mlp(2, 2, units=8), critic_steps=2, seed=1)
    else:
        model = kw.WGANGP(
            toy_critic(8, 2, num_classes=num_classes),
            toy_generator(2, 8, 2, num_classes=num_classes),
            critic_steps=2,
            seed=1,
            num_classes=num_classes,
        )
    model.compile(run_eagerly=True)  # The data path is under test: no tracing per input kind.
    model.fit(x, y, batch_size=batch_size, epochs=1, steps_per_epoch=STEPS, shuffle=False, verbose=0)
    assert int(model.generator_optimizer.iterations) == STEPS
    return [keras.ops.convert_to_numpy(v) for v in model.critic.weights + model.generator.weights]


@pytest.mark.slow  # Seven models trained per case.
@pytest.mark.parametrize("labelled", [False, True], ids=["unconditional", "conditional"])
def test_every_input_kind_trains_to_the_same_weights(labelled):
    num_classes = 3 if labelled else None
    weights = {name: trained_weights(*form, num_classes) for name, form in forms(labelled).items()}
    reference = weights.pop("array")
    for name, trained in weights.items():
        for got, expected in zip(trained, reference, strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6, err_msg=name)


def make(num_classes=None):
    keras.utils.set_random_seed(0)
    if num_classes is None:
        model = kw.WGAN(mlp(2, 1, units=8), mlp(2, 2, units=8), critic_steps=2)
    else:
        model = kw.WGAN(
            toy_critic(8, 1, num_classes=num_classes),
            toy_generator(2, 8, 1, num_classes=num_classes),
            critic_steps=2,
            num_classes=num_classes,
        )
    model.compile()
    return model


def test_a_dataset_repeating_forever_needs_steps_per_epoch():
    forever = tf.data.Dataset.from_tensor_slices(DATA).batch(32, drop_remainder=True).repeat()
    model = make()
    with pytest.raises(ValueError, match=r"repeats forever.*Pass `steps_per_epoch`"):
        model.fit(forever, epochs=1, verbose=0)
    assert int(model.generator_optimizer.iterations) == 0
    model.fit(forever, epochs=2, steps_per_epoch=2, verbose=0)
    assert int(model.generator_optimizer.iterations) == 4
    # Finite datasets and generators still train without it.
    model.fit(tf.data.Dataset.from_tensor_slices(DATA).batch(32, drop_remainder=True), epochs=1, verbose=0)
    model.fit((DATA[i : i + 32] for i in range(0, 192, 32)), epochs=1, verbose=0)
    # Keras may run one extra step at the end of a generator of unknown length.
    assert int(model.generator_optimizer.iterations) in (4 + 2 * STEPS, 5 + 2 * STEPS)


def later_bad_label_forms():
    labels = LABELS.copy()
    labels[100] = 7  # in the fourth batch of 32, after the first checked one
    dataset = tf.data.Dataset.from_tensor_slices((DATA, labels)).batch(32, drop_remainder=True)
    generator = ((DATA[i : i + 32], labels[i : i + 32]) for i in range(0, 192, 32))

    class Bad(keras.utils.PyDataset):
        def __len__(self):
            return 6

        def __getitem__(self, index):
            return DATA[32 * index : 32 * (index + 1)], labels[32 * index : 32 * (index + 1)]

    return {"tf_data": dataset, "generator": generator, "pydataset": Bad()}


@pytest.mark.parametrize("form", ["tf_data", "generator", "pydataset"])
def test_a_bad_label_in_a_later_batch_is_named(form):
    model = make(num_classes=3)
    with pytest.raises(ValueError, match=r"the labels of `x`.*\[0, 3\).*e\.g\. 7") as raised:
        model.fit(later_bad_label_forms()[form], epochs=1, verbose=0)
    assert "Graph execution error" not in str(raised.value)
