"""What the reviews of session 37 found, and the items left open by session 36's reviews that
it mended, each pinned against closed forms or central differences."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad import runtime


# -- grad of a gradient of a nested container (R26 C1 of session 36) --------------------------

def nested_dict_loss(p):
    return np.sum(p['a']['W'] ** 3) + np.sum(p['b'] ** 2)


def test_grad_of_a_gradient_of_a_dict_of_dicts():
    """Reverse over reverse through the gradient of a parameter tree: the adjoint of the
    gradient's inner dict was reshaped like an array (an IndexError in generated code)."""
    df = s2sgrad.grad(nested_dict_loss)
    w = np.array([1.0, 2.0])

    def directional(p):
        g = df(p)
        return np.sum(g['a']['W'] * w) + np.sum(g['b'] * w)

    p = {'a': {'W': np.array([0.5, -1.0])}, 'b': np.array([0.3, 0.7])}
    before = {'a': {'W': p['a']['W'].copy()}, 'b': p['b'].copy()}
    got = s2sgrad.grad(directional)(p)
    np.testing.assert_allclose(got['a']['W'], 6 * p['a']['W'] * w, rtol=1e-12)
    np.testing.assert_allclose(got['b'], 2 * w, rtol=1e-12)
    np.testing.assert_array_equal(p['a']['W'], before['a']['W'])
    np.testing.assert_array_equal(p['b'], before['b'])


def dict_of_list_loss(p):
    return np.sum(p['a'][1] ** 3) + np.sum(p['a'][0] ** 2)


def list_of_dict_loss(p):
    return np.sum(p[0]['W'] ** 3)


def dict_of_three_loss(p):
    return np.sum(p['a']['b']['c'] ** 3)


@pytest.mark.parametrize('loss, make, get', [
    (dict_of_list_loss, lambda: {'a': [np.array([0.3, 0.2]), np.array([0.5, -1.0])]},
     lambda p: p['a'][1]),
    (list_of_dict_loss, lambda: [{'W': np.array([0.5, -1.0])}], lambda p: p[0]['W']),
    (dict_of_three_loss, lambda: {'a': {'b': {'c': np.array([0.5, -1.0])}}},
     lambda p: p['a']['b']['c']),
], ids=['dict_of_list', 'list_of_dict', 'dict_of_three'])
def test_grad_of_a_gradient_of_other_trees(loss, make, get):
    df = s2sgrad.grad(loss)
    w = np.array([1.0, 2.0])
    got = get(s2sgrad.grad(lambda p: np.sum(get(df(p)) * w))(make()))
    np.testing.assert_allclose(got, 6 * get(make()) * w, rtol=1e-12)


# -- printed gradients of methods run as printed (R26 C2 of session 36) -----------------------

class Regularized:
    def __init__(self):
        self.act = np.tanh

    def loss(self, W):
        return np.sum(self.act(W) ** 2) + self.penalty(W)

    def plain(self, W):
        return np.sum(W ** 2)

    @staticmethod
    def penalty(W):
        return np.sum(W ** 4)


def _printed(df, name):
    namespace = {'np': np, 's2s': runtime, 'Regularized': Regularized}
    exec(compile(df.source, '<printed>', 'exec'), namespace)
    return namespace[name]


@pytest.mark.parametrize('method, name, closed_form', [
    ('plain', 'dplaindW', lambda W: 2 * W),
    ('loss', 'dlossdW', lambda W: 2 * np.tanh(W) * (1 - np.tanh(W) ** 2) + 4 * W ** 3),
])
def test_a_method_gradient_runs_as_printed(method, name, closed_form):
    """The instance guard of a method's gradient reads the functions the object holds as
    the printed code can reach them (``np.tanh``, ``Regularized.penalty``), not under names
    bound only in the generated function's namespace."""
    model = Regularized()
    df = s2sgrad.grad(getattr(model, method))
    W = np.array([0.3, -0.8])
    assert 'is np.tanh' in df.source and 'Regularized.penalty' in df.source
    np.testing.assert_allclose(df(W), closed_form(W), rtol=1e-12)
    np.testing.assert_allclose(_printed(df, name)(model, W), closed_form(W), rtol=1e-12)


def test_a_static_method_replaced_on_the_class_is_seen():
    class Scaled:
        def loss(self, W):
            return np.sum(W ** 2) + self.penalty(W)

        @staticmethod
        def penalty(W):
            return np.sum(W)

    model = Scaled()
    df = s2sgrad.grad(model.loss)
    W = np.array([1.0, 2.0])
    np.testing.assert_allclose(df(W), 2 * W + 1)
    Scaled.penalty = staticmethod(lambda W: np.sum(W ** 3))
    with pytest.raises(s2sgrad.errors.S2SError, match='Scaled.penalty'):
        df(W)
    again = s2sgrad.grad(model.loss)
    np.testing.assert_allclose(again(W), 2 * W + 3 * W ** 2)
    model.penalty = lambda W: 0.0 * W[0]  # (the instance's own, shadowing the class's)
    with pytest.raises(s2sgrad.errors.S2SError, match='`self` holds other functions'):
        again(W)


# -- export of a derivative reading a module of SciPy (R26 C3 of session 36) ------------------

def test_export_imports_the_scipy_module_a_rule_reads(tmp_path, monkeypatch):
    """``from scipy import stats`` in your module: the derivative of ``stats.t.logpdf`` reads
    ``scipy.special.gammaln``, which export imports (it raised an internal S2SError)."""
    pytest.importorskip('scipy')
    import importlib
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import export_stats_functions as funcs
    monkeypatch.syspath_prepend(str(tmp_path))
    text = s2sgrad.export(funcs.t_loglik)
    assert 'import scipy.special' in text and 'needs NumPy and `scipy`' in text
    (tmp_path / 'exported_stats_t.py').write_text(text)
    module = importlib.import_module('exported_stats_t')
    data = np.array([0.1, -0.5, 1.0])
    step = 1e-6
    expected = (funcs.t_loglik(0.2 + step, data) - funcs.t_loglik(0.2 - step, data)) / (2 * step)
    np.testing.assert_allclose(module.dt_loglikdloc(0.2, data), expected, rtol=1e-7)
