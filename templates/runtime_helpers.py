"""The runtime helpers (``s2s.NAME`` in generated code): how each is differentiated, and rules.

A new helper of `s2sgrad.runtime` gets one line in `HELPERS` and, unless it has no derivative,
its rules below; the tests then ask for what else it needs (a row of the non-differentiable
audit, representative arguments for its NumPy-only definition), naming the file.
"""
import functools

import numpy as np

from s2sgrad import rules, runtime
from s2sgrad.rules import adjoint, d, runtime_helpers
from s2sgrad.runtime import (
    as_items, count, cross, cross_lhs, cross_rhs, dot_lhs, dot_rhs, extremum_tangent, imag_part,
    item_at, items_back, matmul_lhs,
    matmul_rhs, pick, pick_tangent, read_at, real_part, reshape_like, restack, resum,
    retranspose, select, stored, weigh, unadd, unbroadcast, unextremum, unindex, unread_at, unstack,
    unsum, untranspose, unzero_at, zero_at)

HELPERS = {
    # with rules: the modes, as `python -m s2sgrad rules --internal` lists them
    runtime.add: 'reverse forward',
    runtime.asarray: 'reverse forward',  # (np.asarray's rules: constructors.py)
    runtime.unadd: 'reverse forward',
    runtime.add_at: 'reverse forward',
    runtime.broadcast_like: 'forward',
    runtime.copy: 'reverse forward',
    runtime.copy_lists: 'reverse forward',
    runtime.cross: 'reverse forward',
    runtime.cross_lhs: 'reverse forward',
    runtime.cross_rhs: 'reverse forward',
    runtime.dot_lhs: 'reverse forward',
    runtime.dot_rhs: 'reverse forward',
    runtime.extremum_tangent: 'reverse forward',
    runtime.getitem: 'reverse forward',  # (its rules are those of operator.getitem: subscripts.py)
    runtime.item_at: 'reverse forward',
    runtime.kind_like: 'reverse forward',
    runtime.like: 'reverse forward',
    runtime.matmul_lhs: 'reverse forward',
    runtime.matmul_rhs: 'reverse forward',
    runtime.own: 'reverse forward',
    runtime.check_cotangent: 'reverse forward',  # (it returns the cotangent)
    runtime.pick: 'reverse forward',
    runtime.pick_tangent: 'reverse forward',
    runtime.read_at: 'reverse forward',
    runtime.real_part: 'reverse forward',
    runtime.imag_part: 'reverse forward',
    runtime.reshape_like: 'reverse forward',
    runtime.restack: 'reverse forward',
    runtime.resum: 'reverse forward',
    runtime.retranspose: 'reverse forward',
    runtime.select: 'reverse forward',
    runtime.weigh: 'reverse forward',
    runtime.sized: 'reverse forward',
    runtime.stored: 'reverse forward',
    runtime.unbroadcast: 'reverse forward',
    runtime.unextremum: 'reverse forward',
    runtime.unindex: 'reverse forward',
    runtime.unmean: 'reverse forward',
    runtime.unread_at: 'reverse forward',
    runtime.unreduce: 'reverse forward',
    runtime.unstack: 'reverse forward',
    runtime.as_items: 'reverse forward',
    runtime.items_back: 'reverse forward',
    runtime.unrepeat_items: 'reverse forward',
    runtime.repeat_items: 'reverse forward',
    runtime.unmul_items: 'reverse forward',
    runtime.remul_items: 'reverse forward',
    runtime.unsum: 'reverse forward',
    runtime.unsum_start: 'reverse forward',
    runtime.resum_start: 'reverse forward',
    runtime.untranspose: 'reverse forward',
    runtime.zero_at: 'reverse forward',
    runtime.unzero_at: 'reverse forward',
    # results without derivative (checks, shapes, keys, seeds): audited numerically
    runtime.check_output: 'non-differentiable',
    runtime.declared_shapes: 'non-differentiable',
    runtime.count: 'non-differentiable',
    runtime.field_index: 'non-differentiable',
    runtime.keys: 'non-differentiable',
    runtime.key_missing: 'non-differentiable',
    runtime.flat_index: 'non-differentiable',
    runtime.positions: 'non-differentiable',
    runtime.zip_length: 'non-differentiable',
    runtime.is_zero: 'non-differentiable',
    runtime.popped_at: 'non-differentiable',
    runtime.inserted_at: 'non-differentiable',
    runtime.written_at: 'non-differentiable',
    runtime.meta: 'non-differentiable',
    runtime.not_shared: 'non-differentiable',
    runtime.in_place: 'non-differentiable',
    runtime.float_argument: 'non-differentiable',
    runtime.separate: 'non-differentiable',
    runtime.defined: 'non-differentiable',
    runtime.check_number: 'non-differentiable',
    runtime.array_method: 'non-differentiable',
    runtime.check_own_items: 'non-differentiable',
    runtime.check_method_writes: 'non-differentiable',
    runtime.check_global_writes: 'non-differentiable',
    runtime.sequence_of: 'non-differentiable',
    runtime.alone_in: 'non-differentiable',
    runtime.seed: 'non-differentiable',
    runtime.zeros_like: 'non-differentiable',
    # never called on differentiated values by generated code
    runtime.array_module: 'no rule',
    runtime.check_bound: 'no rule',
    runtime.check_default: 'no rule',
    runtime.check_partial: 'no rule',
    runtime.rerun_checked: 'no rule',
    runtime.complex_refused: 'no rule',
    runtime.check_tangent: 'no rule',
    runtime.real_only: 'no rule',
    runtime.unsupported: 'no rule',
    runtime.zipped: 'no rule',  # (iterators without a length: ``zip(itertools.count(), it)``)
    runtime.item_before: 'reverse forward',
    runtime.unread_item: 'reverse forward',
    # differentiated again as the write ``x[key] = old`` (`s2sgrad.restores`), not by rules
    runtime.restore_item: 'no rule',
    runtime.read_item: 'reverse forward',  # (a third derivative reads it again)
    runtime.unread_restored: 'reverse forward',
}

runtime_helpers(HELPERS)

# The tangents of the helpers add their terms with ``s2s.add``: a term may be the adjoint of a
# list, a tuple or a dict (see `rules.Template.containers`).
tangent = functools.partial(rules.tangent, containers=True)
linear = functools.partial(rules.linear, containers=True)


# -- broadcasting and reductions -----------------------------------------------------------

@adjoint(runtime.kind_like)
def kind_like_adjoint(ans, g, x):
    d[g] = d[ans]


linear(runtime.kind_like, 'd[g], x')


@adjoint(runtime.unbroadcast)
def unbroadcast_adjoint(ans, g, x):
    d[g] = unbroadcast(d[ans], g)


linear(runtime.unbroadcast, 'd[g], x')
linear(runtime.broadcast_like, 'd[g], x', params='g, x')


@adjoint(runtime.unreduce)
def unreduce_adjoint(ans, g, x, axis=None, keepdims=False):
    d[g] = reshape_like(np.sum(d[ans], axis=axis, keepdims=keepdims), g)


linear(runtime.unreduce, 'd[g], x, axis, keepdims')


@adjoint(runtime.unmean)
def unmean_adjoint(ans, g, x, axis=None, keepdims=False):
    d[g] = reshape_like(np.sum(d[ans], axis=axis, keepdims=keepdims), g) / count(x, axis)


linear(runtime.unmean, 'd[g], x, axis, keepdims')


@adjoint(runtime.unextremum)
def unextremum_adjoint(ans, g, extremum, x, axis=None, keepdims=False):
    d[g] = extremum_tangent(d[ans], extremum, x, axis, keepdims)


linear(runtime.unextremum, 'd[g], extremum, x, axis, keepdims')


@adjoint(runtime.extremum_tangent)
def extremum_tangent_adjoint(ans, dx, extremum, x, axis=None, keepdims=False):
    d[dx] = unextremum(d[ans], extremum, x, axis, keepdims)


linear(runtime.extremum_tangent, 'd[dx], extremum, x, axis, keepdims',
       params='dx, extremum, x, axis=None, keepdims=False')


@adjoint(runtime.pick)
def pick_adjoint(ans, g, result, a, b=None, which=0):
    d[g] = pick_tangent(d[ans], result, a, b, which)


linear(runtime.pick, 'd[g], result, a, b, which')


@adjoint(runtime.pick_tangent)
def pick_tangent_adjoint(ans, da, result, a, b=None, which=0):
    d[da] = pick(d[ans], result, a, b, which)


linear(runtime.pick_tangent, 'd[da], result, a, b, which')


# -- products --------------------------------------------------------------------------------

@adjoint(runtime.matmul_lhs)
def matmul_lhs_adjoint(ans, g, a, b):
    d[g] = unbroadcast(np.matmul(d[ans], b), g)  # (not np.dot: stacks of matrices)
    d[b] = matmul_rhs(g, d[ans], b)


@adjoint(runtime.matmul_rhs)
def matmul_rhs_adjoint(ans, g, a, b):
    d[g] = unbroadcast(np.matmul(a, d[ans]), g)
    d[a] = matmul_lhs(g, a, d[ans])


@adjoint(runtime.dot_lhs)
def dot_lhs_adjoint(ans, g, a, b):
    d[g] = unbroadcast(np.dot(d[ans], b), g)
    d[b] = dot_rhs(g, d[ans], b)


@adjoint(runtime.dot_rhs)
def dot_rhs_adjoint(ans, g, a, b):
    d[g] = unbroadcast(np.dot(a, d[ans]), g)
    d[a] = dot_lhs(g, a, d[ans])


@adjoint(runtime.cross)
def cross_adjoint(ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[a] = cross_lhs(d[ans], a, b, axisa, axisb, axisc, axis)
    d[b] = cross_rhs(d[ans], a, b, axisa, axisb, axisc, axis)


@adjoint(runtime.cross_lhs)
def cross_lhs_adjoint(ans, g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    # (sum g . (a x b) is linear in each: cross_lhs is its derivative in a, here read at
    # a = d[ans]; in g that is d[ans] x b, in b cross_rhs's)
    d[g] = unbroadcast(cross(d[ans], b, axisa, axisb, axisc, axis), g)
    d[b] = cross_rhs(g, d[ans], b, axisa, axisb, axisc, axis)


@adjoint(runtime.cross_rhs)
def cross_rhs_adjoint(ans, g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[g] = unbroadcast(cross(a, d[ans], axisa, axisb, axisc, axis), g)
    d[a] = cross_lhs(g, a, d[ans], axisa, axisb, axisc, axis)


@tangent(runtime.matmul_lhs)
def matmul_lhs_tangent(ans, g, a, b):
    d[ans] = matmul_lhs(d[g], a, b)
    d[ans] = matmul_lhs(g, a, d[b])


@tangent(runtime.matmul_rhs)
def matmul_rhs_tangent(ans, g, a, b):
    d[ans] = matmul_rhs(d[g], a, b)
    d[ans] = matmul_rhs(g, d[a], b)


@tangent(runtime.dot_lhs)
def dot_lhs_tangent(ans, g, a, b):
    d[ans] = dot_lhs(d[g], a, b)
    d[ans] = dot_lhs(g, a, d[b])


@tangent(runtime.dot_rhs)
def dot_rhs_tangent(ans, g, a, b):
    d[ans] = dot_rhs(d[g], a, b)
    d[ans] = dot_rhs(g, d[a], b)


@tangent(runtime.cross)
def cross_tangent(ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[ans] = cross(d[a], b, axisa, axisb, axisc, axis)
    d[ans] = cross(a, d[b], axisa, axisb, axisc, axis)


@tangent(runtime.cross_lhs)
def cross_lhs_tangent(ans, g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[ans] = cross_lhs(d[g], a, b, axisa, axisb, axisc, axis)
    d[ans] = cross_lhs(g, a, d[b], axisa, axisb, axisc, axis)


@tangent(runtime.cross_rhs)
def cross_rhs_tangent(ans, g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[ans] = cross_rhs(d[g], a, b, axisa, axisb, axisc, axis)
    d[ans] = cross_rhs(g, d[a], b, axisa, axisb, axisc, axis)


# -- shapes, transposes, copies --------------------------------------------------------------

@adjoint(runtime.untranspose)
def untranspose_adjoint(ans, g, axes=None):
    d[g] = retranspose(d[ans], axes)


linear(runtime.untranspose, 'd[g], axes')


@adjoint(runtime.retranspose)
def retranspose_adjoint(ans, g, axes=None):
    d[g] = untranspose(d[ans], axes)


linear(runtime.retranspose, 'd[g], axes', params='g, axes=None')


@adjoint(runtime.reshape_like)
def reshape_like_adjoint(ans, g, x, order='C'):
    d[g] = reshape_like(d[ans], g, order)


linear(runtime.reshape_like, 'd[g], x, order', params='g, x, order=\'C\'')


@adjoint(runtime.real_part)
def real_part_adjoint(ans, x, g):
    d[g] = real_part(x, d[ans])


linear(runtime.real_part, 'x, d[g]')


@adjoint(runtime.imag_part)
def imag_part_adjoint(ans, x, g):
    d[g] = imag_part(x, d[ans])


linear(runtime.imag_part, 'x, d[g]')


@adjoint(runtime.copy)
def copy_adjoint(ans, x):
    d[x] = d[ans]


linear(runtime.copy, 'd[x]')


@adjoint(runtime.copy_lists)
def copy_lists_adjoint(ans, x):
    d[x] = d[ans]


linear(runtime.copy_lists, 'd[x]')


@adjoint(runtime.own)
def own_adjoint(ans, g):
    d[g] = d[ans]


linear(runtime.own, 'd[g]')


@adjoint(runtime.sized)
def sized_adjoint(ans, items, stop=None):
    d[items] = d[ans]  # (`stop` cuts only an iterator short, which carries no derivative)


linear(runtime.sized, 'd[items], stop')


@adjoint(runtime.check_cotangent)
def check_cotangent_adjoint(ans, cotangent, result):
    d[cotangent] = d[ans]


linear(runtime.check_cotangent, 'd[cotangent], result')


@adjoint(runtime.like)
def like_adjoint(ans, g, x):
    d[g] = d[ans]


linear(runtime.like, 'd[g], x')


@adjoint(runtime.select)
def select_adjoint(ans, condition, g):
    d[g] = select(condition, d[ans])


linear(runtime.select, 'condition, d[g]')


@adjoint(runtime.weigh)
def weigh_adjoint(ans, weight, g):
    d[g] = weigh(weight, d[ans])  # (the weight, 1, 1/2 or 0 by ties, has no derivative)


linear(runtime.weigh, 'weight, d[g]')


# -- indexing --------------------------------------------------------------------------------

@adjoint(runtime.unindex)
def unindex_adjoint(ans, g, x, index):
    d[g] = reshape_like(d[ans][index], g)


linear(runtime.unindex, 'd[g], x, index')


@adjoint(runtime.add_at)
def add_at_adjoint(ans, bx, index, g):
    d[bx] = d[ans]
    d[g] = unbroadcast(item_at(d[ans], index), g)


@adjoint(runtime.item_at)
def item_at_adjoint(ans, g, index):
    d[g] = unindex(d[ans], g, index)


linear(runtime.item_at, 'd[g], index')


@tangent(runtime.add_at)
def add_at_tangent(ans, bx, index, g):
    d[ans] = d[bx]
    d[ans] = unindex(d[g], bx, index)


@adjoint(runtime.read_at)
def read_at_adjoint(ans, by, index, v):
    d[by] = unread_at(d[ans], by, index)


linear(runtime.read_at, 'd[by], index, v')


@adjoint(runtime.stored)
def stored_adjoint(ans, g, into):
    d[g] = stored(d[ans], into)


linear(runtime.stored, 'd[g], into')


@adjoint(runtime.unread_at)
def unread_at_adjoint(ans, g, by, index):
    d[g] = read_at(d[ans], index, g)


linear(runtime.unread_at, 'd[g], by, index')


@adjoint(runtime.zero_at)
def zero_at_adjoint(ans, by, index, old=None):
    d[by] = zero_at(d[ans], index) if old is None else unzero_at(d[ans], by, index, old)


linear(runtime.zero_at, 'd[by], index, old')


@adjoint(runtime.unzero_at)
def unzero_at_adjoint(ans, g, by, index, old=None):
    d[g] = zero_at(d[ans], index, old)


linear(runtime.unzero_at, 'd[g], by, index, old')


# -- containers: stacks of items, sums of items, list addition ----------------------------------

@adjoint(runtime.unstack)
def unstack_adjoint(ans, g, items, axis=0):
    d[g] = restack(d[ans], g, axis)


linear(runtime.unstack, 'd[g], items, axis')


@adjoint(runtime.as_items)
def as_items_adjoint(ans, g, items):
    d[g] = items_back(d[ans], g)


@adjoint(runtime.items_back)
def items_back_adjoint(ans, bitems, g):
    d[bitems] = as_items(d[ans], bitems)


linear(runtime.as_items, 'd[g], items')


@adjoint(runtime.unrepeat_items)
def unrepeat_adjoint(ans, g, items):
    d[g] = runtime.repeat_items(d[ans], g)


@adjoint(runtime.repeat_items)
def repeat_items_adjoint(ans, bitems, g):
    d[bitems] = runtime.unrepeat_items(d[ans], bitems)


linear(runtime.unrepeat_items, 'd[g], items')


@adjoint(runtime.unmul_items)
def unmul_items_adjoint(ans, g, items, other):
    d[g] = runtime.remul_items(d[ans], g, items, other)


@adjoint(runtime.remul_items)
def remul_items_adjoint(ans, bitems, g, items, other):
    d[bitems] = runtime.unmul_items(d[ans], bitems, other)


linear(runtime.unmul_items, 'd[g], items, other')
linear(runtime.remul_items, 'd[bitems], g, items, other')
linear(runtime.repeat_items, 'd[bitems], g')
linear(runtime.items_back, 'd[bitems], g')
linear(runtime.restack, 'd[bitems], g, axis', params='bitems, g, axis=0')


@adjoint(runtime.restack)
def restack_adjoint(ans, bitems, g, axis=0):
    d[bitems] = unstack(d[ans], bitems, axis)


@adjoint(runtime.unsum)
def unsum_adjoint(ans, g, items):
    d[g] = resum(d[ans], g)


linear(runtime.unsum, 'd[g], items')


@adjoint(runtime.resum)
def resum_adjoint(ans, bitems, g):
    d[bitems] = unsum(d[ans], bitems)


linear(runtime.resum, 'd[bitems], g')


@adjoint(runtime.unsum_start)
def unsum_start_adjoint(ans, g, start):
    d[g] = runtime.resum_start(d[ans], g)


linear(runtime.unsum_start, 'd[g], start')


@adjoint(runtime.resum_start)
def resum_start_adjoint(ans, bstart, g):
    d[bstart] = runtime.unsum_start(d[ans], bstart)


linear(runtime.resum_start, 'd[bstart], g')


@adjoint(runtime.add)
def list_add_adjoint(ans, a, b):
    d[a] = unadd(d[ans], a)
    d[b] = unadd(d[ans], b)


@adjoint(runtime.unadd)
def unadd_adjoint(ans, g, x):
    d[g] = unadd(d[ans], g)


linear(runtime.unadd, 'd[g], x')


@tangent(runtime.add)
def list_add_tangent(ans, a, b):
    d[ans] = d[a]
    d[ans] = d[b]


# -- the items a gradient keeps and restores (differentiated again: `s2sgrad.restores`) ----

@adjoint(runtime.read_item)
def read_item_adjoint(ans, by, key, old):
    d[by] = runtime.unread_restored(d[ans], by, key, old)


linear(runtime.read_item, 'd[by], key, old')


@adjoint(runtime.unread_restored)
def unread_restored_adjoint(ans, g, by, key, old):
    d[g] = runtime.read_item(d[ans], key, old)


linear(runtime.unread_restored, 'd[g], by, key, old')


@adjoint(runtime.item_before)
def item_before_adjoint(ans, x, key):
    d[x] = runtime.unread_item(d[ans], x, key)


@rules.tangent(runtime.item_before)
def item_before_tangent(ans, x, key):
    d[ans] = runtime.item_before(d[x], key)


@adjoint(runtime.unread_item)
def unread_item_adjoint(ans, g, x, key):
    d[g] = runtime.read_item(d[ans], key, g)


linear(runtime.unread_item, 'd[g], x, key')
