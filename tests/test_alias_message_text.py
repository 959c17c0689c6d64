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
