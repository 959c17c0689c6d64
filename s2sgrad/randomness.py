"""Calls that draw random numbers: their draws advance a generator's state, so a draw may not be
dropped (dead code) or made again (a derivative that recomputes a function)."""
import inspect
import types

import gast

from . import nodes as n
from .rules import is_library

RANDOM_METHODS = frozenset({
    'power', 'logseries', 'bytes', 'multivariate_hypergeometric', 'randbytes',
    'binomialvariate',
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
    # scipy.stats distributions, frozen or not
    'rvs',
})
"""Names of the functions and methods that draw random numbers (NumPy's generators, the
`random` module, SciPy's distributions): a call of a method of one of these names may draw
(not Generator.f: a method `f` of an object of yours is no draw)."""

DRAW_KEYWORDS = frozenset({'random_state', 'rng'})
"""Keywords by which a library function takes the generator it draws from
(``scipy.stats.bootstrap(..., random_state=rng)``, ``norm.rvs(size=3, random_state=0)``)."""


def draws(call):
    """Whether the Call `call` may draw random numbers, by its name alone: a method of a
    drawing name (``rng.normal(...)``, ``np.random.rand(3)``, ``random.gauss(0, 1)``; not
    s2sgrad's ``s2s.seed``), or a call `mark_draws` marked."""
    if getattr(call, 'draws', False):
        return True
    func = call.func
    return isinstance(func, gast.Attribute) and func.attr in RANDOM_METHODS and \
        not (n.dotted_path(func) or '').startswith('s2s.')


def mark_draws(func, namespace, nested):
    """Mark (``draws = True``) each Call of the FunctionDef `func` that may draw random
    numbers (`call_draws`), so that no pass drops it; `nested`: name -> FunctionDef of the
    functions defined in `func` (the names `func` assigns are its own, not `namespace`'s)."""
    local = set(n.names_stored(func)) - set(nested)
    namespace = {k: v for k, v in namespace.items() if k not in local}
    for node in _code(func):
        if isinstance(node, gast.Call) and call_draws(node, namespace, nested):
            node.draws = True


def call_draws(call, namespace, nested=None, _seen=None):
    """Whether the Call `call` may draw random numbers: a library function of numpy.random or
    random, a method of a generator, a function of the user's that draws (`first_draw`),
    or, where the function is not found (``rng.normal`` of a parameter), a drawing name."""
    seen = set() if _seen is None else _seen
    func = call.func
    if isinstance(func, gast.Name) and nested and func.id in nested:
        node = nested[func.id]
        if id(node) in seen:
            return False
        seen.add(id(node))
        return first_draw(node, namespace, nested, seen) is not None
    obj = _lookup(func, namespace)
    if obj is _UNKNOWN:
        return draws(call)
    code = user_code(obj, seen)
    if code is not None:
        return bool(code) and first_draw(*code, None, seen) is not None
    module = getattr(obj, '__module__', None) or ''
    owner = getattr(obj, '__self__', None)
    return module.startswith('numpy.random') or module == 'random' or \
        type(owner).__module__.startswith(('numpy.random', 'random')) or \
        getattr(obj, '__name__', None) == 'rvs' or \
        any(k.arg in DRAW_KEYWORDS for k in call.keywords)


def user_code(obj, seen):
    """For a function of the user's (or a bound method of an object of yours), ``(FunctionDef,
    its globals)``, added to `seen`; ``()`` where `seen` has it already or its source cannot
    be read; None for any other object."""
    if inspect.ismethod(obj) and inspect.isfunction(obj.__func__) and \
            not is_library(obj.__func__):
        obj = obj.__func__  # (a method of an object of yours: its code)
    if not inspect.isfunction(obj) or is_library(obj):
        return None
    if obj in seen:
        return ()
    seen.add(obj)
    from .source import parse_function  # (source imports the passes that import this)
    try:
        source = parse_function(obj)
    except Exception:  # (no source: nothing to read)
        return ()
    return source.node, source.namespace  # (its globals, and the variables it closes over)


def first_draw(node, namespace, nested=None, _seen=None):
    """The first call in `node` (a FunctionDef, or any node) that may draw random numbers
    (`call_draws`), in its own code or in that of the functions of the user's it calls, as
    ``(call, name of the function holding it)``; None where there is none."""
    seen = set() if _seen is None else _seen
    for child in _code(node):
        if isinstance(child, gast.Call) and call_draws(child, namespace, nested, seen):
            return child, getattr(node, 'name', None)
    return None


def _code(node):
    """The nodes of what a call of the FunctionDef `node` runs: its body (its decorators and
    default values ran when it was defined); all of `node` for another node."""
    if isinstance(node, gast.FunctionDef):
        return [child for stmt in node.body for child in n.walk(stmt)]
    return n.walk(node)


_UNKNOWN = object()


def _lookup(func, namespace):
    """The object that `func` (a Name or Attribute chain of `namespace`) denotes, or
    `_UNKNOWN`."""
    path = n.dotted_path(func)
    if path is None:
        return _UNKNOWN
    root, *rest = path.split('.')
    if root not in namespace:
        return _UNKNOWN
    obj = namespace[root]
    for part in rest:
        obj = attribute(obj, part)
        if obj is _UNKNOWN:
            return _UNKNOWN
    return obj


def attribute(obj, name):
    """``getattr(obj, name)``, or `_UNKNOWN` where it has none or where it is a property of
    an instance: reading one runs its getter, which may change the object (an analysis
    reads no state)."""
    if not isinstance(obj, (types.ModuleType, type)) and \
            isinstance(inspect.getattr_static(obj, name, None), property):
        return _UNKNOWN
    return getattr(obj, name, _UNKNOWN)
