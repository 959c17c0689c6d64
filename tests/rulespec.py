"""Shared checker of the rule spec tables (tests/test_rules_*.py): one row per rule.

Each row is ``(function, make_args, wrt)``: a small function defined in a test module (so its
source is readable) that applies the rule and returns a scalar, a factory building arguments in
the rule's valid domain from a NumPy Generator, and the argument(s) to differentiate. The check
runs reverse mode, forward mode and second order (hvp, forward over reverse) against central
differences, with `check_grads`.
"""
import ast
import builtins

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads

NUMPY2_ONLY = {
    'f_solve_stack_vector',      # NumPy 2 broadcasts a vector b against stacked matrices
    'f_cholesky_upper', 'f_cholesky_upper_raw',        # cholesky(upper=...) is NumPy 2
    'f_var_correction', 'f_nanvar_correction',          # var(correction=...) is NumPy 2
    'f_average_tuple_weights',   # average() with a tuple axis and weights is NumPy 2
    'f_clip_min_max', 'f_clip_max_only', 'f_clip_bounds_keywords',  # clip(min=, max=)
}
"""Rows whose *function* uses NumPy 2 API, skipped (with that reason) on NumPy 1.x."""


def check_row(f, make_args, wrt=0, rtol=1e-4, atol=1e-6, order=2):
    """Check one spec row in reverse and forward mode and, by default, at second order."""
    if f.__name__ in NUMPY2_ONLY and int(np.__version__.split('.')[0]) < 2:
        pytest.skip(f'{f.__name__} uses NumPy 2 API (NumPy {np.__version__} here)')
    args = make_args(np.random.default_rng(0))
    # (directions from another seed: drawn like the arguments, they would be the arguments,
    # along which a homogeneous function's second derivative is 0, and would prove nothing)
    check_grads(f, args, wrt=wrt, modes=('rev', 'fwd'), order=order, rtol=rtol, atol=atol,
                seed=1)
    operators = (s2sgrad.grad, s2sgrad.jvp) + ((s2sgrad.hvp,) if order >= 2 else ())
    for operator in operators:  # (made by check_grads: from the cache)
        if operator is not s2sgrad.jvp and not _scalar(f(*args)):
            continue
        source = operator(f, wrt=wrt).source
        yours = {name: f.__globals__[name] for name in f.__code__.co_names
                 if name in f.__globals__}  # (the names `f` itself reads)
        assert not unbound_names(source, yours), (
            f'the printed {operator.__name__} of {f.__name__} reads names that neither it, '
            f'`np`, `s2s` nor `f` define: {unbound_names(source, yours)}')


def _scalar(value):
    return np.ndim(value) == 0 or np.size(value) == 1


def unbound_names(source, namespace):
    """The names the printed `source` reads that neither it, Python's built-ins, `np`, `s2s`
    nor `namespace` (the differentiated function's module) define: the printed code runs
    given those (README, "df.source")."""
    tree = ast.parse(source)
    defined = {'np', 's2s'} | set(namespace) | set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            defined.add(node.id)
    return sorted({node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and
                   isinstance(node.ctx, ast.Load) and node.id not in defined})


def central_gradient(f, x, h=1e-6):
    """Central differences of the scalar function `f` at the array `x`, one per element."""
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def ids(rows):
    """Test ids: the function names."""
    return [row[0].__name__ for row in rows]
