"""A dict argument whose key is replaced and whose value is then stored under another key
(``d['a'] = d['a'] * 2; d['new'] = d['a']``): a store by key changes the dict, never an array
its items hold, so it is differentiated (it was refused as a write into an array that `d_a`
shares, or checked at run time as one). Checked against closed forms and central
differences; the caller's dict is unchanged."""
import numpy as np
import pytest

import s2sgrad

A = np.array([0.5, -1.0, 2.0])


def replaced_then_copied(d):
    d['a'] = d['a'] * 2
    d['new'] = d['a']
    return np.sum(d['a'] * d['new'])


def read_then_stored(d):
    b = d['a']
    d['new'] = b
    return np.sum(d['new'] * b)


def stored_then_replaced(d):
    d['old'] = d['a']
    d['a'] = np.sin(d['a'])
    return np.sum(d['a'] * d['old'])


def numeric(f, a, eps=1e-6):
    return np.array([(f({'a': a + eps * e}) - f({'a': a - eps * e})) / (2 * eps)
                     for e in np.eye(a.size)])


@pytest.mark.parametrize('f, closed', [(replaced_then_copied, lambda a: 8 * a),
                                       (read_then_stored, lambda a: 2 * a),
                                       (stored_then_replaced,
                                        lambda a: np.cos(a) * a + np.sin(a))],
                         ids=lambda v: getattr(v, '__name__', ''))
def test_keys_of_a_dict_argument(f, closed):
    d = {'a': A.copy()}
    g = s2sgrad.grad(f)(d)
    assert np.allclose(g['a'], closed(A)) and np.allclose(g['a'], numeric(f, A), rtol=1e-6)
    assert list(d) == ['a'] and np.array_equal(d['a'], A)
    v = np.array([1.0, 2.0, -0.5])
    assert np.allclose(s2sgrad.jvp(f)({'a': A.copy()}, {'a': v}), closed(A) @ v)
