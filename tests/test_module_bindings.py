"""`global_functions.module_bindings`: which names a module's text binds at its level or
declares ``global``, indexed once per file (the checks of rebound functions read it)."""
import os
import sys
import textwrap

import s2sgrad
from s2sgrad import global_functions
from s2sgrad.global_functions import module_bindings
from s2sgrad.sourcefiles import ParsedFile

TEXT = textwrap.dedent('''
    import numpy as np, numpy as np
    from math import tanh as act
    from scipy.special import *
    max = 3

    def f(x):
        inner = 1
        return x

    def g():
        global later
        later = 2

    class C:
        attribute = 1

    if True:
        branch = 1
    total = [w for w in range(3) if (kept := w)]
    for loop_var in range(2):
        pass
    del max
    lambda_value = lambda y: y + 1
''')


def _index():
    return module_bindings(ParsedFile('<module_bindings>', TEXT))


def test_globals_declared_anywhere():
    declared, _ = _index()
    assert declared == {'later'}


def test_bindings_at_the_module_level_only():
    _, bound = _index()
    assert {'np', 'act', '*', 'max', 'f', 'g', 'C', 'branch', 'total', 'kept', 'loop_var',
            'lambda_value'} == set(bound)
    # (names local to functions, classes, comprehensions and lambdas are not the module's)
    assert not {'inner', 'attribute', 'w', 'later', 'x', 'y'} & set(bound)


def test_each_binding_statement_counts_once_in_order():
    _, bound = _index()
    assert len(bound['np']) == 1  # (``import numpy as np, numpy as np``: one statement)
    assert [type(node).__name__ for node in bound['max']] == ['Name', 'Name']  # (bound, deleted)
    assert len(bound['f']) == 1


def test_the_index_is_made_once_per_file():
    parsed = ParsedFile('<module_bindings>', TEXT)
    assert parsed.derived(module_bindings) is parsed.derived(module_bindings)


def test_differentiating_a_files_functions_indexes_it_once(monkeypatch, private_cache):
    """Each function of a file reads the index made for the file: it is not made again for
    each function or each built-in the functions read (that walked the module each time)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import shadowed_builtins as module

    built = []

    def counted(parsed):
        built.append(parsed.filename)
        return module_bindings(parsed)

    monkeypatch.setattr(global_functions, 'module_bindings', counted)
    sources = [s2sgrad.grad(module.peak_and_size).source, s2sgrad.jvp(module.peak_and_size),
               s2sgrad.grad(module.uses_top).source]
    assert built == [module.__file__]
    # (the index answers as the walks did: `max` and `abs`, bound by the module, are checked)
    assert "s2s.check_bound(max, builtins.max, 'max'" in sources[0]
    assert "s2s.check_bound(abs, builtins.abs, 'abs'" in sources[0]
