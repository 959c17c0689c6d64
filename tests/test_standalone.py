"""s2sgrad.standalone: the NumPy-only definitions of the runtime helpers agree with the runtime.

Every helper that generated code calls over the corpora (collected here, so that a new helper
is covered as soon as the corpus uses it) is defined from ``definitions([name])`` alone, in a
namespace holding only NumPy, and must return what ``s2sgrad.runtime.NAME`` returns (or raise
the same error) on the arguments of `CASES`; so must every helper whose definition is a
simplified rewrite of the runtime's source.
"""
import ast
import builtins
import collections
import copy
import fractions
import functools
import glob
import inspect
import numbers
import os
import re
import subprocess
import sys

import gast
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, 'golden'))

import canonical  # noqa: E402
import corpus  # noqa: E402
import corpus_users  # noqa: E402
import s2sgrad  # noqa: E402
from numpy_only import NumpyOnlyError, run_with_numpy_only  # noqa: E402
from s2sgrad import nodes, rules, runtime, standalone  # noqa: E402
from s2sgrad.errors import S2SError  # noqa: E402
from s2sgrad.standalone import definitions  # noqa: E402


# ==================== which helpers generated code calls

@functools.lru_cache(maxsize=None)
def corpus_names():
    """The helpers (``s2s.NAME``) in the gradients, JVPs and VJPs of the corpus functions."""
    functions = [(f, wrt) for f, _, wrt in corpus.CASES + corpus_users.CASES]
    functions += [(f, 0) for f in vars(canonical).values()
                  if inspect.isfunction(f) and f.__module__ == canonical.__name__]
    names = set()
    for f, wrt in functions:
        for make in (lambda: s2sgrad.grad(f, wrt), lambda: s2sgrad.jvp(f),
                     lambda: s2sgrad.vjp(f)):
            try:
                names.update(re.findall(r'\bs2s\.(\w+)', make().source))
            except S2SError:
                continue  # a construct s2sgrad rejects on purpose
    # (constants the code reads, ``s2s.UNASSIGNED``, are written out as they are: no cases)
    return tuple(sorted(name for name in names
                        if not isinstance(getattr(runtime, name, None), str)))


@functools.lru_cache(maxsize=None)
def reachable_names():
    """Every helper generated code can call: those the rules' templates name (resolved as
    templating does) and those the transformation writes itself (``'s2s.copy'``)."""
    names = set()

    def outermost(node, parents):
        return isinstance(node, (gast.Name, gast.Attribute)) and not (
            isinstance(parents.get(node), gast.Attribute))

    for registry in (rules.ADJOINTS, rules.TANGENTS, rules.ATTRIBUTE_ADJOINTS,
                     rules.ATTRIBUTE_TANGENTS):
        for build in list(registry.values()):
            template = build()
            body = [node for stmt in template.body for node in gast.walk(stmt)]
            parents = {child: node for node in body for child in gast.iter_child_nodes(node)}
            for node in body:
                path = nodes.dotted_path(node) if outermost(node, parents) else None
                if not path:
                    continue
                root, *rest = path.split('.')
                if root in template.params or root == template.vararg:
                    continue  # (a parameter of the rule, ``mean`` of np.var's, is no helper)
                obj = template.namespace.get(root)
                for part in rest:
                    obj = getattr(obj, part, None)
                if inspect.isfunction(obj) and obj.__module__ == runtime.__name__:
                    names.add(obj.__name__)
                elif rules.helper_name(obj):
                    names.add(rules.helper_name(obj))
    for path in glob.glob(os.path.join(os.path.dirname(s2sgrad.__file__), '*.py')):
        with open(path) as source:
            names.update(re.findall(r'''['"]s2s\.(\w+)['"]''', source.read()))
    return tuple(sorted(name for name in names if not name.startswith('_')))


def define(names):
    """The namespace that ``definitions(names)`` makes from NumPy alone."""
    space = {'np': np}
    exec(compile(definitions(names), '<standalone>', 'exec'), space)
    return space


# ==================== representative arguments

Point = collections.namedtuple('Point', 'x y')


class Bumper:
    def bump(self, p):
        p += 1.0


V = np.array([1.0, -2.0, 3.0])
W = np.array([0.5, 2.0, -1.0])
SHARED = [V]


def _halve_shared():
    SHARED[0] *= 1.0  # (writes into the global list's array: V, unchanged by the factor 1)


M = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 4.0]])
S = np.array([[2.0, 1.0], [1.0, 3.0]])
T = np.arange(24.0).reshape(2, 3, 4) - 10.0
TIES = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]])
F32 = np.array([1.0, 2.0], dtype=np.float32)
Z0 = np.array(2.5)
I3 = np.arange(3)
ZERO_IN = np.array([1.0, 0.0, 3.0])
R_ONLY = np.broadcast_to(np.zeros(3), (2, 3))  # a read-only adjoint


def c(*args, **kwargs):
    return args, kwargs


CASES = {
    'add': [c(1.0, 2.0), c(None, V), c(V, None), c(0, V), c(V, 0.0), c(M, V),
            c([V, 1.0], [None, 2.0]), c((1.0, V), None), c(None, [1.0, V]),
            c({'a': V}, {'a': 1.0, 'b': 2.0}), c(None, {'a': 1.0}), c(Point(1.0, 2.0), [0.5, 1.0])],
    'add_at': [c(np.zeros(3), 1, 2.0), c(np.zeros((2, 3)), (slice(None), 0), np.ones(2)),
               c(np.zeros(3), np.array([0, 0, 2]), V), c(np.zeros(3), [1, 1], np.ones(2)),
               c([0.0, 0.0], 1, 3.0), c((0.0, V), 1, V), c({'a': 0.0}, 'a', 1.0), c({}, 'b', V),
               c([0.0, 0.0, 0.0], slice(0, 2), [1.0, 2.0]), c(np.zeros(3), 0, 0),
               c(R_ONLY, (0, 1), 1.0), c(np.zeros((2, 3)), M > 0, 1.0)],
    'as_items': [c(M, [V, W]), c([V, W], [V, W]), c((1.0, V), (2.0, W)), c(V, V),
                 c(M, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])],
    'asarray': [c([1.0, 2.0]), c(V), c(((1.0, 2.0), (3.0, 4.0))), c(2.0)],
    'broadcast_like': [c(1.0, M), c(V, M), c(M, M), c(2.0, 3.0), c(np.ones((2, 1)), M),
                       c(1.0, [1.0, 2.0])],
    'check_cotangent': [c(np.ones(3), V), c(np.ones(2), V), c([1.0, V], (1.0, V)),
                        c({'a': 1.0}, {'a': 2.0}), c({'b': 1.0}, {'a': 2.0}),
                        c({}, {'a': 2.0}), c(None, V), c(1.0, 2.0), c([1.0], 2.0),
                        c(np.ones((2, 3)), [V, V]), c([1.0], (1.0, 2.0)), c(1.0, [V]),
                        c([None], [None]), c([M], [V])],
    'check_bound': [c(np.sin, np.sin, 'ACT', 'f'), c(np.cos, np.sin, 'ACT', 'f')],
    'zip_length': [c(3, 3), c(3, 2), c(2, 3, 2), c(4, 4, 4), c(5)],
    'is_zero': [c(0.0), c(0), c(None), c(V), c(1.5), c(np.float64(0.0)), c([0.0])],
    'check_partial': [c(functools.partial(np.multiply, 2.0), np.multiply, 1, (), 'P', 'f'),
                      c(functools.partial(np.multiply, 2.0), np.add, 1, (), 'P', 'f'),
                      c(functools.partial(np.clip, a_min=0.0), np.clip, 0, ('a_min',), 'P'),
                      c(functools.partial(np.clip, a_max=1.0), np.clip, 0, ('a_min',), 'P'),
                      c(np.multiply, np.multiply, 0, (), 'P')],
    'check_default': [c(np.sin, np.sin, 'f', 'g'), c(np.cos, np.sin, 'f', 'g'),
                      c(np.cos, np.sin, 'f', 'g', True)],
    'check_output': [c(1.0), c(V), c(None), c(None, 'loss')],
    'check_tangent': [c(V, V, 'x'), c(M, V, 'x'), c({'a': 1.0}, {'a': V}, 'p'), c(1.0, 2.0, 'x'),
                      c([1.0, V], (1.0, V), 'x')],
    'declared_shapes': [c('f', {'x': ('n',), 'A': ('n', 'n')}, {'x': V, 'A': np.eye(3)}),
                        c('f', {'x': ('n',), 'A': ('n', 'n')}, {'x': V, 'A': M}),
                        c('f', {'x': (3,)}, {'x': [1.0, 2.0, 3.0]}),
                        c('f', {'x': (3,)}, {'x': W[:2]}), c('f', {'x': ()}, {'x': 1.0}),
                        c('f', {'x': (2,)}, {'x': [[1.0], [2.0, 3.0]]}), c('f', {}, {'x': V})],
    'copy': [c(V), c([1.0, 2.0]), c({'a': 1.0}), c((1.0, V)), c(1.5), c(Z0), c(None)],
    'copy_lists': [c(V), c([1.0, [V, 2.0]]), c({'a': [1.0]}), c(([1.0], V)),
                   c(Point([1.0], V)), c(1.5), c(None)],
    'count': [c(M), c(M, 0), c(M, (0, 1)), c(2.0), c(T, (0, 2)), c([[1.0, 2.0]], 1)],
    'cross': [c(V, W), c(M, M[::-1]), c(M, V), c(M.T, M.T, 0, 0, 0), c(M.T, M.T, axis=0),
              c(F32[[0, 1, 1]], F32[[1, 0, 1]]), c([1.0, 2.0, 3.0], V), c(V[:2], W[:2]),
              c(W + 1j, V), c(V, M.T, -1, 0, 0)],
    'cross_lhs': [c(W, V, W), c(M, M, M[::-1]), c(M, V, M), c(M.T, M.T, M, 0, -1, 0),
                  c(M.T, M.T, M.T, axis=0), c(F32[[0, 1, 1]], F32[[1, 0, 1]], W),
                  c(W, [1.0, 2.0, 3.0], V), c(1.0, V[:2], W[:2]), c(W + 1j, V, W)],
    'cross_rhs': [c(W, V, W), c(M, M, M[::-1]), c(M, V, M), c(M.T, M.T, M, 0, -1, 0),
                  c(M.T, M.T, M.T, axis=0), c(F32[[0, 1, 1]], F32[[1, 0, 1]], W),
                  c(W, V, [1.0, 2.0, 3.0]), c(1.0, V[:2], W[:2]), c(W + 1j, V, W)],
    'dot_lhs': [c(2.0, 3.0, 4.0), c(1.5, V, W), c(np.ones(2), M, V), c(np.ones(3), np.ones(2), M),
                c(np.ones((2, 2)), M, M.T), c(V, 2.0, V), c(np.ones((2, 3)), M, 2.0),
                c(1.0, [1.0, 2.0, 3.0], W), c(np.ones((2, 3, 3)), T, np.ones((4, 3)))],
    'dot_rhs': [c(2.0, 3.0, 4.0), c(1.5, V, W), c(np.ones(2), M, V), c(np.ones(3), np.ones(2), M),
                c(np.ones((2, 2)), M, M.T), c(V, 2.0, V), c(np.ones((2, 3)), M, 2.0),
                c(1.0, [1.0, 2.0, 3.0], W), c(np.ones((2, 3, 3)), T, np.ones((4, 3)))],
    'extremum_tangent': [c(M, TIES.max(), TIES), c(M, TIES.max(axis=1), TIES, 1),
                         c(M, TIES.min(axis=0, keepdims=True), TIES, 0, True),
                         c(1.0, 2.0, 2.0), c([0.1, 0.2], 3.0, [1.0, 3.0]),
                         c(T, T.max(axis=(0, 2)), T, (0, 2))],
    'field_index': [c(Point(1.0, 2.0), 'y'), c(Point(1.0, 2.0), 'z'), c((1.0, 2.0), 'x')],
    'getitem': [c(V, 1), c(M, (slice(None), 0)), c({'a': 1.0}, 'a'), c(np.r_, (V, 1.0))],
    'items_back': [c([V, W], M), c([V, W], [V, W]), c((1.0, V), (2.0, W)), c(V, V)],
    'key_missing': [c({'a': 1.0}, 'a'), c({'a': 1.0}, 'b'), c({}, 0), c([1.0], 0)],
    'keep_if_float': [c(V, W), c(V, np.arange(3)), c(2.0, 1.5), c(S, S > 1.5)],
    'flat_index': [c(S, 1), c(np.zeros((3, 3)), slice(None, None, 4)), c(V, -1)],
    'keys': [c({'a': 1, 'b': 2}), c([0, 1]), c([0.5]), c([True]), c(I3), c((2, 0)), c(range(3))],
    'like': [c(2, 1.0), c(np.float64(2.0), 1.0), c(V[0], 1), c(1.0, np.float32(1.0)),
             c(V, V), c(V, F32[[0, 1, 1]]), c(0.0, V), c(0, I3), c(V, I3), c(None, V),
             c([1.0, V], [2.0, V]), c([1.0, V], (2.0, V)), c({'a': 1.0}, {'a': 2.0, 'b': V}),
             c(1.0, Z0), c(np.float64(1.0), np.array(1)), c(1.0, None), c(1.0, 'x'), c(1j, 1.0),
             c(1.0, 1j), c(V + 0j, V), c([1.0], [1.0, 2.0]), c(M, [V, W]), c(0.0, [V, 1.0]),
             c([1.0, 2.0], Point(1.0, 2.0)), c('x', 1.0), c(np.float64(2.0), np.int64(1))],
    'meta': [c(V), c(M), c(Z0), c(1.0), c(2), c(np.float32(1.0)), c(I3), c(F32), c([1.0, V]),
             c({'a': V}), c(np.array(['a', 'b']))],
    'matmul_lhs': [c(np.ones((2, 2)), M, M.T), c(np.ones(2), M, V), c(np.ones(3), np.ones(2), M),
                   c(1.0, V, W), c(np.ones((2, 3, 3)), T, np.ones((4, 3))),
                   c(np.ones((2, 2, 4)), np.ones((2, 3)), T), c(V, 2.0, V),
                   c(np.ones(2), [[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])],
    'matmul_rhs': [c(np.ones((2, 2)), M, M.T), c(np.ones(2), M, V), c(np.ones(3), np.ones(2), M),
                   c(1.0, V, W), c(np.ones((2, 3, 3)), T, np.ones((4, 3))),
                   c(np.ones((2, 2, 4)), np.ones((2, 3)), T), c(V, 2.0, V),
                   c(np.ones(2), [[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])],
    'alone_in': [c([V, W], 0, 'shared'), c([V, 1.0, V], -1, 'shared'), c([V, V[1:]], 0, 'shared'),
                 c({'a': V, 'b': W}, 'a', 'shared'), c({'a': V, 'b': V}, 'b', 'shared'),
                 c([V, V], slice(0, 1), 'shared'), c([1.0, 1.0], 1, 'shared')],
    'defined': [c(V), c(1.0), c(None)],
    'float_argument': [c(V, 'integers'), c(1.0, 'integers'), c(np.array([1, 2]), 'integers'),
                       c(3, 'integers'), c({'a': V}, 'integers')],
    'in_place': [c(V, '-='), c(1.0, '-='), c([1.0], '+='), c([1.0], '-='), c((1.0,), '+='),
                 c(np.float64(1.0), '*='), c(np.array(1.0), '/=')],
    'separate': [c(V, 'shared', W), c(V, 'shared', V), c(V[1:], 'shared', V),
                 c(V, 'shared', [W, V]), c([V], 'shared', {'a': [V]}), c(1.0, 'shared', 1.0),
                 c(V, 'shared', None, 2.0, print), c([V], 'shared', [W])],
    'not_shared': [c(1.0, 'shared'), c(V, 'shared'), c(V, 'shared', M), c(V[1:], 'shared', V),
                   c([1.0], 'shared'), c(V, 'shared', 1.0), c(np.float64(1.0), 'shared', V)],
    'pick': [c(1.0, 3.0, 3.0, 2.0), c(1.0, 2.0, 3.0, 2.0), c(1.0, 3.0, [1.0, 3.0, 3.0]),
             c(2.0, 3.0, np.array([1.0, 3.0, 2.0])), c(1.0, 5.0, [1.0]),
             c(V, np.maximum(V, W), V, W),
             c(1.0, V, [V, W])],
    'pick_tangent': [c([0.1, 0.2], 3.0, [1.0, 3.0]), c(0.5, 3.0, 3.0, 2.0), c(0.5, 2.0, 3.0, 2.0),
                     c(W, np.maximum(V, W), V, W), c(W, 3.0, V)],
    'read_at': [c(0.0, 1, 2.0), c(None, 1, V), c(V, 1, 5.0), c(V, slice(0, 2), 1.0),
                c(M, (0, slice(None)), V), c(V, np.array([0, 0, 1]), np.array([1.0, 2.0, 3.0])),
                c(np.float64(2.0), (), 1.0), c([1.0, 2.0], 0, 3.0), c(M, M > 0, 1.0),
                c(V, [2, 2], W[:2])],
    'real_only': [c(1.0, V), c([1.0, 2j]), c(), c({'a': V + 0j}), c(V.astype(complex))],
    'real_part': [c(V, W), c(1j, 1.0), c(2.0, 1.0)],
    'imag_part': [c(V, W), c(1j, 1.0), c(2.0, 1.0)],
    'reshape_like': [c(np.arange(6.0), M, 'F'), c(np.ones(6), M), c(np.array([2.0]), 1.0),
                     c(np.float64(2.0), 1.0),
                     c(2.0, 1.0), c(np.ones((1, 1)), 3), c(V, [1.0, 2.0, 3.0]),
                     c(M, T[0, :, :2].T)],
    'restack': [c([V, W], np.zeros((2, 3))), c([1.0, 2.0], np.zeros(2)), c(M, M),
                c([np.ones(2), W[:2], V[:2]], np.zeros((2, 3)), 1), c([0.0, 1.0], np.zeros(2))],
    'resum': [c([V, 1.0], V), c(M, V), c(V, V), c([1.0, 2.0], 0.0), c([M, V], M)],
    'retranspose': [c(M), c(M, ()), c(T, (1, 0, 2)), c(T, ((2, 0, 1),)), c(2.0)],
    'seed': [c(1.0), c(np.float32(2.0)), c(Z0), c(np.array([2.0])), c(np.ones((1, 1))), c(V),
             c(None), c('a'), c([1.0]), c(1j), c(np.array(1)), c(True), c(3), c(V + 1j),
             c(np.array(['a'])), c(np.ones((1, 1), dtype=np.float32), 'loss')],
    'own': [c(V), c([V, 1.0]), c((V, {'a': W})), c(2.0), c(np.float32(1.5)), c(V[1:])],
    'select': [c(V > 1.5, V), c(True, 2.0), c(M > 0, V), c(np.array([0, 2, 3]), V)],
    'weigh': [c(0.5, 2.0), c(0.0, np.inf), c((V > 1.5) * 0.5, V), c(np.array([1.0, 0.5, 0.0]), V)],
    'positions': [c(V), c([1.0, 2.0]), c((V, W)), c(range(3)), c(M)],
    'popped_at': [c(0, [1.0, 2.0]), c(2, [1.0, 2.0]), c(-1, [1.0, 2.0]), c(-3, [1.0, 2.0])],
    'inserted_at': [c(0, [1.0, 2.0]), c(5, [1.0, 2.0]), c(-1, [1.0, 2.0]), c(-9, [1.0, 2.0])],
    'item_at': [c(V, 1), c(0.0, 2), c([1.0, V], 1), c(M, (slice(None), 0)), c(2.5, ())],
    'sized': [c(V), c([1.0, 2.0]), c((V, W)), c(range(3)), c({'a': 1.0}), c(iter([1.0, 2.0])),
              c({2, 1}), c(iter([1.0, 2.0, 3.0]), 2), c(iter([1.0]), 3), c(iter([1.0]), 0),
              c(V, 1)],
    'zipped': [c(2, iter([1.0, 2.0]), iter([3.0])), c(1, iter([])),
               c(3, range(2), iter('ab'), iter([5.0, 6.0, 7.0]))],
    'stored': [c(V, W), c(2.0, np.arange(3)), c(V, np.zeros(3, dtype=bool)), c(1.5, [1, 2]),
               c(V[:2], np.zeros((2, 2), dtype=np.float32))],
    'unadd': [c(M, V), c(1.0, 2.0), c([V, 1.0], [W, 2.0]), c((1.0, V), [0.5, V]),
              c(V, [1.0, 2.0]), c([1.0, 2.0], 3.0), c(None, V), c(0.0, None),
              c({'a': V, 'b': 1.0}, {'a': W}), c(1.0, {'a': V}),
              c([V, [1.0, 2.0]], [V, (0.0, 1.0)])],
    'unbroadcast': [c(M, V), c(M, M[:1]), c(M, M[:, :1]), c(M, 1.0), c(V, 2.0), c(2.0, V),
                    c(M, F32[[0, 1, 1]]), c([1.0, 2.0], [1.0, 2.0]), c([1.0], [1.0, 2.0]),
                    c(np.float64(1.0), Z0), c(V, [1.0, 2.0, 3.0]), c(T, np.zeros((3, 1))),
                    c(1.0, M), c(np.ones((1, 3)), M), c(T, np.float32(1.0)), c(V, I3),
                    c(2.0, np.float32(1.0)), c(M, [[1.0, 2.0, 3.0]])],
    'unextremum': [c(1.0, TIES.max(), TIES), c(V[:2], TIES.max(axis=1), TIES, 1),
                   c(np.ones((1, 3)), TIES.min(axis=0, keepdims=True), TIES, 0, True),
                   c(1.0, 2.0, 2.0), c(1.0, 3.0, [1.0, 3.0, 3.0]), c(1.0, M.max(), M),
                   c(np.ones(3), T.max(axis=(0, 2)), T, (0, 2)), c(1.0, 3.0, [[1.0, 3.0]])],
    'unindex': [c(1.0, V, 1), c(W, M, 0), c(1.0, [1.0, 2.0], 0), c(V, V, np.array([0, 0, 2])),
                c(1.0, (1.0, 2.0), 1), c(2.0, {'a': 1.0, 'b': V}, 'a'),
                c(np.ones(2), M, (0, [0, 0])),
                c(V[:2], [1.0, 2.0, 3.0], slice(1, None)), c(1.0, I3, 2),
                c(np.ones((1, 3)), M, M[:, 0] > 0)],
    'unmean': [c(1.0, M), c(V, M, 0), c(np.ones(2), M, 1), c(np.ones((1, 1)), M, None, True),
               c(np.ones((2, 1)), M, 1, True), c(1.0, 2.0), c(1.0, Z0), c(1.0, I3),
               c(np.ones(3), T, (0, 2)), c(np.ones(2), [[1.0, 2.0], [3.0, 4.0]], 1),
               c(np.ones(2), M, -1)],
    'unread_at': [c(1.0, V, 1), c(np.ones(2), V, slice(0, 2)),
                  c(np.ones(3), V, np.array([0, 0, 1])),
                  c(1.0, M, (0, slice(None))), c(1.0, [1.0, 2.0], 1)],
    'unreduce': [c(1.0, M), c(V, M, 0), c(np.ones(2), M, 1), c(np.ones((1, 1)), M, None, True),
                 c(np.ones((2, 1)), M, 1, True), c(1.0, 2.0), c(1.0, Z0), c(1.0, I3),
                 c(np.ones(3), T, (0, 2)), c(np.ones(2), [[1.0, 2.0], [3.0, 4.0]], 1),
                 c(np.ones(2), M, -1), c(np.float32(1.0), F32)],
    'einsum_adjoint_spec': [c('ij,jk', 0, M, M.T), c('...ij,jk->...ik', 1, T, np.ones((4, 2))),
                            c('ii->', 0, S), c('ij,ij->i', 0, M[:1], M)],
    'einsum_mask': [c('ij,jk', 0, M, M.T), c('ii->i', 0, S), c('ij,ij->i', 0, M[:1], M),
                    c('ijk->i', 0, T)],
    'unjoin': [c(np.arange(6.0), [V, W]), c(np.arange(12.0).reshape(2, 6), [M, M], 1),
               c(np.arange(9.0), [M, V], None), c(np.arange(6.0), [V, 2.0, W[:2]]),
               c(np.ones((4, 3)), [M, V], 0, 'vstack'), c(np.arange(6.0), [V, W], 0, 'hstack'),
               c(np.ones((3, 2)), [V, W], 0, 'column_stack')],
    'unstack': [c(M, [V, W]), c(M, [1.0, 2.0, 3.0], 1), c(V, V), c(Z0, 1.0), c(M, (V, W)),
                c(T, [T[:, 0], T[:, 1], T[:, 2]], 1), c(M, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])],
    'unrepeat_items': [c([V, W, V, W], [V, W]), c((1.0, V, 2.0, W), (1.0, V)),
                       c(np.ones((4, 3)), [V, W]), c(None, [V]), c([V, None, V], [V]),
                       c([V, W, V], [V, W]), c([], []), c([V], [])],
    'unmul_items': [c([V, W, V, W], [V, W], 2), c(np.ones((3, 3)), [V], 3),
                    c(np.ones((2, 3)), [V, W], np.array([[1.0], [2.0]])), c(None, [V], 2),
                    c(M, [V, W], 2.0)],
    'remul_items': [c([V, W], [V, W, V, W], [V, W], 2), c([V], np.ones((3, 3)), [V], 3),
                    c([V, W], np.ones((2, 3)), [V, W], np.array([[1.0], [2.0]]))],
    'repeat_items': [c([V, W], [V, W, V, W]), c((1.0, V), (2.0, W, 3.0, V)),
                     c([V, W], np.ones((4, 3))), c(None, [V]), c([], [])],
    'unsum': [c(1.0, [V, 2.0]), c(V, M), c(M, [M, V]), c(2.0, (1.0, 2.0)),
              c([1.0, V, 2.0], [[V], [3.0]]), c((1.0, 2.0), [(4.0,)])],
    'unsum_start': [c(1.0, 2.0), c(V, V), c([1.0, V, 2.0], [V]), c((1.0, 2.0), ())],
    'resum_start': [c(1.0, 2.0), c(V, V), c([V], [1.0, V, 2.0]), c([], (1.0, 2.0))],
    'untranspose': [c(M), c(M, ()), c(T, (1, 0, 2)), c(T, ((2, 0, 1),)), c(2.0)],
    'zero_at': [c(V, 1), c(M, (0, slice(None))), c([1.0, V], 1), c([1.0, 2.0, 3.0], slice(0, 2)),
                c(None, 1), c(0.0, 1), c(2.0, ()), c(np.float64(2.0), ()), c(M, M > 0),
                c((1.0, 2.0), 0), c([1.0, 2.0, 3.0], slice(1, 3), [5.0]),
                c([1.0, V], slice(0, 0), [2.0, 3.0]), c(V, slice(1, 3), V[1:3])],
    'unzero_at': [c([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], slice(1, 3), [5.0]),
                  c([1.0, 2.0], [V], slice(0, 1), [1.0, 2.0]), c(V, V, slice(1, 3), V[1:3]),
                  c(M, M, (0, slice(None)))],
    'written_at': [c([1.0, 2.0, 3.0, 4.0], slice(1, 2), [5.0], [1.0, 2.0]),
                   c([1.0, 2.0], slice(-1, None), [3.0, 4.0], [2.0]),
                   c([1.0, 2.0], slice(5, None), [], [3.0]), c([1.0], slice(None), [1.0, 2.0], [V]),
                   c(V, slice(1, 3), V[1:3], V[1:3]), c([1.0, 2.0], slice(0, 2, 2), [1.0], [1.0])],
    'record_items': [c(None, (1.0, V)), c(0.0, (V, V)), c(Point(1.0, V), (2.0, V)),
                     c([V, 1.0], (V, 2.0))],
    'unfield': [c(V, Point(1.0, V), 'y'), c(2.0, Point(1.0, V), 'x')],
    'zeros_like': [c(1.0), c(V), c(I3), c(np.float32(2.0)), c([1.0, V]), c((1.0,)),
                   c(Point(1.0, V)), c({'a': V}), c(None), c('s'), c(slice(1)), c(Z0), c(True),
                   c(3), c(np.int64(3)), c(V + 0j), c(np.array(True)), c(range(3))],
    # helpers that rule modules define
    'dict_copy': [c({'a': 1.0, 'b': V}), c({}), c([('a', 1.0)])],
    'as_column': [c(V, V), c(M, S), c(np.ones((2, 2, 3)), V)],
    'checked_nonzero': [c(V, 'np.log'), c(ZERO_IN, 'np.log'), c(0.0, 'x'), c(2.0, 'x')],
    'clip_passes': [c(V, -1.0, 2.0), c(V, None, 2.0), c(V, -1.0), c(V, -2.0, 3.0),
                    c(V, np._NoValue, np._NoValue, -1.0, 2.0), c(1.5, 0.0, 1.0), c(M, V, W)],
    'cofactor': [c(S), c(np.stack([S, 2.0 * S])), c(np.array([[1.0, 2.0], [2.0, 4.0]])), c(M),
                 c(np.eye(3))],
    'dof': [c(M), c(M, 0, 1), c(M, (0, 1), 0, 1), c(M, None, 0, None, M > 0), c(T, -1, 2)],
    'centered': [c(V), c(M, 0), c(M, 1), c(T, (0, 2)), c(np.full(6, 0.7)), c(M, 0, V[:2, None]),
                 c(np.float32(2.0) * M, None)],
    'from_column': [c(np.ones((3, 1)), V), c(M, S), c(np.ones((2, 3, 1)), np.ones(3))],
    'mT': [c(M), c(T), c(S)],
    'svd_tangent': [c(0.5 * M, None, M, False, True, False),
                    c(0.5 * S, None, S, True, False, False),
                    c(W[:2, None] * S, None, S, False, True, True)],
    'norm_power': [c(V, None, None), c(V, 3, None), c(M, 'fro', None), c(M, None, (0, 1)),
                   c(M, 2, None), c(V, np.inf, None), c(V, 'nuc', 0), c(V, 0, None), c(M, 1.5, 1)],
    'power_log': [c(V ** 2, V), c(0.0, 0.0), c(np.array([0.0, 4.0]), np.array([0.0, 2.0])),
                  c(4.0, 2.0), c(8.0, 2), c(Z0, Z0)],
    'power_slope': [c(V, 3), c(0.0, 0), c(2.0, 0.5), c(np.array([0.0, 2.0]), 0.0),
                    c(V, np.array([0, 1, 2])), c(0.0, -1.0), c(3, 2), c(Z0, 2.0)],
    'prod_factor': [c(), c(2.0), c(None, M > 0), c(None, True)],
    'prod_others': [c(V), c(ZERO_IN), c(M, 0), c(M, (0, 1)), c(Z0), c(T, 1), c(2.0)],
    'resort': [c(10 * V, V), c(M, M, 0), c(M, M, None), c(M, TIES, -1, 'stable'),
               c(T, T[::-1], 1)],
    'uncumsum': [c(V, V), c(M, M, 1), c(np.ones(6), M, None), c(T, T, 0)],
    'undiagonal': [c(np.ones(2), M), c(np.ones(2), M, 1), c(np.ones(1), M, -1),
                   c(np.ones((4, 2)), T, 0, 0, 1), c(0.0, M), c(np.ones((2, 3)), T, 1, 1, 2)],
    'unpad': [c(np.ones((5, 6)), M, (2, 1)), c(np.arange(30.0).reshape(5, 6), M, (2, 1), 'edge'),
              c(np.ones((4, 5)), M, 1, 'symmetric'), c(np.ones((4, 5)), M, 1, 'reflect'),
              c(np.ones((4, 5)), M, 1, 'wrap'), c(np.ones(5), V, 1, 'mean')],
    'unsort': [c(V, V), c(M, M, 0), c(np.arange(6.0), M, None), c(0.0, M),
               c(T, T[:, ::-1], 1)],
    'untake': [c(np.ones(4), M, np.array([0, 5, 5, 2])), c(np.ones((2, 4)), M, [2, 0, 2, 1], 1),
               c(np.ones((3, 3)), M, [0, 0, 3], 0, 'wrap'), c(2.0, M, 4), c(0.0, M, [1], 1),
               c(np.ones((2, 2)), M, np.array([5, -1]), 1, 'clip')],
    'untake_along_axis': [c(np.ones((2, 2)), M, np.array([[0, 2], [1, 1]]), 1),
                          c(np.ones(3), V, np.array([2, 2, 0]), None),
                          c(np.ones((1, 3)), M, np.array([[1, 0, 1]]), 0)],
    'untrace': [c(1.0, S), c(2.0, M, 1), c(np.ones(4), T, 0, 0, 1), c(np.ones(3), T, 0, 2, 0),
                c(1.0, M, -1), c(V[:2], T, 1, 1, 2)],
    'tie_share': [c(V, 1.0), c(1.0, 1.0), c(V, V[::-1]), c(V, np.array([np.nan, 1.0, 2.0]), True),
                  c(V.astype(np.float32), 0.0), c(2.0, 1.0), c(0.5, 1.0)],
    'xdivy': [c(V, M), c(0.0, 0.0), c(np.array([0.0, 1.0]), np.array([0.0, 2.0])), c(1.0, 2.0),
              c(Z0, 0.0)],
    # helpers whose definitions use a simplified rewrite (numbers.*, CuPy dispatch)
    'integer_position': [c(3), c(None), c(np.int64(2)), c(1.5), c(I3), c(True), c(V)],
    'linspace_tangent': [c(1.0, np.linspace(0.0, 1.0, 5), 5),
                         c(2.0, np.linspace(0.0, 1.0, 5), 5, False, which=1),
                         c(V, np.linspace(V, W, 4, axis=1), 4, axis=1), c(1.0, np.arange(5), 5),
                         c(1.0, np.linspace(0.0, 1.0, 1), 1)],
    'unlinspace': [c(np.ones(5), np.linspace(0.0, 1.0, 5), 5),
                   c(np.ones(5), np.linspace(0.0, 1.0, 5), 5, False, which=1),
                   c(np.ones((3, 4)), np.linspace(V, W, 4, axis=1), 4, axis=1),
                   c(np.ones(5), np.linspace(0.0, 1.0, 5), 5, retstep=True)],
    'untolist': [c([[1.0, 2.0], [3.0, 4.0]], S), c(np.ones(4), S), c(2.0, 1.0),
                 c([1, None, 2.0], V),
                 c(3.0, Z0), c([1.0, 2.0], F32)],
    # helpers that make masks, identities and index arrays with `array_module` (CuPy's for
    # CuPy arrays; NumPy in a standalone module)
    'array_module': [c(V), c(1.0), c([V, V]), c(())],
    # the error a rule refuses its arguments with (located only in s2sgrad's runtime)
    'unsupported': [c('np.pad with this mode')],
    'sorting_order': [c([3.0, 1.0, 2.0]), c(V), c([1.0, -2.0, 1.0], True, abs), c((), False)],
    'key_position': [c([3.0, 1.0, 2.0], True, abs), c(V, False, abs), c([1.0, -1.0], True, abs)],
    'max_by': [c([3.0, -4.0, 2.0], abs), c([V, W], np.sum)],
    'average_weights': [c(V), c(V, None, V * 2.0), c(M, 1, W[:3]), c(M, 0, np.ones(2)),
                        c(M, None, M + 1.0), c(V, 0, V, True)],
    'nan_unless_positive': [c(1.5), c(-0.5), c(V), c(np.array([1.0, 0.0, -2.0]))],
    'undiff': [c(np.ones(2), V), c(np.ones(1), V, 2), c(np.ones((2, 2)), M, 1, 1),
               c(np.ones(3), V, 1, -1, 0.5), c(np.ones(4), V, 1, -1, None, V[:2], 'append'),
               c(V, V, 0)],
    'min_by': [c([3.0, -4.0, 2.0], abs), c((V, W), np.sum)],
    'in_order': [c([V, W, 1.0], [2, 0, 1]), c([], [])],
    'listed': [c({'a': V, 'b': 1.0}, {'a': W, 'b': 2.0}), c([V, 1.0], [W, 2.0]), c(M, M)],
    'picked': [c([V, 1.0], [W, 2.0], 1), c({'a': V, 'b': 1.0}, {'a': W, 'b': 2.0}, 0),
               c(M, M, 1)],
    'unpicked': [c(V, [V, W], 0), c(1.0, {1.0: V, 2.0: W}, 1), c(2.0, np.array([1.0, 2.0]), 1),
                 c(V, M, 0)],
    'out_of_order': [c([V, W, 1.0], [2, 0, 1]), c((1.0, 2.0), [1, 0])],
    'item_before': [c({'a': V}, 'a'), c({'a': V}, 'b'), c([V, V], 1), c(V, 0)],
    'restore_item': [c({'a': V}, 'a', W), c([V, V], 1, W), c({'a': V}, 'b', 2.0)],
    'read_item': [c({'a': V}, 'a', W), c({'a': 2.0}, 'b', 1.0), c([V, W], 1, W), c(0.0, 'a', V)],
    'unread_item': [c(W, {'a': V}, 'a'), c(1.0, {'a': 2.0}, 'b'), c(W, [V, V], 1)],
    'unread_restored': [c(W, {'a': V}, 'a', V), c(1.0, [V, 2.0], 1, 3.0), c(W, M, 0, V)],
    'get_present': [c({'a': V}, {'a': W}, 'a'), c({}, {'a': W}, 'a'), c({'a': V}, {'b': W}, 'a')],
    'unget_item': [c(V, {'a': W}, 'a'), c(V, {'a': W}, 'b')],
    'unget_default': [c(V, {'a': W}, 'a'), c(V, {'a': W}, 'b')],
    'unget_key': [c(V, {'a': W}, 'a'), c(1.0, {0.5: W}, 0.5)],
    'unvalues': [c([V, 1.0], {'a': W, 'b': 2.0}), c(0.0, {'a': W}),
                 c([None, V], {'a': 1.0, 'b': W})],
    'unitems': [c([(0.0, V), (0.0, 1.0)], {'a': W, 'b': 2.0}), c(None, {'a': W}),
                c([None, (0.0, V)], {'a': 1.0, 'b': W})],
    'values_like': [c({'a': V}, {'a': W, 'b': 2.0}), c(0.0, {'a': W})],
    'items_like': [c({'a': V, 'b': 1.0}, {'a': W, 'b': 2.0}), c(0.0, {'a': W})],
    'array_method': [c(V, 'm'), c(np.ones((2, 2)), 'm'), c([1.0, 2.0], 'm'), c(1.0, 'm'),
                     c(Point(1.0, 2.0), 'm')],
    'check_number': [c(1.0, 'm'), c(np.float64(2.0), 'm'), c(3, 'm'), c((1.0, V), 'm'),
                     c(V, 'm'), c([1.0], 'm'), c(Z0, 'm')],
    'sequence_of': [c((3,), 1), c([1.0, 2.0], 2), c(V, 3), c('ab', 2), c(range(2), 2)],
    'rerun_checked': [c(V, 'f', ()), c(None, 'f', ('t',)), c(Point(1.0, 2.0), 'f', ('x',)),
                      c(2.0, 'f', ('next()',), ('step()',))],
    'check_method_writes': [c([1.0], 'append', 'm', ((0, V),)), c(V, 'fill', 'm', ((0, 1.0),)),
                            c(Point(V, 2.0), 'count', 'm', ((0, V),), (1,)),
                            c(Bumper(), 'bump', 'm', ((0, 1.0),)),
                            c([Bumper(), Bumper()], 'bump', 'm', ((0, 1.0),)),
                            c({'a': V}, 'fill', 'm', ((0, 1.0),)),
                            c(Bumper(), 'bump', 'm', (), kept=(V,)),
                            c(Point(W, 2.0), 'count', 'm', (), kept=(V,))],
    'check_global_writes': [c(_halve_shared, 'm', (V,)), c(_halve_shared, 'm', (W,)),
                            c(_halve_shared, 'm', (1.0,)), c(_halve_shared, 'm', (V[1:],))],
    'complex_refused': [c('x * 1j')],
    'check_own_items': [c(V, 'm'), c([1.0, 'a', None], 'm'), c({'a': (1, 2.0)}, 'm'),
                        c([V], 'm'), c({'a': W}, 'm'), c([V], 'm', kept=(W,)),
                        c([V[1:]], 'm', kept=(V,)), c({'a': [W]}, 'm', kept=([W],)),
                        c(Point(V, 2.0), 'm', kept=(W,)), c(Point(V, 2.0), 'm', kept=(V,))],
    'kind_like': [c(1.0, V), c(V, 2.0), c(np.float32(1.0), F32)],
    'arange_weights': [c(np.arange(0.0, 2.0, 0.5), 0.0, 2.0, 0.5, 'step'),
                       c(np.arange(0.0, 2.0, 0.5), 0.0, 2.0, 0.5), c(np.arange(3), 3)],
    'block': [c(S, 2 * S), c(np.stack([S, S]), S)],
    'place': [c(S, 0, 1), c(np.stack([S, S]), 1, 1)],
    'cofactor_jvp': [c(S, np.ones((2, 2))), c(np.diag([1.0, 0.0, 2.0]), np.eye(3))],
    'cofactor_vjp': [c(S, np.ones((2, 2))), c(np.diag([1.0, 0.0, 2.0]), np.eye(3))],
    'eye_like': [c(V), c(S)],
    'gaps': [c(V), c(np.array([[1.0, 2.0], [3.0, 5.0]]))],
    'gap_product': [c(V, np.outer(V, W)), c(np.array([3.0, 1.0, 1.0]), np.diag(W))],
    'kept_inverse': [c(np.array([3.0, 1.0, 0.0]), 3), c(np.array([2.0, 1e-20]), 2)],
    'svd_full': [c(True, True), c(True, False), c(False, True)],
    'svd_factors': [c(M, False), c(M.T @ M, True, False), c(M @ M.T, False, True, True)],
    'svd_checked': [c(np.linalg.svd(M, False), M, False, True),
                    c(np.linalg.svd(M @ M.T), M @ M.T, True, True),
                    c(np.linalg.svd(M), M, True, True)],
    'equal_pairs': [c(np.array([3.0, 1.0, 1.0])), c(np.array([3.0, 2.0, 1.0])), c(np.ones(2))],
    'turn_free': [c(np.array([3.0, 1.0, 1.0]), np.outer(V, W) - np.outer(W, V),
                    np.outer(W, V) - np.outer(V, W)),
                  c(np.array([3.0, 1.0, 1.0]), np.outer(V, W), np.outer(V, W))],
    'from_triangle': [c(S, 'L'), c(M[:, :2], 'U'), c(S, None)],
    'to_triangle': [c(S, 'L'), c(M[:, :2], 'U'), c(S, None)],
    'phi': [c(S), c(np.stack([S, 2 * S]))],
    'norm_hvp': [c(M, 2, None, np.ones_like(M)), c(M, -2, None, M), c(M, 'nuc', None, M)],
    'pad_border': [c(1.0, V, 1), c(2.0, S, ((1, 0), (0, 2)))],
    'unpad_border': [c(np.ones(5), V, 1), c(np.ones((3, 4)), S, ((1, 0), (0, 2)))],
    'repad': [c(V, V, 1), c(S, S, 1, 'reflect'), c(S, S, ((1, 0), (0, 2)), 'wrap')],
    'undiag': [c(V, M), c(np.ones(2), S, 1), c(S, V)],
    'unrepeat': [c(np.ones(6), V, 2), c(np.ones((2, 6)), M, [1, 2, 3], 1), c(np.ones(6), M, 1)],
    'diagonal_values': [c(V, 3), c(V[:2], 3), c(M, 2), c(2.5, 3), c(V[:0], 2)],
    'undiagonal_values': [c(V, V, 3), c(V, V[:2], 3), c(V[:2], M, 2), c(V, 2.5, 3)],
    'qr_cotangents': [c((M.T, S), M.T, 'reduced'), c(S, M.T, 'r'), c([M.T, S], M.T, 'complete')],
    'svd_cotangents': [c((S, V[:2], M), S, M, True), c(V[:2], S, M, False)],
    'resubscript': [c((V, 1.0), np.r_[V, 1.0], np.r_, (V, 1.0)), c(V, np.r_[V], np.r_, V),
                    c((M, M), np.c_[M, M], np.c_, (M, M)), c(0.0, V, np.s_, 1),
                    c(0.0, 2.0, [1.0, 2.0, 3.0], 1), c(0.0, 2.0, [1.0], 0.5),
                    c((None, 1.0), np.r_[0:2, 1.0], np.r_, (slice(0, 2), 1.0)),
                    c(0.0, 2.0, V, (np.int64(1),)), c((V, 1.0), None, np.r_, ('r', V))],
    'unsubscript': [c(np.ones(4), np.r_[V, 1.0], np.r_, (V, 1.0)), c(V, np.r_[V], np.r_, V),
                    c(np.ones((2, 6)), np.c_[M, M], np.c_, (M, M)), c(1.0, V, np.s_, 1),
                    c((1.0,), (1,), np.index_exp, 1), c(1.0, 2.0, [1.0, 2.0, 3.0], 1),
                    c(1.0, 2.0, [1.0], 0.5), c(1.0, V, V, np.array([0, 1])),
                    c(2.0, np.r_[V, 1.0], np.r_, (V, 1.0))],
    'unroll': [c(M, 1), c(M, (1, 2), (0, 1)), c(V, np.int64(1)), c(V, -1, 0), c(T, [1, 1], [0, 2])],
    'unselect': [c(V, [V > 1.5, V < 1.5], [V, 2.0]), c(M, [M > 0], [M]),
                 c(2.0, [True, False], [1.0, 3.0]),
                 c(M, [M > 0, M > -1], [V, 1.0])],
}
"""Helper name -> the (args, kwargs) to call it with, in the runtime and standalone."""


# ==================== comparing what the two versions do

def outcome(func, args, kwargs):
    """(result or the error raised, the arguments after the call), on copies of the arguments."""
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    try:
        result = func(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 (the errors are compared)
        result = error
    return result, args


def builtin_bases(error_type):
    return [cls for cls in error_type.__mro__ if getattr(builtins, cls.__name__, None) is cls]


def assert_same(got, want, where):
    """`got` is `want`: same types, shapes, dtypes and values (NaNs included), recursively;
    for an error, one of the same name, built-in bases and message."""
    if isinstance(want, BaseException):
        assert isinstance(got, BaseException), f'{where}: returned {got!r}, expected {want!r}'
        assert type(got).__name__ == type(want).__name__, f'{where}: raised {got!r}, not {want!r}'
        assert builtin_bases(type(got)) == builtin_bases(type(want)), where
        assert str(got) == str(want), where
        return
    assert not isinstance(got, BaseException), f'{where}: raised {got!r}, expected {want!r}'
    assert type(got) is type(want), f'{where}: {type(got).__name__}, not {type(want).__name__}'
    if isinstance(want, np.ndarray):
        assert (got.shape, got.dtype) == (want.shape, want.dtype), f'{where}: {got!r} != {want!r}'
        np.testing.assert_array_equal(got, want, err_msg=where)
        assert got.flags.writeable == want.flags.writeable, where
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), f'{where}: {got!r} != {want!r}'
        for k, (a, b) in enumerate(zip(got, want)):
            assert_same(a, b, f'{where}[{k}]')
    elif isinstance(want, dict):
        assert list(got) == list(want), f'{where}: keys {list(got)} != {list(want)}'
        for key in want:
            assert_same(got[key], want[key], f'{where}[{key!r}]')
    elif isinstance(want, (float, complex, np.inexact)) and np.isnan(want):
        assert np.isnan(got), where
    elif type(want).__eq__ is object.__eq__:
        pass  # an object compared by identity (np.r_), the same type as the runtime's
    else:
        assert got == want, f'{where}: {got!r} != {want!r}'


# ==================== tests

def test_every_helper_the_corpus_uses_has_cases():
    names = corpus_names()
    assert len(names) > 20, names
    missing = [name for name in names if name not in CASES]
    assert not missing, f'add representative arguments to CASES for {missing}'


def test_every_runtime_helper_has_cases():
    """Every helper of the table of runtime helpers (templates/runtime_helpers.py)."""
    names = sorted(func.__name__ for func in rules.RUNTIME_HELPERS)
    assert 'unbroadcast' in names
    missing = [name for name in names if name not in CASES]
    assert not missing, f'add representative arguments for {missing} to CASES in {__file__}'


def test_every_simplified_helper_has_cases():
    """A helper whose definition differs from the runtime's source is compared on NumPy
    values: the rewritten pieces (`standalone._SIMPLER`, `standalone._ABSTRACT`) appear in
    the definitions of these helpers only. (Not `unsupported`, the error a rule refuses its
    arguments with: its rewrite drops only the error's location, and its own case compares
    the error; the rules that raise it compute nothing with it.)"""
    marks = [f'def {name}(' for _, name in standalone._SIMPLER if name != 'unsupported'] + \
        [name for name, _ in standalone._ABSTRACT.values()]
    rewritten = [name for name in reachable_names()
                 if any(mark in definitions([name]) for mark in marks)]
    assert 'seed' in rewritten and 'add_at' in rewritten
    missing = [name for name in rewritten if name not in CASES]
    assert not missing, f'add representative arguments to CASES for {missing}'


@pytest.mark.parametrize('name', sorted(CASES))
def test_standalone_helper_agrees_with_runtime(name):
    space = define([name])
    assert set(space) - {'np', '__builtins__'} >= {name}
    mine, theirs = space[name], getattr(runtime, name)
    assert mine is not theirs and mine.__globals__ is space
    for k, (args, kwargs) in enumerate(CASES[name]):
        where = f'{name} case {k} {args!r:.60} {kwargs or ""}'
        got, got_args = outcome(mine, args, kwargs)
        want, want_args = outcome(theirs, args, kwargs)
        assert_same(got, want, where)
        assert_same(got_args, want_args, where + ' (arguments after the call)')


def test_the_cases_reach_both_ways_out():
    """Most helpers' cases return values; those with checks also raise."""
    raising = {name for name, cases in CASES.items()
               if any(isinstance(outcome(getattr(runtime, name), *case)[0], Exception)
                      for case in cases)}
    assert {'seed', 'like', 'check_cotangent', 'not_shared', 'unbroadcast', 'field_index',
            'keys', 'cofactor', 'norm_power', 'unsubscript'} <= raising


def test_the_number_classes_match_the_numbers_module():
    values = [1, 1.5, 1j, True, np.True_, np.int8(1), np.uint64(2), np.float16(1), np.float32(1),
              np.float64(1), np.longdouble(1), np.complex64(1), np.array(1.0), V, [1.0], None,
              'a', slice(1), Point(1, 2), np.str_('a'), np.datetime64(1, 'D')]
    for abstract, (name, text) in standalone._ABSTRACT.items():
        classes = eval(text, {'np': np})
        for value in values:
            assert isinstance(value, classes) == isinstance(value, abstract), (name, value)
    # the one difference: numbers of other libraries (Fraction) are not numbers.Number here
    assert not isinstance(fractions.Fraction(1, 2), eval(
        standalone._ABSTRACT[numbers.Number][1], {'np': np}))


def test_every_reachable_helper_is_defined_from_numpy_alone(tmp_path):
    names = reachable_names()
    assert {'unbroadcast', 'seed', 'copy', 'not_shared', 'getitem', 'untrace'} <= set(names)
    text = definitions(names)
    space = define(names)
    # (a helper is a function; a constant the code reads, ``s2s.UNASSIGNED``, its value)
    missing = [name for name in names if not callable(space.get(name)) and not (
        not callable(getattr(runtime, name)) and space.get(name) == getattr(runtime, name))]
    assert not missing
    tree = ast.parse(text)
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert not {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} & {
        's2sgrad', 'runtime', 'rules', 'errors', 'templates', 'numbers', 'math', 'cupy'}
    defined = [node.name for node in tree.body
               if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    assert len(defined) == len(set(defined))
    module = tmp_path / 'helpers.py'
    module.write_text('import numpy as np\n\n\n' + text)
    flake8 = subprocess.run([sys.executable, '-m', 'flake8', '--max-line-length', '100',
                             str(module)], capture_output=True, text=True)
    if 'No module named flake8' in flake8.stderr:
        pytest.skip('flake8 is not installed')
    assert flake8.returncode == 0, flake8.stdout + flake8.stderr


def test_definitions_are_deterministic_and_in_dependency_order():
    names = ['unbroadcast', 'seed', 'matmul_lhs', 'untrace', 'like', 'add_at']
    text = definitions(names)
    assert definitions(list(reversed(names))) == text == definitions(names + ['seed'])
    assert text.endswith('\n') and not text.endswith('\n\n')
    chunks = text.rstrip('\n').split('\n\n\n')
    assert all(chunk.strip() and not chunk.startswith('\n') for chunk in chunks)
    order = [re.match(r'(?:def|class) (\w+)|(\w+) =', chunk).group(1) or
             re.match(r'(\w+) =', chunk).group(1) for chunk in chunks]
    assert order.index('_shape') < order.index('unbroadcast') < order.index('matmul_lhs')
    assert order.index('NonScalarOutputError') < order.index('seed')
    assert order.index('_Number') < order.index('_like_value')
    # each helper keeps its docstring
    assert '"""The adjoint `g` of a broadcast result, summed to the shape of `x`.' in text


def test_error_classes_keep_their_builtin_bases():
    space = define(['seed', 'like', 'check_cotangent', 'not_shared', 'field_index'])
    assert space['NonScalarOutputError'].__bases__ == (ValueError,)
    assert space['ShapeError'].__bases__ == (ValueError,)
    assert space['ComplexError'].__bases__ == (TypeError,)
    assert space['InPlaceError'].__bases__ == (TypeError,)
    assert space['NoRuleError'].__bases__ == (NotImplementedError,)
    with pytest.raises(ValueError, match='returned an array of shape'):
        space['seed'](V)


@pytest.mark.parametrize('name', ['no_such_helper', 'format_location', '_shape', 'np', 'numbers',
                                  'ComplexError', 'OUTPUT_LOCATIONS', ''])
def test_a_name_generated_code_cannot_call_raises(name):
    with pytest.raises(S2SError, match=re.escape(repr(name))):
        definitions(['unbroadcast', name])


def test_a_helper_needing_more_than_numpy_raises(monkeypatch):
    def needs_scipy(x):
        import scipy
        return scipy.special.erf(x)

    def reads_a_registry(x):
        return rules.ADJOINTS.get(x)

    for helper in (needs_scipy, reads_a_registry):
        helper.__module__ = runtime.__name__
        monkeypatch.setattr(runtime, helper.__name__, helper, raising=False)
        with pytest.raises(S2SError, match=helper.__name__):
            definitions([helper.__name__])


# ==================== a module that imports NumPy only

HAND_WRITTEN = '''

def f(x, W):
    return np.sum(np.tanh(x @ W) ** 2)


def df(x, W):
    """The gradient of `f` in both arguments, written as s2sgrad writes it."""
    h = x @ W
    t = np.tanh(h)
    t2 = t ** 2
    ans = np.sum(t2)
    bans = seed(ans)
    bt2 = unreduce(bans, t2)
    bt = unbroadcast(bt2 * 2 * t, t)
    bh = bt * (1 - t ** 2)
    bx = matmul_lhs(bh, x, W)
    bW = matmul_rhs(bh, x, W)
    bx = add(zeros_like(x), bx)
    return like(bx, x), like(bW, W)
'''

SCRIPT = '''
import numpy as np
from exported import df, f, seed

x = np.linspace(-1.0, 1.0, 3)
W = np.reshape(np.linspace(-0.5, 0.7, 6), (3, 2))
gx, gW = df(x, W)
print(repr(float(f(x, W))))
print(repr(gx.tolist()))
print(repr(gW.tolist()))
try:
    seed(x)
except ValueError as error:
    print(type(error).__name__)
'''


def test_a_module_of_all_corpus_helpers_runs_with_numpy_only():
    module = 'import numpy as np\n\n\n' + definitions(corpus_names()) + HAND_WRITTEN
    lines = run_with_numpy_only(module, SCRIPT).splitlines()
    x = np.linspace(-1.0, 1.0, 3)
    W = np.reshape(np.linspace(-0.5, 0.7, 6), (3, 2))
    value = canonical.tanh_layer(x, W)
    gx, gW = s2sgrad.grad(canonical.tanh_layer, (0, 1))(x, W)
    assert ast.literal_eval(lines[0]) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(ast.literal_eval(lines[1]), gx, rtol=1e-12)
    np.testing.assert_allclose(ast.literal_eval(lines[2]), gW, rtol=1e-12)
    assert lines[3] == 'NonScalarOutputError'


def test_the_numpy_only_environment_lacks_s2sgrad():
    with pytest.raises(NumpyOnlyError, match="No module named 's2sgrad'"):
        run_with_numpy_only('import s2sgrad\n', 'import exported\n')
    with pytest.raises(NumpyOnlyError, match="No module named 'gast'"):
        run_with_numpy_only('', 'import gast\n')
    assert run_with_numpy_only('X = 2\n', 'import exported\nprint(exported.X)\n') == '2\n'
