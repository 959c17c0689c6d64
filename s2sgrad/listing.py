"""The `rules` listing: every function s2sgrad knows, with the modes its rules support."""
import importlib

from . import rules

_MODULES = ('operator', 'numpy', 'numpy.linalg', 'math', 'builtins', 'scipy.special',
            'scipy.linalg', 'numpy.random')


def _names():
    """Map object keys to qualified names by looking through the usual modules (an object's
    own ``__name__`` wins over aliases such as ``np.acos`` for ``np.arccos``)."""
    names = {}
    for module_name in _MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        attrs = [a for a in sorted(dir(module)) if not a.startswith('_')]
        for own_name_first in (True, False):
            for attr in attrs:
                obj = getattr(module, attr, None)
                if own_name_first and getattr(obj, '__name__', None) != attr:
                    continue
                try:
                    key = rules._key(obj)
                except Exception:
                    continue
                names.setdefault(key, f'{module_name}.{attr}')
    return names


def _qualified(key, names):
    if key in names:
        return names[key]
    owner = getattr(key, '__self__', None)
    if type(owner).__name__ == 'ufunc':  # a method of a ufunc: numpy.add.reduce
        return f'numpy.{owner.__name__}.{key.__name__}'
    module = getattr(key, '__module__', None) or 'numpy'
    return f'{module}.{getattr(key, "__name__", repr(key))}'


def rule_rows(internal=False):
    """(name, modes) for every function with rules, sorted by name.

    `modes` is 'reverse forward' (or one of them) for differentiable functions and
    'non-differentiable' for functions registered as having no derivative. Helpers of
    s2sgrad.runtime (used by generated code) are listed only with `internal=True`.
    """
    names = _names()
    rows = {}
    for key in set(rules.ADJOINTS) | set(rules.TANGENTS):
        name = _qualified(key, names)
        if name.startswith('s2sgrad.') and not internal:
            continue
        modes = [m for m, table in (('reverse', rules.ADJOINTS), ('forward', rules.TANGENTS))
                 if key in table]
        rows[name] = ' '.join(modes)
    for key in rules.NONDIFFERENTIABLE:
        name = _qualified(key, names)
        if name.startswith('s2sgrad.') and not internal:
            continue
        rows.setdefault(name, 'non-differentiable')
    for key in rules.DEFINITIONS:
        rows.setdefault(_qualified(key, names), 'reverse forward (by definition)')
    for prefix in sorted(rules.NONDIFFERENTIABLE_MODULES):
        rows.setdefault(prefix + '.*', 'non-differentiable')
    for method, func in sorted(rules.METHODS.items()):
        key = rules._key(func)
        target = _qualified(key, names)
        modes = ' '.join(m for m, table in (('reverse', rules.ADJOINTS),
                                            ('forward', rules.TANGENTS)) if key in table)
        alias = '' if target.startswith('s2sgrad.') else f' (as {target})'  # a rule's helper
        rows.setdefault(f'ndarray.{method}', (modes or rows.get(target, '')) + alias)
    for attribute in sorted(set(rules.ATTRIBUTE_ADJOINTS) | set(rules.ATTRIBUTE_TANGENTS)):
        modes = [m for m, table in (('reverse', rules.ATTRIBUTE_ADJOINTS),
                                    ('forward', rules.ATTRIBUTE_TANGENTS)) if attribute in table]
        rows[f'ndarray.{attribute}'] = ' '.join(modes)
    for attribute in sorted(rules.NONDIFFERENTIABLE_ATTRIBUTES):
        rows.setdefault(f'ndarray.{attribute}', 'non-differentiable')
    for method in sorted(rules.NONDIFFERENTIABLE_METHODS):
        rows.setdefault(f'ndarray.{method}', 'non-differentiable')
    return sorted(rows.items())


def text(internal=False):
    """One line per function: its name and the modes of its rules."""
    rows = rule_rows(internal)
    width = max(len(name) for name, _ in rows)
    return '\n'.join(f'{name:<{width}}  {modes}' for name, modes in rows) + '\n'


_OLD_NAMES = {'numpy.row_stack'}
"""Functions the README's table leaves out: other names of listed ones that only some NumPy
versions have as functions of their own (NumPy 1.26's row_stack is vstack; NumPy 2's, a
deprecated wrapper of it), so that the table is the same on every NumPy."""


def markdown():
    """The coverage table of the README: differentiable functions by module."""
    rows = [(name, modes) for name, modes in rule_rows()
            if 'non-differentiable' not in modes and 'definition' not in modes and
            name not in _OLD_NAMES]
    groups = {}
    for name, modes in rows:
        module, _, short = name.rpartition('.')
        if module not in _MODULES + ('ndarray',):
            continue  # rules registered by users or tests
        both = 'reverse' in modes and 'forward' in modes
        groups.setdefault(module, []).append(short if both else f'{short} ({modes.strip()})')
    lines = ['| module | functions with reverse and forward rules |', '| --- | --- |']
    for module in sorted(groups):
        lines.append(f'| `{module}` | ' + ', '.join(f'`{n}`' for n in groups[module]) + ' |')
    count = sum(len(names) for names in groups.values())
    defined = _defined_names()
    return '\n'.join(lines) + (
        f'\n\n{count} functions, methods and attributes with rules, and {len(defined)} '
        f'differentiated through a definition in NumPy (`templates/definitions.py`, '
        f'`templates/scipy_linalg.py`, `templates/statistics.py`, '
        f'`templates/distributions.py`; those that the installed '
        f'NumPy or SciPy has): ' +
        ', '.join(f'`{name}`' for name in defined) + '.\n')


def _defined_names():
    """The functions `templates/definitions.py`, `templates/scipy_linalg.py`,
    `templates/statistics.py` and `templates/distributions.py` define, whichever NumPy is
    installed."""
    from s2sgrad.templates import definitions, distributions, scipy_linalg, statistics
    names = [f'numpy.{name}' for name in definitions.DEFINITIONS]
    names += [f'numpy.linalg.{name}' for name in definitions.LINALG_DEFINITIONS]
    names += [f'numpy.{ufunc.__name__}.{method}' for ufunc, method in definitions.UFUNC_METHODS]
    names += [f'{module}.{path}' for module, path in definitions.SCIPY_DEFINITIONS]
    names += [f'scipy.linalg.{name}' for name in scipy_linalg.DEFINITIONS]
    names += [f'{module}.{path}' for module, path in statistics.SCIPY_DEFINITIONS]
    names += [f'numpy.{name}' for name in statistics.NUMPY_DEFINITIONS]
    names += [f'{module}.{path}' for module, path in distributions.SCIPY_DEFINITIONS]
    return sorted(set(names))
