"""Typed registries of derivative rules: adjoint templates, methods, non-differentiables.

Rules are data: a template is a small Python function that is parsed, never executed. Its first
parameter ``ans`` is the result of the call; the other parameters mirror the differentiated
function's. In the body, ``d[x]`` is the adjoint of ``x``: ``d[x] = expr`` adds a contribution.
Where a rule follows from a property, declare the property instead of writing the template:
`elementwise` (a derivative of one argument), `partials` (the partial derivatives of a
broadcasting function), `linear` (a tangent that applies the function to ``d[x]``),
`nondifferentiable`.

A rule of a function taking ``*args`` states the derivative in each item with a loop,
``for k, x in enumerate(args):`` (or ``for x in args:``), whose body is written once per item,
``k`` the item's position and ``x`` the item; ``f(*args)`` and ``f(*replaced(args, k, v))``
call ``f`` with the items (the latter with item ``k`` replaced by ``v``).
"""
import ast
import builtins
import inspect
import sys
import textwrap

import gast

from .runtime import select, unbroadcast, weigh


class _AdjointPlaceholder:
    """The ``d`` of templates; only parsed, never evaluated."""

    def __getitem__(self, key):
        raise RuntimeError('templates are parsed by s2sgrad, never executed')


d = _AdjointPlaceholder()


def replaced(items, position, value):
    """In a template, ``f(*replaced(args, k, v))`` is ``f`` called with the items of the
    ``*args`` parameter, the one at `position` replaced by `v`: a template loop
    ``for k, x in enumerate(args):`` states a rule for each item (see `Template`). Only
    parsed, never called."""
    raise RuntimeError('templates are parsed by s2sgrad, never executed')


TEMPLATE_LINES = 10 ** 8
"""Added to the line numbers of a template's statements: the statements a rule writes into
generated code carry lines no file of yours has, so that the line map of a run-time error
(`runtime_errors._line_map`) never takes one for a line of your function."""


class Template:
    """A parsed derivative template: parameter names, defaults, body, and its globals."""

    def __init__(self, source, namespace, label):
        node = gast.parse(textwrap.dedent(source)).body[0]
        for part in gast.walk(node):  # (see `TEMPLATE_LINES`)
            for field in ('lineno', 'end_lineno'):
                if getattr(part, field, None) is not None:
                    setattr(part, field, getattr(part, field) + TEMPLATE_LINES)
        self.node = node
        self.namespace = namespace
        self.label = label
        args = node.args
        self.params = [a.id for a in args.args]
        self.vararg = args.vararg.id if args.vararg else None
        defaults = args.defaults
        self.defaults = dict(zip(self.params[len(self.params) - len(defaults):], defaults))
        for kw, default in zip(args.kwonlyargs, args.kw_defaults):
            self.params.append(kw.id)
            if default is not None:
                self.defaults[kw.id] = default
        self.kwonly = {kw.id for kw in args.kwonlyargs}
        self.body = node.body
        self.containers = False
        """Whether the terms of this tangent may be containers (the adjoints of lists, tuples
        or dicts that runtime helpers take): forward mode adds them with ``s2s.add``."""

    @classmethod
    def from_function(cls, func):
        """Build a template from a decorated template function."""
        return cls(inspect.getsource(func), func.__globals__, func.__name__)


ADJOINTS = {}
"""Function object -> Template (or a zero-argument callable building it lazily)."""

TANGENTS = {}
"""Function object -> Template of its tangent (forward-mode) rule, built lazily."""

ATTRIBUTE_TANGENTS = {}
"""Attribute name of arrays (``'T'``) -> tangent Template with parameters ``(ans, x)``."""

ATTRIBUTE_ADJOINTS = {}
"""Attribute name of arrays (``'T'``) -> Template with parameters ``(ans, x)``."""

METHODS = {}
"""Method name of arrays (``'sum'``) -> function object whose rule applies with self first."""

ELEMENTWISE = set()
"""Functions registered with `elementwise`: their result has their argument's shape."""

REDUCTIONS = set()
"""Functions reducing over ``axis`` (all axes when None) with ``keepdims``; declared in
templates. The engine uses it to know a full reduction is a scalar and a keepdims reduction
broadcasts against its input."""

SHAPE_PRESERVING = set()
"""Functions whose result has their first argument's shape (``zeros_like``, ``copy``)."""

NONDIFFERENTIABLE = set()
"""Function objects whose outputs carry no derivative (shape queries, comparisons, ...)."""

NONDIFFERENTIABLE_ATTRIBUTES = set()
"""Array attributes without derivative (``shape``, ``dtype``, ...)."""

NONDIFFERENTIABLE_METHODS = set()
"""Array method names without derivative (``argmax``, ``astype`` of ints, ...)."""

NONDIFFERENTIABLE_MODULES = set()
"""Module name prefixes all of whose functions are non-differentiable (none by default: a
module qualifies only if every function in it has a zero derivative almost everywhere)."""

DEFINITIONS = {}
"""Library function -> a Python function computing the same (templates/definitions.py), which
s2sgrad differentiates from its source in place of the library function (`defined_by`)."""

PENDING_DEFINITIONS = []
"""``(module, path, definition)`` of `defined_by_name`, registered once the module is imported."""

DEFINITION_MODULES = set()
"""The modules of the definitions of `DEFINITIONS` (their other functions are called by them)."""

INLINE = {}
"""Rule helper -> expander: ``expander(*argument_nodes)`` returns the expression that a call
of the helper reads as for these arguments (``power_slope(x, 3)`` -> ``3 * x ** (3 - 1)``),
or None to keep the call. Lets a rule be exact at special points and still print the
textbook formula where the arguments rule them out."""

_TEMPLATES = 's2sgrad.templates.'


def helper_name(func):
    """The name under which generated code reaches `func`, a function that a rule module
    (``s2sgrad.templates.*``) defines, as ``s2s.NAME`` (a leading ``_`` dropped): see
    `template_helper`. None for other objects, or when the name is ambiguous."""
    module = getattr(func, '__module__', None) or ''
    if not module.startswith(_TEMPLATES) or not inspect.isfunction(func):
        return None
    public = func.__name__.lstrip('_')
    if hasattr(builtins, public):  # (``s2s.float`` would be the built-in's name)
        return None
    return public if template_helper(public) is func and rule_name(public) is func else None


def is_array_name(attr):
    """Whether `attr` is an attribute or method of arrays that has a rule (``T``, ``shape``,
    ``sum``): read on a value, the derivative takes it for the array's, not for a namedtuple's
    field."""
    return attr in ATTRIBUTE_ADJOINTS or attr in NONDIFFERENTIABLE_ATTRIBUTES or \
        attr in METHODS or attr in NONDIFFERENTIABLE_METHODS


def template_helper(name):
    """The function that rule modules define as `name`, or else as `_name` (None when there is
    none, or when two rule modules define one), for ``s2s.NAME`` in generated code."""
    return _bound_in_rules(name, _own_function)


def _own_function(obj, module_name):
    return inspect.isfunction(obj) and obj.__module__ == module_name


_MODULES_SEEN = [-1, ()]
"""The number of modules `_template_modules` last saw loaded, and the rule modules then."""


def _template_modules():
    """The names of the rule modules loaded (``s2sgrad.templates.*``), sorted; looked for
    again only when the number of loaded modules changed (a scan of `sys.modules` costs more
    than the lookups it serves)."""
    if _MODULES_SEEN[0] != len(sys.modules) or \
            any(name not in sys.modules for name in _MODULES_SEEN[1]):
        _MODULES_SEEN[:] = [len(sys.modules), tuple(sorted(
            m for m in list(sys.modules) if m.startswith(_TEMPLATES)))]
    return _MODULES_SEEN[1]


def _bound_in_rules(name, wanted, exact=False):
    """The one object that rule modules bind to `name` (else, unless `exact`, to `_name`) and
    `wanted(obj, module name)` accepts, rule templates aside; None when there is none or more
    than one."""
    modules = _template_modules()
    for candidate in (name, '_' + name) if not exact else (name,):
        found = []
        for module_name in modules:
            obj = vars(sys.modules[module_name]).get(candidate, found)
            if obj is not found and wanted(obj, module_name) and \
                    not getattr(obj, '__s2sgrad_template__', False) and \
                    not any(obj is other for other in found):
                found.append(obj)
        if found:
            return found[0] if len(found) == 1 else None
    return None


def rule_name(name):
    """What ``s2s.NAME`` reaches beyond the runtime's own names: a helper a rule module
    defines, an object one binds (`template_object`) or a module (`template_module`), each
    first under `name` itself, then under `_name`; None."""
    for exact in (True, False):
        for wanted in (_own_function, _not_module, _module):
            found = _bound_in_rules(name, wanted, exact)
            if found is not None:
                return found
    return None


def _not_module(obj, module_name):
    return not inspect.ismodule(obj)


def _module(obj, module_name):
    return inspect.ismodule(obj)


def template_object(name):
    """The object that rule modules bind to `name` (else to `_name`), defined there or
    imported (``digamma``, a constant, a private helper): one object, not a module, or None.
    Generated code reads it as ``s2s.NAME`` where your module does not bind it so (the
    printed code runs given `np`, `s2s` and your names)."""
    return _bound_in_rules(name, _not_module)


def template_module(name):
    """The module that rule modules bind to `name` (``scipy``, which SciPy's rules and
    definitions read), or None: generated code reads it as ``s2s.scipy`` where your module
    does not bind the name to it."""
    return _bound_in_rules(name, _module) if not name.startswith('_') else None


def public_name(name):
    """The name ``s2s.NAME`` generated code reads an object that rule modules bind to `name`
    by (`template_object`; a leading ``_`` dropped), or None."""
    from . import runtime
    public = name.lstrip('_')
    if not public or hasattr(builtins, public):
        return None
    try:
        return public if getattr(runtime, public, None) is template_object(public) is not None \
            else None
    except AttributeError:
        return None


def _key(func):
    try:
        hash(func)
        return func
    except TypeError:
        return id(func)


def _lazy(make, containers=False):
    """A builder of the Template that `make()` returns, made once, on first use (templates
    are parsed when a rule is first applied, not when s2sgrad is imported)."""
    holder = {}

    def build():
        if 'template' not in holder:
            holder['template'] = make()
            holder['template'].containers = containers
        return holder['template']
    return build


def adjoint(*funcs):
    """Register the decorated template as the adjoint rule of each function in `funcs`.

    Use it for functions you own or library functions s2sgrad lacks::

        @s2sgrad.adjoint(my_softplus)
        def softplus_adjoint(ans, x):
            d[x] = d[ans] / (1 + np.exp(-x))
    """
    def register(template_func):
        build = _lazy(lambda: Template.from_function(template_func))
        for func in funcs:
            ADJOINTS[_key(func)] = build
        template_func.__s2sgrad_template__ = True  # (a rule, not a helper: `template_helper`)
        return template_func
    return register


def tangent(*funcs, containers=False):
    """Register the decorated template as the tangent (forward-mode) rule of `funcs`.

    Each ``d[ans] = expr`` line is one term of the tangent of the result; terms whose
    ``d[x]`` belong to arguments without a tangent are dropped, the others are added. Other
    lines assign local variables (``s = np.exp(x)``), which the terms may read; they get
    fresh names in the generated code. `containers`: see `Template.containers`.
    """
    def register(template_func):
        build = _lazy(lambda: Template.from_function(template_func), containers)
        for func in funcs:
            TANGENTS[_key(func)] = build
        template_func.__s2sgrad_template__ = True
        return template_func
    return register


def _caller_namespace(namespace):
    """`namespace`, or the globals of the module that called the declaration (two frames
    up): the names of a declared rule resolve there, as a template's do in its module."""
    return namespace if namespace is not None else sys._getframe(2).f_globals


def elementwise(func, derivative, namespace=None, label=None):
    """Register both rules of a one-argument elementwise function from its derivative:
    ``d[x] = d[ans] * (derivative)`` and ``d[ans] = d[x] * (derivative)``.

    `derivative` is an expression in ``x`` (the argument) and ``ans`` (the result); its names
    resolve in `namespace` (default: the calling module's globals).
    """
    namespace = _caller_namespace(namespace)
    label = label or getattr(func, '__name__', 'f')
    sources = [
        (ADJOINTS, f'def {label}(ans, x):\n    d[x] = d[ans] * ({derivative})\n'),
        (TANGENTS, f'def {label}(ans, x):\n    d[ans] = d[x] * ({derivative})\n'),
    ]
    for registry, source in sources:
        registry[_key(func)] = _lazy(lambda source=source: Template(source, namespace, label))
    ELEMENTWISE.add(_key(func))


def _times(factor, derivative):
    """The text of ``factor * derivative`` as Python reads ``d[ans] * a * b`` (the factor
    joins the leftmost term of a product or quotient; a leading minus moves before it)."""
    def splice(node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            return ast.BinOp(left=splice(node.left), op=node.op, right=node.right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return ast.BinOp(left=ast.UnaryOp(op=ast.USub(), operand=factor), op=ast.Mult(),
                             right=node.operand)
        return ast.BinOp(left=factor, op=ast.Mult(), right=node)
    factor = ast.parse(factor, mode='eval').body
    return ast.unparse(splice(ast.parse(derivative, mode='eval').body))


def partials(*funcs, label=None, broadcasting=True, namespace=None, selecting=False,
             weighing=False, **derivatives):
    """Register both rules of the functions `funcs` from the partial derivative in each
    parameter (keyword arguments, in the order of the parameters; None: no derivative)::

        partials(np.hypot, x1='xdivy(x1, ans)', x2='xdivy(x2, ans)')

    reads ``d[x1] = unbroadcast(d[ans] * xdivy(x1, ans), x1)`` (the adjoint; without the
    `unbroadcast` when not `broadcasting`) and ``d[ans] = d[x1] * xdivy(x1, ans)`` (the
    tangent), and likewise for ``x2``. A derivative is an expression in the parameters and
    ``ans``; its names resolve in `namespace` (default: the calling module's globals).
    `label` names the adjoint (default ``NAME_adjoint``); the tangent is ``STEM_tangent``.
    With `selecting`, each derivative is a condition that picks the argument the value is
    (``np.maximum``): the tangent is ``select(condition, d[x1])``, zero elsewhere even where
    the tangent of the argument not picked is nan or inf (``np.maximum(np.log(p), -30.0)``
    at ``p == 0``), as ``np.where``'s is. With `weighing`, each derivative is a weight (1,
    1/2 or 0: ``tie_share``, ``np.maximum``'s at ties): the tangent is ``weigh(weight,
    d[x1])``, zero where the weight is, as with `selecting`.
    """
    if not funcs:
        return  # (an optional library that is not installed)
    namespace = _caller_namespace(namespace)
    label = label or f'{funcs[0].__name__}_adjoint'
    stem = label[:-len('_adjoint')] if label.endswith('_adjoint') else label
    params = ', '.join(['ans'] + list(derivatives))
    adjoint_lines, tangent_lines = [], []
    for param, derivative in derivatives.items():
        if derivative is None:
            continue
        contribution = _times('d[ans]', derivative)
        if broadcasting:
            contribution = f'unbroadcast({contribution}, {param})'
        adjoint_lines.append(f'    d[{param}] = {contribution}\n')
        tangent = f'select({derivative}, d[{param}])' if selecting else \
            f'weigh({derivative}, d[{param}])' if weighing else _times(f'd[{param}]', derivative)
        tangent_lines.append(f'    d[ans] = {tangent}\n')
    adjoint_source = f'def {label}({params}):\n' + ''.join(adjoint_lines)
    tangent_source = f'def {stem}_tangent({params}):\n' + ''.join(tangent_lines)

    def space():
        found = dict(namespace, unbroadcast=unbroadcast) if broadcasting else dict(namespace)
        return dict(found, select=select, weigh=weigh) if selecting or weighing else found
    adjoint_build = _lazy(lambda: Template(adjoint_source, space(), label))
    tangent_build = _lazy(lambda: Template(tangent_source, space(), f'{stem}_tangent'))
    for func in funcs:
        ADJOINTS[_key(func)] = adjoint_build
        TANGENTS[_key(func)] = tangent_build


def linear(func, arguments, *, params=None, label=None, containers=False, namespace=None):
    """Register the tangent of `func`, a function linear in one of its arguments: `func`
    applied to the tangent of that argument, written ``d[x]`` in `arguments` (the text of the
    call's arguments; the call is spelled as the calling module reaches `func`)::

        linear(np.flip, 'd[m], axis=axis')       # d[ans] = np.flip(d[m], axis=axis)

    The tangent takes the parameters of the adjoint registered for `func` (write the adjoint
    first), or `params` (``'g, axes=None'``). `label` defaults to ``NAME_tangent``; names
    resolve in `namespace` (default: the calling module's globals). `containers`: see
    `Template.containers`.
    """
    namespace = _caller_namespace(namespace)
    spelling = _spelling(func, namespace)
    label = label or f'{func.__name__}_tangent'
    adjoint_build = ADJOINTS.get(_key(func)) if params is None else None
    if params is None and adjoint_build is None:
        raise TypeError(f'linear({func.__name__}): register its adjoint first, or pass params')

    def make():
        signature = params
        if signature is None:
            signature = ast.unparse(gast.gast_to_ast(adjoint_build().node.args))
        else:
            signature = 'ans, ' + signature
        source = f'def {label}({signature}):\n    d[ans] = {spelling}({arguments})\n'
        return Template(source, namespace, label)
    TANGENTS[_key(func)] = _lazy(make, containers)


def _spelling(func, namespace):
    """How code in `namespace` names `func`: by its own name when the module binds it
    (``unbroadcast``, a helper the module defines), else through a module it imports
    (``np.flip``)."""
    if namespace.get(func.__name__) is func:
        return func.__name__
    for name, value in sorted(namespace.items()):
        if inspect.ismodule(value) and vars(value).get(func.__name__) is func:
            return f'{name}.{func.__name__}'
    raise NameError(f'{func.__name__} is not reachable from {namespace.get("__name__")}')


def is_elementwise(func):
    """Whether `func` maps arrays elementwise (its result has its argument's shape)."""
    try:
        return _key(func) in ELEMENTWISE or _key(numpy_equivalent(func)) in ELEMENTWISE
    except TypeError:
        return False


def attribute_adjoint(attribute):
    """Register the decorated template (parameters ``ans, x``) for the array attribute."""
    def register(template_func):
        ATTRIBUTE_ADJOINTS[attribute] = _lazy(lambda: Template.from_function(template_func))
        return template_func
    return register


def attribute_tangent(attribute):
    """Register the decorated tangent template (parameters ``ans, x``) for the attribute."""
    def register(template_func):
        ATTRIBUTE_TANGENTS[attribute] = _lazy(lambda: Template.from_function(template_func))
        return template_func
    return register


def method(name, func):
    """Differentiate ``x.name(...)`` with the rule of ``func(x, ...)``."""
    METHODS[name] = func


def defined_by(func, definition):
    """Differentiate calls of library function `func` as calls of `definition`, a Python
    function (in ``templates/``) that computes the same from calls that have rules."""
    if definition.__code__.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        raise TypeError(f'the definition {definition.__name__} of {func!r} takes *args or '
                        f'**kwargs: the calls of {func!r} would not bind to it; take a tuple')
    DEFINITIONS[_key(func)] = definition
    DEFINITION_MODULES.add(definition.__module__)


def is_definition(func):
    """Whether `func` is a definition of `defined_by` (or a function of a module of them),
    differentiated from its source although it is s2sgrad's."""
    return getattr(func, '__module__', None) in DEFINITION_MODULES


def defined_by_name(module, path, definition):
    """`defined_by` for ``module.path`` (``'scipy.stats'``, ``'norm.pdf'``), once that module
    is imported (by the user: registering would import it, which can take long)."""
    PENDING_DEFINITIONS.append((module, path, definition))


def _resolve_pending():
    import sys
    for entry in list(PENDING_DEFINITIONS):
        module, path, definition = entry
        if module in sys.modules:
            PENDING_DEFINITIONS.remove(entry)
            obj = sys.modules[module]
            for attribute in path.split('.'):
                obj = getattr(obj, attribute, None)
            if obj is not None:
                defined_by(obj, definition)


def lookup_definition(func):
    """The definition registered for `func` (or for the NumPy function it mirrors), or None."""
    if PENDING_DEFINITIONS:
        _resolve_pending()
    definition = DEFINITIONS.get(_key(func))
    if definition is None:
        twin = numpy_equivalent(func)
        definition = DEFINITIONS.get(_key(twin)) if twin is not None else None
    return definition


def nondifferentiable(*funcs):
    """Mark functions whose results carry no derivative (their calls need no adjoint)."""
    for func in funcs:
        NONDIFFERENTIABLE.add(_key(func))


RUNTIME_HELPERS = {}
"""Function of `s2sgrad.runtime` -> how a call of it is differentiated (see `runtime_helpers`)."""

HELPER_KINDS = ('reverse forward', 'reverse', 'forward', 'non-differentiable', 'no rule')
"""The modes of a runtime helper's rules, as the `rules` listing writes them; 'no rule': calls
are never differentiated (differentiating one raises NoRuleError)."""


def runtime_helpers(table):
    """Declare how each function of `s2sgrad.runtime` (``s2s.NAME`` in generated code) is
    differentiated: `table` maps it to one of `HELPER_KINDS`. Registers the non-differentiable
    ones; the tests check the others against the rules registered for them."""
    for func, kind in table.items():
        if kind not in HELPER_KINDS:
            raise ValueError(f'{func.__name__}: {kind!r} is none of {HELPER_KINDS}')
        RUNTIME_HELPERS[_key(func)] = kind
        if kind == 'non-differentiable':
            nondifferentiable(func)


def inline(helper, expander):
    """Register `expander` (see `INLINE`) for calls of the rule helper `helper`."""
    INLINE[_key(helper)] = expander


ITERABLE_VARARGS = set()
"""Functions for which ``f(a, b, c, ...)`` means ``f([a, b, c, ...])`` (the built-in ``max``
and ``min``): the normalizer rewrites calls with three or more arguments into that form."""


def varargs_as_iterable(*funcs):
    """Declare that ``f(a, b, c, ...)`` is ``f([a, b, c, ...])`` for each of `funcs`."""
    for func in funcs:
        ITERABLE_VARARGS.add(_key(func))


def takes_varargs_as_iterable(func):
    """Whether `func` was declared with `varargs_as_iterable`."""
    try:
        return _key(func) in ITERABLE_VARARGS
    except TypeError:
        return False


def numpy_equivalent(func):
    """The NumPy function that a CuPy function mirrors (``cupy.tanh`` -> ``numpy.tanh``).

    Functions written with ``cupy`` calls are differentiated with the NumPy rules; the rules'
    NumPy calls dispatch back to CuPy for CuPy arrays (``__array_function__``).
    """
    module = getattr(func, '__module__', None) or type(func).__module__ or ''
    if not module.startswith(('cupy', 'cupyx')):
        return None
    import importlib
    name = getattr(func, '__name__', None) or ''
    # the public namespace that holds `func` names its twin: cupy.dot lives in cupy.linalg's
    # files but mirrors numpy.dot, cupy.trace mirrors numpy.trace (not numpy.linalg.trace);
    # CuPy's ufuncs carry names such as 'cupy_tanh' and 'cupyx_scipy_special_erf'
    for public, twin in (('cupy', 'numpy'), ('cupy.linalg', 'numpy.linalg'),
                         ('cupyx.scipy.special', 'scipy.special')):
        try:
            namespace = vars(importlib.import_module(public))
        except ImportError:
            continue
        short = name[len(public) + 1:] if name.startswith(public.replace('.', '_') + '_') \
            else name
        found = short if namespace.get(short) is func else next(
            (key for key, value in namespace.items() if value is func), None)
        if found is not None:
            try:
                return getattr(importlib.import_module(twin), found, None)
            except ImportError:
                return None
    return None


def _lookup(table, func):
    build = table.get(_key(func))
    if build is None:
        twin = numpy_equivalent(func)
        build = table.get(_key(twin)) if twin is not None else None
    return build() if build is not None else None


def has_rule(func):
    """Whether `func` has an adjoint or tangent rule, a definition, or is marked
    non-differentiable (registered for that very object)."""
    key = _key(func)
    return key in ADJOINTS or key in TANGENTS or key in NONDIFFERENTIABLE or \
        lookup_definition(func) is not None


def lookup_adjoint(func):
    """The Template of `func` (or of the NumPy function a CuPy function mirrors), or None."""
    return _lookup(ADJOINTS, func)


def lookup_tangent(func):
    """The tangent Template of `func` (or of its NumPy twin), or None."""
    return _lookup(TANGENTS, func)


def is_nondifferentiable(func):
    """Whether `func` is registered (or lives in a module registered) as non-differentiable."""
    if _key(func) in NONDIFFERENTIABLE:
        return True
    twin = numpy_equivalent(func)
    if twin is not None and _key(twin) in NONDIFFERENTIABLE:
        return True
    module = getattr(func, '__module__', None) or ''
    owner = getattr(func, '__self__', None)
    owner_module = getattr(type(owner), '__module__', '') if owner is not None else ''
    return any(module.startswith(prefix) or owner_module.startswith(prefix)
               for prefix in NONDIFFERENTIABLE_MODULES)


LIBRARY_MODULES = {'numpy', 'scipy', 'cupy', 'cupyx', 'jax', 'torch', 'autograd', 's2sgrad',
                   'math'}
"""Top-level packages whose functions are used through rules, never transformed."""


def is_library(func):
    """Whether `func` belongs to a library whose functions need registered rules."""
    module = getattr(func, '__module__', None) or ''
    return module.split('.')[0] in LIBRARY_MODULES


ARRAY_LIBRARIES = {'numpy', 'scipy', 'cupy', 'cupyx', 'dask'}
"""Top-level packages whose functions read a list or tuple given for an array parameter as the
array ``np.asarray`` makes of it (``np.sort([x, y])``); their rules read it so too."""

SEQUENCE_PARAMETERS = frozenset({'object', 'arrays', 'tup', 'condlist', 'choicelist',
                                 'choices', 'funclist', 'iterable', 'seq', 'items', 'xi',
                                 'c_and_lower'})
"""Parameter names of the rules and definitions of `ARRAY_LIBRARIES` functions that take a
sequence of arrays (``np.stack(arrays)``, ``np.array(object)``, ``meshgrid_of(xi)``,
``scipy.linalg.cho_solve(c_and_lower, b)``): a list given there is read item by item. (A
``*args`` parameter takes one array per item: each item is read as an array.)"""
AXIS_PARAMETERS = frozenset({'axis', 'axes', 'source', 'destination', 'newshape', 'shape',
                             'reps', 'shift', 'perm', 'indices_or_sections', 'pad_width'})
"""Parameter names of `ARRAY_LIBRARIES` functions that take axes, a shape or counts
(``np.mean(x, axis=axes)``, ``np.transpose(x, perm)``): a tuple or list given there is read as
such, never as an array of data."""


def reads_lists_as_arrays(func):
    """Whether `func` converts a list or tuple passed for an array parameter to an array: a
    function of `ARRAY_LIBRARIES` or a ufunc (SciPy's have no ``__module__``)."""
    module = getattr(func, '__module__', None) or ''
    return module.split('.')[0] in ARRAY_LIBRARIES or is_broadcasting(func)


def is_broadcasting(func):
    """Whether `func` is a NumPy-style ufunc: its result has its arguments' broadcast shape."""
    return type(func).__name__ == 'ufunc'


def reduction(*funcs):
    """Declare `funcs` reductions over ``axis`` with ``keepdims`` (``np.sum``, ``np.max``)."""
    REDUCTIONS.update(_key(func) for func in funcs)


def is_reduction(func):
    """Whether `func` was declared a reduction (see `reduction`)."""
    try:
        return _key(func) in REDUCTIONS
    except TypeError:
        return False


def shape_preserving(*funcs):
    """Declare that `funcs` return an array of their first argument's shape."""
    SHAPE_PRESERVING.update(_key(func) for func in funcs)


def is_shape_preserving(func):
    """Whether `func` was declared shape preserving (see `shape_preserving`)."""
    try:
        return _key(func) in SHAPE_PRESERVING
    except TypeError:
        return False


REWRITES = []
"""Algebraic rewrites of generated code, as data (see `rewrite`); `s2sgrad.simplify` parses
and applies them. Each entry is a dict of the source texts and the namespace they read."""


def rewrite(pattern, replacement, when=None, *, namespace, context=None, kind='rewrite'):
    """Register ``pattern -> replacement`` (Python expressions, parsed, never run): generated
    code matching `pattern` reads `replacement` where the condition `when` (a Python
    expression over facts of the matched parts, see `s2sgrad.simplify`) holds.

    Names that `namespace` defines denote its objects; the others are placeholders.
    `context='factor'`: the rewrite holds as a factor of a product whose other factors give
    the product its shape. `kind='shape'`: `replacement` is the shape of what `pattern`
    matches; `kind='inexact'`: what `pattern` matches is a float array (where `when` holds).
    """
    REWRITES.append({'pattern': pattern, 'replacement': replacement, 'when': when,
                     'namespace': namespace, 'context': context, 'kind': kind})
