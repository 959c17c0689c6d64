"""Shared checker of the rule spec tables (tests/test_rules_*.py): one row per rule.

Each row is ``(function, make_args, wrt)``: a small function defined in a test module (so its
source is readable) that applies the rule and returns a scalar, a factory building arguments in
the rule's valid domain from a NumPy Generator, and the argument(s) to differentiate. The check
runs reverse mode, forward mode and second order (hvp, forward over reverse) against central
differences, with `check_grads`.
"""
import numpy as np

from s2sgrad.checks import check_grads


def check_row(f, make_args, wrt=0, rtol=1e-4, atol=1e-6, order=2):
    """Check one spec row in reverse and forward mode and, by default, at second order."""
    args = make_args(np.random.default_rng(0))
    check_grads(f, args, wrt=wrt, modes=('rev', 'fwd'), order=order, rtol=rtol, atol=atol)


def ids(rows):
    """Test ids: the function names."""
    return [row[0].__name__ for row in rows]
