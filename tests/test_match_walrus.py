"""``match`` statements on values and the walrus operator ``:=``, as users write them in numeric
code: differentiated as the ``if``/``elif`` chain and the assignment they stand for (checked
against central differences, forward against reverse), and refused where the rewrite would
change what the function computes."""
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError

pytestmark = pytest.mark.skipif(sys.version_info < (3, 10), reason='match needs Python 3.10')

X = np.array([0.3, -0.8, 1.1])


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


def _code_lines(source):
    """`source` without its comment lines (which quote the user's lines)."""
    return '\n'.join(line for line in source.splitlines() if not line.strip().startswith('#'))


def check(f, *rest, x=X):
    expected = numeric_grad(lambda v: f(v, *rest), x)
    assert np.allclose(s2sgrad.grad(f)(x, *rest), expected, rtol=1e-6, atol=1e-8)
    v = np.array([0.4, 1.3, -0.7])
    assert np.allclose(s2sgrad.jvp(f)(x, *rest, v), expected @ v, rtol=1e-6, atol=1e-8)
    return expected


if sys.version_info >= (3, 10):
    from _match_programs import (  # noqa: E402 (Python 3.10 syntax)
        MODE, by_mode, by_number, with_guard, with_alternatives_and_as, on_an_attribute,
        on_a_computed_subject, on_none, no_case_matches, in_a_loop, nested_in_a_helper,
        sequence_pattern, capture_with_guard, star_pattern, mapping_pattern, walrus_in_if,
        walrus_in_elif, walrus_in_while,
        walrus_in_while_with_continue, walrus_nested, walrus_in_return, walrus_in_for_iter,
        walrus_read_before, walrus_in_or, walrus_in_comprehension, walrus_twice,
        walrus_while_else, walrus_in_a_chained_comparison, walrus_after_a_call,
        walrus_while_with_continue_in_a_for_else, walrus_after_pure_calls,
        match_subject_without_a_rule, match_subject_popped, walrus_after_copyto,
        walrus_after_a_method_that_changes_its_object, deletions_in_cases)


@pytest.mark.parametrize('mode', ['l1', 'l2', 'sq', 'huber', 'other'])
def test_match_on_a_string(mode):
    check(by_mode, mode)


@pytest.mark.parametrize('k', [0, 1, 2, -1, 7])
def test_match_on_a_number(k):
    check(by_number, k)


@pytest.mark.parametrize('k', [0, 1, 3])
def test_match_with_a_guard(k):
    check(with_guard, k)


@pytest.mark.parametrize('mode', ['a', 'b', 'c', 'z'])
def test_alternatives_and_as(mode):
    check(with_alternatives_and_as, mode)


@pytest.mark.parametrize('mode', ['fast', 'slow'])
def test_match_on_an_attribute_and_a_dotted_value(mode):
    check(on_an_attribute, MODE(mode))


def test_match_on_a_computed_subject():
    check(on_a_computed_subject, 2)
    check(on_a_computed_subject, 5)


@pytest.mark.parametrize('w', [None, 2.0])
def test_match_none(w):
    check(on_none, w)


def test_no_case_matches_falls_through():
    check(no_case_matches, 9)


def test_match_in_a_loop_and_second_order():
    expected = check(in_a_loop, 3)
    h = s2sgrad.hessian(in_a_loop)(X, 3)
    assert np.allclose(h @ np.ones(3), numeric_grad(
        lambda v: s2sgrad.grad(in_a_loop)(v, 3) @ np.ones(3), X), rtol=1e-5, atol=1e-6)
    assert expected.shape == (3,)


def test_match_in_a_helper():
    check(nested_in_a_helper, 'cube')


def test_match_printed_as_an_if_chain():
    code = _code_lines(s2sgrad.grad(by_mode).source)
    assert "mode_eq_l1 = mode == 'l1'" in code and 'match' not in code and 'case' not in code


@pytest.mark.parametrize('k', [1, -1, 2])
def test_sequence_patterns_and_guards_of_bound_names(k):
    # (``case [a, b]:`` of a list, ``case k if k > 0:``: the guard reads the bound subject)
    check(sequence_pattern, k)
    check(capture_with_guard, k)


@pytest.mark.parametrize('f, what', [(star_pattern, 'a sequence pattern with a star'),
                                     (mapping_pattern, 'a mapping pattern')])
def test_match_patterns_not_followed_are_refused(f, what):
    with pytest.raises(UnsupportedSyntaxError, match=what) as info:
        s2sgrad.grad(f)(X, 1)
    assert '_match_programs.py' in str(info.value)


@pytest.mark.parametrize('f', [walrus_in_if, walrus_in_elif, walrus_in_return, walrus_nested,
                               walrus_in_for_iter, walrus_after_pure_calls])
@pytest.mark.parametrize('scale', [0.1, 1.0, 3.0])
def test_walrus(f, scale):
    check(f, x=X * scale)


@pytest.mark.parametrize('f', [walrus_in_while, walrus_in_while_with_continue,
                               walrus_while_else, walrus_while_with_continue_in_a_for_else])
def test_walrus_in_a_while_test(f):
    check(f)
    x = X.copy()
    s2sgrad.grad(f)(x)
    assert np.array_equal(x, X)


def test_walrus_printed_as_an_assignment():
    code = _code_lines(s2sgrad.grad(walrus_in_if).source)
    assert ':=' not in code and '    r = np.sum(' in code


@pytest.mark.parametrize('f', [walrus_read_before, walrus_in_or, walrus_in_comprehension,
                               walrus_twice, walrus_in_a_chained_comparison,
                               walrus_after_a_call])
def test_walrus_that_cannot_move_is_refused(f):
    with pytest.raises(UnsupportedSyntaxError, match='walrus') as info:
        s2sgrad.grad(f)(X)
    assert '_match_programs.py' in str(info.value)


def test_an_error_at_a_match_line_points_at_it():
    """An error located at a ``match`` statement's line (its subject calls a function without
    a rule) names it; finding the culprit on that line crashed on the cases."""
    with pytest.raises(s2sgrad.errors.NoRuleError, match='fft') as info:
        s2sgrad.grad(match_subject_without_a_rule)(X)
    assert '_match_programs.py' in str(info.value)


def test_a_subject_that_changes_a_list():
    """``match xs.pop():`` (the subject computed once, before the chain)."""
    try:
        g = s2sgrad.grad(match_subject_popped)(X)
    except s2sgrad.errors.S2SError:
        return
    assert np.allclose(g, 1.0)


@pytest.mark.parametrize('f', [walrus_after_copyto, walrus_after_a_method_that_changes_its_object],
                         ids=lambda f: f.__name__)
def test_a_walrus_after_a_call_that_changes_state_is_right_or_refused(f):
    """``np.copyto(m, 7.0)`` writes into `m`, ``c.count()`` changes `c`: a walrus after them
    must not be computed before them."""
    try:
        value, g = s2sgrad.value_and_grad(f)(X)
    except UnsupportedSyntaxError:
        return
    assert np.isclose(value, f(X))
    assert np.allclose(g, numeric_grad(f, X), rtol=1e-6)


@pytest.mark.parametrize('k', [1, 2, 3])
def test_del_inside_a_case(k):
    check(deletions_in_cases, k)
