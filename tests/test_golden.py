"""Golden tests: the generated source of canonical functions, pinned byte for byte.

When a pass changes on purpose, regenerate with ``S2SGRAD_UPDATE_GOLDEN=1 python -m pytest
tests/test_golden.py`` and review the diff of tests/golden/*.py.txt like user-facing text.
"""
import os
import sys

import numpy as np
import pytest

import s2sgrad

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'golden'))
import canonical  # noqa: E402

GOLDEN_DIR = os.path.join(os.path.dirname(__file__), 'golden')

CASES = [
    ('cube_scaled', 0),
    ('tanh_layer', 1),
    ('quadratic_form', 0),
    ('mlp_loss', (0, 1)),
    ('scalar_loop', 0),
    ('newton_sqrt', 0),
    ('piecewise', 0),
    ('helper_call', (0, 1)),
    ('running_squares', 0),
    ('rnn', (0, 1)),
    ('methods', (0, 1)),
    ('first_above', 0),
    ('sign_split', 0),
    ('closure', 0),
]


def compare_with_golden(filename, text):
    """Assert `text` equals the golden file (rewritten first with S2SGRAD_UPDATE_GOLDEN=1)."""
    path = os.path.join(GOLDEN_DIR, filename)
    if os.environ.get('S2SGRAD_UPDATE_GOLDEN'):
        with open(path, 'w') as handle:
            handle.write(text)
    with open(path) as handle:
        expected = handle.read()
    assert text == expected, f'generated source changed; see {path}'


def _located(text):
    """`text` with the tests' directory, which the message of a run-time check names (the
    clone's own path, anywhere: ``/tmp/...``), written ``<tests>``."""
    return text.replace(os.path.dirname(GOLDEN_DIR), '<tests>')


def generated_text(name, wrt):
    """The printed unit: ``df.source`` holds the gradient and every helper it calls."""
    return _located(s2sgrad.grad(getattr(canonical, name), wrt=wrt).source)


@pytest.mark.parametrize('name, wrt', CASES, ids=[c[0] for c in CASES])
def test_generated_source_matches_golden(name, wrt):
    compare_with_golden(f'{name}.py.txt', generated_text(name, wrt))


FORWARD_CASES = [
    ('cube_scaled', 0),
    ('tanh_layer', 1),
    ('quadratic_form', 0),
    ('mlp_loss', (0, 1)),
    ('scalar_loop', 0),
    ('newton_sqrt', 0),
    ('piecewise', 0),
    ('helper_call', (0, 1)),
    ('running_squares', 0),
    ('rnn', (0, 1)),
    ('methods', (0, 1)),
    ('closure', 0),
]


def forward_text(name, wrt):
    return _located(s2sgrad.jvp(getattr(canonical, name), wrt=wrt).source)


def _inputs(name):
    """Arguments for the canonical function `name` (fresh random values each call)."""
    rng = np.random.default_rng(sum(map(ord, name)))
    normal = rng.standard_normal
    return {
        'cube_scaled': lambda: (1.3,),
        'tanh_layer': lambda: (normal(3), normal((3, 4))),
        'quadratic_form': lambda: (normal(4), normal((4, 4))),
        'mlp_loss': lambda: (normal((3, 5)), normal((5, 2)), normal((6, 3)), normal((6, 2))),
        'scalar_loop': lambda: (0.7,),
        'newton_sqrt': lambda: (2.5,),
        'piecewise': lambda: (-0.8,),
        'helper_call': lambda: (normal(5), normal(5)),
        'running_squares': lambda: (normal(5),),
        'rnn': lambda: (normal(3), 0.5 * normal((3, 3)), normal((4, 3))),
        'methods': lambda: (normal((4, 3)), normal(3)),
        'first_above': lambda: (np.array([0.1, -0.4, 0.3, 1.5, 0.2]), 1.0),
        'sign_split': lambda: (0.6,),
        'closure': lambda: (normal(4), 1.7),
    }[name]()


def run_printed(text, function_name):
    """Execute printed generated code in a fresh namespace that holds NumPy as ``np``,
    s2sgrad.runtime as ``s2s`` and nothing else but the user's own functions and imported
    modules the code reads by name (from tests/golden/canonical.py); return the function
    it defines."""
    import types
    import ast
    from s2sgrad import runtime
    namespace = {'np': np, 's2s': runtime}
    defined = {node.name for node in ast.parse(text).body
               if isinstance(node, ast.FunctionDef)}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and \
                node.id not in defined | set(namespace) and hasattr(canonical, node.id):
            user = getattr(canonical, node.id)
            assert isinstance(user, types.ModuleType) or \
                getattr(user, '__module__', None) == canonical.__name__, node.id
            namespace[node.id] = user
    exec(compile(text, '<printed>', 'exec'), namespace)
    return namespace[function_name]


def _same(a, b):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('name, wrt', CASES, ids=[c[0] for c in CASES])
def test_printed_gradient_runs_as_printed(name, wrt):
    """What is printed is what runs: the printed unit, executed on its own, computes what
    the gradient computes."""
    df = s2sgrad.grad(getattr(canonical, name), wrt=wrt)
    printed = run_printed(df.source, df.__name__)
    args = _inputs(name)
    _same(printed(*args), df(*args))


@pytest.mark.parametrize('name, wrt', FORWARD_CASES, ids=[c[0] for c in FORWARD_CASES])
def test_printed_tangent_runs_as_printed(name, wrt):
    jvp = s2sgrad.jvp(getattr(canonical, name), wrt=wrt)
    printed = run_printed(jvp.source, jvp.__name__)
    args = _inputs(name)
    names = (wrt,) if not isinstance(wrt, tuple) else wrt
    rng = np.random.default_rng(1)
    tangents = tuple(rng.standard_normal(np.shape(args[i])) + 0.0 for i in names)
    keywords = dict(zip(jvp.generated.tangent_names.values(), tangents))
    _same(printed(*args, **keywords), jvp(*args, tangents[0] if len(tangents) == 1
                                          else tangents))


@pytest.mark.parametrize('name, wrt', FORWARD_CASES, ids=[c[0] for c in FORWARD_CASES])
def test_forward_source_matches_golden(name, wrt):
    compare_with_golden(f'{name}.fwd.py.txt', forward_text(name, wrt))


def test_forward_sources_have_tangent_headings_and_no_stacks():
    for name, wrt in FORWARD_CASES:
        text = forward_text(name, wrt)
        assert '# Tangent of:' in text, name
        assert '_stack' not in text and '.pop()' not in text, name


def test_readability_rules_hold_on_golden_sources():
    """Straight-line code has no stacks; every gradient has a `# Grad of:` heading."""
    for name, wrt in CASES:
        text = generated_text(name, wrt)
        assert '# Grad of:' in text, name
        assert '_t1' not in text and 'tmp' not in text, name
        if name in ('cube_scaled', 'tanh_layer', 'quadratic_form', 'mlp_loss', 'piecewise',
                    'helper_call', 'methods', 'sign_split'):
            assert '_stack' not in text and '.pop()' not in text, name


def test_powers_are_simplified():
    text = generated_text('tanh_layer', 1)
    assert '** (2 - 1)' not in text and '** 1' not in text
    assert '2.0 * tanh_x_at_W' in text


def test_quadratic_form_gradient_is_A_plus_A_transpose_times_x():
    rng = np.random.default_rng(0)
    x, A = rng.standard_normal(4), rng.standard_normal((4, 4))
    np.testing.assert_allclose(s2sgrad.grad(canonical.quadratic_form)(x, A), (A + A.T) @ x)
