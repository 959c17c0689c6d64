"""Gradients of NumPy code on dask arrays, computed on a ``dask.distributed`` cluster.

The test starts a ``LocalCluster`` of two worker processes on this machine (once for the
module), builds each gradient lazily (under a scheduler that refuses to run, as in
tests/test_dask.py), then computes it on the cluster and compares with NumPy: a representative
part of the function corpus (layers, reductions, broadcasting, subscripts, loops, calls, lists)
in reverse and forward mode. What runs on the workers is dask's graph of NumPy calls and
s2sgrad's runtime helpers, so this also checks that everything in it travels between processes.
"""
import numpy as np
import pytest

import s2sgrad

da = pytest.importorskip('dask.array', reason="dask is not installed (pip install -e '.[dask]')")
distributed = pytest.importorskip(
    'distributed', reason="dask.distributed is not installed (pip install -e '.[dask]')")
dask = pytest.importorskip('dask')

import test_dask  # noqa: E402  (tests/ is on sys.path: pytest's rootdir-relative imports)

pytestmark = pytest.mark.filterwarnings(
    'error:The `numpy.* function is not implemented by Dask array:FutureWarning')

SUBSET = [
    'stack_rows', 'tuple_unpack', 'aug_subscript', 'mat_times_row', 'div_broadcast_both',
    'pow_array_exponent', 'matmul_chain', 'normalize_rows', 'outer_via_none', 'leaky_loop_ifexp',
    'for_rows', 'rnn_scalar_weight', 'while_halving', 'calls_helper_tuple', 'closure_active',
    'list_append', 'array_of_nested_lists', 'slice_reverse_step', 'none_index', 'fancy_index',
    'assign_rows', 'float32_tanh_layer', 'method_reshape_forms', 'max_min_pair', 'column_std',
    'mlp_loss', 'logistic_loss', 'batch_norm_like', 'attention_scores', 'rnn_matrix',
]
"""Corpus cases run on the cluster: one or two of each kind of program in the corpus."""

CASES = [case for case in test_dask.CASES if case[0].__name__ in SUBSET]


@pytest.fixture(scope='module')
def client():
    """A client of a two-process LocalCluster on this machine, for the whole module."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_the_subset_is_in_the_corpus():
    assert sorted(case[0].__name__ for case in CASES) == sorted(SUBSET)


def _on_the_cluster(client, values):
    """`values` computed by the cluster's workers (which must have run tasks where there was
    something lazy to compute: a function that makes NumPy arrays of its dask values, as
    ``np.array([...])`` of items does, gets NumPy gradients, as it would without s2sgrad)."""
    with distributed.get_task_stream(client) as stream:
        results = dask.compute(*values)
    if any(dask.is_dask_collection(value) for value in values):
        assert stream.data, 'nothing ran on the workers'
    return results


@pytest.mark.parametrize('func, make, wrt', CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_on_the_cluster(client, func, make, wrt):
    args = make(np.random.default_rng(0))
    lazy_args = [test_dask._lazy(a) for a in args]
    expected = test_dask._tuple(s2sgrad.grad(func, wrt=wrt)(*args))
    got, _ = test_dask._lazily(
        func, lazy_args, lambda: test_dask._tuple(s2sgrad.grad(func, wrt=wrt)(*lazy_args)))
    for value, reference in zip(_on_the_cluster(client, got), expected):
        test_dask._assert_equal(value, reference)


@pytest.mark.parametrize('func, make, wrt', CASES, ids=[c[0].__name__ for c in CASES])
def test_tangent_on_the_cluster(client, func, make, wrt):
    args = make(np.random.default_rng(0))
    tangents = test_dask._random_tangents(func, wrt, args)
    expected = test_dask._jvp(func, wrt, args, tangents)
    lazy_args = [test_dask._lazy(a) for a in args]
    lazy_tangents = tuple(test_dask._lazy(t) for t in tangents)
    got, _ = test_dask._lazily(
        func, lazy_args, lambda: test_dask._jvp(func, wrt, lazy_args, lazy_tangents))
    (value,) = _on_the_cluster(client, [got])
    test_dask._assert_equal(value, expected)
