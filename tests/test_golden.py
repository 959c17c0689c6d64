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


def generated_text(name, wrt):
    df = s2sgrad.grad(getattr(canonical, name), wrt=wrt)
    parts = [helper.source for helper in df.helpers] + [df.source]
    return '\n\n'.join(parts)


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
    generated = s2sgrad.jvp(getattr(canonical, name), wrt=wrt).generated
    parts = [helper.source for helper in generated.helpers] + [generated.source]
    return '\n\n'.join(parts)


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
