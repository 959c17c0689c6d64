"""The README's printed code is what s2sgrad prints today (the README cannot go stale)."""
import os
import re
import sys

import s2sgrad

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'examples'))

import mlp  # noqa: E402
import quadratic  # noqa: E402


def readme_blocks():
    with open(os.path.join(ROOT, 'README.md')) as handle:
        text = handle.read()
    return re.findall(r'```python\n(.*?)```', text, re.S)


def block_defining(name):
    found = [block for block in readme_blocks() if block.startswith(f'def {name}(')]
    assert len(found) == 1, f'the README has {len(found)} blocks defining {name}'
    return found[0]


def test_first_example_is_the_closed_form_printed_today():
    df = s2sgrad.grad(quadratic.quad, shapes={'x': ('n',), 'A': ('n', 'n')})
    assert block_defining('dquaddx') == df.source
    assert 'bx = (A.T + A) @ x' in df.source


def test_mlp_gradient_and_tangent_are_printed_as_shown():
    assert block_defining('dlossdW1W2') == s2sgrad.grad(mlp.loss, wrt=(0, 1)).source
    assert block_defining('jvp_loss') == s2sgrad.jvp(mlp.loss, wrt=(0, 1)).source
