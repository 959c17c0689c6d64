"""Calls that draw random numbers: their draws advance a generator's state, so a draw may not be
dropped (dead code) or made again (a derivative that recomputes a function)."""
import inspect

import gast

from . import nodes as n
from .rules import is_library

RANDOM_METHODS = frozenset({
    # numpy.random.Generator
    'random', 'integers', 'normal', 'standard_normal', 'uniform', 'choice', 'permutation',
    'permuted', 'shuffle', 'exponential', 'standard_exponential', 'gamma', 'standard_gamma',
    'beta', 'binomial', 'poisson', 'multivariate_normal', 'lognormal', 'laplace', 'logistic',
    'gumbel', 'chisquare', 'dirichlet', 'geometric', 'hypergeometric', 'multinomial',
    'negative_binomial', 'pareto', 'rayleigh', 'standard_cauchy', 'standard_t', 'triangular',
    'vonmises', 'wald', 'weibull', 'zipf', 'noncentral_chisquare', 'noncentral_f',
    # numpy.random's legacy functions and RandomState
    'rand', 'randn', 'randint', 'random_sample', 'random_integers', 'ranf', 'sample', 'seed',
    'set_state',
    # the random module
    'gauss', 'normalvariate', 'choices', 'randrange', 'betavariate', 'expovariate',
    'lognormvariate', 'vonmisesvariate', 'gammavariate', 'paretovariate', 'weibullvariate',
    'getrandbits', 'setstate',
})
"""Names of the functions and methods that draw random numbers (NumPy's generators, the
`random` module): a call of a method of one of these names may draw."""


def draws(call):
    """Whether the Call `call` may draw random numbers, by its name alone (``rng.normal(...)``,
    ``np.random.rand(3)``, ``random.gauss(0, 1)``; not s2sgrad's ``s2s.seed``)."""
    func = call.func
    name = func.attr if isinstance(func, gast.Attribute) else \
        func.id if isinstance(func, gast.Name) else None
    return name in RANDOM_METHODS and not (n.dotted_path(func) or '').startswith('s2s.')


def first_draw(node, namespace, _seen=None):
    """The first call in `node` (a FunctionDef, or any node) that draws random numbers, in its
    own code or in the code of a function of the user's that it calls (names looked up in
    `namespace`), as ``(call, function name)``; None where there is none."""
    from .source import parse_function  # (source imports the passes that import this)
    seen = set() if _seen is None else _seen
    for child in n.walk(node):
        if not isinstance(child, gast.Call):
            continue
        called = _user_function(child.func, namespace)
        if called is None:
            if draws(child):
                return child, getattr(node, 'name', None)
            continue
        if called in seen:  # (a function of yours named `normal`: its own code tells)
            continue
        seen.add(called)
        try:
            source = parse_function(called)
        except Exception:  # (no source: a library's function, not ours to read)
            continue
        found = first_draw(source.node, getattr(called, '__globals__', {}), seen)
        if found is not None:
            return found
    return None


def _user_function(func, namespace):
    """The Python function that `func` (a Name or Attribute of `namespace`) denotes, or None."""
    path = n.dotted_path(func)
    if path is None:
        return None
    root, *rest = path.split('.')
    obj = namespace.get(root)
    for part in rest:
        obj = getattr(obj, part, None)
    return obj if inspect.isfunction(obj) and not is_library(obj) else None
