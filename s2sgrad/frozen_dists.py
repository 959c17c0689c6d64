"""SciPy's frozen distributions read as calls of the distribution's own methods.

``scipy.stats.norm(mu, s).logpdf(x)`` is ``scipy.stats.norm.logpdf(x, mu, s)``: SciPy's frozen
distribution keeps the parameters it was made with and passes them after the method's own
arguments, and the unfrozen methods have rules. A frozen distribution kept under a name
(``d = norm(mu, s)``, then ``d.logpdf(x)``) is read the same way where the name is assigned
once, in the function's body (not in a loop or branch), its parameters' names are not
assigned after it (nor changed in place anywhere: SciPy may have read them when it froze the
distribution), and it is only used to call these methods; its parameters are computed once,
where it is made (``d_parameter = mu + noise``). Otherwise it is left as it is (and refused
where it is differentiated).
"""
import inspect

import gast

from . import nodes as n
from .kept_calls import computed_once, kept_calls, replace_kept, starred
from .mutation import mutated
from .named_exprs import pure_call

METHODS = frozenset({'pdf', 'logpdf', 'cdf', 'logcdf', 'sf', 'logsf', 'ppf', 'isf', 'pmf',
                     'logpmf', 'mean', 'var', 'std', 'median', 'entropy', 'moment',
                     'interval'})
"""Methods of a frozen distribution that call the distribution's method with their own
positional arguments first, then the parameters (SciPy's ``rv_frozen``)."""


def thaw_distributions(func, resolver, namer):
    """Rewrite, in place, the method calls of frozen SciPy distributions in the FunctionDef
    `func` (see the module docstring); `resolver` tells what a called name is, `namer` names
    the parameters of one kept under a name."""
    calls = [node for node in n.walk(func) if isinstance(node, gast.Call) and
             isinstance(node.func, gast.Attribute) and node.func.attr in METHODS and
             not starred(node)]
    changed = mutated(func.body)  # (an array changed in place: SciPy may have read it)
    stored = kept_calls(func, lambda call: _freezes(call, resolver) and not set(
        n.names_read(call)) & changed, {id(call.func.value) for call in calls})
    made = {name: computed_once(assign, namer, func) for name, assign in stored.items()}
    for node in calls:
        frozen = node.func.value
        if isinstance(frozen, gast.Name) and frozen.id in made:
            frozen = n.clone(made[frozen.id][1])
        if _freezes(frozen, resolver) and not (frozen is node.func.value and _changing(
                frozen, resolver) and _changing(node, resolver)):
            # (not ``norm(xs.pop(), 1).logpdf(xs.pop())``: the parameters are computed
            # first, read after the method's arguments)
            parameters = [kw for kw in frozen.keywords if kw.arg != 'seed']
            node.func = gast.copy_location(gast.Attribute(
                value=frozen.func, attr=node.func.attr, ctx=gast.Load()), node.func)
            node.args = list(node.args) + list(frozen.args)
            node.keywords = parameters + list(node.keywords)
    replace_kept(func, stored, made)


def _changing(call, resolver):
    """Whether the arguments of `call` call something that may change state."""
    values = list(call.args) + [kw.value for kw in call.keywords]
    return any(isinstance(inner, gast.Call) and not pure_call(inner, resolver)
               for value in values for inner in n.walk(value))


def _freezes(node, resolver):
    """Whether `node` is a call of a SciPy distribution that makes a frozen one
    (``norm(mu, s)``, ``multivariate_normal(mean, cov)``), with no ``*`` or ``**``."""
    if not isinstance(node, gast.Call) or starred(node):
        return False
    try:
        dist = resolver.lookup(node.func)
    except TypeError:
        return False
    module = getattr(type(dist), '__module__', '') or ''
    return module.startswith('scipy.stats') and callable(dist) and \
        not isinstance(dist, type) and not inspect.isroutine(dist)
