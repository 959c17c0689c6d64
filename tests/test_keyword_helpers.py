"""A differentiated keyword argument passed to a helper that takes it through ``**kwargs`` is
refused with a message that names the helper and its ``**`` parameter, and says what to
write (a parameter of that name, or one dict); the fix it gives is differentiated."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError

X = np.array([0.3, -0.4, 0.7])


def kw_helper(x, **options):
    return np.sum(x * options['a']) + options.get('b', 1.0)


def through_kwargs(x, a):
    return kw_helper(x, a=a, b=3.0)


def named_helper(x, a, b=1.0):
    return np.sum(x * a) + b


def through_a_parameter(x, a):
    return named_helper(x, a=a, b=3.0)


def dict_helper(x, options):
    return np.sum(x * options['a']) + options.get('b', 1.0)


def through_a_dict(x, a):
    options = {'a': a, 'b': 3.0}
    return dict_helper(x, options)


def test_the_message_names_the_helper_and_its_double_star_parameter():
    with pytest.raises(UnsupportedSyntaxError, match='`kw_helper` takes through its `\\*\\*`') \
            as info:
        s2sgrad.grad(through_kwargs, wrt=1)(X, np.ones(3))
    assert 'test_keyword_helpers.py' in str(info.value) and 'a=a' in str(info.value)


@pytest.mark.parametrize('f', [through_a_parameter, through_a_dict], ids=lambda f: f.__name__)
def test_the_fixes_it_gives_are_differentiated(f):
    assert np.allclose(s2sgrad.grad(f, wrt=1)(X, np.array([1.0, 2.0, 3.0])), X)
