import keras
import numpy as np
import pytest

import keras_wgan as kw


def test_clips_to_interval():
    weights = np.array([-1.0, -0.005, 0.0, 0.02, 3.0], "float32")
    clipped = keras.ops.convert_to_numpy(kw.ClipConstraint(0.01)(weights))
    np.testing.assert_allclose(clipped, [-0.01, -0.005, 0.0, 0.01, 0.01])


def test_is_a_keras_constraint_and_serializes():
    constraint = kw.ClipConstraint(0.05)
    assert isinstance(constraint, keras.constraints.Constraint)
    assert constraint.get_config() == {"clip_value": 0.05}
    restored = keras.constraints.deserialize(keras.constraints.serialize(constraint))
    assert isinstance(restored, kw.ClipConstraint) and restored.clip_value == 0.05


def test_layer_with_constraint_round_trips(tmp_path):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1, kernel_constraint=kw.ClipConstraint(0.1))(inputs))
    model.save(tmp_path / "m.keras")
    restored = keras.models.load_model(tmp_path / "m.keras")
    assert restored.layers[-1].kernel_constraint.clip_value == 0.1


@pytest.mark.parametrize("bad", [0.0, -0.01])
def test_rejects_non_positive_clip_value(bad):
    with pytest.raises(ValueError, match="clip_value"):
        kw.ClipConstraint(bad)
