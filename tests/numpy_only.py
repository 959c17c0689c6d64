"""Run a module in a fresh virtual environment that has NumPy and nothing else (not s2sgrad).

``run_with_numpy_only(module_text, script_text)`` writes `module_text` as ``exported.py`` and
`script_text` as ``main.py`` in a new empty folder, runs ``main.py`` there with the Python of
a virtual environment made once per test session (``python -m venv --without-pip``, offline),
whose only package is the NumPy installed here (linked in through a ``.pth`` file), and returns
what the script printed. The script imports the module as ``exported`` (``from exported import
f, df``). A failing script raises `NumpyOnlyError` with its stderr.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

import numpy

_ROOT = []  # the session's folder, holding venv/ (the environment), numpy/ (its packages)
_PYTHON = []  # the environment's interpreter, once made
_ENV_VARS = ('PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONUSERBASE', 'PYTHONSAFEPATH',
             'VIRTUAL_ENV')


class NumpyOnlyError(RuntimeError):
    """The script failed (or ran out of time) in the NumPy-only environment."""


def _environ():
    """The environment variables of the runs: ours, less those that change ``sys.path``."""
    env = {key: value for key, value in os.environ.items() if key not in _ENV_VARS}
    env['PYTHONNOUSERSITE'] = '1'
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    return env


def _run(python, args, cwd, timeout):
    try:
        return subprocess.run([python, '-s'] + args, cwd=cwd, env=_environ(), timeout=timeout,
                              capture_output=True, text=True)
    except subprocess.TimeoutExpired as error:
        raise NumpyOnlyError(f'timed out after {timeout} s in the NumPy-only environment:\n'
                             f'{error.stderr or ""}') from None


def numpy_only_python():
    """The interpreter of the session's NumPy-only virtual environment (made on first use)."""
    if _PYTHON:
        return _PYTHON[0]
    root = tempfile.mkdtemp(prefix='s2sgrad-numpy-only-')
    _ROOT.append(root)
    atexit.register(shutil.rmtree, root, True)
    venv = os.path.join(root, 'venv')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', venv], check=True,
                   env=_environ(), capture_output=True, timeout=120)
    python = os.path.join(venv, 'Scripts' if os.name == 'nt' else 'bin',
                          'python.exe' if os.name == 'nt' else 'python')
    packages = os.path.join(root, 'numpy')  # only numpy (and numpy.libs, its shared libraries)
    os.mkdir(packages)
    installed = os.path.dirname(os.path.dirname(os.path.abspath(numpy.__file__)))
    for name in ('numpy', 'numpy.libs'):
        if os.path.isdir(os.path.join(installed, name)):
            os.symlink(os.path.join(installed, name), os.path.join(packages, name))
    site = _run(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                root, 60).stdout.strip()
    with open(os.path.join(site, 'numpy_only.pth'), 'w') as pth:
        pth.write(packages + '\n')
    check = _run(python, ['-c', _CHECK], root, 120)
    if check.returncode != 0 or check.stdout.strip() != 'numpy only':
        raise NumpyOnlyError(f'the NumPy-only environment is not: {check.stdout}{check.stderr}')
    _PYTHON.append(python)
    return python


_CHECK = '''
import numpy
for name in ('s2sgrad', 'gast'):
    try:
        __import__(name)
    except ImportError:
        continue
    raise SystemExit(f'{name} is importable')
print('numpy only')
'''


def run_with_numpy_only(module_text, script_text, timeout=120):
    """Write `module_text` as ``exported.py`` and `script_text` as ``main.py`` in a new empty
    folder and run ``main.py`` there in the NumPy-only virtual environment (made once per
    session); return its stdout. Raise `NumpyOnlyError` with the stderr when the script
    fails or runs longer than `timeout` seconds."""
    python = numpy_only_python()
    folder = tempfile.mkdtemp(prefix='run-', dir=_ROOT[0])
    for name, text in (('exported.py', module_text), ('main.py', script_text)):
        with open(os.path.join(folder, name), 'w') as out:
            out.write(text)
    result = _run(python, ['main.py'], folder, timeout)
    if result.returncode != 0:
        raise NumpyOnlyError(f'main.py failed in the NumPy-only environment (exit status '
                             f'{result.returncode}):\n{result.stderr}')
    return result.stdout
