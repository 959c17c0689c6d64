"""Refusals that only the arguments' values can decide (np.pad's mode, svd's full_matrices of
a non-square matrix, np.cross of 2-vectors) are raised by the running gradient: they are
`NoRuleError`s that point at the user's line, found through the generated frames.

The functions below are written as users write them: at module level of this file.
"""
import inspect

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import NoRuleError


def padded_max(x):
    y = np.sin(x) * 2
    z = np.pad(y, 2, mode='maximum')
    return np.sum(z ** 2)


def full_svd(a):
    u, s, vt = np.linalg.svd(a, full_matrices=True)
    return np.sum(u[:, :2] ** 2) + np.sum(s)


def cross2(x):
    return np.sum(np.cross(x[:2], x[2:4]))


def _inner_pad(v):
    w = v * 2
    return np.pad(w, 1, mode='mean')


def outer_pad(x):
    y = _inner_pad(x)
    return np.sum(y ** 2)


def loop_pad(x):
    total = 0.0
    for i in range(3):
        total = total + np.sum(np.pad(x * i, 1, mode='median'))
    return total


def cumulative_2d(x):
    return np.sum(np.cumulative_sum(x * 2, axis=0, dtype=np.float64) ** 2)


def adds_a_key(p, x):
    p['new'] = x * 2.0
    return np.sum(p['W'] * p['new'])


def _line_of(func, text):
    lines, start = inspect.getsourcelines(func)
    return start + next(k for k, line in enumerate(lines) if text in line)


def _assert_located(error, func, text):
    assert isinstance(error, NoRuleError)
    assert error.filename == __file__
    assert error.lineno == _line_of(func, text)
    assert text in str(error) and f'line {error.lineno}' in str(error)


CASES = [
    (padded_max, padded_max, "np.pad(y, 2, mode='maximum')", np.arange(1.0, 5.0), 'maximum'),
    (full_svd, full_svd, 'np.linalg.svd(a, full_matrices=True)',
     np.arange(1.0, 7.0).reshape(2, 3), 'full_matrices'),
    (cross2, cross2, 'np.cross', np.arange(1.0, 5.0), 'np.cross'),
    (outer_pad, _inner_pad, "np.pad(w, 1, mode='mean')", np.arange(1.0, 4.0), 'mean'),
    (loop_pad, loop_pad, "mode='median'", np.arange(1.0, 4.0), 'median'),
]


@pytest.mark.parametrize('func, where, text, x, named', CASES,
                         ids=[case[0].__name__ for case in CASES])
@pytest.mark.parametrize('motion', ['split', 'joint'])
@pytest.mark.filterwarnings('ignore:Arrays of 2-dimensional vectors:DeprecationWarning')
def test_grad_refusal_points_at_the_line(func, where, text, x, named, motion):
    with pytest.raises(NoRuleError) as info:
        s2sgrad.grad(func, motion=motion)(x)
    assert named in info.value.message
    _assert_located(info.value, where, text)


@pytest.mark.parametrize('func, where, text, x, named', CASES[:1] + CASES[3:4],
                         ids=['padded_max', 'outer_pad'])
def test_forward_mode_refusal_points_at_the_line(func, where, text, x, named):
    with pytest.raises(NoRuleError) as info:
        s2sgrad.jvp(func)((x,), (np.ones_like(x),))
    _assert_located(info.value, where, text)


@pytest.mark.skipif(not hasattr(np, 'cumulative_sum'), reason='np.cumulative_sum: NumPy >= 2.1')
def test_definition_refusal_points_at_the_users_line():
    """s2sgrad's own definitions (differentiated from their source) are skipped: the error
    points at the user's call, not into s2sgrad's files."""
    with pytest.raises(NoRuleError) as info:
        s2sgrad.grad(cumulative_2d)(np.ones((2, 3)))
    assert "dtype" in info.value.message
    _assert_located(info.value, cumulative_2d, 'np.cumulative_sum(x * 2, axis=0')


def test_without_generated_frames_the_error_has_no_location():
    from s2sgrad.runtime_errors import unsupported
    error = unsupported('plain')
    assert isinstance(error, NoRuleError) and str(error) == 'plain' and error.filename is None


def test_a_new_key_in_a_dict_argument_is_differentiated_and_stays_out_of_it():
    # (refused until s2s.restore_item removed keys added again)
    p = {'W': np.array([1.0, 2.0, 3.0])}
    np.testing.assert_allclose(s2sgrad.grad(adds_a_key, wrt=1)(p, np.ones(3)), 2 * p['W'])
    assert set(p) == {'W'}
    # replacing the value of a key the dict has is differentiated
    p['new'] = np.zeros(3)
    np.testing.assert_allclose(s2sgrad.grad(adds_a_key, wrt=1)(p, np.ones(3)), 2 * p['W'])
    np.testing.assert_array_equal(p['new'], np.zeros(3))


def branchy(x):
    s = 0.0
    for i in range(2):
        for j in range(x.shape[0]):
            if x[j] > 2.0:
                s = s + x[j] * x[i]
            else:
                s = s - np.exp(x[j])
    t = s * 2.0
    return t


def _user_lines(generated):
    """Generated line text -> the text of the line of `branchy` it maps to (each generated
    line's own map, `runtime_errors._line_map`; the first line of each text)."""
    from s2sgrad import runtime_errors
    name = generated.source.split('(')[0][len('def '):]
    origin = next(origin for code, origin in list(runtime_errors.ORIGINS.items())
                  if code.co_name == name and origin[1] == __file__)
    mapped = runtime_errors._line_map(origin)
    lines = inspect.getsource(branchy).splitlines()
    first = branchy.__code__.co_firstlineno
    out = {}
    for number, text in enumerate(generated.source.splitlines(), 1):
        lineno = mapped.get(number)
        out.setdefault(text.strip(), lines[lineno - first].strip() if lineno else None)
    return out


def test_each_generated_line_maps_to_the_line_it_was_made_from():
    """The line a run-time error of generated code names: a value the backward sweep
    recomputes or pops maps to the statement that made it (not to the one before it in the
    printed code), the seed to the return, the branch's flag to the ``if``; in forward mode,
    a statement after a tangent that has no tangent itself to its own line."""
    grad = _user_lines(s2sgrad.grad(branchy))
    assert grad['x_j = x[j]'] == 's = s + x[j] * x[i]'
    assert grad['x_j_2 = x[j]'] == 's = s - np.exp(x[j])'
    assert grad['cond = cond_stack.pop()'] == 'if x[j] > 2.0:'
    assert grad["bt = s2s.seed(t, 'branchy')"] == 'return t'
    jvp = _user_lines(s2sgrad.jvp(branchy))
    assert jvp['cond = x[j] > 2.0'] == 'if x[j] > 2.0:', jvp  # (after the first tangent)
    assert jvp['x_j_2 = x[j]'] == 's = s - np.exp(x[j])', jvp
