"""Fuzzers for the soundness issues users hit: random programs checked by the differential oracle.

Each test draws programs of one family (intermediates both indexed and reduced, views and
aliases with writes, loop-carried values whose shape changes by broadcasting, repeated fancy
indices, nested lists into ``np.array``, reductions over size-1 axes, size-1 outputs, tuple
unpacking, time-step buffers made anew, written and rotated, lists of arrays copied and an
item updated in place, loops in loops whose inner variables are read after the inner loop,
statement programs with loops, branches, aliases and early returns),
writes each to a module file, and runs ``tests/oracle.py`` on it: reverse mode optimized and
raw, forward mode, central differences, arguments unmodified, gradient kinds (and, for the
statement programs, Hessian-vector products in both ways).

A program may instead raise an ``s2sgrad.errors.S2SError`` (it is recorded, see below); a wrong
number, a modified argument, a gradient of the wrong kind or any other exception (a TypeError,
NameError, ValueError, ... from the transform or the generated code) fails the test.

Environment:
- ``S2S_FUZZ_EXAMPLES`` (default 30): examples per test; raise it for a long run.
- ``S2S_FUZZ_SEED``: hypothesis is derandomized; a different seed draws different programs.
- ``S2S_FUZZ_SHRINK=1``: shrink failures to a minimal program (slow; off by default).
- ``S2S_FUZZ_LOG=path``: append one JSON line per example (family, outcome, source).
- ``S2S_FUZZ_KEEP_GOING=1``: record failures in the log instead of failing (for counting them
  over a long run).
"""
import json
import os
import random
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oracle  # noqa: E402
from generated_modules import load_function  # noqa: E402

EXAMPLES = int(os.environ.get('S2S_FUZZ_EXAMPLES', 30))
SEED = int(os.environ.get('S2S_FUZZ_SEED', 0))
SHRINK = os.environ.get('S2S_FUZZ_SHRINK') == '1'
LOG = os.environ.get('S2S_FUZZ_LOG')
KEEP_GOING = os.environ.get('S2S_FUZZ_KEEP_GOING') == '1'

_PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if SHRINK else [])
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=SEED == 0,
                phases=_PHASES, report_multiple_bugs=False, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# Smooth unary maps on the whole real line.
UNARY = ['np.sin({})', 'np.tanh({})', 'np.cos({})', '{} / (1.0 + {} ** 2)', 'np.exp(np.tanh({}))',
         '{} * {}', '2.0 * {} - 0.5', 'np.arctan({})']


def _unary(draw, v):
    t = draw(st.sampled_from(UNARY))
    return t.replace('{}', v) if t.count('{}') == 1 else t.replace('{}', f'({v})')


@pytest.fixture(scope='module')
def module_dir():
    with tempfile.TemporaryDirectory(prefix='s2sgrad_fuzz_') as path:
        yield path


def _load(source, directory):
    return load_function(source, directory, 's2sgrad_fuzz')


def _module(params, body):
    lines = '\n'.join('    ' + line for line in body)
    return f'import numpy as np\n\n\ndef f({", ".join(params)}):\n{lines}\n'


def _make_args(specs, rng):
    """``specs``: per argument, a shape tuple (uniform in [-1, 1]), 'float', or an array."""
    out = []
    for spec in specs:
        if isinstance(spec, str) and spec == 'float':
            out.append(float(rng.uniform(-1.0, 1.0)))
        elif isinstance(spec, tuple):
            out.append(rng.uniform(-1.0, 1.0, size=spec))
        else:
            out.append(np.array(spec))
    return out


def _run(family, module_dir, source, specs, wrt, value_seed, modes=('rev', 'raw', 'fwd'),
         smooth=False):
    """Check one program; ``smooth``: skip values where the program is large or near a kink
    (central differences with two steps disagree), as programs with branches and ``max`` meet."""
    f = _load(source, module_dir)
    args = _make_args(specs, np.random.default_rng(value_seed))
    try:
        with np.errstate(all='ignore'):
            value = np.asarray(f(*[a.copy() if isinstance(a, np.ndarray) else a for a in args]))
    except Exception as exc:  # a generator bug, never s2sgrad's: say so loudly
        raise AssertionError(f'the generated program itself fails ({exc!r}):\n{source}') from exc
    # The mean of an empty selection is NaN: such a program has no derivative to check.
    assume(bool(np.all(np.isfinite(value))))
    if smooth:
        assume(float(np.max(np.abs(value), initial=0.0)) < 1e4)
        with np.errstate(all='ignore'):
            for i in wrt:
                near, far = (oracle.numerical_grad(f, args, i, eps) for eps in (1e-6, 3e-6))
                assume(bool(np.allclose(near, far, rtol=1e-5, atol=1e-5)))
    outcome = oracle.check(f, args, wrt, may_raise=True, modes=modes, name=family,
                           seed=value_seed)
    if LOG:
        with open(LOG, 'a') as fh:
            fh.write(json.dumps({'family': family, 'ok': outcome.ok, 'kinds': outcome.kinds(),
                                 'findings': [repr(x) for x in outcome.findings],
                                 'allowed': outcome.allowed, 'source': source,
                                 'args': repr(args)}) + '\n')
    if not KEEP_GOING:
        outcome.assert_ok(source + f'\nargs = {args!r}')


# ============================================================================ families

def _index_for(draw, shape):
    """A valid subscript (text) of an array of ``shape``."""
    nd = len(shape)
    options = ['int', 'neg', 'slice', 'fancy_repeat', 'mask']
    if nd >= 2:
        options += ['ellipsis0', 'column', 'row_slice', 'element']
    kind = draw(st.sampled_from(options))
    n0 = shape[0]
    if kind == 'int':
        return f'[{draw(st.integers(0, n0 - 1))}]'
    if kind == 'neg':
        return '[-1]'
    if kind == 'slice':
        lo = draw(st.integers(0, max(n0 - 1, 0)))
        return f'[{lo}:]' if draw(st.booleans()) else f'[:{lo + 1}]'
    if kind == 'fancy_repeat':
        idx = draw(st.lists(st.integers(0, n0 - 1), min_size=2, max_size=4))
        return f'[{idx!r}]'
    if kind == 'mask':
        return '[{y} > 0.1]'
    if kind == 'ellipsis0':
        return f'[..., {draw(st.integers(0, shape[-1] - 1))}]'
    if kind == 'column':
        return f'[:, {draw(st.integers(0, shape[1] - 1))}]'
    if kind == 'row_slice':
        return f'[{draw(st.integers(0, n0 - 1))}:, 1:]' if shape[1] > 1 else '[1:]'
    return '[' + ', '.join(str(draw(st.integers(0, s - 1))) for s in shape) + ']'


SHAPES = [(5,), (3, 4), (2, 3, 2), (1, 4), (4, 1), (1,)]


@st.composite
def indexed_and_reduced(draw):
    shape = draw(st.sampled_from(SHAPES))
    wshape = draw(st.sampled_from([shape, shape[-1:], (1,)]))
    op = draw(st.sampled_from(['x * w', 'np.sin(x) * w', 'x / (1.0 + w ** 2)', 'np.tanh(x + w)',
                               'x * x - w']))
    body = [f'y = {op}']
    if draw(st.booleans()):
        body.append('y = ' + _unary(draw, 'y'))
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        index = _index_for(draw, shape).replace('{y}', 'y')
        terms.append(draw(st.sampled_from(['np.sum(y{i})', 'np.sum(y{i} ** 2)',
                                           'np.mean(np.sin(y{i}))'])).format(i=index))
    for _ in range(draw(st.integers(1, 2))):
        axis = draw(st.integers(0, len(shape) - 1))
        terms.append(draw(st.sampled_from([
            'np.sum(y)', 'np.mean(y)', f'np.sum(np.sum(y, axis={axis}) ** 2)',
            f'np.sum(y.sum(axis={axis}) ** 2)', 'np.linalg.norm(y)', 'np.max(y)',
            f'np.sum(np.mean(y, axis={axis}, keepdims=True) * y)'])))
    draw(st.randoms()).shuffle(terms)
    combine = draw(st.sampled_from(['+', '*', '/']))
    if combine == '/':
        ret = f'({" + ".join(terms[:-1]) or "1.0"}) / (1.0 + ({terms[-1]}) ** 2)'
    else:
        ret = f' {combine} '.join(terms)
    body.append(f'return {ret}')
    return _module(['x', 'w'], body), [shape, wshape], (0, 1)


@st.composite
def views_and_aliases(draw):
    shape = draw(st.sampled_from([(5,), (3, 4)]))
    base = draw(st.sampled_from(['x', 'x.copy()', 'np.sin(x)', 'x * 1.0', 'x[:]']))
    if len(shape) == 1:
        views = ['y[1:]', 'y[:]', 'y[::2]', 'y', 'y.reshape(-1)', 'y.ravel()', 'np.asarray(y)',
                 'y[1:][1:]', 'y.reshape(5, 1)[:, 0]']
    else:
        views = ['y[1:]', 'y[:]', 'y.T', 'y', 'y.ravel()', 'y[0]', 'y[:, 1]', 'np.asarray(y)',
                 'y.reshape(-1)', 'y[1:, ::2]']
    view = draw(st.sampled_from(views))
    # (the argument rebound to a copy of itself first, as users guard their caller's array)
    body = [line for line in [draw(st.sampled_from(['', 'x = x.copy()', 'x = x * 1.0']))]
            if line] + [f'y = {base}', f'v = {view}']
    rhs_scalar = draw(st.sampled_from(['2.0', 'np.cos(np.sum(x))', 'np.sum(x) * 0.5',
                                       'np.mean(x ** 2)']))
    for _ in range(draw(st.integers(1, 2))):
        write = draw(st.sampled_from(['v[0] = {s}', 'v[-1] = {s}', 'v += {s}', 'v *= {s}',
                                      'v[0] *= {s}', 'v[...] = np.sin(v) + {s}', 'v -= np.tanh(v)',
                                      'y[0] = {s}', 'v[:] = v * {s}']))
        body.append(write.format(s=rhs_scalar))
    rebind = draw(st.sampled_from(['', 'y = y * 1.5', 'v = v + 1.0', 'x = x * 2.0']))
    if rebind:  # (a name written through, then bound to a new array)
        body.append(rebind)
    uses = [draw(st.sampled_from(['np.sum(y ** 2)', 'np.sum(np.sin(y) * x)', 'np.sum(y)']))]
    uses.append(draw(st.sampled_from(['np.sum(v * v)', 'np.sum(np.cos(v))', '0.0'])))
    uses.append(draw(st.sampled_from(['np.sum(x ** 2)', 'np.sum(x * y)', '0.0'])))
    body.append('return ' + ' + '.join(uses))
    return _module(['x'], body), [shape], 0


@st.composite
def loop_broadcast(draw):
    hidden, batch, steps = 3, draw(st.sampled_from([1, 2])), draw(st.integers(1, 3))
    start = draw(st.sampled_from(['h0', 'h0[None, :]', '0.0', 'np.zeros(3)', 'h0 * 1.0',
                                  'np.sum(h0)']))
    scalar_start = start in ('0.0', 'np.sum(h0)')
    updates = ['np.tanh(h * 0.5 + xs[t] @ Wx)', 'np.sin(h + xs[t] @ Wx) * 0.9',
               'h * np.tanh(xs[t] @ Wx) + 0.1']
    if not scalar_start:
        updates += ['np.tanh(h @ Wh + xs[t] @ Wx)', '(h @ Wh) * 0.5 + np.cos(xs[t] @ Wx)']
    update = draw(st.sampled_from(updates))
    if '@ Wh' in update and scalar_start:
        update = updates[0]
    loss_each = draw(st.booleans())
    loop = draw(st.sampled_from(['for', 'while']))
    body = [f'h = {start}']
    if loss_each:
        body.append('loss = 0.0')
    if loop == 'for':
        body.append(f'for t in range({steps}):')
    else:
        body += ['t = 0', f'while t < {steps}:']
    body.append(f'    h = {update}')
    if loss_each:
        body.append('    loss = loss + ' + draw(st.sampled_from(
            ['np.mean((h - 0.3) ** 2)', 'np.sum(h ** 2) * 0.5', 'np.mean(h)'])))
    if loop == 'while':
        body.append('    t = t + 1')
    final = draw(st.sampled_from(['np.mean(h ** 2)', 'np.sum(h)', 'np.sum(np.mean(h, axis=0))',
                                  'np.mean(np.tanh(h))']))
    body.append(f'return {final}' + (' + loss' if loss_each else ''))
    specs = [(hidden,), (hidden, hidden), (2, hidden), (steps, batch, 2)]
    wrt = draw(st.sampled_from([(0, 1, 2), 0, (1, 2), (2, 3)]))
    return _module(['h0', 'Wh', 'Wx', 'xs'], body), specs, wrt


@st.composite
def repeated_fancy(draw):
    n = 5
    init = draw(st.sampled_from(['np.zeros(5)', 'x.copy()', 'x * 1.0', 'np.sin(x)']))
    body = [f'y = {init}']
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(1, 4))
        idx = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k))
        if len(set(idx)) == len(idx) and k >= 2:
            idx[-1] = idx[0]  # make sure an index repeats
        op = draw(st.sampled_from(['=', '+=', '-=', '*=']))
        rhs = draw(st.sampled_from([f'x[:{k}]', f'np.sin(x[1:{k + 1}])', 'x[4]', '2.0',
                                    f'x[{idx!r}] * 0.5']))
        body.append(f'y[{idx!r}] {op} {rhs}')
    if draw(st.booleans()):
        body.append(f'g = y[{draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=4))!r}]')
        tail = ' + np.sum(g ** 2)'
    else:
        tail = ''
    body.append('return np.sum(y * np.array([1.0, -2.0, 3.0, 0.5, 1.5])) + np.sum(y ** 2)'
                + tail)
    return _module(['x'], body), [(n,)], 0


@st.composite
def nested_lists(draw):
    elems = ['x[0]', 'x[1]', 'x[2]', 'a', 'x[0] * a', 'np.sin(x[1])', '1.5', 'a ** 2',
             'x[2] - x[0]']
    form = draw(st.sampled_from(['2x2', '1d', '3d', 'rows', 'column']))
    pick = st.sampled_from(elems)
    if form == '2x2':
        e = [draw(pick) for _ in range(4)]
        make = f'np.array([[{e[0]}, {e[1]}], [{e[2]}, {e[3]}]])'
        uses = ['np.sum(A @ A)', 'np.sum(A ** 2 * np.array([[1.0, 2.0], [3.0, 4.0]]))',
                'A[0, 1] * np.sum(A)', 'np.sum(A.T @ A[:, 0])', 'np.trace(A) + np.sum(A[1])']
    elif form == '1d':
        e = [draw(pick) for _ in range(3)]
        make = f'np.array([{e[0]}, {e[1]}, {e[2]}])'
        uses = ['np.sum(A ** 2)', 'A[1] * np.sum(A)', 'np.sum(A * x)', 'np.linalg.norm(A)']
    elif form == '3d':
        e = [draw(pick) for _ in range(4)]
        make = f'np.array([[[{e[0]}, {e[1]}]], [[{e[2]}, {e[3]}]]])'
        uses = ['np.sum(A ** 2)', 'np.sum(A[:, 0, 1] * A[:, 0, 0])', 'np.sum(A.sum(axis=2))']
    elif form == 'rows':
        make = draw(st.sampled_from(['np.array([x, 2.0 * x])', 'np.array([x, np.sin(x) * a])',
                                     'np.array([[x[0], a, 1.0], x])']))
        uses = ['np.sum(A ** 2)', 'np.sum(A @ A.T)', 'np.sum(A[1] * A[0])']
    else:
        e = [draw(pick) for _ in range(2)]
        make = f'np.array([[{e[0]}], [{e[1]}]])'
        uses = ['np.sum(A.T @ A)', 'np.sum(A * A.T)', 'A[1, 0] * np.sum(A)']
    body = [f'A = {make}', f'return {draw(st.sampled_from(uses))}']
    return _module(['x', 'a'], body), [(3,), 'float'], (0, 1)


@st.composite
def size1_reductions(draw):
    shape = draw(st.sampled_from([(1, 3), (3, 1), (1, 1), (1, 3, 1), (2, 1, 3)]))
    axes = [k for k, s in enumerate(shape) if s == 1]
    axis = draw(st.sampled_from(axes))
    keep = draw(st.booleans())
    pre = draw(st.sampled_from(['np.sin(x) * x', 'x * 2.0', 'np.exp(np.tanh(x))', 'x ** 2 + x']))
    red = draw(st.sampled_from(['np.sum', 'np.mean', 'np.max', 'np.prod', 'np.min']))
    method = draw(st.booleans())
    if method:
        call = f'y.{red[3:]}(axis={axis}' + (', keepdims=True)' if keep else ')')
    else:
        call = f'{red}(y, axis={axis}' + (', keepdims=True)' if keep else ')')
    if draw(st.booleans()) and not keep and len(shape) == 2:
        call = f'np.linalg.norm(y, axis={axis})'
    ret = draw(st.sampled_from(['np.sum(s ** 2)', 'np.sum(s * x)', 'np.sum(np.cos(s))',
                                'np.sum(s) * np.sum(y)']))
    body = [f'y = {pre}', f's = {call}', f'return {ret}']
    return _module(['x'], body), [shape], 0


@st.composite
def size1_outputs(draw):
    form = draw(st.sampled_from(['col', 'keepdims', 'slice', 'rowcol', 'array', 'mean0',
                                 'reshape', 'loop']))
    pre = draw(st.sampled_from(['x', 'np.sin(x)', 'x * 2.0 - 1.0', 'np.tanh(x) * x']))
    if form == 'col':
        params, specs, body = ['x'], [(3, 1)], [f'r = {pre}', 'return r.T @ r']
    elif form == 'keepdims':
        params, specs = ['x'], [(2, 3)]
        body = [f'r = {pre}', 'return np.sum(r ** 2, keepdims=True)']
    elif form == 'slice':
        params, specs, body = ['x'], [(4,)], [f'r = {pre}', 'return r[:1] * np.sum(r)']
    elif form == 'rowcol':
        params, specs, body = ['x', 'w'], [(1, 3), (3, 1)], [f'r = {pre}', 'return r @ w + 1.0']
    elif form == 'array':
        params, specs, body = ['x'], [(4,)], [f'r = {pre}', 'return np.array([np.sum(r * x)])']
    elif form == 'mean0':
        params, specs, body = ['x'], [(4, 1)], [f'r = {pre}', 'return np.mean(r ** 2, axis=0)']
    elif form == 'reshape':
        params, specs, body = ['x'], [(3,)], [f'r = {pre}', 'return np.sum(r * x).reshape(1, 1)']
    else:
        params, specs = ['x'], [(3, 1)]
        body = [f'r = {pre}', 'acc = np.zeros((1, 1))', 'for i in range(2):',
                '    acc = acc + r.T @ r * (i + 1.0)', 'return acc']
    return _module(params, body), specs, tuple(range(len(params))) if len(params) > 1 else 0


@st.composite
def tuple_unpacking(draw):
    # Every value is a scalar or a vector of length 4, so any binary operation is valid.
    names = ['x', 'c']
    body = []
    pool = ['x[0]', 'x[1:]', 'x', 'c * x[2]', 'np.sin(x)', 'x[3]']
    for k in range(draw(st.integers(1, 4))):
        form = draw(st.sampled_from(['pair', 'swap', 'nested', 'rows', 'shape', 'chain',
                                     'chain_item']))
        a, b = f'a{k}', f'b{k}'
        if form == 'pair':
            l, r = draw(st.sampled_from(pool + names)), draw(st.sampled_from(pool + names))
            if l == 'x[1:]' or r == 'x[1:]':
                l, r = 'x[1:]', 'x[0]'  # x[1:] has length 3: pair it with a scalar only
                body.append(f'{a}, {b} = np.sum({l}), {r}')
            else:
                body.append(f'{a}, {b} = {l}, {r}')
        elif form == 'swap':
            l, r = draw(st.sampled_from(names)), draw(st.sampled_from(names))
            body.append(f'{a}, {b} = {l}, {r}')
            body.append(f'{a}, {b} = {b} * 2.0, {a} + {b}')
        elif form == 'nested':
            l, r = draw(st.sampled_from(names)), draw(st.sampled_from(names))
            body.append(f'({a}, {b}), _{k} = ({l} * c, np.cos({r})), x[0]')
        elif form == 'rows':
            body.append(f'{a}, {b} = M')
            body.append(f'{a}, {b} = {a} * x, {b} + c')
        elif form == 'chain':  # (one value under two names, one of them rebound)
            value = draw(st.sampled_from([v for v in pool if v != 'x[1:]']))
            body.append(f'{a} = {b} = {value} * 1.5')
            body.append(f'{a} = {a} * 2.0 + {b}')
        elif form == 'chain_item':  # (an item target first: one array under both)
            body.append(f'R{k} = M * 1.0')
            body.append(f'R{k}[0] = {a} = x * c')
            if draw(st.booleans()):
                body.append(f'{a}[1] = c * 2.0')  # (R{k}[0] changes too)
            body.append(f'{b} = R{k}[0] * {a}')
        else:
            body.append(f'n{k}, = x.shape')
            body.append(f'{a}, {b} = x / n{k}, c * n{k}')
        names += [a, b]
    last = draw(st.sampled_from(names[-2:]))
    other = draw(st.sampled_from(names))
    body.append(f'return np.sum({last} * {other}) + np.sum({names[-1]} ** 2)')
    return _module(['x', 'c', 'M'], body), [(4,), 'float', (2, 4)], (0, 1, 2)


@st.composite
def rotated_buffers(draw):
    # Time stepping as users write it: a new array each step, written into, then the names
    # rotated (leapfrog, the wave equation), with the new array also held through an alias, a
    # view, a list, a tuple, a closure or a helper, read before or after the write.
    alloc = draw(st.sampled_from(['np.zeros(5)', 'np.zeros_like(u)', 'u * 0.0', 'u.copy()',
                                  'np.full(5, c)', 'np.array([0.0, 0.0, 0.0, 0.0, 0.0])']))
    holder = draw(st.sampled_from(['', 'w = un', 'w = un[1:]', 'w = un.reshape(-1)',
                                   'w = un[::2]', 'hist.append(un)', 'get = lambda: un',
                                   'pair = (u, un)', 'w = ident(un)']))
    # (how the holder reads the new array back: all of it, or a part)
    full = {'w = un': 'w', 'hist.append(un)': 'hist[-1]', 'get = lambda: un': 'get()',
            'pair = (u, un)': 'pair[1]', 'w = ident(un)': 'w'}.get(holder, 'un')
    part = 'w' if holder.startswith('w = un') else full
    stencil = draw(st.sampled_from([
        '2.0 * u[1:-1] - u_prev[1:-1] + c * (u[2:] - 2.0 * u[1:-1] + u[:-2])',
        'u[1:-1] + c * np.sin(u_prev[1:-1])',
        'u[:-2] * u[2:] * 0.5 + c * u_prev[1:-1]']))
    boundary = draw(st.sampled_from(['', 'un[0] = c * u[0]', 'un[-1] = un[-2] * 0.5',
                                     'un[0] += u_prev[1]', 'un *= c',
                                     'un += 0.1 * u_prev']))  # (in place, as NumPy's)
    rotation = draw(st.sampled_from(['u_prev, u = u, un', 'u_prev = u\nu = un',
                                     'pair2 = (u, un)\nu_prev, u = pair2',
                                     f'u_prev, u = u, {full}']))
    accumulate = draw(st.sampled_from(['', f'acc = acc + np.sum({full} * x)',
                                       f'acc = acc + np.sum({part} ** 2)',
                                       'acc = acc + np.sum(u_prev ** 2)']))
    where = draw(st.sampled_from(['before', 'after']))  # the holder: before or after the write
    steps = draw(st.integers(1, 3))
    body = ['u_prev = ' + draw(st.sampled_from(['x * 1.0', 'x.copy()', 'np.sin(x)'])),
            'u = ' + draw(st.sampled_from(['x * c', 'np.cos(x) * c', 'x + c'])),
            'acc = 0.0']
    if holder == 'hist.append(un)':
        body.append('hist = []')
    body.append(f'for t in range({steps}):')
    lines = [f'un = {alloc}']
    write = [f'un[1:-1] = {stencil}'] + ([boundary] if boundary else [])
    held = [holder] if holder else []
    lines += held + write if where == 'before' else write + held
    if accumulate:
        lines.append(accumulate)
    lines += rotation.split('\n')
    body += ['    ' + line for line in lines]
    body.append('return np.sum(u ** 2) + np.sum(u_prev * x) + acc')
    source = _module(['x', 'c'], body)
    if 'ident(' in source:
        source += '\n\ndef ident(a):\n    return a\n'
    return source, [(5,), 'float'], (0, 1)


@st.composite
def nested_loops(draw):
    # Loops in loops as users write searches and scans: an inner loop (over a range, with or
    # without ``break``, over ``enumerate``, or a ``while`` with a counter) whose variables
    # are read after it in the outer loop's body (the segment found, the last item seen), a
    # second inner loop over the same name, and the variables read after the outer loop.
    outer = draw(st.sampled_from(['for t in range(3):', 'for t in range(1, 4):',
                                  'for t in [0, 2, 1]:']))
    inner = draw(st.sampled_from([
        ['for k in range(t + 1):'], ['for k in range(5 - t):'],
        ['for k in range(5):', '    if k >= t:', '        break'],
        ['for k, v in enumerate(x):', '    if k > t:', '        break'],
        ['k = 0', 'while k < t:', '    k += 1']]))
    work = draw(st.sampled_from(['', 's = s + x[k] * c', 's = s * 0.5 + np.sin(x[k])']))
    after = draw(st.lists(st.sampled_from([
        's = s + x[k] ** 2', 's = s + x[k] * x[t]', 's = s * np.cos(x[k])',
        'm = x[k] * c', 's = s + m * x[(k + 1) % 5]']), min_size=1, max_size=2))
    second = draw(st.sampled_from(['', 'for k in range(2):\n    s = s + x[k + t] * 0.5']))
    tail = draw(st.sampled_from(['s', 's + x[k]', 's * x[t]']))
    body = ['s = 0.0', 'm = 0.0', outer]
    lines = list(inner)
    if work:
        if inner[0].startswith('while'):
            lines.insert(2, '    ' + work)
        elif len(inner) > 1 and inner[0].startswith('k = 0'):
            lines.append('    ' + work)
        else:
            lines.insert(1, '    ' + work)
    elif len(inner) == 1:  # (a loop that only counts)
        lines.append('    pass')
    if 'm = x[k] * c' not in after and any('m *' in a for a in after):
        after = ['m = x[k] * c'] + after
    lines += after + (second.split('\n') if second else [])
    body += ['    ' + line for line in lines]
    body.append(f'return {tail} + m')
    return _module(['x', 'c'], body), [(5,), 'float'], (0, 1)


@st.composite
def list_items(draw):
    # Lists of arrays as users keep them: made from names or new arrays, copied (or not) by
    # the ways Python has, an item updated in place (``ys[i] *= c``: NumPy changes the array
    # every holder sees) or rebound, maybe in a loop, then the original, the copy or a name
    # holding an item read back. A step helper returning a tuple with an ignored cache too.
    item = st.sampled_from(['x * 1.0', 'x', 'np.sin(x)', 'a', 'x * c', 'np.zeros(3)'])
    body = ['a = x * 2.0']
    made = [draw(item) for _ in range(draw(st.integers(2, 3)))]
    body.append(f'xs = [{", ".join(made)}]')
    copy = draw(st.sampled_from(['xs', 'xs.copy()', 'xs[:]', 'list(xs)', 'copy.copy(xs)',
                                 'copy.deepcopy(xs)', '[v for v in xs]', '[v * 1.0 for v in xs]']))
    body.append(f'ys = {copy}')
    holder = draw(st.sampled_from(['', 'first = ys[0]', 'first = xs[0]']))
    if holder:
        body.append(holder)
    update = draw(st.sampled_from(['ys[i] *= c', 'ys[i] += x', 'ys[i] -= a * c',
                                   'ys[i] = ys[i] * c', 'ys[i] += ys[-1] * 0.5']))
    if draw(st.booleans()):
        body.append(f'for i in range({len(made)}):')
        body.append('    ' + update)
    else:
        body.append(update.replace('[i]', '[0]').replace('i]', '0]'))
    if draw(st.booleans()):  # (a tuple-valued part of a helper's result nobody reads)
        body += ['for t in range(2):', '    h, c2, cache = step(ys[1], c)',
                 '    ys[1] = h * c2']
    reads = ['np.sum(ys[0] * ys[1])', 'np.sum(xs[0] ** 2)', 'np.sum(xs[1] * ys[0])',
             'np.sum(a * x)'] + (['np.sum(first * x)'] if holder else [])
    read = draw(st.lists(st.sampled_from(reads), min_size=1, max_size=3, unique=True))
    body.append('return ' + ' + '.join(read))
    source = 'import copy\n' + _module(['x', 'c'], body)
    if 'step(' in source:
        source += ('\n\ndef step(v, c):\n    h = np.tanh(v * c)\n    c2 = c + 1.0\n'
                   '    cache = (v, h)\n    return h, c2, cache\n')
    return source, [(3,), 'float'], (0, 1)


@st.composite
def statement_programs(draw):
    # Straight-line code, loops, branches and early returns over one argument, as a user's
    # numerical function grows: new arrays and scalars, writes into items and slices (also
    # through an alias or a reversed view made before, in a loop or in a branch), augmented
    # writes, an alias made inside a loop and written after it, arrays made anew at each pass
    # and read by rules needing their shape (concatenate, stack), `return` from inside a loop,
    # values read through a helper returning its argument, `-(-a)`, items then `s += a[i]`,
    # arrays of zeros filled by those writes (in a loop: made anew and filled at each pass),
    # sums of a dict's number keys and of lists from a start, axes held in a variable.
    # (one drawn seed for Python's generator: hypothesis' own random draws start from the
    # simplest choices, which here would be the same statement many times)
    R = random.Random(draw(st.integers(0, 2 ** 32 - 1)))
    arrays, scalars, lines = ['x'], [], []
    count = [0]

    def new(prefix):
        count[0] += 1
        return f'{prefix}{count[0]}'

    def array_expr():
        a, b = R.choice(arrays), R.choice(arrays)
        s = R.choice(scalars) if scalars else '0.7'
        return R.choice([
            f'np.sin({a})', f'{a} * {b}', f'{a} + {s}', f'np.tanh({a}) * {s}', f'{a}[::-1]',
            f'np.roll({a}, 1)', f'np.maximum({a}, 0.3 * {b})',
            f'np.where({a} > 0, {a}, 0.5 * {b})', f'np.cumsum({a}) * 0.3',
            f'{a} / (1.0 + {b} ** 2)', f'np.sort({a})', f'np.concatenate([{a}[:2], {b}[2:]])',
            f'{a} - np.mean({b})', f'np.exp(-{a} ** 2)', f'{a}.reshape(2, 2).T.reshape(-1)',
            f'np.stack([{a}, {b}])[1] * 1.5', f'np.minimum({a}, {s})', f'np.abs({a}) ** 1.5',
            f'{a} * np.tanh(np.sum({b} ** 2))', f'np.outer({a}, {b}) @ {a} * 0.1',
            f'{a}.copy()', f'np.array([{a}[1], {b}[0], {a}[3], {b}[2]])', f'-(-{a})',
            f'ident({a})', f'np.zeros_like({a})'])

    def scalar_expr():
        a, b = R.choice(arrays), R.choice(arrays)
        s = R.choice(scalars) if scalars else '1.1'
        return R.choice([
            f'np.sum({a})', f'{a}[{R.randrange(4)}]', f'{a}[-1]', f'np.max({a})',
            f'{s} * {s}', f'np.sqrt(1.0 + {s} ** 2)', f'np.linalg.norm({a})', f'{a} @ {b}',
            f'np.mean({a} ** 2)', f'float({a}[0])', f'max({s}, {a}[1])',
            f'{s} ** 2 / (1.0 + {s} ** 2)', f'np.sum({a}, keepdims=True)[0]',
            f'max(0.3, {a}[{R.randrange(4)}])',
            f'sum({{0.5: {a}[0], 1.5: {s}}}) * {a}[2]',
            f'sum([[{a}[0]], [{a}[1] * {s}]], [{b}[2]])[{R.randrange(3)}]',
            f'np.sum(np.var({a}.reshape(2, 2), axis=axes) * {b}[:2])'])

    def write(pad, index):
        target = R.choice(arrays)
        s = R.choice(scalars) if scalars else '0.5'
        other = R.choice(arrays)
        return R.choice([
            f'{pad}{target}[{index}] = {s} * {other}[{index}]',
            f'{pad}{target}[{index}] += np.sin({other}[{index}]) * {s}',
            f'{pad}{target} += {other} * 0.5', f'{pad}{target}[1:3] *= {s}'])

    def existing(pad, loop):
        if scalars and R.random() < 0.4:
            return [f'{pad}{R.choice(scalars)} = {scalar_expr()}']
        if R.random() < 0.5:
            return [f'{pad}{R.choice(arrays)} = {array_expr()}']
        return [write(pad, loop or str(R.randrange(4)))]

    def statement(depth, loop=None):
        pad = '    ' * depth
        k = R.random()
        if k < 0.22 or not scalars and k < 0.4:
            name = new('s')
            line = f'{pad}{name} = {scalar_expr()}'
            scalars.append(name)
            return [line]
        if k < 0.45:
            name = new('a')
            line = f'{pad}{name} = {array_expr()}'
            arrays.append(name)
            return [line]
        if k < 0.62:
            index = loop if loop and R.random() < 0.6 else str(R.randrange(4))
            if scalars and R.random() < 0.2:  # (``s = a[i]``, then ``s += ...``: a number)
                return [f'{pad}{R.choice(scalars)} += {R.choice(arrays)}[{index}]']
            return [write(pad, index)]
        if k < 0.70:  # an alias or a view of an array, written through later
            name, target = new('a'), R.choice(arrays)
            arrays.append(name)
            return [f'{pad}{name} = {target}' + R.choice(['', '', '[::-1]', '[:]'])]
        if depth < 3 and k < 0.84:
            var = f'i{depth}'
            body = [line for _ in range(R.randint(1, 3)) for line in statement(depth + 1, var)]
            return [f'{pad}for {var} in range({R.randint(1, 4)}):'] + body
        if depth < 3 and k < 0.94:
            then = [line for _ in range(R.randint(1, 2)) for line in existing(pad + '    ', loop)]
            other = [line for _ in range(R.randint(1, 2))
                     for line in existing(pad + '    ', loop)]
            return [f'{pad}if {scalar_expr()} > 0.1:'] + then + [f'{pad}else:'] + other
        if scalars:
            s = R.choice(scalars)
            return [f'{pad}if {s} > 2.0:',
                    f'{pad}    return {s} * np.sum({R.choice(arrays)} ** 2)']
        return [f'{pad}pass']

    for _ in range(R.randint(3, 8)):
        lines += statement(1)
    tail = R.choice(scalars) if scalars else '0.0'
    lines.append(f'    return np.sum({R.choice(arrays)} ** 2) + {tail}')
    if any('axis=axes' in line for line in lines):  # (axes held in a variable)
        lines.insert(0, '    axes = (0,)')
    source = 'import numpy as np\n\n\ndef f(x):\n' + '\n'.join(lines) + '\n'
    if 'ident(' in source:  # (a helper of yours returning what it is given)
        source += '\n\ndef ident(a):\n    return a\n'
    return source, [(4,)], (0,)


# ============================================================================ tests

FAMILIES = {
    'indexed_and_reduced': indexed_and_reduced,
    'views_and_aliases': views_and_aliases,
    'loop_broadcast': loop_broadcast,
    'repeated_fancy': repeated_fancy,
    'nested_lists': nested_lists,
    'size1_reductions': size1_reductions,
    'size1_outputs': size1_outputs,
    'tuple_unpacking': tuple_unpacking,
    'rotated_buffers': rotated_buffers,
    'list_items': list_items,
    'nested_loops': nested_loops,
    'statement_programs': statement_programs,
}

# Families checked also to second order, away from kinks (their programs branch and take maxima).
OPTIONS = {'statement_programs': {'modes': ('rev', 'raw', 'fwd', 'hvp'), 'smooth': True},
           'nested_loops': {'modes': ('rev', 'raw', 'fwd', 'hvp'), 'smooth': True}}


def _test(family, share=1.0):
    """The test of `family`, drawing `share` of `EXAMPLES` (each of a family checked to
    second order costs more)."""
    @seed(SEED)
    @settings(FUZZ, max_examples=max(1, int(EXAMPLES * share)))
    @given(program=FAMILIES[family](), value_seed=st.integers(0, 2 ** 16))
    def test(module_dir, program, value_seed):
        source, specs, wrt = program
        _run(family, module_dir, source, specs, wrt, value_seed, **OPTIONS.get(family, {}))
    test.__name__ = f'test_fuzz_{family}'
    return test


test_fuzz_indexed_and_reduced = _test('indexed_and_reduced')
test_fuzz_views_and_aliases = _test('views_and_aliases')
test_fuzz_loop_broadcast = _test('loop_broadcast')
test_fuzz_repeated_fancy = _test('repeated_fancy')
test_fuzz_nested_lists = _test('nested_lists')
test_fuzz_size1_reductions = _test('size1_reductions')
test_fuzz_size1_outputs = _test('size1_outputs')
test_fuzz_tuple_unpacking = _test('tuple_unpacking')
test_fuzz_rotated_buffers = _test('rotated_buffers')
test_fuzz_list_items = _test('list_items')
test_fuzz_nested_loops = _test('nested_loops', share=0.5)
test_fuzz_statement_programs = _test('statement_programs')
