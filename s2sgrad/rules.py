"""Typed registries of derivative rules: adjoint templates, methods, non-differentiables.

Rules are data: a template is a small Python function that is parsed, never executed. Its first
parameter ``ans`` is the result of the call; the other parameters mirror the differentiated
function's. In the body, ``d[x]`` is the adjoint of ``x``: ``d[x] = expr`` adds a contribution.
"""
import inspect
import textwrap

import gast


class _AdjointPlaceholder:
    """The ``d`` of templates; only parsed, never evaluated."""

    def __getitem__(self, key):
        raise RuntimeError('templates are parsed by s2sgrad, never executed')


d = _AdjointPlaceholder()


class Template:
    """A parsed derivative template: parameter names, defaults, body, and its globals."""

    def __init__(self, source, namespace, label):
        node = gast.parse(textwrap.dedent(source)).body[0]
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
    return public if template_helper(public) is func else None


def template_helper(name):
    """The function that rule modules define as `name` or `_name` (None when there is none,
    or when two rule modules define one), for ``s2s.NAME`` in generated code."""
    import sys
    found = []
    for module_name in sorted(m for m in sys.modules if m.startswith(_TEMPLATES)):
        space = vars(sys.modules[module_name])
        for candidate in (name, '_' + name):
            obj = space.get(candidate)
            if inspect.isfunction(obj) and obj.__module__ == module_name and \
                    obj not in found:
                found.append(obj)
    return found[0] if len(found) == 1 else None


def _key(func):
    try:
        hash(func)
        return func
    except TypeError:
        return id(func)


def adjoint(*funcs):
    """Register the decorated template as the adjoint rule of each function in `funcs`.

    Use it for functions you own or library functions s2sgrad lacks::

        @s2sgrad.adjoint(my_softplus)
        def softplus_adjoint(ans, x):
            d[x] = d[ans] / (1 + np.exp(-x))
    """
    def register(template_func):
        holder = {}

        def build():
            if 'template' not in holder:
                holder['template'] = Template.from_function(template_func)
            return holder['template']
        for func in funcs:
            ADJOINTS[_key(func)] = build
        return template_func
    return register


def tangent(*funcs):
    """Register the decorated template as the tangent (forward-mode) rule of `funcs`.

    Each ``d[ans] = expr`` line is one term of the tangent of the result; terms whose
    ``d[x]`` belong to arguments without a tangent are dropped, the others are added.
    """
    def register(template_func):
        holder = {}

        def build():
            if 'template' not in holder:
                holder['template'] = Template.from_function(template_func)
            return holder['template']
        for func in funcs:
            TANGENTS[_key(func)] = build
        return template_func
    return register


def elementwise(func, derivative, namespace, label=None):
    """Register both rules of a one-argument elementwise function from its derivative:
    ``d[x] = d[ans] * (derivative)`` and ``d[ans] = d[x] * (derivative)``.

    `derivative` is an expression in ``x`` (the argument) and ``ans`` (the result).
    """
    label = label or getattr(func, '__name__', 'f')
    sources = [
        (ADJOINTS, f'def {label}(ans, x):\n    d[x] = d[ans] * ({derivative})\n'),
        (TANGENTS, f'def {label}(ans, x):\n    d[ans] = d[x] * ({derivative})\n'),
    ]
    for registry, source in sources:
        holder = {}

        def build(holder=holder, source=source):
            if 'template' not in holder:
                holder['template'] = Template(source, namespace, label)
            return holder['template']
        registry[_key(func)] = build
    ELEMENTWISE.add(_key(func))


def is_elementwise(func):
    """Whether `func` maps arrays elementwise (its result has its argument's shape)."""
    try:
        return _key(func) in ELEMENTWISE or _key(numpy_equivalent(func)) in ELEMENTWISE
    except TypeError:
        return False


def attribute_adjoint(attribute):
    """Register the decorated template (parameters ``ans, x``) for the array attribute."""
    def register(template_func):
        ATTRIBUTE_ADJOINTS[attribute] = lambda: Template.from_function(template_func)
        return template_func
    return register


def attribute_tangent(attribute):
    """Register the decorated tangent template (parameters ``ans, x``) for the attribute."""
    def register(template_func):
        ATTRIBUTE_TANGENTS[attribute] = lambda: Template.from_function(template_func)
        return template_func
    return register


def method(name, func):
    """Differentiate ``x.name(...)`` with the rule of ``func(x, ...)``."""
    METHODS[name] = func


def nondifferentiable(*funcs):
    """Mark functions whose results carry no derivative (their calls need no adjoint)."""
    for func in funcs:
        NONDIFFERENTIABLE.add(_key(func))


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
    name = getattr(func, '__name__', None) or ''
    name = name[len('cupy_'):] if name.startswith('cupy_') else name
    if not name:
        return None
    import importlib
    numpy_module = importlib.import_module('numpy.linalg' if 'linalg' in module else 'numpy')
    return getattr(numpy_module, name, None)


def _lookup(table, func):
    build = table.get(_key(func))
    if build is None:
        twin = numpy_equivalent(func)
        build = table.get(_key(twin)) if twin is not None else None
    return build() if build is not None else None


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
