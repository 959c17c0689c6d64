"""Variables holding the functions a derivative was made for, rebound afterwards: the existing
derivative raises S2SError (it never runs as the old function's), a new one differentiates what
the function computes now (`s2sgrad.global_functions`, `runtime_checks.check_bound`)."""
import functools
import sys

import numpy as np
import pytest

import scipy.special

import rebound_config
import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError

X = np.array([0.3, -0.7, 1.2])
ONES = np.ones(3)

ACT = np.tanh
PART = functools.partial(np.multiply, 3.0)


def soft(t):
    return np.sin(t)


def cubic(t):
    return t ** 3


FN = soft
KEY = soft
RED = np.mean  # (NumPy's dispatcher objects, not Python functions)
LSE = scipy.special.logsumexp
SUM_OF = np.add.reduce  # (a method: a new object at each reading of `np.add.reduce`)


class Settings:
    act = np.tanh


def calls_act(x):
    return np.sum(ACT(x) ** 2)


def layer(x, act):
    return np.sum(act(x))


def passes_fn(x):
    return layer(x, FN)


def branches_on_fn(x):
    if FN is soft:
        return np.sum(x ** 2)
    return np.sum(x ** 3)


def sorts_by_key(x):
    ys = sorted([x[0:2], x[1:3]], key=lambda v: float(np.sum(KEY(v))))
    return np.sum(ys[0] * 1.0 + ys[-1] * 5.0)


def calls_partial(x):
    return np.sum(PART(x) ** 2)


def grad_inside(x):
    return np.sum(s2sgrad.grad(lambda v: np.sum(FN(v) * v))(x) ** 2)


def helper_reads_act(x):
    h = np.sin(x)
    return calls_act(h)


def reduces(x):
    return RED(x ** 2) + LSE(x * 2.0)


def module_attribute(x):
    return np.sum(rebound_config.ACT(x) ** 2)


def class_attribute(x):
    return np.sum(Settings.act(x) ** 2)


def method_of_a_ufunc(x):
    return SUM_OF(x ** 3)


def numeric(f, x):
    return numerical_grad(f, (x,), 0)


def rebind(monkeypatch, name, value):
    monkeypatch.setattr(sys.modules[__name__], name, value)


CASES = [  # (function, variable, new value)
    (calls_act, 'ACT', np.sin),
    (passes_fn, 'FN', cubic),
    (branches_on_fn, 'FN', cubic),
    (sorts_by_key, 'KEY', cubic),
    (calls_partial, 'PART', functools.partial(np.add, 5.0)),
    (grad_inside, 'FN', cubic),
    (helper_reads_act, 'ACT', np.sin),
    (reduces, 'RED', np.max),
    (reduces, 'LSE', lambda v: np.log(np.sum(np.exp(v)))),
]


@pytest.mark.parametrize('f, var, new', CASES, ids=lambda v: getattr(v, '__name__', None))
def test_grad_made_before_the_rebinding_raises(monkeypatch, f, var, new):
    g = s2sgrad.grad(f)
    np.testing.assert_allclose(g(X), numeric(f, X), rtol=1e-5, atol=1e-7)
    rebind(monkeypatch, var, new)
    with pytest.raises(S2SError, match=f'`{var}` held'):
        g(X)
    np.testing.assert_allclose(s2sgrad.grad(f)(X), numeric(f, X), rtol=1e-5, atol=1e-7)


def test_a_partial_of_the_same_function_is_followed(monkeypatch):
    g = s2sgrad.grad(calls_partial)
    g(X)
    rebind(monkeypatch, 'PART', functools.partial(np.multiply, 5.0))
    np.testing.assert_allclose(g(X), 50.0 * X)  # (its arguments are read when it runs)


def test_a_partial_of_another_shape_is_refused():
    from s2sgrad.runtime import check_partial
    check_partial(functools.partial(np.clip, a_min=0.0), np.clip, 0, ('a_min',), 'P')
    for other in (functools.partial(np.clip, a_max=1.0), functools.partial(np.clip, 0.0),
                  functools.partial(np.minimum, a_min=0.0), np.clip):
        with pytest.raises(S2SError, match='`P` held functools.partial'):
            check_partial(other, np.clip, 0, ('a_min',), 'P')


@pytest.mark.parametrize('operator', ['jvp', 'hvp', 'vjp'])
def test_operators_made_before_the_rebinding_raise(monkeypatch, operator):
    made = getattr(s2sgrad, operator)(helper_reads_act)
    made(X, 1.0 if operator == 'vjp' else ONES)
    rebind(monkeypatch, 'ACT', np.sin)
    with pytest.raises(S2SError, match='`ACT` held'):
        made(X, 1.0 if operator == 'vjp' else ONES)


def test_hessian_made_before_the_rebinding_raises(monkeypatch):
    h = s2sgrad.hessian(calls_act)
    h(X)
    rebind(monkeypatch, 'ACT', np.sin)
    with pytest.raises(S2SError, match='`ACT` held'):
        h(X)


def test_the_error_points_where_the_function_reads_the_variable(monkeypatch):
    g = s2sgrad.grad(sorts_by_key)
    g(X)
    rebind(monkeypatch, 'KEY', cubic)
    with pytest.raises(S2SError) as info:
        g(X)
    assert __file__ in str(info.value) and 'key=lambda v: float(np.sum(KEY(v)))' in \
        str(info.value)


def test_the_printed_code_checks_the_variable():
    source = s2sgrad.grad(calls_act).source
    assert "s2s.check_bound(ACT, np.tanh, 'ACT', 'calls_act')" in source.splitlines()[1]


def make_loss(act):
    def loss(x):
        return np.sum(act(x) ** 2)

    def set_act(new):
        nonlocal act
        act = new
    return loss, set_act


def test_a_closure_variable_rebound_by_a_setter():
    loss, set_act = make_loss(np.tanh)
    g = s2sgrad.grad(loss)
    np.testing.assert_allclose(g(X), numeric(loss, X), rtol=1e-5, atol=1e-7)
    set_act(np.sin)
    with pytest.raises(S2SError, match='`act` held'):
        g(X)
    np.testing.assert_allclose(s2sgrad.grad(loss)(X), numeric(loss, X), rtol=1e-5, atol=1e-7)


def test_a_direct_call_of_a_function_of_yours_follows_the_rebinding(monkeypatch):
    def direct(x):
        return np.sum(FN(x))
    g = s2sgrad.grad(direct)
    np.testing.assert_allclose(g(X), np.cos(X))
    rebind(monkeypatch, 'FN', cubic)
    np.testing.assert_allclose(g(X), 3 * X ** 2)  # (`live.LiveHelper`: no check, no error)
    assert 'check_bound' not in g.source


def test_imports_and_own_names_are_not_checked():
    from rebound_imports import uses_imports
    source = s2sgrad.grad(uses_imports).source
    assert 'check_bound' not in source
    np.testing.assert_allclose(s2sgrad.grad(uses_imports)(X), numeric(uses_imports, X),
                               rtol=1e-5, atol=1e-7)


def test_the_exported_module_has_no_check():
    text = s2sgrad.export(s2sgrad.grad(calls_act))
    assert 'check_bound' not in text and 'ACT' in text


class Net:
    act = staticmethod(soft)

    def loss(self, x):
        return np.sum(self.act(x))


def test_an_instance_attribute_shadowing_a_class_function_of_yours():
    net = Net()
    g = s2sgrad.grad(net.loss)
    np.testing.assert_allclose(g(X), np.cos(X))
    net.act = cubic
    with pytest.raises(S2SError, match='`self` holds other functions'):
        g(X)
    np.testing.assert_allclose(s2sgrad.grad(net.loss)(X), 3 * X ** 2)


def test_compiled_gradient_checks_in_its_wrapper(monkeypatch):
    pytest.importorskip('numba', reason='the compiled path needs numba')
    g = s2sgrad.grad(helper_reads_act, compile='numba')
    np.testing.assert_allclose(g(X), numeric(helper_reads_act, X), rtol=1e-5, atol=1e-7)
    rebind(monkeypatch, 'ACT', np.sin)
    with pytest.raises(S2SError, match='`ACT` held'):
        g(X)
    rebind(monkeypatch, 'ACT', np.tanh)
    np.testing.assert_allclose(g(X), numeric(helper_reads_act, X), rtol=1e-5, atol=1e-7)


def default_act(x, act=np.tanh):
    return np.sum(act(x))


def test_compiled_gradient_with_a_default_function():
    pytest.importorskip('numba', reason='the compiled path needs numba')
    g = s2sgrad.grad(default_act, compile='numba')
    np.testing.assert_allclose(g(X), 1 - np.tanh(X) ** 2)
    with pytest.raises(S2SError, match='parameter `act`'):
        g(X, np.sin)


@pytest.mark.parametrize('f, holder, new', [
    (module_attribute, rebound_config, np.sin), (class_attribute, Settings, np.sin)],
    ids=['module_attribute', 'class_attribute'])
def test_an_attribute_of_a_module_or_class_of_yours_is_checked(monkeypatch, f, holder, new):
    g = s2sgrad.grad(f)
    np.testing.assert_allclose(g(X), numeric(f, X), rtol=1e-5, atol=1e-7)
    monkeypatch.setattr(holder, 'ACT' if holder is rebound_config else 'act', new)
    with pytest.raises(S2SError, match='held <ufunc .tanh.>'):
        g(X)
    np.testing.assert_allclose(s2sgrad.grad(f)(X), numeric(f, X), rtol=1e-5, atol=1e-7)


def test_a_method_read_again_is_the_same_function(monkeypatch):
    g = s2sgrad.grad(method_of_a_ufunc)
    rebind(monkeypatch, 'SUM_OF', np.add.reduce)  # (equal, not the same object)
    np.testing.assert_allclose(g(X), 3 * X ** 2)
    assert "s2s.check_bound(SUM_OF, np.add.reduce, 'SUM_OF'" in g.source


def test_the_printed_code_reaches_the_functions_it_checks():
    source = s2sgrad.grad(reduces).source
    assert "s2s.check_bound(LSE, scipy.special.logsumexp, 'LSE', 'reduces')" in source
    assert "s2s.check_bound(RED, np.mean, 'RED', 'reduces')" in source
    space = {**vars(sys.modules[__name__]), 's2s': s2sgrad.runtime}
    exec(compile(source, '<printed>', 'exec'), space)
    np.testing.assert_allclose(space['dreducesdx'](X), s2sgrad.grad(reduces)(X))


def product_by_reduce(x):
    return functools.reduce(lambda acc, v: acc * (1.0 + v), x, 1.0)


def test_a_modules_function_under_its_own_name_is_not_checked():
    g = s2sgrad.grad(product_by_reduce)
    assert 'check_bound' not in g.source
    np.testing.assert_allclose(g(X), numeric(product_by_reduce, X), rtol=1e-6)
