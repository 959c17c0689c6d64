"""The checks generated code starts with, run in Python by the compiled gradient's wrapper.

``s2s.check_bound(ACT, np.tanh, 'ACT', 'f')`` (a variable still holds the function the
derivative was made for, `global_functions`) and, in the gradient itself,
``s2s.check_default(act, np.tanh, 'act', 'f')`` (a call passes the default function,
`function_params`) test Python objects, which compiled code cannot: `hoist` takes them out of
a member's code before numba compiles it, and `prologue` makes the Python function that the
wrapper calls first with the gradient's arguments, reading the variables when it runs.
"""
import gast

from . import nodes as n
from . import runtime
from .compiling import compile_function
from .global_functions import CHECKS
from .printer import to_source

_CHECKS = CHECKS + ('s2s.check_default',)


def hoist(node, root):
    """Remove from function `node` the checks of its body's top level that a prologue runs
    instead (`check_default` only in the gradient itself, `root`, whose arguments the
    wrapper has), and return them."""
    wanted = _CHECKS if root else CHECKS
    hoisted = [stmt for stmt in node.body if isinstance(stmt, gast.Expr) and
               isinstance(stmt.value, gast.Call) and n.dotted_path(stmt.value.func) in wanted]
    node.body = [stmt for stmt in node.body if not any(stmt is h for h in hoisted)] or \
        [gast.Pass()]
    return hoisted


def checked_only(checks, node):
    """The parameters that `checks` test (``act`` of ``s2s.check_default(act, ...)``) and
    function `node` (what is compiled) no longer reads: the wrapper passes None for them
    (numba cannot take a function)."""
    tested = [stmt.value.args[0].id for stmt in checks
              if n.dotted_path(stmt.value.func) == 's2s.check_default' and
              stmt.value.args and isinstance(stmt.value.args[0], gast.Name)]
    reads = set(n.names_read(gast.Module(body=node.body, type_ignores=[])))
    return [name for name in tested if name not in reads]


def prologue(function, name, checks, params='', defaults=None, kwdefaults=None):
    """The Python function ``name(params)`` running `checks` (statements of generated
    function `function`) in its namespace: its globals, read when it runs, and its closure."""
    body = ''.join('    ' + to_source(stmt).strip() + '\n' for stmt in checks)
    source = f'def {name}({params}):\n{body}'
    cells = dict(zip(function.__code__.co_freevars, function.__closure__ or ()))
    made = compile_function(source, name, function.__globals__, cells=cells,
                            defaults=defaults, kwdefaults=kwdefaults)
    where = runtime.BOUND_LOCATIONS.get(function.__code__)
    if where:  # (its errors point where your function reads the variable)
        runtime.BOUND_LOCATIONS[made.__code__] = where
    return made
