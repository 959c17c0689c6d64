"""Every example runs in its quick mode, checks its own result, and draws its picture.

Each script under ``examples/`` compares what s2sgrad computes with an independent reference
(closed forms, central differences, PyTorch when installed) and exits non-zero when a check
fails; here it runs as a user runs it, in a fresh interpreter, with ``--quick``.
"""
import importlib.util
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, 'examples')
IMAGES = os.path.join(ROOT, 'docs', 'img')

# The examples of issues #12 and #14, each with a --quick mode and one picture docs/img/NAME.png.
SCRIPTS = ['matrix_derivatives', 'derivative_operators', 'forward_vs_reverse', 'train_mlp',
           'train_rnn', 'newton', 'export_gradient', 'large_logistic_regression']
# What the examples import beyond s2sgrad's own dependencies (the `examples` extra).
NEEDS = {'matrix_derivatives': ['matplotlib'], 'derivative_operators': ['matplotlib'],
         'forward_vs_reverse': ['matplotlib'], 'train_mlp': ['matplotlib', 'sklearn'],
         'train_rnn': ['matplotlib'], 'newton': ['matplotlib', 'scipy'],
         'export_gradient': ['matplotlib'],
         'large_logistic_regression': ['matplotlib', 'scipy', 'dask', 'distributed']}
PNG = b'\x89PNG\r\n\x1a\n'


def _missing(modules):
    return [m for m in modules if importlib.util.find_spec(m) is None]


@pytest.mark.parametrize('name', SCRIPTS)
def test_quick_mode_checks_its_result_and_draws(name, tmp_path):
    missing = _missing(NEEDS[name])
    if missing:
        pytest.skip(f'examples/{name}.py needs {", ".join(missing)} '
                    f"(pip install -e '.[examples,dask]')")
    env = dict(os.environ, MPLBACKEND='Agg', PYTHONDONTWRITEBYTECODE='1')
    run = subprocess.run([sys.executable, os.path.join(EXAMPLES, name + '.py'), '--quick',
                          '--out', str(tmp_path)],
                         capture_output=True, text=True, timeout=300, env=env, cwd=str(tmp_path))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert 'FAILED' not in run.stdout
    assert re.search(r'check .*: relative error', run.stdout), 'the example checked nothing'
    picture = tmp_path / (name + '.png')
    assert picture.exists(), sorted(p.name for p in tmp_path.iterdir())
    assert picture.read_bytes()[:8] == PNG


@pytest.mark.parametrize('name', SCRIPTS)
def test_committed_picture_and_index_entry(name):
    path = os.path.join(IMAGES, name + '.png')
    assert os.path.exists(path), f'docs/img/{name}.png: run python examples/{name}.py'
    with open(path, 'rb') as handle:
        data = handle.read()
    assert data[:8] == PNG
    assert len(data) < 200_000, f'docs/img/{name}.png is {len(data)} bytes: keep pictures small'
    with open(os.path.join(EXAMPLES, 'README.md')) as handle:
        index = handle.read()
    assert f'({name}.py)' in index, f'examples/README.md does not link {name}.py'
    assert f'../docs/img/{name}.png' in index, f'examples/README.md does not show {name}.png'


def test_readme_links_the_examples_index():
    with open(os.path.join(ROOT, 'README.md')) as handle:
        assert 'examples/README.md' in handle.read()
