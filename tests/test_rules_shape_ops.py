"""Spec table of the shape-operation rules of templates/shaping.py and templates/joining.py:
reverse, forward, second order, for every function, its keyword arguments, lists and methods."""
import math
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad import rules

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulespec  # noqa: E402

FUNCTIONS = [
    np.expand_dims, np.swapaxes, np.moveaxis, np.rollaxis, np.broadcast_to, np.concatenate,
    np.hstack,
    np.vstack, np.column_stack, np.split, np.array_split, np.tile, np.repeat, np.flip,
    np.fliplr, np.flipud, np.roll, np.rot90, np.pad, np.atleast_1d, np.atleast_2d,
    np.atleast_3d, np.append, np.vsplit, np.hsplit, np.dsplit, np.partition, np.nan_to_num,
    np.dstack,
]

C2 = np.array([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]])   # a constant joined with the argument
C3 = np.array([0.3, -0.8, 1.7])


def weights(*shape):
    """Fixed, non-uniform weights of the given shape (so a wrong derivative shows)."""
    size = math.prod(shape)  # (a number: tests/test_cupy_rules.py binds np to CuPy)
    return (np.cos(np.arange(1.0, size + 1.0) * 1.7) + 0.1 * np.arange(size)).reshape(shape)


def arr(*shape, lo=-1.0, hi=1.0):
    return lambda rng: (rng.uniform(lo, hi, size=shape),)


def two(shape_a, shape_b):
    return lambda rng: (rng.uniform(-1, 1, size=shape_a), rng.uniform(-1, 1, size=shape_b))


def scalar(rng):
    return (float(rng.uniform(0.5, 1.5)),)


def arr32(*shape):
    return lambda rng: (rng.uniform(-1, 1, size=shape).astype(np.float32),)


def away_from_integers(*shape):
    """Values at least 0.1 from an integer (``astype(int)`` stays put under small steps)."""
    return lambda rng: (rng.integers(-3, 3, size=shape) + rng.uniform(0.1, 0.9, size=shape),)


def with_row_stack(make_args):
    """`make_args`, or a skip where NumPy has no np.row_stack (removed after 2.x's deprecation)."""
    def make(rng):
        if not hasattr(np, 'row_stack'):
            pytest.skip(f'np.row_stack is gone in NumPy {np.__version__}')
        return make_args(rng)
    return make


# -- adding and moving axes ------------------------------------------------------------------

def f_expand_dims(x): return np.sum(np.expand_dims(x, 1) ** 2 * weights(2, 1, 3))


def f_expand_dims_tuple(x):
    return np.sum(np.sin(np.expand_dims(x, axis=(0, 3))) * weights(1, 2, 3, 1))


def f_expand_dims_scalar(x): return np.sum(np.expand_dims(x, 0) ** 3 * weights(1))
def f_swapaxes(x): return np.sum(np.swapaxes(x, 0, 2) ** 2 * weights(4, 3, 2))
def f_swapaxes_kw(x): return np.sum(np.swapaxes(x, axis1=-1, axis2=0) ** 2 * weights(3, 2))
def f_swapaxes_method(x): return np.sum(x.swapaxes(1, 0) ** 2 * weights(3, 2))
def f_transpose_axes_kw(x): return np.sum(np.transpose(x, axes=(2, 0, 1)) ** 2 * weights(4, 2, 3))
def f_transpose_axes_list(x): return np.sum(np.transpose(x, axes=[1, 0]) ** 3 * weights(3, 2))
def f_transpose_axes_none(x): return np.sum(np.transpose(x, axes=None) ** 2 * weights(4, 3, 2))
def f_transpose_method_tuple(x): return np.sum(x.transpose((1, 2, 0)) ** 2 * weights(3, 4, 2))
def f_transpose_negative(x): return np.sum(x.transpose(0, -1, 1) ** 2 * weights(2, 4, 3))
def f_transpose_negative_kw(x): return np.sum(np.transpose(x, axes=(-1, 0, -2)) * weights(4, 2, 3))
def f_reshape_F(x): return np.sum(x.reshape(2, 3, order='F') ** 2 * weights(2, 3))
def f_reshape_F_positional(x): return np.sum(np.reshape(x, (3, 2), 'F') ** 2 * weights(3, 2))
def f_ravel_F(x): return np.sum(np.ravel(x, order='F') ** 2 * weights(6))
def f_flatten_F(x): return np.sum(x.flatten('F') ** 3 * weights(6))
def f_ravel_A_of_T(x): return np.sum(x.T.ravel(order='A') ** 2 * weights(6))
def f_ravel_K_of_T(x): return np.sum(np.ravel(x.T, order='K') ** 2 * weights(6))
def f_mT(x): return np.sum(x.mT ** 2 * weights(2, 4, 3))
def f_moveaxis(x): return np.sum(np.moveaxis(x, 0, -1) ** 2 * weights(3, 4, 2))
def f_moveaxis_many(x): return np.sum(np.moveaxis(x, [0, 1], [2, 0]) ** 2 * weights(3, 4, 2))
def f_moveaxis_kw(x): return np.sum(np.moveaxis(x, source=2, destination=0) ** 2 * weights(4, 2, 3))
def f_rollaxis(x): return np.sum(np.rollaxis(x, 2) ** 2 * weights(4, 2, 3))
def f_rollaxis_start(x): return np.sum(np.rollaxis(x, 0, 3) ** 2 * weights(3, 4, 2))
def f_rollaxis_back(x): return np.sum(np.rollaxis(x, -1, 1) ** 2 * weights(2, 4, 3))
def f_rollaxis_keywords(x): return np.sum(np.rollaxis(x, axis=1, start=-3) ** 2 * weights(3, 2, 4))
def f_broadcast_to(x): return np.sum(np.broadcast_to(x, (4, 3)) ** 2 * weights(4, 3))
def f_broadcast_to_ones(x): return np.sum(np.broadcast_to(x, (2, 2, 3)) ** 2 * weights(2, 2, 3))
def f_broadcast_to_kw(x): return np.sum(np.broadcast_to(x, shape=(2, 3)) ** 2 * weights(2, 3))
def f_broadcast_to_scalar(x): return np.sum(np.broadcast_to(x, (3,)) ** 2 * weights(3))
def f_atleast_1d(x): return np.sum(np.atleast_1d(x) ** 2 * weights(3))
def f_atleast_1d_scalar(x): return np.sum(np.atleast_1d(x) ** 3 * weights(1))
def f_atleast_2d(x): return np.sum(np.atleast_2d(x) ** 2 * weights(1, 3))
def f_atleast_2d_scalar(x): return np.sum(np.atleast_2d(x) ** 3 * weights(1, 1))
def f_atleast_3d(x): return np.sum(np.atleast_3d(x) ** 2 * weights(2, 3, 1))
def f_atleast_3d_1d(x): return np.sum(np.atleast_3d(x) ** 2 * weights(1, 3, 1))
def f_atleast_3d_same(x): return np.sum(np.atleast_3d(x) ** 2 * weights(2, 1, 3))


# -- joining and splitting -------------------------------------------------------------------

def f_concatenate(x): return np.sum(np.concatenate([x, C3, x ** 2]) ** 2 * weights(9))
def f_concatenate_axis(x): return np.sum(np.concatenate([C2, x], axis=1) ** 2 * weights(2, 5))
def f_concatenate_neg(x): return np.sum(np.concatenate((x, x[:1]), axis=-2) ** 2 * weights(3, 2))
def f_concatenate_none(x): return np.sum(np.concatenate([x, C2], axis=None) ** 2 * weights(12))
def f_concatenate_two(x, y): return np.sum(np.concatenate([x, y, C2]) ** 2 * weights(5, 3))


def f_concatenate_dtype(x):
    return np.sum(np.concatenate([x, 1.5 * x], 1, dtype=np.float64) ** 2 * weights(2, 4))


def f_vstack_loop(x):
    parts = []
    for i in range(2):
        parts.append(x * (i + 1.0))
    return np.sum(np.vstack(parts) ** 2 * weights(4, 3))


def f_split_loop(x):
    total = 0.0
    for piece in np.split(x, 4):
        total = total + np.sum(piece ** 3 * weights(1, 3))
    return total


def f_hstack(x): return np.sum(np.hstack([x, C3, 2.0 * x]) ** 2 * weights(9))
def f_hstack_2d(x): return np.sum(np.hstack((C2, x)) ** 2 * weights(2, 5))
def f_hstack_scalar(x): return np.sum(np.hstack([x, 2.0, x * x]) ** 2 * weights(3))
def f_vstack(x): return np.sum(np.vstack([x, C3, x ** 2]) ** 2 * weights(3, 3))
def f_vstack_2d(x): return np.sum(np.vstack((C2, x)) ** 2 * weights(4, 3))
def f_vstack_scalar(x): return np.sum(np.vstack([x, 2.0 * x]) ** 3 * weights(2, 1))
def f_column_stack(x): return np.sum(np.column_stack([x, C3, x ** 2]) ** 2 * weights(3, 3))
def f_column_stack_2d(x): return np.sum(np.column_stack((C2.T, x)) ** 2 * weights(3, 3))
def f_dstack_1d(x): return np.sum(np.dstack([x, C3, x ** 2]) ** 2 * weights(1, 3, 3))
def f_dstack_2d(x): return np.sum(np.dstack((C2, x)) ** 3 * weights(2, 3, 2))
def f_dstack_3d(x, y): return np.sum(np.dstack([y, x, y]) ** 2 * weights(2, 3, 5))
def f_dstack_scalar(x): return np.sum(np.dstack([x[0], x[1]]) ** 2 * weights(1, 1, 2))
def f_column_stack_two(x, y): return np.sum(np.column_stack([y, x]) ** 2 * weights(3, 3))


def f_split(x):
    a, b = np.split(x, 2)
    return np.sum(a ** 2 * weights(2, 3)) + np.sum(np.sin(b) * weights(2, 3))


def f_split_unused(x):
    a, b, c = np.split(x, [1, 3], axis=1)
    return np.sum(b ** 2 * weights(2, 2))


def f_split_kw(x):
    pieces = np.split(x, indices_or_sections=3, axis=-1)
    return np.sum(pieces[2] ** 2 * weights(2, 1)) + np.sum(pieces[0] ** 3 * weights(2, 1))


def f_array_split(x):
    a, b, c = np.array_split(x, 3)
    return np.sum(a ** 2 * weights(3)) + np.sum(c ** 3 * weights(2))


def f_array_split_axis(x):
    parts = np.array_split(x, [2], axis=1)
    return np.sum(parts[1] ** 2 * weights(2, 2)) + np.sum(parts[0] ** 2 * weights(2, 2))


def f_vsplit(x):
    a, b = np.vsplit(x, 2)
    return np.sum(a ** 2 * weights(2, 3)) + np.sum(np.sin(b) * weights(2, 3))


def f_vsplit_list(x):
    top, middle, bottom = np.vsplit(x, [1, 3])
    return np.sum(middle ** 2 * weights(2, 2, 2)) + np.sum(bottom ** 3 * weights(1, 2, 2))


def f_vsplit_kw(x):
    pieces = np.vsplit(x, indices_or_sections=[2])
    return np.sum(pieces[1] ** 2 * weights(1, 3))


def f_hsplit(x):
    a, b = np.hsplit(x, 2)
    return np.sum(a * b * weights(3, 2)) + np.sum(a ** 3 * weights(3, 2))


def f_hsplit_list(x):
    left, right = np.hsplit(x, [1])
    return np.sum(left ** 2 * weights(2, 1)) + np.sum(np.cos(right) * weights(2, 3))


def f_hsplit_1d(x):
    a, b, c = np.hsplit(x, [2, 5])
    return np.sum(a ** 2 * weights(2)) + np.sum(c ** 3 * weights(1)) + np.sum(b * weights(3))


def f_hsplit_3d(x):
    a, b = np.hsplit(x, 2)
    return np.sum(a ** 2 * weights(2, 2, 3)) + np.sum(b ** 3 * weights(2, 2, 3))


def f_dsplit(x):
    a, b = np.dsplit(x, 2)
    return np.sum(a ** 2 * weights(2, 3, 2)) + np.sum(np.sin(b) * weights(2, 3, 2))


def f_dsplit_list(x):
    a, b, c = np.dsplit(x, [1, 3])
    return np.sum(a ** 3 * weights(2, 2, 1)) + np.sum(c ** 2 * weights(2, 2, 1))


def f_row_stack(x): return np.sum(np.row_stack([x, C3, x ** 2]) ** 2 * weights(3, 3))


def f_append(x): return np.sum(np.append(x, C3) ** 2 * weights(9))
def f_append_values(x): return np.sum(np.append(C2, x) ** 2 * weights(9))
def f_append_axis(x, y): return np.sum(np.append(x, y, axis=0) ** 2 * weights(3, 3))
def f_append_axis_kw(x): return np.sum(np.append(x, x ** 2, axis=-1) ** 2 * weights(2, 6))
def f_append_scalar(x, b): return np.sum(np.append(x, b) ** 3 * weights(7))
def f_append_kw(x): return np.sum(np.append(arr=C2, values=x, axis=1) ** 2 * weights(2, 4))


def append_scalar_args(rng):
    return rng.uniform(-1, 1, size=(2, 3)), float(rng.uniform(0.5, 1.5))


# -- partition, nan_to_num, astype -------------------------------------------------------------

def f_partition(x): return np.sum(np.partition(x, 2) ** 2 * weights(5))
def f_partition_axis(x): return np.sum(np.partition(x, 1, axis=0) ** 3 * weights(3, 4))
def f_partition_kths(x): return np.sum(np.partition(x, [0, 3]) ** 2 * weights(2, 5))
def f_partition_none(x): return np.sum(np.partition(x, -2, axis=None) ** 2 * weights(6))
def f_partition_kw(x): return np.sum(np.sin(np.partition(x, kth=1, axis=-1)) * weights(2, 3))


SPECIALS = np.array([[1.0, np.inf, -2.0], [-np.inf, 0.5, np.nan]])


def f_nan_to_num(x): return np.sum(np.nan_to_num(x ** 2) * weights(2, 3))


def f_nan_to_num_inf(x):
    return np.sum(np.sin(np.nan_to_num(x + SPECIALS)) * weights(2, 3))


def f_nan_to_num_kw(x):
    return np.sum(np.nan_to_num(x + SPECIALS, nan=1.5, posinf=3.0, neginf=-2.0) ** 2
                  * weights(2, 3))


def f_nan_to_num_values(x, c):
    return np.sum(np.nan_to_num(x + SPECIALS, copy=True, nan=c, posinf=2.0 * c, neginf=c ** 2)
                  ** 2 * weights(2, 3))


def nan_to_num_args(rng):
    return rng.uniform(0.5, 1.5, size=(2, 3)), float(rng.uniform(0.5, 1.5))


def f_astype_float(x): return np.sum(x.astype(np.float64) ** 3 * weights(2, 3))
def f_astype_name(x): return np.sum(np.sin(x.astype('float64')) * weights(2, 3))
def f_astype_kw(x): return np.sum(x.astype(dtype=float, copy=False) ** 2 * weights(2, 3))
def f_astype_up(x): return np.sum(x.astype(np.float64) ** 3 * weights(2, 3))
def f_astype_same32(x): return np.sum(x.astype(np.float32) ** 2 * weights(2, 3))
def f_astype_int(x): return np.sum(x * x.astype(int) * weights(2, 3))
def f_astype_int32(x): return np.sum(x ** 2 * x.astype(np.int32) * weights(2, 3))
def f_astype_bool(x): return np.sum(x ** 2 * x.astype(bool) * weights(2, 3))


# -- copying, flipping, rolling, padding -----------------------------------------------------

def f_tile(x): return np.sum(np.tile(x, 3) ** 2 * weights(2, 9))
def f_tile_2d(x): return np.sum(np.tile(x, (2, 2)) ** 2 * weights(4, 6))
def f_tile_more(x): return np.sum(np.tile(x, reps=(2, 1, 2)) ** 2 * weights(2, 2, 6))
def f_tile_scalar(x): return np.sum(np.tile(x, 3) ** 3 * weights(3))
def f_repeat(x): return np.sum(np.repeat(x, 2) ** 2 * weights(12))
def f_repeat_axis(x): return np.sum(np.repeat(x, 3, axis=1) ** 2 * weights(2, 9))
def f_repeat_counts(x): return np.sum(np.repeat(x, [1, 0, 3], axis=-1) ** 2 * weights(2, 4))
def f_repeat_counts_flat(x): return np.sum(np.repeat(x, [2, 1, 0, 1, 3, 1]) ** 2 * weights(8))
def f_repeat_method(x): return np.sum(x.repeat(2, axis=0) ** 2 * weights(4, 3))
def f_repeat_method_kw(x): return np.sum(x.repeat(repeats=[2, 1]) ** 2 * weights(3))
def f_repeat_scalar(x): return np.sum(np.repeat(x, 3) ** 3 * weights(3))
def f_flip(x): return np.sum(np.flip(x) ** 2 * weights(2, 3))
def f_flip_axis(x): return np.sum(np.flip(x, 1) ** 2 * weights(2, 3))
def f_flip_axes(x): return np.sum(np.flip(x, axis=(0, 2)) ** 2 * weights(2, 3, 2))
def f_fliplr(x): return np.sum(np.fliplr(x) ** 2 * weights(2, 3))
def f_flipud(x): return np.sum(np.flipud(x) ** 2 * weights(2, 3))
def f_roll(x): return np.sum(np.roll(x, 2) ** 2 * weights(2, 3))
def f_roll_axis(x): return np.sum(np.roll(x, -1, axis=1) ** 2 * weights(2, 3))
def f_roll_tuple(x): return np.sum(np.roll(x, shift=(1, 2), axis=(0, 1)) ** 2 * weights(2, 3))
def f_rot90(x): return np.sum(np.rot90(x) ** 2 * weights(3, 2))
def f_rot90_k(x): return np.sum(np.rot90(x, 3) ** 2 * weights(3, 2))
def f_rot90_axes(x): return np.sum(np.rot90(x, k=2, axes=(1, 2)) ** 2 * weights(2, 3, 4))
def f_pad(x): return np.sum(np.pad(x, 1) ** 2 * weights(4, 5))
def f_pad_widths(x): return np.sum(np.pad(x, ((1, 0), (2, 1))) ** 2 * weights(3, 6))
def f_pad_constant(x): return np.sum(np.pad(x, 1, constant_values=2.0) ** 2 * weights(4, 5))
def f_pad_edge(x): return np.sum(np.pad(x, (2, 1), mode='edge') ** 2 * weights(5, 6))
def f_pad_reflect(x): return np.sum(np.pad(x, 2, 'reflect') ** 2 * weights(6, 7))
def f_pad_symmetric(x): return np.sum(np.pad(x, ((1, 2), (3, 1)), 'symmetric') ** 2 * weights(5, 7))
def f_pad_wrap(x): return np.sum(np.pad(x, 4, mode='wrap') ** 2 * weights(10, 11))
def f_pad_value(x, c): return np.sum(np.pad(x, (1, 2), constant_values=c) ** 2 * weights(5, 6))
def f_pad_value_only(c): return np.sum(np.pad(C2, 1, constant_values=c) ** 2 * weights(4, 5))
def f_pad_1d(x): return np.sum(np.pad(x, (0, 3), 'edge') ** 3 * weights(6))


def pad_value_args(rng):
    return rng.uniform(-1, 1, size=(2, 3)), float(rng.uniform(0.5, 1.5))


ROWS = [
    (f_expand_dims, arr(2, 3), 0), (f_expand_dims_tuple, arr(2, 3), 0),
    (f_expand_dims_scalar, scalar, 0),
    (f_swapaxes, arr(2, 3, 4), 0), (f_swapaxes_kw, arr(2, 3), 0),
    (f_swapaxes_method, arr(2, 3), 0),
    (f_transpose_axes_kw, arr(2, 3, 4), 0), (f_transpose_axes_list, arr(2, 3), 0),
    (f_transpose_axes_none, arr(2, 3, 4), 0), (f_transpose_method_tuple, arr(2, 3, 4), 0),
    (f_transpose_negative, arr(2, 3, 4), 0), (f_transpose_negative_kw, arr(2, 3, 4), 0),
    *([(f_mT, arr(2, 3, 4), 0)] if hasattr(np.ndarray, 'mT') else []),
    (f_reshape_F, arr(6), 0), (f_reshape_F_positional, arr(2, 3), 0), (f_ravel_F, arr(2, 3), 0),
    (f_flatten_F, arr(3, 2), 0), (f_ravel_A_of_T, arr(2, 3), 0), (f_ravel_K_of_T, arr(2, 3), 0),
    (f_moveaxis, arr(2, 3, 4), 0), (f_moveaxis_many, arr(2, 3, 4), 0),
    (f_rollaxis, arr(2, 3, 4), 0), (f_rollaxis_start, arr(2, 3, 4), 0),
    (f_rollaxis_back, arr(2, 3, 4), 0), (f_rollaxis_keywords, arr(2, 3, 4), 0),
    (f_moveaxis_kw, arr(2, 3, 4), 0),
    (f_broadcast_to, arr(3), 0), (f_broadcast_to_ones, arr(2, 1, 3), 0),
    (f_broadcast_to_kw, arr(1, 1), 0), (f_broadcast_to_scalar, scalar, 0),
    (f_atleast_1d, arr(3), 0), (f_atleast_1d_scalar, scalar, 0),
    (f_atleast_2d, arr(3), 0), (f_atleast_2d_scalar, scalar, 0),
    (f_atleast_3d, arr(2, 3), 0), (f_atleast_3d_1d, arr(3), 0),
    (f_atleast_3d_same, arr(2, 1, 3), 0),
    (f_concatenate, arr(3), 0), (f_concatenate_axis, arr(2, 2), 0),
    (f_concatenate_neg, arr(2, 2), 0), (f_concatenate_none, arr(3, 2), 0),
    (f_concatenate_two, two((2, 3), (1, 3)), (0, 1)), (f_concatenate_dtype, arr(2, 2), 0),
    (f_vstack_loop, arr(2, 3), 0), (f_split_loop, arr(4, 3), 0),
    (f_hstack, arr(3), 0), (f_hstack_2d, arr(2, 2), 0), (f_hstack_scalar, scalar, 0),
    (f_vstack, arr(3), 0), (f_vstack_2d, arr(2, 3), 0), (f_vstack_scalar, scalar, 0),
    (f_column_stack, arr(3), 0), (f_column_stack_2d, arr(3, 1), 0),
    (f_column_stack_two, two((3, 2), (3,)), (0, 1)),
    (f_dstack_1d, arr(3), 0), (f_dstack_2d, arr(2, 3), 0),
    (f_dstack_3d, two((2, 3, 1), (2, 3, 2)), (0, 1)), (f_dstack_scalar, arr(2), 0),
    (f_split, arr(4, 3), 0), (f_split_unused, arr(2, 4), 0), (f_split_kw, arr(2, 3), 0),
    (f_array_split, arr(8), 0), (f_array_split_axis, arr(2, 4), 0),
    (f_tile, arr(2, 3), 0), (f_tile_2d, arr(2, 3), 0), (f_tile_more, arr(2, 3), 0),
    (f_tile_scalar, scalar, 0),
    (f_repeat, arr(2, 3), 0), (f_repeat_axis, arr(2, 3), 0), (f_repeat_counts, arr(2, 3), 0),
    (f_repeat_counts_flat, arr(2, 3), 0), (f_repeat_method, arr(2, 3), 0),
    (f_repeat_method_kw, arr(2), 0), (f_repeat_scalar, scalar, 0),
    (f_flip, arr(2, 3), 0), (f_flip_axis, arr(2, 3), 0), (f_flip_axes, arr(2, 3, 2), 0),
    (f_fliplr, arr(2, 3), 0), (f_flipud, arr(2, 3), 0),
    (f_roll, arr(2, 3), 0), (f_roll_axis, arr(2, 3), 0), (f_roll_tuple, arr(2, 3), 0),
    (f_rot90, arr(2, 3), 0), (f_rot90_k, arr(2, 3), 0), (f_rot90_axes, arr(2, 3, 4), 0),
    (f_pad, arr(2, 3), 0), (f_pad_widths, arr(2, 3), 0), (f_pad_constant, arr(2, 3), 0),
    (f_pad_edge, arr(2, 3), 0), (f_pad_reflect, arr(2, 3), 0),
    (f_pad_symmetric, arr(2, 3), 0), (f_pad_wrap, arr(2, 3), 0),
    (f_pad_value, pad_value_args, (0, 1)), (f_pad_value_only, scalar, 0),
    (f_pad_1d, arr(3), 0),
    (f_vsplit, arr(4, 3), 0), (f_vsplit_list, arr(4, 2, 2), 0), (f_vsplit_kw, arr(3, 3), 0),
    (f_hsplit, arr(3, 4), 0), (f_hsplit_list, arr(2, 4), 0), (f_hsplit_1d, arr(6), 0),
    (f_hsplit_3d, arr(2, 4, 3), 0), (f_hsplit, arr32(3, 4), 0),
    (f_dsplit, arr(2, 3, 4), 0), (f_dsplit_list, arr(2, 2, 4), 0),
    (f_row_stack, with_row_stack(arr(3)), 0),
    (f_append, arr(2, 3), 0), (f_append_values, arr(3), 0),
    (f_append_axis, two((2, 3), (1, 3)), (0, 1)), (f_append_axis_kw, arr(2, 3), 0),
    (f_append_scalar, append_scalar_args, (0, 1)), (f_append_kw, arr(2, 1), 0),
    (f_append, arr32(2, 3), 0),
    (f_partition, arr(5), 0), (f_partition_axis, arr(3, 4), 0),
    (f_partition_kths, arr(2, 5), 0), (f_partition_none, arr(2, 3), 0),
    (f_partition_kw, arr(2, 3), 0), (f_partition_axis, arr32(3, 4), 0),
    (f_nan_to_num, arr(2, 3), 0), (f_nan_to_num_inf, arr(2, 3, lo=0.5, hi=1.5), 0),
    (f_nan_to_num_kw, arr(2, 3, lo=-1.5, hi=-0.5), 0),
    (f_nan_to_num_values, nan_to_num_args, (0, 1)),
    (f_nan_to_num, arr32(2, 3), 0),
    (f_astype_float, arr(2, 3), 0), (f_astype_name, arr(2, 3), 0),
    (f_astype_kw, arr(2, 3), 0), (f_astype_up, arr32(2, 3), 0),
    (f_astype_same32, arr32(2, 3), 0),
    (f_astype_int, away_from_integers(2, 3), 0), (f_astype_int32, away_from_integers(2, 3), 0),
    (f_astype_bool, arr(2, 3), 0),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


@pytest.mark.parametrize('func', FUNCTIONS, ids=lambda f: f.__name__)
def test_both_rules_registered(func):
    assert rules.lookup_adjoint(func) is not None
    assert rules.lookup_tangent(func) is not None


def test_every_function_has_a_row():
    sources = ' '.join(open(__file__).read().split('ROWS = [')[0].split('\ndef ')[1:])
    for func in FUNCTIONS:
        assert f'np.{func.__name__}(' in sources, func.__name__


def test_method_forms():
    assert rules.METHODS['swapaxes'] is np.swapaxes
    assert rules.METHODS['repeat'] is np.repeat
    assert 'astype' in rules.METHODS


def test_row_stack_registered_where_numpy_has_it():
    if not hasattr(np, 'row_stack'):
        pytest.skip(f'np.row_stack is gone in NumPy {np.__version__}')
    assert rules.lookup_adjoint(np.row_stack) is not None
    assert rules.lookup_tangent(np.row_stack) is not None


# -- loud failures ---------------------------------------------------------------------------

def f_pad_mean(x): return np.sum(np.pad(x, 1, mode='mean') * weights(4, 5))
def f_pad_odd(x): return np.sum(np.pad(x, 1, mode='reflect', reflect_type='odd') * weights(4, 5))
def f_pad_pairs(x, c): return np.sum(np.pad(x, 1, constant_values=(c, 2.0 * c)) * weights(4, 5))


def f_atleast_several(x, y):
    a, b = np.atleast_1d(x, y)
    return np.sum(a * weights(3)) + np.sum(b * weights(3))


def f_atleast_several_second(x, y):
    a, b = np.atleast_2d(y, x)
    return np.sum(a * weights(1, 3)) + np.sum(b * weights(1, 3))


@pytest.mark.parametrize('f', [f_pad_mean, f_pad_odd])
@pytest.mark.parametrize('mode', ['grad', 'jvp'])
def test_unsupported_pad_is_loud(f, mode):
    x = np.ones((2, 3))
    with pytest.raises(NotImplementedError):
        if mode == 'grad':
            s2sgrad.grad(f)(x)
        else:
            s2sgrad.jvp(f)(x, np.ones((2, 3)))


def test_pad_constant_pairs_is_loud():
    with pytest.raises(NotImplementedError):
        s2sgrad.grad(f_pad_pairs, wrt=1)(np.ones((2, 3)), 0.5)
    with pytest.raises(NotImplementedError):
        s2sgrad.jvp(f_pad_pairs, wrt=1)(np.ones((2, 3)), 0.5, 1.0)


@pytest.mark.parametrize('f', [f_atleast_several, f_atleast_several_second])
@pytest.mark.parametrize('wrt', [0, 1])
def test_atleast_of_several_arrays_is_loud(f, wrt):
    args = (np.ones(3), np.ones(3))
    with pytest.raises(NotImplementedError):
        s2sgrad.grad(f, wrt=wrt)(*args)
    with pytest.raises(NotImplementedError):
        s2sgrad.jvp(f, wrt=wrt)(*args, np.ones(3))


def test_generated_code_is_readable():
    source = s2sgrad.grad(f_roll_axis).source
    assert 'unroll(' in source
    source = s2sgrad.grad(f_concatenate).source
    assert "unjoin(" in source
