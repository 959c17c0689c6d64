"""The `rules` listing and the README coverage table generated from it."""
import os
import re
import subprocess
import sys

import numpy as np

import s2sgrad
from s2sgrad import listing

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_listing_names_modes_and_nondifferentiable_functions():
    rows = dict(listing.rule_rows())
    assert rows['numpy.exp'] == 'reverse forward'
    assert rows['numpy.tanh'] == 'reverse forward'
    assert rows['numpy.argmax'] == 'non-differentiable'
    assert rows['ndarray.shape'] == 'non-differentiable'
    assert rows['ndarray.T'] == 'reverse forward'
    assert not any(name.startswith('s2sgrad.') for name in rows)


def bucket_user(x):
    return x * 2.0


def test_user_rules_show_up_in_the_listing():
    @s2sgrad.adjoint(bucket_user)
    def bucket_user_adjoint(ans, x):
        s2sgrad.d[x] = s2sgrad.d[ans] * 2.0
    rows = dict(listing.rule_rows())
    assert rows[f'{__name__}.bucket_user'] == 'reverse'


def test_command_line_rules():
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    out = subprocess.run([sys.executable, '-m', 's2sgrad', 'rules'], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert re.search(r'^numpy\.sin\s+reverse forward$', out.stdout, re.M)


def test_readme_coverage_table_is_generated_from_the_listing():
    """Regenerate with: python -m s2sgrad rules --markdown (between the README markers)."""
    text = open(os.path.join(REPO, 'README.md')).read()
    table = text.split('<!-- rules table -->\n', 1)[1].split('<!-- end rules table -->', 1)[0]
    assert table.strip() == listing.markdown().strip()
    assert np is not None
