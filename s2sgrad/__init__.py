"""s2sgrad: source-to-source automatic differentiation for Python and NumPy."""
import importlib
import importlib.util
import os
import sys


def _load_templates():
    """Import the rules package ``s2sgrad.templates``, which registers every rule.

    The rules live in the repository's top-level folder ``templates/``, which an installed
    s2sgrad imports as the subpackage ``s2sgrad.templates``: a wheel holds it there, and
    ``pip install -e .`` maps it with setuptools' import hook (see the package-dir of
    pyproject.toml). A source tree on ``PYTHONPATH`` has no such subpackage (the folder sits
    beside ``s2sgrad/``, not in it), so the fallback loads the folder under that name. No plain
    import can replace it without moving ``templates/`` into ``s2sgrad/`` or adding the
    repository root to ``s2sgrad.__path__`` (which would make every top-level folder, tests
    and examples included, a subpackage). The templates import ``s2sgrad.rules``,
    ``s2sgrad.runtime`` and ``s2sgrad.errors`` back: they are imported first, below.
    """
    try:
        return importlib.import_module('s2sgrad.templates')
    except ModuleNotFoundError:
        folder = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'templates')
        spec = importlib.util.spec_from_file_location(
            's2sgrad.templates', os.path.join(folder, '__init__.py'),
            submodule_search_locations=[folder])
        module = importlib.util.module_from_spec(spec)
        sys.modules['s2sgrad.templates'] = module
        spec.loader.exec_module(module)
        return module


from . import errors, runtime  # noqa: E402
from .rules import adjoint, tangent, nondifferentiable, defined_by, d  # noqa: E402
from .api import grad, value_and_grad, clear_cache  # noqa: E402
from .checks import check_grads  # noqa: E402
from .operators import jvp, vjp, jacobian, hessian, hvp  # noqa: E402
from .export import export  # noqa: E402

templates = _load_templates()  # last: the rules need the modules above

__all__ = ['grad', 'value_and_grad', 'jvp', 'vjp', 'jacobian', 'hessian', 'hvp',
           'check_grads', 'export', 'adjoint', 'tangent', 'nondifferentiable', 'defined_by',
           'd',
           'clear_cache', 'errors', 'runtime']
__version__ = '0.1.0'
