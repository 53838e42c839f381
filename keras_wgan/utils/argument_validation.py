"""Checks of public arguments: one rule for the whole package.

Every check returns the value in a canonical form (an `int`, a `float`, a
tuple) or raises with Keras's message style: what is wrong, then
`"Received: name=value"`. The rule:

- a value of the wrong type raises `TypeError`: a float where an int is
  expected (`critic_steps=5.0`, even if whole), a bool where a number is
  expected (`bool` is a subclass of `int`, but `units=True` is a mistake),
  a string where a number is expected;
- a value of the right type outside its allowed range raises `ValueError`
  (`every=0`, `value_range=(1, 0)`).

Example:

>>> check_int(3, "every", minimum=1)
3
>>> check_int(3.0, "every")
Traceback (most recent call last):
    ...
TypeError: `every` must be an int. Received: every=3.0
"""

import math

import numpy as np


def received(name, value):
    """The closing words of every message: `"Received: name=value"`."""
    return f"Received: {name}={value!r}"


def is_int(value):
    """Whether `value` is a Python or NumPy integer, and not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(value, name, *, minimum=None, maximum=None):
    """Returns `value` as an `int`, checked to lie in `[minimum, maximum]`.

    Raises:
        TypeError: if `value` is not an int (floats and bools are not).
        ValueError: if it is below `minimum` or above `maximum`.
    """
    if not is_int(value):
        raise TypeError(f"`{name}` must be an int. {received(name, value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}. {received(name, value)}")
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be at most {maximum}. {received(name, value)}")
    return value


def check_positive_int(value, name):
    """Returns `value` as an `int >= 1`; see `check_int`."""
    return check_int(value, name, minimum=1)


def check_num_classes(num_classes):
    """Returns `num_classes` as an int >= 2, or None (an unconditional model)."""
    if num_classes is None:
        return None
    return check_int(num_classes, "num_classes", minimum=2)


def check_seed(value, name="seed", *, allow_none=False):
    """Returns a seed: an `int >= 0` (or None when `allow_none`)."""
    if value is None and allow_none:
        return None
    if not is_int(value):
        expected = "an int or None" if allow_none else "an int"
        raise TypeError(f"`{name}` must be {expected}. {received(name, value)}")
    return check_int(value, name, minimum=0)


def check_number(
    value, name, *, minimum=None, maximum=None, exclusive_minimum=False, exclusive_maximum=False
):
    """Returns a finite number as a `float`, checked against its bounds.

    Ints and floats (Python or NumPy) are numbers; bools and strings are not.

    Raises:
        TypeError: if `value` is not a number.
        ValueError: if it is NaN, infinite or out of bounds.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"`{name}` must be a number. {received(name, value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"`{name}` must be finite. {received(name, value)}")
    if minimum is not None and (number <= minimum if exclusive_minimum else number < minimum):
        bound = f"greater than {minimum}" if exclusive_minimum else f"at least {minimum}"
        raise ValueError(f"`{name}` must be {bound}. {received(name, value)}")
    if maximum is not None and (number >= maximum if exclusive_maximum else number > maximum):
        bound = f"less than {maximum}" if exclusive_maximum else f"at most {maximum}"
        raise ValueError(f"`{name}` must be {bound}. {received(name, value)}")
    return number


def check_bool(value, name):
    """Returns `value` as a `bool`; only `True`, `False` (or NumPy bools) pass.

    `delete_checkpoint="no"` is truthy: accepting it would do the opposite
    of what was meant.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be True or False. {received(name, value)}")
    return bool(value)


def check_value_range(value_range, name="value_range"):
    """Returns `(low, high)` as floats: finite, with `low < high`.

    Raises:
        TypeError: if `value_range` is not a pair of numbers.
        ValueError: if the numbers are not finite or `low >= high`.
    """
    if isinstance(value_range, (str, bytes)):
        raise TypeError(f"`{name}` must be a pair of numbers (low, high). {received(name, value_range)}")
    try:
        low, high = value_range
    except (TypeError, ValueError):
        raise TypeError(
            f"`{name}` must be a pair of numbers (low, high), e.g. (-1.0, 1.0). {received(name, value_range)}"
        ) from None
    for bound in (low, high):
        if isinstance(bound, (bool, np.bool_)) or not isinstance(
            bound, (int, float, np.integer, np.floating)
        ):
            raise TypeError(
                f"`{name}` must be a pair of numbers (low, high), e.g. (-1.0, 1.0). {received(name, value_range)}"
            )
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"`{name}` must be finite with low < high. {received(name, value_range)}")
    return low, high


def check_shape(shape, name):
    """Returns a shape as a tuple of positive ints; an int `n` means `(n,)`."""
    if is_int(shape):
        shape = (shape,)
    if isinstance(shape, (str, bytes)):
        raise TypeError(f"`{name}` must be a tuple of positive ints. {received(name, shape)}")
    try:
        dimensions = tuple(shape)
    except TypeError:
        raise TypeError(f"`{name}` must be a tuple of positive ints. {received(name, shape)}") from None
    if not dimensions:
        raise ValueError(f"`{name}` must not be empty. {received(name, shape)}")
    for dimension in dimensions:
        if not is_int(dimension):
            raise TypeError(f"`{name}` must be a tuple of positive ints. {received(name, shape)}")
        if dimension < 1:
            raise ValueError(f"`{name}` must be a tuple of positive ints. {received(name, shape)}")
    return tuple(int(dimension) for dimension in dimensions)


def check_one_of(value, name, options):
    """Returns `value` if it is one of `options`, else raises `ValueError`."""
    if not any(value is option or (type(value) is type(option) and value == option) for option in options):
        choices = ", ".join(repr(option) for option in options)
        raise ValueError(f"`{name}` must be one of {choices}. {received(name, value)}")
    return value


def check_string(value, name, *, allow_empty=False):
    """Returns `value` if it is a string (non-empty unless `allow_empty`)."""
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be a string. {received(name, value)}")
    if not value and not allow_empty:
        raise ValueError(f"`{name}` must not be empty. {received(name, value)}")
    return value


def check_instance(value, name, types, description):
    """Returns `value` if it is an instance of `types`, else raises `TypeError`.

    Args:
        description: what `name` must be, as words, e.g. `"a keras.Model"`.
    """
    if not isinstance(value, types):
        raise TypeError(
            f"`{name}` must be {description}. Received: {name}={value!r} of type {type(value).__name__}"
        )
    return value


def check_activation(activation, name="output_activation"):
    """Returns `activation` if Keras knows it (`"tanh"`, a callable, None, ...)."""
    import keras  # Here, not at the top: the other checks need NumPy only.

    try:
        keras.activations.get(activation)
    except ValueError as error:
        raise ValueError(
            f'`{name}` must be a Keras activation (e.g. "tanh", "sigmoid" or None). {received(name, activation)}'
        ) from error
    return activation
