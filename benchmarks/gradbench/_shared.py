"""What the problem modules share: a NumPy objective re-run on another NumPy-like module.

autograd.numpy and jax.numpy accept the same calls as NumPy for everything the objectives here
use, so the autograd and JAX peers are the NumPy objective itself with the module-level name
``np`` bound to ``autograd.numpy`` or ``jax.numpy`` (the problem's other functions, which the
objective calls, are re-bound alike). The peer module is imported on the first call, so a peer
that is not installed fails only when it is used.
"""
import importlib
import types


def numpy_like(func, module_name):
    """`func` with the name ``np`` of its module bound to `module_name` (imported lazily)."""
    cache = {}

    def peer(*args):
        f = cache.get('f')
        if f is None:
            f = cache['f'] = rebind(func, importlib.import_module(module_name))
        return f(*args)

    peer.__name__ = f'{func.__name__}_{module_name.split(".")[0]}'
    return peer


def rebind(func, np_module):
    """A copy of `func` (and of every function of its module) whose global ``np`` is
    `np_module`."""
    namespace = dict(func.__globals__)
    namespace['np'] = np_module
    for name, value in list(namespace.items()):
        if isinstance(value, types.FunctionType) and value.__globals__ is func.__globals__:
            namespace[name] = types.FunctionType(value.__code__, namespace, value.__name__,
                                                 value.__defaults__, value.__closure__)
    return namespace[func.__name__]
