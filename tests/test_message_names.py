"""Refusals name what the user wrote, not the names s2sgrad's passes made.

Renaming gives a rebound name a suffix (``ws_2``) and normalisation gives subexpressions
names (``y_item`` for ``y[1::2]``); a message that shows them points at code the user never
wrote. (From review: both showed up in refusals of ordinary programs, and the row of a list
of lists of floats written into, ``C[i][j] += v``, was called "an array"; an update of one
item of ``[y, x]`` named `x` alone as the array changed.)
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError


def extended_copy(x, ws):
    ws = ws[:]
    ws.extend([x])
    return sum(w * w for w in ws)


def strided_updates(x):
    y = x.copy()
    y[::2] += y[1::2]
    y[1] *= 2.0  # (an item changed in place: `y` might be a list whose items are one object)
    y[1:3] = y[3:1:-1]
    return np.sum(y ** 2)


def nested_list_of_floats(x):
    C = [[0.0, 0.0], [0.0, 0.0]]
    for i in range(2):
        for j in range(2):
            C[i][j] += x[i] * x[j]
    return C[0][1] + C[1][1] ** 2


def second_item_updated(x):
    y = x * 2
    items = [y, x]
    items[0] += 1.0
    return np.sum(y * x)


def _message(f, *args):
    with pytest.raises(S2SError) as caught:
        s2sgrad.grad(f)(*args)
    return str(caught.value)


def test_a_rebound_name_is_shown_as_written():
    message = _message(extended_copy, np.array([1.0, 2.0]), [np.ones(2)])
    assert 'the method `extend` of `ws`' in message, message
    assert 'ws_2' not in message, message


def test_a_subexpression_is_shown_as_written_with_its_line():
    message = _message(strided_updates, np.arange(6.0))
    assert 'y_item' not in message, message
    line = strided_updates.__code__.co_firstlineno + 2
    assert f'`y[::2]` (line {line})' in message, message


def test_the_row_written_into_is_shown_as_written():
    message = _message(nested_list_of_floats, np.array([1.0, 2.0]))
    assert 'a write into `C[i]`' in message, message
    assert 'an array' not in message.split(',')[0], message


def test_an_item_update_names_every_name_that_may_hold_the_item():
    # (the list's items are followed together: `y` is the one changed, not only `x`)
    message = _message(second_item_updated, np.array([1.0, 2.0]))
    assert '`x` or `y` (which may hold that array)' in message, message
