"""Refusals of aliases quote the user's code, never a name the normal form made up."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError


def maybe_copied(x, inplace=True):
    a = x if inplace else x.copy()
    a[0, 0] = 0.5
    return np.sum(x ** 2)


def test_an_alias_made_by_a_conditional_expression_is_quoted_as_written():
    with pytest.raises(S2SError) as caught:
        s2sgrad.grad(maybe_copied)(np.ones((2, 3)))
    message = str(caught.value)
    first = maybe_copied.__code__.co_firstlineno
    assert f'a write into `a` (made on line {first + 1}: `a = x if inplace else x.copy()`)' \
        in message  # (the alias, quoted as written)
    assert 'choice' not in message
    assert caught.value.lineno == first + 2  # (the write, quoted below)


def item_of_a_display(x):
    y = (x, 1.0)[0]
    y += 1.0
    return np.sum(x ** 2)


def piece_of_a_split(x):
    y = x.copy()
    z = np.split(y, 3)[1]
    z *= 2.0
    return np.sum(y ** 2)


def new_axis_view(x):
    y = x.copy()
    z = y[np.newaxis]
    z *= 2.0
    return np.sum(y ** 2)


@pytest.mark.parametrize('f, quoted', [
    (item_of_a_display, '`y` (`y = (x, 1.0)[0]`)'),
    (piece_of_a_split, '`z` (`z = np.split(y, 3)[1]`)'),
    (new_axis_view, '`z` (`z = y[np.newaxis]`)'),
], ids=['display', 'split', 'newaxis'])
def test_a_write_through_a_view_quotes_the_line_that_made_it(f, quoted):
    # (not the normal form's `items[0]`, `split_y[1]`, nor a loop that is not there)
    with pytest.raises(S2SError) as caught:
        s2sgrad.grad(f)(np.ones(3))
    message = str(caught.value)
    assert quoted in message
    assert 'items' not in message and 'split_y' not in message and 'loop' not in message


class Box:
    def __init__(self, w):
        self.w = w


def write_into_an_attribute(x, box):
    box.w[0] = x[0]
    return np.sum(box.w * x)


def write_through_a_name_for_an_attribute(x, box):
    v = box.w
    v[0] = x[0]
    return np.sum(box.w * x)


@pytest.mark.parametrize('f, advice', [(write_into_an_attribute, '`w = box.w.copy()`'),
                                       (write_through_a_name_for_an_attribute,
                                        '`v = box.w.copy()`')], ids=['direct', 'named'])
def test_a_write_into_an_objects_attribute_advises_a_copy_not_an_index_of_it(f, advice):
    with pytest.raises(S2SError) as caught:
        s2sgrad.grad(f)(np.ones(3), Box(np.zeros(3)))
    message = str(caught.value)
    assert '`box[...] = ...`' not in message
    assert advice in message
