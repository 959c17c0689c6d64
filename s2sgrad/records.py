"""Namedtuples built in the function: ``State(x + dt * v, v)`` is ``s2s.record(State, (x + dt *
v, v))``, whose rules pass each field's derivative to the value it was built from.

The call of a namedtuple class (found in the function's namespace) has its fields in order:
positional arguments first, then keywords by field name, then the class's defaults (numbers,
strings, None, booleans); a call that passes ``*args`` or ``**kwargs``, or a default of another
kind, is left as it is (the pass that differentiates calls then names it).
"""
import gast
import numpy as np

from . import nodes as n, rules

_CONSTANTS = (int, float, complex, str, bool, type(None))


def is_record_class(obj):
    """Whether `obj` is a namedtuple class (``collections.namedtuple``, ``typing.NamedTuple``)
    built as its fields say: no ``__new__`` or ``__init__`` of a subclass in between, and no
    field named like a value attribute of arrays (``t.T`` would read as a transpose)."""
    return _namedtuple_class(obj) and not _array_named_fields(obj)


def _namedtuple_class(obj):
    """Whether `obj` is a namedtuple class built as its fields say."""
    if not (isinstance(obj, type) and issubclass(obj, tuple) and
            isinstance(getattr(obj, '_fields', None), tuple)):
        return False
    for klass in obj.__mro__:
        if '_make' in vars(klass):  # (the class collections.namedtuple made)
            break
        if '__new__' in vars(klass) or '__init__' in vars(klass):
            return False
    return True


def _array_named_fields(cls):
    """The fields of namedtuple class `cls` named like an attribute of arrays that is a value
    (``T``, ``shape``, ``real``, ``flat``): ``g.T`` reads as the array's. A field named like a
    method (``mean``, ``var``, ``sum``) is read as the field: a method of an array read
    without calling it is no number."""
    return [field for field in cls._fields
            if (rules.is_array_name(field) or hasattr(np.ndarray, field)) and
            not callable(getattr(np.ndarray, field, None))]


def build_records(func, resolver, unsupported=None):
    """Rewrite each call of a namedtuple class in `func` (nested functions too) as
    ``s2s.record(Class, (field, ...))``. A class with fields named like array attributes
    that are values (``Frame(T, w)``: ``f.T`` reads as a transpose) is refused by
    `unsupported(stmt, what, node)` where it is built from values."""
    owners = {id(node): stmt for stmt in n.statements(func.body) for node in n.walk(stmt)}
    for node in list(n.walk(func)):
        if not isinstance(node, gast.Call):
            continue
        cls = resolver.lookup(node.func)
        if unsupported is not None and _namedtuple_class(cls) and _array_named_fields(cls) \
                and id(node) in owners and (node.args or node.keywords):
            fields = ', '.join(f'`{field}`' for field in _array_named_fields(cls))
            raise unsupported(
                owners[id(node)], f'the namedtuple `{cls.__name__}`, whose fields {fields} '
                f'are named like attributes of arrays: s2sgrad would read '
                f'`value.{_array_named_fields(cls)[0]}` as the array\'s; give those fields '
                f'other names (`mu`, `sigma2`), or use a dict', node)
        if not is_record_class(cls):
            continue
        items = _items(node, cls, resolver)
        if items is None:
            continue
        node.args = [node.func, gast.Tuple(elts=items, ctx=gast.Load())]
        node.keywords = []
        node.func = n.attr('s2s', 'record')


def _items(call, cls, resolver):
    """The call's values of the fields of `cls`, in order; None where they are not all
    known from the call's text and the class's constant defaults, or where keywords out of
    the fields' order call anything but NumPy's and math's functions (taken in the fields'
    order, they would run in another order: ``State(vel=s.pop(), pos=s.pop())``)."""
    if any(isinstance(a, gast.Starred) for a in call.args) or \
            any(k.arg is None for k in call.keywords) or len(call.args) > len(cls._fields):
        return None
    given = dict(zip(cls._fields, call.args))
    for keyword in call.keywords:
        if keyword.arg not in cls._fields or keyword.arg in given:
            return None
        given[keyword.arg] = keyword.value
    order = [k.arg for k in call.keywords]
    if order != sorted(order, key=cls._fields.index) and \
            not all(_pure(k.value, resolver) for k in call.keywords):
        return None
    defaults = getattr(cls, '_field_defaults', {})
    items = []
    for field in cls._fields:
        if field in given:
            items.append(given[field])
        elif field in defaults and type(defaults[field]) in _CONSTANTS:
            items.append(n.const(defaults[field]))
        else:
            return None
    return items


def _pure(expr, resolver):
    """Whether `expr` calls NumPy's and math's functions and namedtuple classes only (none
    that draws)."""
    for node in n.walk(expr):
        if isinstance(node, (gast.NamedExpr, gast.Yield, gast.Await)):
            return False
        if isinstance(node, gast.Call):
            obj = resolver.lookup(node.func)
            if is_record_class(obj) or n.dotted_path(node.func) == 's2s.record':
                continue  # (a namedtuple built: its fields are evaluated in their order)
            if type(obj).__name__ == 'ufunc':
                continue  # (NumPy 1's ufuncs have no __module__)
            module = getattr(obj, '__module__', None) or ''
            if module.split('.')[0] not in ('numpy', 'math') or 'random' in module:
                return False
    return True
