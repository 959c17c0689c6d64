"""What is printed is what runs: ``df.source`` of every corpus function, executed on its own.

The printed unit is executed in a fresh namespace that holds NumPy as ``np`` and
``s2sgrad.runtime`` as ``s2s``, and besides those only what the user's own module defines and
the code reads by name (the user's functions, classes, imported modules and constants, which
the printed code calls as the user's code does). It must give what the gradient gives.
"""
import ast
import copy
import inspect

import numpy as np
import pytest

import s2sgrad
from s2sgrad import runtime

import corpus
import corpus_users

CASES = corpus.CASES + [case for case in corpus_users.CASES
                        if case[0] not in corpus_users.MAY_RAISE]
IDS = [f'{f.__module__}.{f.__name__}-{i}' for i, (f, _, _) in enumerate(CASES)]


def printed_function(df, user_globals):
    """The function `df.source` defines, executed in a fresh namespace (see the module
    docstring); the names it reads from the user's module must be the user's own."""
    tree = ast.parse(df.source)
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    namespace = {'np': np, 's2s': runtime}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and \
                node.id not in defined and node.id not in namespace and \
                node.id in user_globals:
            value = user_globals[node.id]
            assert not (callable(value) and getattr(value, '__module__', '').startswith(
                's2sgrad')), f'the printed code reads {node.id}, a name of s2sgrad'
            namespace[node.id] = value
    exec(compile(df.source, '<printed>', 'exec'), namespace)
    return namespace[df.__name__]


def assert_same(a, b):
    if isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            assert_same(a[key], b[key])
    else:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def _module_globals(f):
    return getattr(f, '__globals__', None) or vars(__import__(f.__module__))


@pytest.mark.parametrize('f, make_args, wrt', CASES, ids=IDS)
def test_printed_gradient_is_what_runs(f, make_args, wrt):
    df = s2sgrad.grad(f, wrt=wrt)
    printed = printed_function(df, _module_globals(f))
    args = make_args(np.random.default_rng(0))
    assert_same(printed(*copy.deepcopy(args)), df(*copy.deepcopy(args)))


def test_each_helper_is_printed_once_under_the_name_it_is_called_by():
    """A helper differentiated with respect to different arguments in two calls: two
    backward parts, each printed once, each named after what it differentiates, and one
    forward part (both save the same values), called twice."""
    import corpus_printed
    df = s2sgrad.grad(corpus_printed.two_layers)
    tree = ast.parse(df.source)
    names = [node.name for node in tree.body]
    assert sorted(names[:3]) == ['dlayerdW_bwd', 'dlayerdx_bwd', 'layer_fwd'], df.source
    assert names[3:] == ['dtwo_layersdW1'], df.source
    called = [node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and
              isinstance(node.func, ast.Name)]
    assert {'dlayerdx_bwd', 'dlayerdW_bwd'} <= set(called) and called.count('layer_fwd') == 2
    assert 'blayer=' in df.source and 'btanh' not in df.source, df.source
    rng = np.random.default_rng(3)
    W1, W2, x = rng.standard_normal((4, 3)), rng.standard_normal((4, 4)), rng.standard_normal(3)
    printed = printed_function(df, vars(corpus_printed))
    assert_same(printed(W1, W2, x), df(W1, W2, x))


def test_helper_names_stay_unique_when_a_user_name_takes_one():
    """The user's module defines `dlayerdW`: the generated helper gets another name, and
    the printed unit still runs."""
    import corpus_printed_shadow
    df = s2sgrad.grad(corpus_printed_shadow.shadowing_helper_name)
    tree = ast.parse(df.source)
    defined = [node.name for node in tree.body]
    assert len(set(defined)) == len(defined) and 'dlayerdW' not in defined, df.source
    rng = np.random.default_rng(4)
    W, x = rng.standard_normal((3, 3)), rng.standard_normal(3)
    printed = printed_function(df, vars(corpus_printed_shadow))
    assert_same(printed(W, x), df(W, x))


def test_rule_helpers_are_reached_through_s2s():
    """Functions that rule modules define (untrace, cofactor, the matrix transpose of
    slogdet's rule) are printed as ``s2s.NAME``: the printed code needs no other name."""
    import corpus_printed
    for f in (corpus_printed.trace_product, corpus_printed.log_abs_det,
              corpus_printed.log_det):
        df = s2sgrad.grad(f)
        assert 's2s.' in df.source
        for node in ast.walk(ast.parse(df.source)):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                assert node.id in ('np', 's2s') or node.id in \
                    {a.arg for a in ast.walk(ast.parse(df.source)) if isinstance(a, ast.arg)} \
                    or node.id in {t.id for t in ast.walk(ast.parse(df.source))
                                   if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}, \
                    (node.id, df.source)
        X = np.array([[2.0, 0.3, 0.1], [0.2, 1.5, -0.4], [0.1, 0.6, 3.0]])
        printed = printed_function(df, vars(corpus_printed))
        args = (X,) if f is not corpus_printed.trace_product else (X, X.T + 1.0)
        assert_same(printed(*args), df(*args))


def test_runtime_reaches_rule_helpers_and_nothing_else():
    assert callable(runtime.untrace) and callable(runtime.cofactor) and callable(runtime.mT)
    with pytest.raises(AttributeError):
        runtime.no_such_helper
    with pytest.raises(AttributeError):
        runtime._mT  # private names are not reached


def test_verbose_prints_the_unit(capsys):
    import corpus_printed
    df = s2sgrad.grad(corpus_printed.two_layers, verbose=1)
    assert capsys.readouterr().out.strip() == df.source.strip()


def test_show_prints_the_unit(capsys):
    import os
    from s2sgrad.__main__ import main
    path = os.path.join(os.path.dirname(__file__), 'corpus_printed.py')
    assert main(['show', f'{path}:two_layers', '--wrt', 'W1']) == 0
    out = capsys.readouterr().out
    assert out.count('def dlayerdW_bwd(') == 1 and out.count('def dlayerdx_bwd(') == 1, out
    assert out.count('def layer_fwd(') == 1, out


def test_show_prints_a_function_of_a_class(capsys, tmp_path):
    from s2sgrad.__main__ import main
    path = tmp_path / 'model.py'
    path.write_text('import numpy as np\n\nprint("loading")\n\n\nclass Model:\n'
                    '    def loss(self, x):\n        return np.sum(x ** 2)\n')
    assert main(['show', f'{path}:Model.loss', '--wrt', 'x']) == 0
    printed = capsys.readouterr()
    out = printed.out  # (the module's own print goes to stderr: stdout is code)
    assert out.startswith('def dlossdx(self, x):') and 'bx = 2.0 * x' in out, out
    assert 'loading' in printed.err
    assert main(['show', f'{path}:Model.nothing']) == 1
    assert "has no attribute 'nothing'" in capsys.readouterr().err


@pytest.mark.parametrize('shapes', ['garbage', 'x', '**shapes', '(3,)'])
def test_show_refuses_shapes_it_cannot_read(capsys, shapes):
    import os
    from s2sgrad.__main__ import main
    path = os.path.join(os.path.dirname(__file__), 'corpus_printed.py')
    assert main(['show', f'{path}:two_layers', '--wrt', 'W1', '--shapes', shapes]) == 1
    assert 'does not read as NAME=(SIZE, ...)' in capsys.readouterr().err


def test_a_recursive_function_prints_its_own_name():
    """The forward and backward parts of a recursive function call themselves by the
    names they are printed under."""
    import corpus_printed
    df = s2sgrad.grad(corpus_printed.power_recursive)
    printed = printed_function(df, vars(corpus_printed))
    assert_same(printed(1.3, 4), df(1.3, 4))
    *helpers, gradient = ast.parse(df.source).body
    assert len(helpers) == 2, df.source
    for helper in helpers:
        calls = {node.func.id for node in ast.walk(helper) if isinstance(node, ast.Call) and
                 isinstance(node.func, ast.Name)}
        assert helper.name in calls and helper.name != gradient.name, df.source


def test_a_variable_named_s2s_is_refused_by_name():
    """Generated code reads `s2s` (s2sgrad.runtime): a local of that name would shadow it."""
    import corpus_printed
    from s2sgrad.errors import UnsupportedSyntaxError
    with pytest.raises(UnsupportedSyntaxError, match='named `s2s`') as info:
        s2sgrad.grad(corpus_printed.uses_s2s_local)
    assert 'corpus_printed.py' in str(info.value) and 's2s = x * 2.0' in str(info.value)


def _ones_like(value):
    """A tangent of `value`'s structure: ones (arrays, numbers), item by item."""
    if isinstance(value, dict):
        return {key: _ones_like(item) for key, item in value.items()}
    if hasattr(value, '_fields'):
        return type(value)(*[_ones_like(item) for item in value])
    if isinstance(value, (list, tuple)):
        return type(value)(_ones_like(item) for item in value)
    if isinstance(value, np.ndarray):
        return np.ones_like(value, dtype=float)
    return 1.0 if isinstance(value, (float, int)) else value


@pytest.mark.parametrize('f, make_args, wrt', CASES, ids=IDS)
def test_printed_jvp_is_what_runs(f, make_args, wrt):
    """Forward mode too (its code printed `builtins.sum(...)`, which the printed namespace
    lacks, for the built-in sum, list and tuple)."""
    if not all(isinstance(w, int) for w in (wrt if isinstance(wrt, tuple) else (wrt,))):
        pytest.skip('arguments named by keyword')
    args = make_args(np.random.default_rng(0))
    try:
        generated = s2sgrad.jvp(f, wrt=wrt).generated
    except s2sgrad.errors.S2SError:
        pytest.skip('a construct refused on purpose in forward mode')
    tangents = [_ones_like(args[w]) for w in (wrt if isinstance(wrt, tuple) else (wrt,))]
    names = [p.name for p in inspect.signature(generated).parameters.values()
             if p.kind is p.KEYWORD_ONLY]
    printed = printed_function(generated, _module_globals(f))
    expected = generated(*copy.deepcopy(args), **dict(zip(names, copy.deepcopy(tangents))))
    assert_same(printed(*copy.deepcopy(args), **dict(zip(names, tangents))), expected)


@pytest.mark.parametrize('name', ['beta_logpdf', 'cauchy_pdf', 'gamma_logpdf',
                                  'dirichlet_logpdf', 'poisson_logpmf', 'special_functions',
                                  'solved'])
@pytest.mark.parametrize('operator', ['grad', 'jvp'])
def test_printed_code_of_scipy_rules_runs_given_your_names(name, operator):
    """What the rules and definitions of SciPy functions read (``scipy.special.xlogy`` in
    scipy.stats' definitions, the `gammaln` rule's digamma, np.tensordot's axes helper) is
    reached through `s2s` where the user's module does not bind it (`import scipy.stats as
    st` binds no `scipy`)."""
    pytest.importorskip('scipy')
    import printed_scipy_functions as module
    f = getattr(module, name)
    x = np.array([0.4, 0.3, 0.6])
    derivative = getattr(s2sgrad, operator)(f)
    space = dict(vars(module), np=np, s2s=runtime)
    exec(compile(derivative.source, '<printed>', 'exec'), space)
    printed = space[derivative.generated.__name__ if operator == 'jvp' else derivative.__name__]
    if operator == 'grad':
        np.testing.assert_allclose(printed(x), derivative(x), rtol=1e-12)
    else:
        v = np.array([1.0, -0.5, 0.25])
        np.testing.assert_allclose(printed(x, dx=v), derivative(x, v), rtol=1e-12)
