"""scipy.stats.multivariate_normal.logpdf and .pdf with the covariances SciPy takes besides a
matrix (a number, the diagonal as a vector, the default 1) and with ``allow_singular=True`` of
a singular covariance (SciPy's pseudo-inverse and pseudo-determinant; -inf outside its
range). The first were refused, the second crashed with numpy's LinAlgError (autograd's
test_scipy.py::test_mvn_sing_cov). Checked against SciPy's values, central differences and
closed forms."""
import numpy as np
import pytest

import s2sgrad

st = pytest.importorskip('scipy.stats')

X = np.array([0.3, -0.2, 0.9])
MEAN = np.array([0.1, 0.5, -0.1])
SINGULAR = np.diag([1.0, 2.0, 0.0])


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


def default_cov(x, mean):
    return st.multivariate_normal.logpdf(x, mean)


def number_cov(x, mean):
    return st.multivariate_normal.logpdf(x, mean, 2.0)


def diagonal_cov(x, mean):
    return st.multivariate_normal.logpdf(x, mean, np.array([0.5, 2.0, 1.5]))


def pdf_of_a_number_cov(x, mean):
    return st.multivariate_normal.pdf(x, mean, 0.7) * 10.0


def singular(x, mean):
    inside = np.concatenate([x[:2], mean[2:]])  # (on the covariance's range around the mean)
    return st.multivariate_normal.logpdf(inside, mean, SINGULAR, allow_singular=True)


def singular_pdf(x, mean):
    inside = np.concatenate([x[:2], mean[2:]])
    return st.multivariate_normal.pdf(inside, mean, SINGULAR, allow_singular=True)


def points_singular(x):
    points = np.stack([x, x * 2.0, np.concatenate([x[:2] * -1.0, [0.0]])])
    points[:, 2] = 0.0
    return np.sum(st.multivariate_normal.logpdf(points, np.zeros(3), SINGULAR,
                                                allow_singular=True))


REGULAR = [default_cov, number_cov, diagonal_cov, pdf_of_a_number_cov]


@pytest.mark.parametrize('f', REGULAR, ids=lambda f: f.__name__)
def test_covariances_besides_a_matrix(f):
    dx, dmean = s2sgrad.grad(f, wrt=(0, 1))(X, MEAN)
    assert np.allclose(dx, numeric_grad(lambda x: f(x, MEAN), X), rtol=1e-6, atol=1e-9)
    assert np.allclose(dmean, numeric_grad(lambda m: f(X, m), MEAN), rtol=1e-6, atol=1e-9)
    t = np.array([0.2, -0.7, 0.4])
    assert np.isclose(s2sgrad.jvp(f)(X, MEAN, t), dx @ t, rtol=1e-8)


def test_singular_covariance_closed_form():
    # the density lives on the first two coordinates: -(x - m) / variance there, 0 off them
    dx, dmean = s2sgrad.grad(singular, wrt=(0, 1))(X, MEAN)
    on_range = -(X[:2] - MEAN[:2]) / np.array([1.0, 2.0])
    assert np.allclose(dx, np.r_[on_range, 0.0])
    assert np.allclose(dmean, np.r_[-on_range, 0.0])
    scale = singular_pdf(X, MEAN)
    assert np.allclose(s2sgrad.grad(singular_pdf)(X, MEAN), scale * np.r_[on_range, 0.0])
    t = np.array([1.0, 0.5, 3.0])
    assert np.isclose(s2sgrad.jvp(singular)(X, MEAN, t), on_range @ t[:2])


def test_singular_covariance_over_points():
    expected = numeric_grad(points_singular, np.array([0.4, -0.3, 0.0]))
    got = s2sgrad.grad(points_singular)(np.array([0.4, -0.3, 0.0]))
    assert np.allclose(got, expected, rtol=1e-6, atol=1e-9)


def test_definitions_compute_what_scipy_computes():
    from s2sgrad.templates.definitions import multivariate_normal_logpdf as mine
    for args, kwargs in [((X, MEAN), {}), ((X, MEAN, 2.0), {}), ((X, MEAN, [0.5, 2.0, 1.5]), {}),
                         ((X, None, 2.0), {}), ((0.3, None, 2.0), {}),
                         ((np.stack([X, MEAN]), MEAN, 2.0), {}),
                         ((np.r_[X[:2], MEAN[2]], MEAN, SINGULAR), {'allow_singular': True}),
                         ((X, MEAN, SINGULAR), {'allow_singular': True}),  # (outside: -inf)
                         ((np.stack([X, np.r_[X[:2], MEAN[2]]]), MEAN, SINGULAR),
                          {'allow_singular': True})]:
        assert np.allclose(mine(*args, **kwargs),
                           st.multivariate_normal.logpdf(*args, **kwargs)), (args, kwargs)


def numbers_as_points(x):
    return np.sum(st.multivariate_normal.logpdf(x, cov=2.0) * np.array([1.0, 2.0, 3.0]))


def test_numbers_as_one_dimensional_points():
    # without a mean, a number covariance makes each number of x a point of its own (SciPy)
    expected = -X / 2.0 * np.array([1.0, 2.0, 3.0])
    assert np.allclose(s2sgrad.grad(numbers_as_points)(X), expected)
    assert np.isclose(s2sgrad.jvp(numbers_as_points)(X, np.ones(3)), np.sum(expected))
