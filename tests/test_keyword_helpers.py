"""A differentiated keyword argument passed to a helper that takes it through ``**kwargs`` is
refused with a message that names the helper and its ``**`` parameter, and says what to
write (a parameter of that name, or one dict); the fix it gives is differentiated."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
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


def layer_with_settings(x, W, act='tanh', scale=1.0):
    z = (x @ W) * scale
    return np.tanh(z) if act == 'tanh' else np.maximum(z, 0)


def config_unpacked(W, X):
    cfg = {'act': 'tanh', 'scale': 0.5}
    return np.sum(layer_with_settings(X, W, **cfg) ** 2) + cfg['scale']


CFG = {'act': 'relu', 'scale': 2.0}


def global_config_unpacked(W, X):
    return np.sum(layer_with_settings(X, W, **CFG) ** 2)


def test_a_local_dict_of_settings_unpacked_into_a_call():
    # (``**cfg`` of a dict display of constant keys, read only so: the keywords it gives)
    rng = np.random.default_rng(0)
    W, X = rng.standard_normal((3, 2)), rng.standard_normal((4, 3))
    check_grads(config_unpacked, (W, X), modes=('rev', 'fwd'))


def test_a_global_dict_unpacked_into_a_call_says_what_to_write():
    rng = np.random.default_rng(0)
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='keyword'):
        s2sgrad.grad(global_config_unpacked)(rng.standard_normal((3, 2)),
                                             rng.standard_normal((4, 3)))


def config_with_a_repeated_key(W, X):
    cfg = {'act': 'relu', 'scale': 0.5, 'act': 'tanh'}  # noqa: F601 (the last one wins)
    return np.sum(layer_with_settings(X, W, **cfg) ** 2)


def test_a_repeated_key_gives_one_keyword():
    rng = np.random.default_rng(1)
    check_grads(config_with_a_repeated_key, (rng.standard_normal((3, 2)),
                                             rng.standard_normal((4, 3))), modes=('rev',))
