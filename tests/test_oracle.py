"""Differential oracle over both corpora: reverse optimized, reverse raw, forward mode, central
differences and (float64 arguments) Hessian-vector products must agree; no call may modify the
caller's arguments; gradients have their argument's type, shape and dtype.

``tests/corpus.py`` and ``tests/corpus_users.py`` (functions written the way users write them)
are checked case by case; see ``tests/oracle.py`` for the checks and the tolerances. For the
functions in ``corpus_users.MAY_RAISE`` (writes through views and aliases, ...) an
``s2sgrad.errors.S2SError`` is an allowed outcome; a wrong number, another exception or a
modified argument never is. ``S2S_ORACLE_LOG=path`` appends one JSON line per case (outcome,
allowed errors) for reports.
"""
import json
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import corpus  # noqa: E402
import corpus_users  # noqa: E402
import oracle  # noqa: E402
import s2sgrad  # noqa: E402
from s2sgrad import d  # noqa: E402


def _params():
    out, seen = [], {}
    # tests/test_corpus.py already checks the full Hessian of every case of tests/corpus.py
    # (forward over reverse against differences of the gradient), so hvp runs on the new corpus.
    for prefix, module, hvp in (('corpus', corpus, False), ('users', corpus_users, True)):
        may_raise = getattr(module, 'MAY_RAISE', set())
        first_order = getattr(module, 'FIRST_ORDER', set())
        for f, make_args, wrt in module.CASES:
            name = f'{prefix}-{f.__name__}'
            seen[name] = seen.get(name, 0) + 1
            case_id = name if seen[name] == 1 else f'{name}-{seen[name]}'
            out.append(pytest.param(f, make_args, wrt, f in may_raise,
                                    hvp and f not in first_order, id=case_id))
    return out


def _log(outcome, case_id):
    path = os.environ.get('S2S_ORACLE_LOG')
    if not path:
        return
    with open(path, 'a') as fh:
        fh.write(json.dumps({'case': case_id, 'ok': outcome.ok, 'kinds': outcome.kinds(),
                             'findings': [repr(x) for x in outcome.findings],
                             'allowed': outcome.allowed, 'notes': outcome.notes,
                             'checked': outcome.checked}) + '\n')


@pytest.mark.parametrize('f, make_args, wrt, may_raise, second_order', _params())
def test_oracle(request, f, make_args, wrt, may_raise, second_order):
    args = make_args(np.random.default_rng(0))
    outcome = oracle.check(f, args, wrt, may_raise=may_raise, second_order=second_order,
                           name=request.node.callspec.id)
    _log(outcome, request.node.callspec.id)
    source = None
    if any(x.kind == 'wrong' for x in outcome.findings):
        source = oracle.describe_source(f, wrt)
    outcome.assert_ok(source)
    if not may_raise:
        assert 'rev' in outcome.checked and 'fwd' in outcome.checked, outcome.describe()


def test_corpus_users_is_large_and_distinct():
    functions = [f for f, _, _ in corpus_users.CASES]
    assert len(set(functions)) >= 150
    names = [f.__name__ for f in set(functions)]
    assert len(names) == len(set(names))
    assert corpus_users.MAY_RAISE <= set(functions)


# ----------------------------------------------------------------------------- the oracle itself

def _triple(x):
    return x * 3.0


@s2sgrad.adjoint(_triple)
def _triple_wrong_adjoint(ans, x):
    d[x] = d[ans] * 2.0          # wrong on purpose: the derivative is 3


@s2sgrad.tangent(_triple)
def _triple_wrong_tangent(ans, x):
    d[ans] = d[x] * 2.5          # wrong on purpose


def _uses_wrong_rule(x):
    return np.sum(_triple(x) ** 2)


def test_oracle_catches_wrong_rules_in_every_mode():
    outcome = oracle.check(_uses_wrong_rule, (np.array([0.5, -1.0, 2.0]),), 0)
    modes = {x.mode for x in outcome.findings if x.kind == 'wrong'}
    assert modes == {'rev', 'raw', 'fwd'}, outcome.describe()


def _plain(x):
    return np.sum(np.sin(x) * x)


def test_oracle_passes_a_plain_function_and_checks_all_modes():
    outcome = oracle.check(_plain, (np.array([0.5, -1.0, 2.0]),), 0)
    assert outcome.ok, outcome.describe()
    assert outcome.checked == ['rev', 'raw', 'vag', 'fwd', 'hvp', 'rhvp']


def test_oracle_catches_a_wrong_value_beside_the_gradient(monkeypatch):
    real = s2sgrad.value_and_grad

    def off_by_one(f, wrt=0, **options):
        generated = real(f, wrt=wrt, **options)
        return lambda *args: (generated(*args)[0] + 1.0, generated(*args)[1])
    monkeypatch.setattr(s2sgrad, 'value_and_grad', off_by_one)
    outcome = oracle.check(_plain, (np.array([0.5, -1.0, 2.0]),), 0)
    assert ('wrong', 'vag') in {(f.kind, f.mode) for f in outcome.findings}, outcome.describe()


def test_same_compares_bits_types_and_structure():
    a = np.array([1.0, 2.0])
    assert oracle.same([a, (1.0, {'k': a})], [a.copy(), (1.0, {'k': a.copy()})])
    assert not oracle.same(a, a.astype(np.float32))
    assert not oracle.same(a, np.array([1.0, 2.0000001]))
    assert not oracle.same([a], (a,))
    assert not oracle.same(1.0, np.float64(1.0))
    assert oracle.same(np.array([np.nan]), np.array([np.nan]))


def test_numerical_grad_of_containers_and_floats():
    def f(p, a):
        return np.sum(p[0] ** 2) * a + p[1]['b'] * 3.0

    p = [np.array([1.0, -2.0]), {'b': 0.5}]
    g = oracle.numerical_grad(f, [p, 2.0], 0)
    np.testing.assert_allclose(g[0], [4.0, -8.0], rtol=1e-6)
    assert abs(g[1]['b'] - 3.0) < 1e-6
    assert abs(oracle.numerical_grad(f, [p, 2.0], 1) - 5.0) < 1e-6
