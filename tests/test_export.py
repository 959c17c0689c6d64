"""Export: the written module runs with NumPy alone and computes what s2sgrad computes."""
import ast
import builtins
import importlib
import json
import os

import numpy as np
import pytest

import s2sgrad
from s2sgrad.__main__ import main
from s2sgrad.errors import ExportError

import export_functions as funcs
from numpy_only import run_with_numpy_only

HERE = os.path.dirname(os.path.abspath(__file__))


def imports_of(text):
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module)
    return found


def run_exported(text, calls):
    """Run `calls` (lines of Python, each an expression) against the exported module in an
    environment with NumPy only; return their values (as nested lists of floats)."""
    script = ['import json', 'import numpy as np', 'from exported import *', 'out = []']
    script += [f'out.append(np.asarray({call}, dtype=float).tolist())' for call in calls]
    script.append('print(json.dumps(out))')
    return json.loads(run_with_numpy_only(text, '\n'.join(script) + '\n'))


def test_exported_module_runs_with_numpy_alone_in_every_mode():
    """One module with the gradient, value and gradient, JVP and VJP of a function that
    calls a function of the user's; run in a virtual environment that has NumPy and
    nothing else; every result equals s2sgrad's."""
    text = s2sgrad.export(funcs.two_layers, wrt=(0, 1),
                          modes=('grad', 'value_and_grad', 'jvp', 'vjp'))
    assert imports_of(text) == {'numpy'}, imports_of(text)
    assert not {node.id for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Name)} & \
        {'s2s', 's2sgrad'}
    compile(text, 'exported.py', 'exec')
    names = [node.name for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)]
    assert len(names) == len(set(names)), names
    assert '- `layer`: copied from corpus_printed.py' in text
    for expected in ('two_layers', 'layer', 'dtwo_layersdW1W2', 'value_and_dtwo_layersdW1W2',
                     'jvp_two_layers', 'vjp_two_layers'):
        assert expected in names, (expected, names)
    rng = np.random.default_rng(0)
    W1, W2, x = rng.standard_normal((4, 3)), rng.standard_normal((4, 4)), rng.standard_normal(3)
    dW1, dW2 = rng.standard_normal((4, 3)), rng.standard_normal((4, 4))
    setup = (f'np.array({W1.tolist()}), np.array({W2.tolist()}), np.array({x.tolist()})')
    tangents = f'dW1=np.array({dW1.tolist()}), dW2=np.array({dW2.tolist()})'
    vjp = s2sgrad.vjp(funcs.two_layers, wrt=(0, 1))
    seed = vjp.generated.seed_name
    results = run_exported(text, [
        f'two_layers({setup})',
        f'dtwo_layersdW1W2({setup})[0]', f'dtwo_layersdW1W2({setup})[1]',
        f'value_and_dtwo_layersdW1W2({setup})[0]',
        f'jvp_two_layers({setup}, {tangents})',
        f'vjp_two_layers({setup}, {seed}=0.7)[1]'])
    grads = s2sgrad.grad(funcs.two_layers, wrt=(0, 1))(W1, W2, x)
    np.testing.assert_allclose(results[0], funcs.two_layers(W1, W2, x), rtol=1e-12)
    np.testing.assert_allclose(results[1], grads[0], rtol=1e-12)
    np.testing.assert_allclose(results[2], grads[1], rtol=1e-12)
    np.testing.assert_allclose(results[3], funcs.two_layers(W1, W2, x), rtol=1e-12)
    jvp = s2sgrad.jvp(funcs.two_layers, wrt=(0, 1))(W1, W2, x, (dW1, dW2))
    np.testing.assert_allclose(results[4], jvp, rtol=1e-12)
    np.testing.assert_allclose(results[5], 0.7 * grads[1], rtol=1e-12)


def test_constants_and_modules_of_the_users_module_are_written_out():
    text = s2sgrad.export(funcs.with_constants)
    assert 'SCALE = 0.5' in text and 'OFFSETS = (1.0, -2.0)' in text
    assert imports_of(text) == {'numpy', 'math'}
    x = np.linspace(-1.0, 1.0, 4)
    out = run_exported(text, [f'dwith_constantsdx(np.array({x.tolist()}))'])
    np.testing.assert_allclose(out[0], s2sgrad.grad(funcs.with_constants)(x), rtol=1e-12)


def test_rule_helpers_and_loops_export():
    """slogdet's rule calls a helper of the rule module (the matrix transpose), the loop
    stacks values: all of it runs from the exported text."""
    text = s2sgrad.export(funcs.loop_and_linalg, wrt=(0, 1))
    X = np.array([[1.0, 0.2, 0.1], [0.3, 1.5, -0.2], [0.0, 0.4, 2.0]])
    b = np.array([0.5, -1.0, 2.0])
    out = run_exported(text, [f'dloop_and_linalgdXb(np.array({X.tolist()}), '
                              f'np.array({b.tolist()}))[{i}]' for i in (0, 1)])
    expected = s2sgrad.grad(funcs.loop_and_linalg, wrt=(0, 1))(X, b)
    np.testing.assert_allclose(out[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(out[1], expected[1], rtol=1e-12)


def test_helper_names_that_the_users_code_takes_are_renamed():
    """A variable named `like`, `seed` or `unbroadcast`: the runtime helper of that name is
    written as ``s2s_like``, and the module still computes the gradient."""
    text = s2sgrad.export(funcs.names_like_helpers, wrt=(0, 1))
    tree = ast.parse(text)
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert 's2s_like' in defined and 'like' not in defined, sorted(defined)
    compile(text, 'exported.py', 'exec')
    namespace = {}
    exec(compile(text, 'exported.py', 'exec'), namespace)
    x, like = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    got = namespace['dnames_like_helpersdxlike'](x, like)
    expected = s2sgrad.grad(funcs.names_like_helpers, wrt=(0, 1))(x, like)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)


def test_an_array_in_the_users_module_is_refused_by_name():
    with pytest.raises(ExportError, match='TABLE'):
        s2sgrad.export(funcs.reads_an_array)


def test_a_method_is_refused():
    with pytest.raises(ExportError, match='plain Python function'):
        s2sgrad.export(funcs.Model().loss)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ExportError, match='hessian'):
        s2sgrad.export(funcs.two_layers, modes=('hessian',))


def test_declared_shapes_are_in_the_header_and_the_code():
    text = s2sgrad.export(funcs.quadratic, shapes={'x': ('n',), 'A': ('n', 'n')})
    header = ast.get_docstring(ast.parse(text))
    assert 'declared shapes' in header and 'x: (n,)' in header
    assert '# for the declared shapes x: (n,), A: (n, n)' in text


def test_exported_derivatives_check_the_declared_shapes():
    """The code simplified for the declared shapes raises for others, as the function
    `grad(f, shapes=...)` gives does (it gave wrong numbers, silently)."""
    text = s2sgrad.export(funcs.quadratic, shapes={'x': ('n',), 'A': ('n', 'n')},
                          modes=('grad', 'jvp'))
    assert "declared_shapes('quadratic', {'A': ('n', 'n'), 'x': ('n',)}, {'A': A, 'x': x})" \
        in text
    assert 'called with other shapes, the derivatives raise ShapeError' in text
    space = {}
    exec(compile(text, 'exported.py', 'exec'), space)
    x, A = np.array([1.0, 2.0, 3.0]), np.arange(9.0).reshape(3, 3)
    np.testing.assert_allclose(space['dquadraticdx'](x, A), (A + A.T) @ x)
    for args in [(x, np.ones((3, 2))), (x[:2], A), (list(x), A)]:
        with pytest.raises(space['ShapeError'], match='declared shapes|declared shape'):
            space['dquadraticdx'](*args)
    with pytest.raises(space['ShapeError'], match='`A` has shape'):
        space['jvp_quadratic'](x, np.ones((3, 2)), dx=x)


def test_a_function_that_calls_s2sgrad_exports_a_module_that_does_not_need_it():
    text = s2sgrad.export(funcs.force_norm, wrt=0)
    assert 'except ImportError:' in text
    real_import = builtins.__import__

    def without_s2sgrad(name, *args, **kwargs):
        if name.split('.')[0] == 's2sgrad':
            raise ImportError(f'no module named {name!r}')
        return real_import(name, *args, **kwargs)
    space = {'__builtins__': {**vars(builtins), '__import__': without_s2sgrad}}
    exec(compile(text, 'exported.py', 'exec'), space)
    assert space['s2sgrad'] is None
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(space['dforce_normdx'](x, 1.3),
                               s2sgrad.grad(funcs.force_norm)(x, 1.3), rtol=1e-12)


def test_a_function_of_yours_named_like_a_builtin_is_refused(tmp_path, monkeypatch):
    """The gradient reads the built-in where its code needs it (`list(blist)`); an exported
    module, which holds your function and that code in one namespace, is refused."""
    (tmp_path / 'shadowing.py').write_text(
        'import numpy as np\n\n\ndef list(*items):\n    return [2.0 * v for v in items]\n'
        '\n\ndef f(x):\n    return np.sum(np.stack(list(x, x)) ** 2)\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    shadowing = importlib.import_module('shadowing')
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(s2sgrad.grad(shadowing.f)(x), 16.0 * x)
    with pytest.raises(ExportError, match="`list` of your module takes the name of the built-in"):
        s2sgrad.export(shadowing.f)


def test_command_line_export_writes_the_module(tmp_path, capsys):
    target = tmp_path / 'grads.py'
    path = os.path.join(HERE, 'export_functions.py')
    assert main(['export', f'{path}:two_layers', '--wrt', 'W1,W2', '-o', str(target)]) == 0
    text = target.read_text()
    header = ast.get_docstring(ast.parse(text))
    assert 'two_layers' in header and 'W1, W2' in header
    assert 'python -m s2sgrad export export_functions.py:two_layers --wrt W1,W2' in header
    assert text == s2sgrad.export(funcs.two_layers, wrt=('W1', 'W2'),
                                  command=header.split('Made with: ')[1].strip())


def test_command_line_export_reports_errors(capsys):
    path = os.path.join(HERE, 'export_functions.py')
    assert main(['export', f'{path}:reads_an_array']) == 1
    assert 'TABLE' in capsys.readouterr().err


def test_export_is_deterministic(private_cache):
    s2sgrad.clear_cache()
    first = s2sgrad.export(funcs.two_layers, wrt=(0, 1), modes=('grad', 'jvp'))
    s2sgrad.clear_cache()
    assert s2sgrad.export(funcs.two_layers, wrt=(0, 1), modes=('grad', 'jvp')) == first


def test_what_rules_read_from_scipy_and_their_constants_export(tmp_path, monkeypatch):
    """A rule that reads an object of another library (the `gammaln` rule's digamma, which
    your module does not import by that name: `s2s.digamma` in the printed code) exports as
    an import of it; a rule's constant (scipy.linalg.solve's `assume_a` kinds) is written
    out; a rule's own helper (np.tensordot's axes) is defined."""
    pytest.importorskip('scipy')
    import export_scipy_functions as sfuncs
    monkeypatch.syspath_prepend(str(tmp_path))
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 3)) + 3.0 * np.eye(3)
    cases = [(sfuncs.solved, (A, np.array([1.0, -2.0, 0.5])), 'dsolveddA'),
             (sfuncs.log_gamma, (np.array([1.5, 2.5, 4.0]),), 'dlog_gammadx'),
             (sfuncs.contracted, (A, A.T), 'dcontracteddA')]
    for k, (f, args, name) in enumerate(cases):
        text = s2sgrad.export(f)
        (tmp_path / f'exported_scipy_{k}.py').write_text(text)
        module = importlib.import_module(f'exported_scipy_{k}')
        assert 's2sgrad' not in imports_of(text)
        np.testing.assert_allclose(getattr(module, name)(*args), s2sgrad.grad(f)(*args),
                                   rtol=1e-12)
        if f is sfuncs.log_gamma:
            assert 'from scipy.special import psi as digamma' in text


def test_a_definition_reading_the_builtins_exports(tmp_path, monkeypatch):
    pytest.importorskip('scipy')
    import export_block_functions as bfuncs
    monkeypatch.syspath_prepend(str(tmp_path))
    text = s2sgrad.export(bfuncs.blocked)
    assert 'import builtins' in text
    (tmp_path / 'exported_block.py').write_text(text)
    module = importlib.import_module('exported_block')
    x = np.array([0.3, -0.7, 1.2])
    np.testing.assert_allclose(module.dblockeddx(x), s2sgrad.grad(bfuncs.blocked)(x),
                               rtol=1e-12)


def test_a_library_object_your_module_shadows_is_refused():
    """The `gammaln` rule reads SciPy's digamma; a module with a `digamma` of its own cannot
    import it under that name too (the exported gradient would call yours)."""
    pytest.importorskip('scipy')
    import export_block_functions as bfuncs
    with pytest.raises(ExportError, match='digamma'):
        s2sgrad.export(bfuncs.log_gamma)
    x = np.array([1.5, 2.5])
    np.testing.assert_allclose(s2sgrad.grad(bfuncs.log_gamma)(x),
                               __import__('scipy.special').special.digamma(x) + 1.0)


def test_a_lambda_bound_to_a_name_exports_under_that_name():
    text = s2sgrad.export(funcs.cosine_energy)
    assert text.startswith('"""Derivatives of `cosine_energy`')
    assert 'cosine_energy = lambda x: np.sum(np.cos(x) * x)' in text
    space = {}
    exec(compile(text, 'exported.py', 'exec'), space)
    x = np.array([0.3, -0.7, 1.1])
    grads = [v for k, v in space.items() if k.startswith('d') and callable(v)]
    assert len(grads) == 1
    np.testing.assert_allclose(grads[0](x), np.cos(x) - x * np.sin(x), rtol=1e-12)


def test_a_global_partial_is_refused_by_name():
    with pytest.raises(ExportError, match='reads `SCALED`, a partial'):
        s2sgrad.export(funcs.reads_a_partial)
