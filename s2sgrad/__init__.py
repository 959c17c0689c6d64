"""s2sgrad: source-to-source automatic differentiation for Python and NumPy."""
import importlib
import importlib.util
import os
import sys


def _load_templates():
    """Import the rules package, installed as ``s2sgrad.templates`` (or from a source tree)."""
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
from .rules import adjoint, tangent, nondifferentiable, d  # noqa: E402
from .api import grad, value_and_grad, clear_cache  # noqa: E402
from .checks import check_grads  # noqa: E402
from .operators import jvp, vjp, jacobian, hessian, hvp  # noqa: E402
from .export import export  # noqa: E402

templates = _load_templates()

__all__ = ['grad', 'value_and_grad', 'jvp', 'vjp', 'jacobian', 'hessian', 'hvp',
           'check_grads', 'export', 'adjoint', 'tangent', 'nondifferentiable', 'd',
           'clear_cache', 'errors', 'runtime']
__version__ = '0.1.0'
