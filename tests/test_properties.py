"""Property test: random straight-line NumPy programs, differentiated and checked numerically."""

import os
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import s2sgrad  # noqa: E402
from s2sgrad.checks import numerical_grad  # noqa: E402
from generated_modules import load_function  # noqa: E402

# Unary operations on a vector, each safe on the whole real line (bounded or positive arguments).
UNARY = [
    'np.sin({v})',
    'np.cos({v})',
    'np.tanh({v})',
    'np.arctan({v})',
    'np.exp(np.tanh({v}))',
    'np.log(1.0 + {v} * {v})',
    'np.sqrt(1.0 + {v} * {v})',
    '{v} / (1.0 + {v} * {v})',
    '-{v}',
    '{v} ** 2',
    'np.abs({v}) + 1.0',  # only used where v is kept away from 0, see _safe_abs
]

# Binary operations between two vectors.
BINARY = ['{v} + {w}', '{v} - {w}', '{v} * {w}', '{v} / (1.0 + {w} * {w})']

# Broadcasting between a vector and the Python float ``a`` (or a reduction of a vector).
SCALAR = [
    '{v} * a',
    '{v} + a',
    'a - {v}',
    '{v} / (2.0 + a * a)',
    '{v} * np.sum({w})',
    '{v} - np.mean({w})',
    'np.sin(a) * {v}',
    '{v} ** 3 * a',
]

FINAL = ['np.sum({v})', 'np.mean({v} * x)', 'np.sum({v} * {v}) + a', 'np.sum({v}) * a']


@st.composite
def programs(draw):
    """Source text of ``def f(x, a)`` with 2-6 statements; ``x`` a vector, ``a`` a float."""
    n = draw(st.integers(min_value=2, max_value=6))
    names = ['x']
    lines = []
    for k in range(n):
        kind = draw(st.sampled_from(['unary', 'binary', 'scalar']))
        # Most recent names first: shrinking and sampling favour chains of dependent statements.
        v = draw(st.sampled_from(names[::-1]))
        w = draw(st.sampled_from(names[::-1]))
        if kind == 'unary':
            template = draw(st.sampled_from(UNARY))
            if 'np.abs' in template and v != 'x':
                template = 'np.sin({v})'
        elif kind == 'binary':
            template = draw(st.sampled_from(BINARY))
        else:
            template = draw(st.sampled_from(SCALAR))
        name = f't{k}'
        lines.append(f'    {name} = ' + template.format(v=v, w=w))
        names.append(name)
    final = draw(st.sampled_from(FINAL)).format(v=names[-1])
    body = '\n'.join(lines)
    return f'import numpy as np\n\n\ndef f(x, a):\n{body}\n    return {final}\n'


EXAMPLES = int(os.environ.get('S2SGRAD_EXAMPLES', 30))  # raise it to search longer


@pytest.fixture(scope='module')
def module_dir():
    with tempfile.TemporaryDirectory(prefix='s2sgrad_props_') as path:
        yield path


def _load(source, directory):
    return load_function(source, directory, 's2sgrad_prop')


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(source=programs(), seed=st.integers(min_value=0, max_value=2 ** 16))
def test_random_programs_match_central_differences(module_dir, source, seed):
    f = _load(source, module_dir)
    rng = np.random.default_rng(seed)
    # |x| >= 0.2 keeps np.abs away from its kink.
    x = rng.choice([-1.0, 1.0], size=4) * rng.uniform(0.2, 1.0, size=4)
    a = float(rng.uniform(-1.0, 1.0))

    gx, ga = s2sgrad.grad(f, wrt=(0, 1))(x, a)

    assert isinstance(gx, np.ndarray) and gx.shape == x.shape and gx.dtype == x.dtype, source
    assert type(ga) is float, source
    ex = numerical_grad(f, (x, a), 0)
    ea = numerical_grad(f, (x, a), 1)
    scale = max(1.0, abs(float(f(x, a))), float(np.max(np.abs(ex))), abs(ea))
    np.testing.assert_allclose(gx, ex, rtol=1e-5, atol=1e-6 * scale, err_msg=source)
    np.testing.assert_allclose(ga, ea, rtol=1e-5, atol=1e-6 * scale, err_msg=source)


@st.composite
def loop_programs(draw):
    """``def f(x, a)`` with a loop that carries state, a branch, and writes into an array."""
    steps = draw(st.integers(min_value=1, max_value=4))
    n = draw(st.integers(min_value=1, max_value=3))
    names = ['s', 'x']
    lines = []
    for k in range(n):
        kind = draw(st.sampled_from(['unary', 'binary', 'scalar']))
        v = draw(st.sampled_from(names[::-1]))
        w = draw(st.sampled_from(names[::-1]))
        template = draw(st.sampled_from({'unary': UNARY[:-1], 'binary': BINARY,
                                         'scalar': SCALAR}[kind]))
        lines.append(f'        t{k} = ' + template.format(v=v, w=w))
        names.append(f't{k}')
    last = names[-1]
    branch = draw(st.sampled_from(['i % 2 == 0', 'np.sum(s) > 0.0', 'a > 0.0']))
    update = draw(st.sampled_from(['s = np.tanh({t}) * 0.9 + s * 0.1',
                                   's = s * 0.5 + np.sin({t}) * 0.5',
                                   's += 0.1 * np.tanh({t})']))
    record = draw(st.booleans())
    stop = draw(st.booleans())
    body = '\n'.join(lines)
    text = ['import numpy as np', '', '', 'def f(x, a):', '    s = x * 0.5',
            '    out = np.zeros(4)', f'    for i in range({steps}):', body,
            f'        if {branch}:', '            ' + update.format(t=last), '        else:',
            '            s = s - 0.1 * np.tanh(' + last + ')']
    if record:
        text.append('        out[i % 4] = np.sum(s * x)')
    if stop:
        text += ['        if i >= 2:', '            break']
    text.append('    return np.sum(s ** 2) + np.sum(out) * a')
    return '\n'.join(text) + '\n'


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(source=loop_programs(), seed=st.integers(min_value=0, max_value=2 ** 16))
def test_random_loop_programs_match_central_differences(module_dir, source, seed):
    f = _load(source, module_dir)
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 1.0], size=4) * rng.uniform(0.2, 1.0, size=4)
    a = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.2, 1.0))
    s = x * 0.5
    if 'np.sum(s) > 0.0' in source and abs(float(np.sum(s))) < 1e-3:
        return  # too close to the branch's switching point for central differences

    gx, ga = s2sgrad.grad(f, wrt=(0, 1))(x.copy(), a)
    raw = s2sgrad.grad(f, wrt=(0, 1), optimized=False)(x.copy(), a)
    np.testing.assert_allclose(raw[0], gx, rtol=1e-12, atol=1e-12, err_msg=source)
    ex = numerical_grad(f, (x, a), 0)
    ea = numerical_grad(f, (x, a), 1)
    scale = max(1.0, abs(float(f(x.copy(), a))), float(np.max(np.abs(ex))), abs(ea))
    np.testing.assert_allclose(gx, ex, rtol=1e-5, atol=1e-6 * scale, err_msg=source)
    np.testing.assert_allclose(ga, ea, rtol=1e-5, atol=1e-6 * scale, err_msg=source)
