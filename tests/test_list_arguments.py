"""A list or tuple of differentiated numbers passed straight to an array function
(``np.sort([a, b, c])``, ``np.clip(xs, 0, 1)``, ``np.einsum('i,i->', xs, w)``): NumPy reads
it as ``np.asarray(xs)``, and so must the rule's expressions, which read it as an array;
the derivative in the list is still one adjoint per item. These raised a bare TypeError or
AttributeError in the generated code (``'list' object has no attribute 'ndim'``). Checked
against central differences, in both modes, for lists made by a display, a tuple display and
``append`` in a loop."""
import numpy as np
import pytest

import effects_state_module
import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError

try:
    import scipy.special as sp
except ImportError:  # (SciPy is optional: its case skips)
    sp = None

W = np.array([0.3, -1.2, 2.0, 0.7])
ARGS = (0.7, 1.1, 1.3, 0.45)


def sort_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.sort(xs) @ W


def sort_tuple(a, b, c, d):
    xs = (a, b * c, c, d)
    return np.sort(xs) @ W


def sort_appended(a, b, c, d):
    xs = []
    for v in (a, b * c, c, d):
        xs.append(v)
    return np.sort(xs) @ W


def clip_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.sum(np.clip(xs, 0.5, 1.5) * W)


def clip_display(a, b, c, d):
    return np.sum(np.clip([a, b * c, c, d], 0.5, 1.5) * W)


def maximum_tuple(a, b, c, d):
    xs = (a, b * c, c, d)
    return np.maximum(xs, 1.0) @ W


def minimum_of_two_lists(a, b, c, d):
    xs = [a, b * c, c, d]
    ys = [d, c, b, a]
    return np.minimum(xs, ys) @ W


def sinc_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.sinc(xs) @ W


def einsum_lists(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.einsum('i,j->ij', xs, xs).sum() + np.einsum('i,i->', xs, W)


def cumprod_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.cumprod(xs) @ W


def outer_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.outer(xs, W).sum() ** 2


def convolve_appended(a, b, c, d):
    xs = []
    for v in (a, b * c, c, d):
        xs.append(v)
    return np.convolve(xs, W).sum() ** 2


def median_appended(a, b, c, d):
    xs = []
    for v in (a, b * c, c, d):
        xs.append(v)
    return np.median(xs) + np.quantile(xs, 0.4)


def median_tuple(a, b, c, d):
    return np.median((a, b * c, c, d))


def repeat_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.repeat(xs, 2).sum() ** 2 + np.tile(xs, 2) @ np.tile(W, 2)


def norm_tuple(a, b, c, d):
    xs = (a, b * c, c, d)
    return np.linalg.norm(xs, 1) + np.linalg.norm(xs)


def hypot_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.hypot(xs, W) @ W + np.arctan2(xs, W) @ W


def partition_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.partition(xs, 2) @ W + np.ptp(xs)


def cross_list(a, b, c, d):
    xs = [a, b * c, c]
    return np.cross(xs, W[:3]) @ W[:3]


def det_of_reshaped_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.linalg.det(np.reshape(xs, (2, 2))) + np.trace(np.reshape(xs, (2, 2)))


def softmax_list(a, b, c, d):
    xs = [a, b * c, c, d]
    e = np.exp(xs - np.max(xs))
    return (e / np.sum(e)) @ W


def gradient_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.gradient(xs) @ W + np.average(xs, weights=W ** 2)


def where_list(a, b, c, d):
    xs = [a, b * c, c, d]
    return np.where(W > 0, xs, 0.0) @ W + np.fmax(xs, 1.0) @ W


def scipy_ufuncs_of_a_list(a, b, c, d):
    xs = [a, b * c * 0.3, c * 0.5, d]
    return np.sum(sp.erf(xs) * W) + np.sum(sp.logit(xs) * W) + np.sum(sp.log_ndtr(xs))


def arithmetic_with_lists(a, b, c, d):
    xs = [a, b * c, c, d]
    w = [2.0, 3.0, -1.0, 0.5]
    return np.sum((W - xs) ** 2) + np.sum(W / w * xs) + np.sum((np.abs(W) + 0.5) ** xs) + \
        np.sum(np.asarray(xs) ** w)


def definitions_of_a_list(a, b, c, d):
    xs = [a, b * c, c, d]
    ys = (d, c, b, a)
    return np.interp(1.3, [0.0, 1.0, 2.0, 3.0], xs) + np.polyval(ys, 0.7) + \
        np.heaviside(xs, 0.5) @ W * a + np.ldexp(xs, 2) @ W + np.correlate(xs, ys)[0]


CASES = [definitions_of_a_list, scipy_ufuncs_of_a_list, arithmetic_with_lists, sort_list,
         sort_tuple, sort_appended,
         clip_list, clip_display, maximum_tuple, minimum_of_two_lists, sinc_list, einsum_lists,
         cumprod_list, outer_list,
         convolve_appended, median_appended, median_tuple, repeat_list, norm_tuple, hypot_list,
         partition_list, cross_list, det_of_reshaped_list, softmax_list, gradient_list,
         where_list]


def central(f, eps=1e-6):
    out = []
    for i in range(len(ARGS)):
        up, down = list(ARGS), list(ARGS)
        up[i] += eps
        down[i] -= eps
        out.append((f(*up) - f(*down)) / (2 * eps))
    return np.array(out)


@pytest.mark.parametrize('f', CASES, ids=lambda f: f.__name__)
def test_reverse_mode(f):
    if f is scipy_ufuncs_of_a_list and sp is None:
        pytest.skip('SciPy is not installed')
    g = s2sgrad.grad(f, wrt=(0, 1, 2, 3))(*ARGS)
    np.testing.assert_allclose(np.array(g, dtype=float), central(f), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('f', CASES, ids=lambda f: f.__name__)
def test_forward_mode(f):
    if f is scipy_ufuncs_of_a_list and sp is None:
        pytest.skip('SciPy is not installed')
    df = s2sgrad.jvp(f, wrt=(0, 1, 2, 3))
    g = [float(df(*ARGS, tuple(float(i == j) for j in range(4)))) for i in range(4)]
    np.testing.assert_allclose(g, central(f), rtol=1e-6, atol=1e-7)


def test_the_rule_reads_the_list_as_an_array_and_gives_one_adjoint_per_item():
    source = s2sgrad.grad(sort_list, wrt=(0, 1, 2, 3)).source
    assert 's2s.unsort(' in source and 's2s.asarray(xs)' in source
    assert 's2s.as_items(' in source  # (the list's adjoint: one per item)


def test_a_stacked_list_is_still_read_item_by_item():
    def stacked(a, b, c, d):
        xs = [a, b * c, c, d]
        return np.sum(np.stack(xs) * W) + np.concatenate([xs, W]) @ np.arange(8.0)

    source = s2sgrad.grad(stacked, wrt=(0, 1, 2, 3)).source
    assert 's2s.asarray(xs)' not in source
    g = s2sgrad.grad(stacked, wrt=(0, 1, 2, 3))(*ARGS)
    np.testing.assert_allclose(np.array(g, dtype=float), central(stacked), rtol=1e-6,
                               atol=1e-7)


def sorted_copy(x):
    return np.sort(x)


def sorts_in_a_helper(x):
    return np.sum(sorted_copy(x) ** 3 * np.arange(3.0))


def test_a_helper_calling_a_module_function_named_like_a_method():
    """``np.sort(x)`` in a helper of yours is no ``.sort()`` of the global `np` (it was
    refused as a change in place of a global, in reverse mode and second order)."""
    x = np.array([0.3, -1.0, 2.0])
    g = s2sgrad.grad(sorts_in_a_helper)(x)
    order = np.argsort(x)
    expected = np.zeros(3)
    expected[order] = 3 * np.sort(x) ** 2 * np.arange(3.0)
    np.testing.assert_allclose(g, expected)
    h = s2sgrad.hessian(sorts_in_a_helper)(x)
    expected_h = np.zeros((3, 3))
    expected_h[order, order] = 6 * np.sort(x) * np.arange(3.0)
    np.testing.assert_allclose(h, expected_h)


def writes_into_a_module_array(x):
    effects_state_module.buf[0] = x[0] * 2.0
    return x[0]


def reads_what_a_helper_wrote(x):
    a = writes_into_a_module_array(x)
    return a * np.sum(effects_state_module.buf * x)


def test_a_helper_writing_into_a_modules_array_is_still_refused():
    """(a module is no method receiver, but an array it holds can be written into)"""
    with pytest.raises(UnsupportedSyntaxError, match='effects_state_module'):
        s2sgrad.grad(reads_what_a_helper_wrote)(np.array([0.3, 0.5, 0.7]))
