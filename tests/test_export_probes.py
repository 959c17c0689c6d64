"""Adversarial probes of export and of the printed unit, with the programs users write.

Every exported module either runs with NumPy alone and gives s2sgrad's numbers, or export
raises an `ExportError` that names the problem.
"""
import ast
import json

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import ExportError

import export_probe_functions as funcs
from numpy_only import run_with_numpy_only

ALL_MODES = ('grad', 'value_and_grad', 'jvp', 'vjp')


def literal(value):
    if isinstance(value, np.ndarray):
        return f'np.array({value.tolist()!r})'
    if isinstance(value, dict):
        return '{' + ', '.join(f'{k!r}: {literal(v)}' for k, v in value.items()) + '}'
    if isinstance(value, tuple):
        return '(' + ''.join(literal(v) + ', ' for v in value) + ')'
    return repr(value)


def plain(value):
    """Nested lists of floats (tuples and dicts kept apart by their JSON form)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    return np.asarray(value, dtype=float).tolist()


def random_like(value, rng):
    if isinstance(value, dict):
        return {key: random_like(item, rng) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(random_like(item, rng) for item in value)
    return rng.standard_normal(np.shape(value)) if np.ndim(value) else float(rng.standard_normal())


def run_modules(modules, calls):
    """Run `calls` ((module name, expression) pairs) against the exported modules
    (name -> text) in one process of the NumPy-only environment; return their values."""
    script = ['import importlib, json', 'import numpy as np',
              f'MODULES = {modules!r}',
              'for name, text in MODULES.items():',
              '    open(name + ".py", "w").write(text)',
              PLAIN_SOURCE, 'out = []']
    for module, expr in calls:
        script.append(f'mod = importlib.import_module({module!r})')
        script.append(f'out.append(plain(eval({expr!r}, vars(mod), {{"np": np}})))')
    script.append('print(json.dumps(out))')
    return json.loads(run_with_numpy_only('', '\n'.join(script) + '\n'))


PLAIN_SOURCE = '''
def plain(value):
    if isinstance(value, dict):
        return {key: plain(item) for key, item in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    return np.asarray(value, dtype=float).tolist()
'''


def expected_and_calls(func, args, wrt, module, modes=ALL_MODES):
    """s2sgrad's values of `modes` of `func` at `args`, and the calls of the exported
    module that must give them."""
    rng = np.random.default_rng(1)
    arg_list = ', '.join(literal(a) for a in args)
    if 'grad' in modes:
        grad = s2sgrad.grad(func, wrt=wrt)
        vg = s2sgrad.value_and_grad(func, wrt=wrt)
    jvp = s2sgrad.jvp(func, wrt=wrt)
    vjp = s2sgrad.vjp(func, wrt=wrt)
    tangent_names = jvp.generated.__s2sgrad__.tangent_names
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    tangents = tuple(random_like(args[p], rng) for p in positions)
    params = list(tangent_names)
    tangent_text = ', '.join(f'{tangent_names[params[i]]}={literal(t)}'
                             for i, t in enumerate(tangents))
    output = func(*args)
    seed_value = random_like(output, rng)
    seed_name = vjp.generated.__s2sgrad__.seed_name
    expected = [func(*args), jvp(*args, tangents if isinstance(wrt, tuple) else tangents[0]),
                vjp(*args, seed_value)]
    calls = [f'{func.__name__}({arg_list})',
             f'{jvp.generated.__name__}({arg_list}, {tangent_text})',
             f'{vjp.generated.__name__}({arg_list}, {seed_name}={literal(seed_value)})']
    if 'grad' in modes:
        expected += [grad(*args), vg(*args)]
        calls += [f'{grad.__name__}({arg_list})', f'{vg.__name__}({arg_list})']
    return [plain(e) for e in expected], [(module, c) for c in calls]


RNG = np.random.default_rng(0)
W, W2, X = RNG.standard_normal((3, 3)), RNG.standard_normal((3, 3)), RNG.standard_normal(3)

EXPORTED = [  # (function, arguments, wrt)
    (funcs.two, (W, W2, X), (0, 1, 2)),
    (funcs.chain, (W, X), (0, 1)),
    (funcs.shadow_globals, (X,), 0),
    (funcs.shadow_locals, (X, 2.0), (0, 1)),
    (funcs.vector_like, (X, 2.0), 0, ('jvp', 'vjp')),
    (funcs.uses_other, (W, X), (0, 1)),
    (funcs.with_inner, (X,), 0),
    (funcs.uses_lambda, (X,), 0),
    (funcs.mutual, (X,), 0),
    (funcs.recursive, (X,), 0),
    (funcs.stacky, (X,), 0),
    (funcs.dict_param, ({'w': X, 'b': 1.5}, X), 0),
    (funcs.clipped, (X,), 0),
    (funcs.closed, (X,), 0),
]


def test_exported_modules_give_s2sgrads_numbers_with_numpy_alone():
    modules, calls, expected = {}, [], []
    for k, (func, args, wrt, *modes) in enumerate(EXPORTED):
        modes = modes[0] if modes else ALL_MODES
        name = f'm{k}_{func.__name__}'
        text = s2sgrad.export(func, wrt=wrt, modes=modes)
        compile(text, name, 'exec')
        modules[name] = text
        values, these = expected_and_calls(func, args, wrt, name, modes)
        expected += values
        calls += these
    results = run_modules(modules, calls)
    assert len(results) == len(expected)
    for (module, call), got, want in zip(calls, results, expected):
        assert_close(got, want, f'{module}: {call}')


def assert_close(got, want, where):
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), where
        for key in want:
            assert_close(got[key], want[key], where)
    elif isinstance(want, list) and any(isinstance(w, (list, dict)) for w in want):
        assert isinstance(got, list) and len(got) == len(want), where
        for g, w in zip(got, want):
            assert_close(g, w, where)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=where)


@pytest.mark.parametrize('func, words', [
    (funcs.uses_other_module, ['`export_probe_other`', 'module of yours',
                               'from export_probe_other import']),
    (funcs.uses_scaled, ['`np`', 'float', 'rename']),
    (funcs.doubled, ['`doubled` is decorated']),
    (funcs.uses_doubled, ['`doubled`', 'decorated']),
    (funcs.reads_a_dict, ['`TABLE`', 'dict']),
])
def test_what_cannot_be_exported_is_refused_by_name(func, words):
    """A module of the user's imported whole (not copied: the written module would fail at
    import), `np` bound to something else in a file of the user's (the copied function would
    read NumPy), a decorated function (its source does not say what the decorator does: the
    copy would compute the undecorated value), a dict constant."""
    with pytest.raises(ExportError) as info:
        s2sgrad.export(func, modes=ALL_MODES)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_constants_that_repr_does_not_write_back():
    text = s2sgrad.export(funcs.clipped)
    assert "INF = float('inf')" in text and "EDGES = (float('-inf'), 0.5)" in text, text


def test_a_lambda_assigned_to_a_name_is_copied_as_it_is():
    text = s2sgrad.export(funcs.uses_lambda)
    assert 'square = lambda z: z ** 2' in text, text


def test_the_runtime_keeps_its_parameters_when_a_user_name_renames_a_helper():
    """``like`` in the user's code renames the runtime helper ``like`` to ``s2s_like``; the
    parameter ``like`` of the runtime's ``_check_like`` stays what its body reads."""
    text = s2sgrad.export(funcs.vector_like, modes=('vjp',))
    tree = ast.parse(text)
    check = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and
                 node.name == '_check_like')
    assert 'like' in [a.arg for a in check.args.args]
    assert 's2s_like' not in ast.unparse(check), ast.unparse(check)


def test_a_generated_function_exports_with_its_derivatives():
    """Second order: ``export(grad(f))`` holds the gradient (its ``s2s.`` calls made plain
    too), and its derivatives; all run with NumPy alone."""
    g = s2sgrad.grad(funcs.scalar)
    text = s2sgrad.export(g, modes=ALL_MODES)
    assert 's2s' not in {node.id for node in ast.walk(ast.parse(text))
                         if isinstance(node, ast.Name)}, text
    assert 'copied from <s2sgrad' not in text, text
    gg, vg = s2sgrad.grad(g), s2sgrad.value_and_grad(g)
    jv = s2sgrad.jvp(g)
    got = run_modules({'second': text}, [
        ('second', f'{g.__name__}(0.7)'), ('second', f'{gg.__name__}(0.7)'),
        ('second', f'{vg.__name__}(0.7)'), ('second', f'{jv.generated.__name__}(0.7, dx=1.5)')])
    assert_close(got, plain([g(0.7), gg(0.7), vg(0.7), jv(0.7, 1.5)]), 'second order')


def test_export_is_refused_for_a_wrapper_of_another_name():
    with pytest.raises(ExportError, match='under another name'):
        s2sgrad.export(funcs.uses_closed_under_another_name)


def test_printed_units_run_in_a_fresh_namespace_in_every_mode():
    """The printed unit of each mode, executed with `np`, `s2s` and the user's names its
    functions read (each from the file it comes from: `xp`, `tanh`, `m`, `K` of another
    file), computes what s2sgrad computes."""
    import export_probe_other
    from s2sgrad import runtime
    for func, args, wrt in [(funcs.uses_other, (W, X), (0, 1)), (funcs.chain, (W, X), (0, 1)),
                            (funcs.mutual, (X,), 0), (funcs.shadow_locals, (X, 2.0), (0, 1))]:
        for made in (s2sgrad.grad(func, wrt=wrt), s2sgrad.value_and_grad(func, wrt=wrt)):
            namespace = {'np': np, 's2s': runtime}
            tree = ast.parse(made.source)
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id not in namespace:
                    for module in (funcs, export_probe_other):
                        if node.id in vars(module):
                            namespace.setdefault(node.id, vars(module)[node.id])
            exec(compile(made.source, '<printed>', 'exec'), namespace)
            assert_close(plain(namespace[made.__name__](*args)), plain(made(*args)),
                         made.__name__)
