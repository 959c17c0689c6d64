"""Rules of SciPy's special functions (spec table, stability at extreme inputs) and the
non-differentiable NumPy functions of templates/nondiff.py."""
import os
import subprocess
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad import rules

sys.path.insert(0, os.path.dirname(__file__))
import rulespec  # noqa: E402

special = s2sgrad.templates.scipy_special
W3 = np.array([0.7, -1.3, 2.1])
W23 = np.array([[0.7, -1.3, 2.1], [1.6, 0.4, -0.9]])
W2 = np.array([1.9, -0.6])


# -- non-differentiable functions: known, and adding nothing to gradients -------------------

NONDIFFERENTIABLE = (
    'shape argmax argmin argsort nonzero flatnonzero zeros ones eye identity '
    'zeros_like ones_like empty isfinite isnan isinf searchsorted digitize '
    'logical_and logical_or logical_not logical_xor equal greater less '
    'array_equal allclose isclose count_nonzero').split()

# Their values move with a float argument: rules (templates/constructors.py), or none (unique).
DIFFERENTIABLE = 'arange linspace full full_like bincount unique'.split()


@pytest.mark.parametrize('name', NONDIFFERENTIABLE)
def test_numpy_function_is_nondifferentiable(name):
    assert rules.is_nondifferentiable(getattr(np, name))


@pytest.mark.parametrize('name', DIFFERENTIABLE)
def test_constructor_moving_with_its_arguments_is_not_marked_nondifferentiable(name):
    assert not rules.is_nondifferentiable(getattr(np, name))


def random_normal_of(x):
    return np.sum(np.random.normal(x, 1.0))


def test_random_sampling_with_a_differentiated_parameter_raises_and_methods():
    assert rules.is_nondifferentiable(np.random.rand)
    assert not rules.is_nondifferentiable(np.random.normal)  # loc + scale * z moves with loc
    with pytest.raises(s2sgrad.errors.NoRuleError, match='normal'):
        s2sgrad.grad(random_normal_of)(np.ones(2))
    assert {'argmax', 'argmin', 'argsort', 'nonzero', 'any', 'all', 'searchsorted'} <= \
        rules.NONDIFFERENTIABLE_METHODS
    assert not {'item', 'tolist'} & rules.NONDIFFERENTIABLE_METHODS


EDGES = np.array([0.25, 0.75, 1.25])


def uses_nondifferentiable(x):
    mask = np.logical_xor(x > 0.5, x > 1.5)
    bins = np.digitize(x, EDGES)
    counts = np.bincount(bins, minlength=4)
    spots = np.searchsorted(EDGES, x)
    first = np.flatnonzero(mask)
    kinds = np.unique(bins)
    same = np.array_equal(bins, spots)
    near = np.isclose(x, 1.0)
    top = x.argmax() + x.argsort()[0] + np.argmin(x) + len(x.nonzero()[0])
    where = x.searchsorted(0.5)
    noise = np.random.default_rng(0).normal(size=3)
    flags = x.any() + x.all() + np.count_nonzero(near) + np.sum(np.isfinite(x))
    extra = np.sum(counts) + first.size + kinds.size + same + top + where + flags
    return np.sum(W3 * x ** 2 * mask) + np.sum(np.zeros(3) * noise) + extra


def test_nondifferentiable_calls_add_nothing():
    x = np.array([0.3, 1.1, 1.8])
    mask = np.logical_xor(x > 0.5, x > 1.5)
    expected = 2 * W3 * x * mask
    assert np.allclose(s2sgrad.grad(uses_nondifferentiable)(x), expected)
    assert np.allclose(s2sgrad.jvp(uses_nondifferentiable)(x, np.ones(3)), np.sum(expected))


def test_module_works_without_scipy(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(s2sgrad.__file__)))
    script = tmp_path / 'no_scipy.py'
    script.write_text(
        "import sys\n"
        "sys.modules['scipy'] = None  # import scipy now raises ImportError\n"
        "import numpy as np\n"
        "import s2sgrad\n"
        "assert s2sgrad.templates.scipy_special.scipy is None\n"
        "assert s2sgrad.rules.is_nondifferentiable(np.searchsorted)\n"
        "def f(x):\n"
        "    return np.sum(np.exp(x) * (np.argsort(x) > 0))\n"
        "g = s2sgrad.grad(f)(np.array([1.0, 2.0]))\n"
        "assert np.allclose(g, [0.0, np.exp(2.0)]), g\n")
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get('PYTHONPATH', ''))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            env=env, cwd=root)
    assert result.returncode == 0, result.stderr


# -- SciPy: spec table (reverse, forward and second order against central differences) -------

try:  # SciPy is optional: its tests skip without it (pytest.importorskip in `needs_scipy`)
    import scipy.special as sp
except ImportError:
    sp = None


@pytest.fixture
def needs_scipy():
    pytest.importorskip('scipy.special')


def positive(shape, low=0.5, high=3.0):
    return lambda rng: [rng.uniform(low, high, shape)]


def normal(shape, scale=1.0):
    return lambda rng: [scale * rng.standard_normal(shape)]


def unit(shape):
    return lambda rng: [rng.uniform(0.1, 0.9, shape)]


def two_positive(shape_x, shape_y, low=0.5, high=3.0):
    return lambda rng: [rng.uniform(low, high, shape_x), rng.uniform(low, high, shape_y)]


def scalar(low, high):
    return lambda rng: [float(rng.uniform(low, high))]


def logsumexp_all(x):
    return 1.7 * sp.logsumexp(x)


def logsumexp_axis(x):
    return np.sum(W2 * sp.logsumexp(x, axis=1))


def logsumexp_keepdims(x):
    return np.sum(W3 * sp.logsumexp(x, axis=0, keepdims=True))


def logsumexp_negative_axis(x):
    return np.sum(W2 * sp.logsumexp(x, axis=-1))


def logsumexp_axes(x):
    return np.sum(W2 * sp.logsumexp(x, axis=(1, 2)))


def logsumexp_weights(x):
    return 1.7 * sp.logsumexp(x, b=np.array([[0.5, 2.0, 1.0], [1.5, 0.25, 3.0]]))


def logsumexp_weights_broadcast(x):
    return np.sum(W2 * sp.logsumexp(x, axis=1, b=np.array([0.5, 2.0, 1.0])))


def logsumexp_weights_mixed_sign(x):
    return sp.logsumexp(x, b=np.array([2.0, -0.1, 1.5]))  # (a positive sum)


def logsumexp_weights_scalar(x):
    return np.sum(W3 * sp.logsumexp(x, axis=0, b=2.5, keepdims=True))


def logsumexp_weights_with_zero(x):
    return sp.logsumexp(x, b=np.array([1.0, 0.0, 2.0]))


def logsumexp_weights_differentiated(x, b):
    return np.sum(W2 * sp.logsumexp(x, axis=-1, b=b))


def logsumexp_weights_wider(x, b):
    return np.sum(W2 * sp.logsumexp(x, axis=1, b=b))  # x (2, 1) against b (2, 3)


def softmax_all(x):
    return np.sum(W23 * sp.softmax(x))


def softmax_axis(x):
    return np.sum(W23 * sp.softmax(x, axis=1))


def softmax_axis0(x):
    return np.sum(W23 * sp.softmax(x, axis=0))


def log_softmax_all(x):
    return np.sum(W23 * sp.log_softmax(x))


def log_softmax_axis(x):
    return np.sum(W23 * sp.log_softmax(x, axis=-1))


def expit_(x):
    return np.sum(W3 * sp.expit(x))


def expit_scalar(x):
    return 1.3 * sp.expit(x)


def logit_(x):
    return np.sum(W3 * sp.logit(x))


def log_expit_(x):
    return np.sum(W3 * sp.log_expit(x))


def softplus_(x):
    return np.sum(W3 * sp.softplus(x))


def erf_(x):
    return np.sum(W3 * sp.erf(x))


def erf_scalar(x):
    return 0.8 * sp.erf(x)


def erfc_(x):
    return np.sum(W3 * sp.erfc(x))


def erfcx_(x):
    return np.sum(W3 * sp.erfcx(x))


def erfinv_(x):
    return np.sum(W3 * sp.erfinv(x))


def erfcinv_(x):
    return np.sum(W3 * sp.erfcinv(x))


def ndtr_(x):
    return np.sum(W3 * sp.ndtr(x))


def log_ndtr_(x):
    return np.sum(W3 * sp.log_ndtr(x))


def ndtri_(x):
    return np.sum(W3 * sp.ndtri(x))


def gamma_(x):
    return np.sum(W3 * sp.gamma(x))


def gammaln_(x):
    return np.sum(W23 * sp.gammaln(x))


def gammaln_scalar(x):
    return 1.1 * sp.gammaln(x)


def digamma_(x):
    return np.sum(W3 * sp.digamma(x))


def psi_(x):
    return np.sum(W3 * sp.psi(x))


def polygamma_1(x):
    return np.sum(W3 * sp.polygamma(1, x))


def polygamma_2(x):
    return np.sum(W3 * sp.polygamma(2, x))


def polygamma_scalar(x):
    return 0.9 * sp.polygamma(1, x)


def zeta_hurwitz(q):
    return np.sum(W3 * sp.zeta(3.0, q))


def zeta_scalar(q):
    return 0.9 * sp.zeta(2, q)


def entr_(x):
    return np.sum(W3 * sp.entr(x))


def expm1_(x):
    return np.sum(W3 * sp.expm1(x))


def log1p_(x):
    return np.sum(W3 * sp.log1p(x))


def exp2_(x):
    return np.sum(W3 * sp.exp2(x))


def exp10_(x):
    return np.sum(W3 * sp.exp10(x))


def cbrt_(x):
    return np.sum(W3 * sp.cbrt(x))


def loggamma_(x):
    return np.sum(W3 * sp.loggamma(x))


def dawsn_(x):
    return np.sum(W3 * sp.dawsn(x))


def spence_(x):
    return np.sum(W3 * sp.spence(x))


def spence_at_one(x):
    return sp.spence(x[0] * 0.0 + 1.0) + sp.spence(x[1])  # (its derivative's limit at 1)


def xlogy_(x, y):
    return np.sum(W23 * sp.xlogy(x, y))


def xlogy_scalar(x, y):
    return 1.2 * sp.xlogy(x, y)


def xlog1py_(x, y):
    return np.sum(W23 * sp.xlog1py(x, y))


def rel_entr_(x, y):
    return np.sum(W23 * sp.rel_entr(x, y))


def kl_div_(x, y):
    return np.sum(W23 * sp.kl_div(x, y))


def betaln_(a, b):
    return np.sum(W23 * sp.betaln(a, b))


def beta_(a, b):
    return np.sum(W23 * sp.beta(a, b))


def gammainc_(a, x):
    return np.sum(W3 * sp.gammainc(a, x))


def gammaincc_(a, x):
    return np.sum(W3 * sp.gammaincc(a, x))


V23 = np.array([[0.5], [1.5]])  # orders, broadcast against arguments of shape (3,)
N23 = np.array([[0], [2]])      # integer orders


def iv_(z):
    return np.sum(W3 * sp.iv(1.5, z))


def iv_integer_order(z):
    return np.sum(W3 * sp.iv(2, z))  # defined for negative z too


def iv_orders(z):
    return np.sum(W23 * sp.iv(V23, z))


def iv_scalar(z):
    return 0.8 * sp.iv(0.5, z)


def ive_(z):
    return np.sum(W3 * sp.ive(1.5, z))


def ive_integer_order(z):
    return np.sum(W3 * sp.ive(1, z))


def ive_orders(z):
    return np.sum(W23 * sp.ive(V23, z))


def ive_scalar(z):
    return 0.8 * sp.ive(2.5, z)


def jv_(z):
    return np.sum(W3 * sp.jv(1.3, z))


def jv_integer_order(z):
    return np.sum(W3 * sp.jv(3, z))


def jv_orders(z):
    return np.sum(W23 * sp.jv(V23, z))


def jv_scalar(z):
    return 0.8 * sp.jv(0.5, z)


def yn_(x):
    return np.sum(W3 * sp.yn(2, x))


def yn_orders(x):
    return np.sum(W23 * sp.yn(N23, x))


def yn_scalar(x):
    return 0.8 * sp.yn(1, x)


def kv_(z):
    return np.sum(W3 * sp.kv(1.5, z))


def kv_orders(z):
    return np.sum(W23 * sp.kv(V23, z))


def kv_scalar(z):
    return 0.8 * sp.kv(0, z)


def j0_(x):
    return np.sum(W3 * sp.j0(x))


def j0_scalar(x):
    return 0.8 * sp.j0(x)


def j1_(x):
    return np.sum(W3 * sp.j1(x))


def j1_scalar(x):
    return 0.8 * sp.j1(x)


def y0_(x):
    return np.sum(W3 * sp.y0(x))


def y0_scalar(x):
    return 0.8 * sp.y0(x)


def y1_(x):
    return np.sum(W3 * sp.y1(x))


def y1_scalar(x):
    return 0.8 * sp.y1(x)


def i0_(x):
    return np.sum(W3 * sp.i0(x))


def i0_scalar(x):
    return 0.8 * sp.i0(x)


def i1_(x):
    return np.sum(W3 * sp.i1(x))


def i1_scalar(x):
    return 0.8 * sp.i1(x)


def i0e_(x):
    return np.sum(W3 * sp.i0e(x))


def i0e_scalar(x):
    return 0.8 * sp.i0e(x)


def i1e_(x):
    return np.sum(W3 * sp.i1e(x))


def i1e_scalar(x):
    return 0.8 * sp.i1e(x)


def k0_(x):
    return np.sum(W3 * sp.k0(x))


def k0_scalar(x):
    return 0.8 * sp.k0(x)


def k1_(x):
    return np.sum(W3 * sp.k1(x))


def k1_scalar(x):
    return 0.8 * sp.k1(x)


def gammasgn_(x):
    return np.sum(W3 * sp.gammasgn(x) * x ** 2)


def gammasgn_scalar(x):
    return sp.gammasgn(x) * np.sin(x)


def rgamma_(x):
    return np.sum(W3 * sp.rgamma(x))


def rgamma_scalar(x):
    return 0.8 * sp.rgamma(x)


def multigammaln_(a):
    return np.sum(W3 * sp.multigammaln(a, 3))


def multigammaln_matrix(a):
    return np.sum(W23 * sp.multigammaln(a, 2))


def multigammaln_scalar(a):
    return 0.8 * sp.multigammaln(a, 4)


def betainc_(x):
    return np.sum(W3 * sp.betainc(2.5, 1.5, x))


def betainc_shapes(x):
    return np.sum(W23 * sp.betainc(V23 + 1.0, np.array([0.7, 2.0, 1.0]), x))


def betainc_scalar(x):
    return 0.8 * sp.betainc(1.0, 3.0, x)


def away_from_integers(shape, low, high):
    """Uniform in [low, high], moved to the middle of the nearest interval between integers
    where a point falls within 0.1 of one (the poles of gamma, the jumps of gammasgn)."""
    def make(rng):
        x = rng.uniform(low, high, shape)
        near = np.abs(x - np.round(x)) < 0.1
        return [np.where(near, np.floor(x) + 0.5, x)]
    return make


ROWS = [
    (logsumexp_all, normal((2, 3)), 0),
    (logsumexp_axis, normal((2, 3)), 0),
    (logsumexp_keepdims, normal((2, 3)), 0),
    (logsumexp_negative_axis, normal((2, 3)), 0),
    (logsumexp_axes, normal((2, 3, 2)), 0),
    (logsumexp_weights, normal((2, 3)), 0),
    (logsumexp_weights_broadcast, normal((2, 3)), 0),
    (logsumexp_weights_mixed_sign, normal((3,)), 0),
    (logsumexp_weights_scalar, normal((2, 3)), 0),
    (logsumexp_weights_with_zero, normal((3,)), 0),
    (logsumexp_weights_differentiated, lambda rng: [rng.normal(size=(2, 3)),
                                                    rng.uniform(0.5, 2.0, (2, 3))], (0, 1)),
    (logsumexp_weights_wider, lambda rng: [rng.normal(size=(2, 1)),
                                           rng.uniform(0.5, 2.0, (2, 3))], (0, 1)),
    (softmax_all, normal((2, 3)), 0),
    (softmax_axis, normal((2, 3)), 0),
    (softmax_axis0, normal((2, 3)), 0),
    (log_softmax_all, normal((2, 3)), 0),
    (log_softmax_axis, normal((2, 3)), 0),
    (expit_, normal(3, 2.0), 0),
    (expit_scalar, scalar(-3, 3), 0),
    (logit_, unit(3), 0),
    (log_expit_, normal(3, 2.0), 0),
    (softplus_, normal(3, 2.0), 0),
    (erf_, normal(3), 0),
    (erf_scalar, scalar(-2, 2), 0),
    (erfc_, normal(3), 0),
    (erfcx_, normal(3), 0),
    (erfinv_, lambda rng: [rng.uniform(-0.8, 0.8, 3)], 0),
    (erfcinv_, lambda rng: [rng.uniform(0.2, 1.8, 3)], 0),
    (ndtr_, normal(3), 0),
    (log_ndtr_, normal(3, 3.0), 0),
    (ndtri_, unit(3), 0),
    (gamma_, positive(3), 0),
    (gammaln_, positive((2, 3)), 0),
    (gammaln_scalar, scalar(0.5, 3), 0),
    (digamma_, positive(3), 0),
    (psi_, positive(3), 0),
    (polygamma_1, positive(3), 0),
    (polygamma_2, positive(3), 0),
    (polygamma_scalar, scalar(0.5, 3), 0),
    (zeta_hurwitz, positive(3), 0),
    (zeta_scalar, scalar(0.5, 3), 0),
    (entr_, positive(3), 0),
    (expm1_, normal(3), 0),
    (log1p_, positive(3, -0.5, 2.0), 0),
    (exp2_, normal(3), 0),
    (exp10_, normal(3), 0),
    (cbrt_, positive(3), 0),
    (loggamma_, positive(3), 0), (dawsn_, normal((3,)), 0), (spence_, positive(3), 0),
    (spence_at_one, positive(2), 0),
    (xlogy_, two_positive((2, 3), (2, 3)), (0, 1)),
    (xlogy_, two_positive(3, (2, 3)), (0, 1)),
    (xlogy_scalar, lambda rng: [1.3, 0.7], (0, 1)),
    (xlog1py_, two_positive((2, 3), 3), (0, 1)),
    (rel_entr_, two_positive((2, 3), (2, 3)), (0, 1)),
    (kl_div_, two_positive((2, 3), (2, 3)), (0, 1)),
    (betaln_, two_positive((2, 3), (2, 3)), (0, 1)),
    (beta_, two_positive((2, 3), 3), (0, 1)),
    (gammainc_, two_positive(3, 3), 1),
    (gammaincc_, two_positive(3, 3), 1),
    (iv_, positive(3), 0),
    (iv_integer_order, normal(3, 2.0), 0),
    (iv_orders, positive(3), 0),
    (iv_scalar, scalar(0.5, 3), 0),
    (ive_, positive(3), 0),
    (ive_, positive(3, 200.0, 800.0), 0),  # where iv itself overflows at 710
    (ive_integer_order, lambda rng: [np.array([-2.3, -0.4, 1.7])], 0),
    (ive_orders, positive(3), 0),
    (ive_scalar, scalar(0.5, 3), 0),
    (jv_, positive(3), 0),
    (jv_integer_order, normal(3, 3.0), 0),
    (jv_orders, positive(3, 0.5, 8.0), 0),
    (jv_scalar, scalar(0.5, 3), 0),
    (yn_, positive(3), 0),
    (yn_orders, positive(3, 0.5, 8.0), 0),
    (yn_scalar, scalar(0.5, 3), 0),
    (kv_, positive(3), 0),
    (kv_orders, positive(3), 0),
    (kv_scalar, scalar(0.5, 3), 0),
    (j0_, normal(3, 3.0), 0),
    (j0_scalar, scalar(-5, 5), 0),
    (j1_, normal(3, 3.0), 0),
    (j1_, lambda rng: [np.array([0.0, 1e-3, -2.0])], 0),  # the form finite at 0
    (j1_scalar, scalar(-5, 5), 0),
    (y0_, positive(3, 0.5, 8.0), 0),
    (y0_scalar, scalar(0.5, 8), 0),
    (y1_, positive(3, 0.5, 8.0), 0),
    (y1_scalar, scalar(0.5, 8), 0),
    (i0_, normal(3, 2.0), 0),
    (i0_scalar, scalar(-3, 3), 0),
    (i1_, normal(3, 2.0), 0),
    (i1_, lambda rng: [np.array([0.0, 1e-3, -2.0])], 0),
    (i1_scalar, scalar(-3, 3), 0),
    (i0e_, normal(3, 2.0), 0),
    (i0e_, positive(3, 200.0, 800.0), 0),
    (i0e_scalar, scalar(0.5, 3), 0),
    (i1e_, normal(3, 2.0), 0),
    (i1e_, positive(3, 200.0, 800.0), 0),
    (i1e_scalar, scalar(-3, -0.5), 0),
    (k0_, positive(3), 0),
    (k0_scalar, scalar(0.5, 3), 0),
    (k1_, positive(3), 0),
    (k1_scalar, scalar(0.5, 3), 0),
    (gammasgn_, away_from_integers(3, -3.0, 3.0), 0),
    (gammasgn_scalar, lambda rng: [-2.5], 0),
    (rgamma_, positive(3), 0),
    (rgamma_, away_from_integers(3, -4.0, 0.5), 0),
    (rgamma_, lambda rng: [np.array([0.0, -1.0, -3.0])], 0),  # the poles of gamma
    (rgamma_scalar, scalar(-3, 3), 0),
    (multigammaln_, positive(3, 1.5, 4.0), 0),
    (multigammaln_matrix, positive((2, 3), 1.0, 4.0), 0),
    (multigammaln_scalar, scalar(2, 4), 0),
    (betainc_, unit(3), 0),
    (betainc_shapes, unit((2, 3)), 0),
    (betainc_shapes, unit(3), 0),
    (betainc_scalar, scalar(0.1, 0.9), 0),
]


@pytest.mark.usefixtures('needs_scipy')
@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


@pytest.mark.usefixtures('needs_scipy')
def test_every_scipy_rule_has_both_modes():
    names = list(special.DERIVATIVES) + [
        'logsumexp', 'softmax', 'log_softmax', 'polygamma', 'xlogy', 'xlog1py', 'rel_entr',
        'kl_div', 'betaln', 'beta', 'gammainc', 'gammaincc', 'zeta', 'iv', 'ive', 'jv',
        'yn', 'kv', 'rgamma', 'multigammaln', 'betainc']
    tested = {row[0].__name__ for row in ROWS}
    for name in names:
        func = getattr(sp, name)
        assert rules.lookup_adjoint(func) is not None, name
        assert rules.lookup_tangent(func) is not None, name
        assert any(t == name + '_' or t.startswith(name + '_') for t in tested), name


# -- correct or loud: unsupported arguments raise NotImplementedError -------------------------

def logsumexp_signed(x):
    return sp.logsumexp(x, return_sign=True)[0]


def polygamma_order(n, x):
    return np.sum(sp.polygamma(n, x))


def gammainc_shape(a, x):
    return np.sum(sp.gammainc(a, x))


def zeta_exponent(s, q):
    return np.sum(sp.zeta(s, q))


def iv_order(v, z):
    return np.sum(sp.iv(v, z))


def ive_order(v, z):
    return np.sum(sp.ive(v, z))


def jv_order(v, z):
    return np.sum(sp.jv(v, z))


def yn_order(n, x):
    return np.sum(sp.yn(n, x))


def kv_order(v, z):
    return np.sum(sp.kv(v, z))


def betainc_a(a, x):
    return np.sum(sp.betainc(a, 2.0, x / 2))  # x / 2 in (0, 1)


def betainc_b(b, x):
    return np.sum(sp.betainc(2.0, b, x / 2))


@pytest.mark.usefixtures('needs_scipy')
@pytest.mark.parametrize('f', [logsumexp_signed])
def test_logsumexp_options_are_loud(f):
    x = np.array([0.1, 0.5, -0.3])
    with pytest.raises(NotImplementedError, match='logsumexp'):
        s2sgrad.grad(f)(x)
    with pytest.raises(NotImplementedError, match='logsumexp'):
        s2sgrad.jvp(f)(x, np.ones(3))


@pytest.mark.usefixtures('needs_scipy')
@pytest.mark.parametrize('f', [polygamma_order, gammainc_shape, zeta_exponent, iv_order,
                               ive_order, jv_order, yn_order, kv_order, betainc_a, betainc_b],
                         ids=lambda f: f.__name__)
def test_derivative_in_discrete_or_shape_argument_is_loud(f):
    args = (np.array([1.0, 2.0]), np.array([0.5, 1.5]))
    with pytest.raises(NotImplementedError, match='no derivative'):
        s2sgrad.grad(f, wrt=0)(*args)
    with pytest.raises(NotImplementedError, match='no derivative'):
        s2sgrad.jvp(f, wrt=0)(*args, np.ones(2))
    assert np.all(np.isfinite(s2sgrad.grad(f, wrt=1)(*args)))


def multigammaln_dimension(a, dim):
    return np.sum(sp.multigammaln(a, dim))


@pytest.mark.usefixtures('needs_scipy')
def test_multigammaln_dimension_is_loud():
    a = np.array([2.5, 3.5])
    with pytest.raises(NotImplementedError, match='no derivative'):
        s2sgrad.grad(multigammaln_dimension, wrt=1)(a, 3)  # (SciPy takes integers only)
    with pytest.raises(NotImplementedError, match='no derivative'):
        s2sgrad.jvp(multigammaln_dimension, wrt=1)(a, 3, 1)
    expected = sum(sp.digamma(a - j / 2) for j in range(3))
    assert np.allclose(s2sgrad.grad(multigammaln_dimension, wrt=0)(a, 3), expected)


# -- values at special points, against closed forms -------------------------------------------

POLES = np.array([0.0, -1.0, -2.0, -3.0, -4.0])


def rgamma_sum(x):
    return np.sum(sp.rgamma(x))


@pytest.mark.usefixtures('needs_scipy')
def test_rgamma_derivative_at_the_poles_of_gamma():
    # rgamma(x) = 1 / gamma(x) is 0 at x = -k; its derivative there is (-1)^k k!, and its
    # second derivative -2 (-1)^k k! digamma(k + 1) (from the reflection formula)
    k = -POLES
    sign = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    first = sign * sp.factorial(k)
    second = -2 * sign * sp.factorial(k) * sp.digamma(k + 1)
    with np.errstate(all='raise'):
        assert np.allclose(s2sgrad.grad(rgamma_sum)(POLES), first, rtol=1e-12, atol=0)
        assert np.allclose(s2sgrad.jvp(rgamma_sum)(POLES, np.ones(5)), np.sum(first))
        v = np.array([0.3, -0.2, 0.5, 1.0, 0.7])
        assert np.allclose(s2sgrad.hvp(rgamma_sum)(POLES, v), second * v, rtol=1e-10)
    x = np.array([1.0, 2.0, 3.0, 0.5, -0.5])  # the two forms meet at 0.5; gamma(1 - x) is
    with np.errstate(all='raise'):           # infinite at 1, 2, 3 (not used there)
        g = s2sgrad.grad(rgamma_sum)(x)
    assert np.allclose(g, -sp.rgamma(x) * sp.digamma(x), rtol=1e-12, atol=1e-300)


def j1_i1_sum(x):
    return np.sum(sp.j1(x) + 2.0 * sp.i1(x))


@pytest.mark.usefixtures('needs_scipy')
def test_bessel_order_one_at_zero():
    # j1'(0) = i1'(0) = 1/2; j1''(0) = i1''(0) = 0
    x = np.array([0.0, 1.0])
    with np.errstate(all='raise'):
        g = s2sgrad.grad(j1_i1_sum)(x)
        hv = s2sgrad.hvp(j1_i1_sum)(x, np.ones(2))
    assert np.allclose(g[0], 1.5, rtol=1e-14)
    assert np.allclose(g[1], sp.j0(1.0) - sp.j1(1.0) + 2 * (sp.i0(1.0) - sp.i1(1.0)))
    assert hv[0] == 0.0


def scaled_bessel_sum(x):
    return np.sum(sp.i0e(x) + sp.i1e(x) + sp.ive(2.5, x))


@pytest.mark.usefixtures('needs_scipy')
def test_exponentially_scaled_bessel_stable_for_large_arguments():
    # iv(v, x) overflows beyond x ~ 710; its scaled form, and the derivative of that, do not.
    # Expected: the derivative of the asymptotic series ive(v, x) ~ (2 pi x)^(-1/2) (1 - (m - 1)
    # / (8x) + (m - 1)(m - 9) / (2! (8x)^2) - ...), m = 4 v^2 (DLMF 10.40.1), to 1e-12 here.
    x = np.array([1e3, 1e5, 1e7])
    with np.errstate(all='raise'):
        g = s2sgrad.grad(scaled_bessel_sum)(x)
        hv = s2sgrad.hvp(scaled_bessel_sum)(x, np.ones(3))
    expected = 0.0
    for v in (0.0, 1.0, 2.5):
        m = 4 * v * v
        terms = [1, -(m - 1) / 8, (m - 1) * (m - 9) / 128, -(m - 1) * (m - 9) * (m - 25) / 3072]
        expected = expected + sum(-(k + 0.5) * t * x ** -(k + 1.5)
                                  for k, t in enumerate(terms)) / np.sqrt(2 * np.pi)
    assert np.all(np.isfinite(hv)) and np.all(hv > 0)  # (the series is convex there)
    assert np.allclose(g, expected, rtol=1e-8, atol=0)


def betainc_sum(x):
    return np.sum(sp.betainc(300.0, 200.0, x))


@pytest.mark.usefixtures('needs_scipy')
def test_betainc_density_stable_for_large_parameters():
    # x^(a-1) (1-x)^(b-1) underflows and beta(a, b) is 0 in floating point; the density is not
    x = np.array([0.55, 0.6, 0.65])
    g = s2sgrad.grad(betainc_sum)(x)
    from scipy import stats
    assert np.allclose(g, stats.beta.pdf(x, 300.0, 200.0), rtol=1e-9)


# -- numerical stability at extreme inputs ----------------------------------------------------

EXTREME = np.array([-1000.0, -100.0, -3.0, 0.0, 2.0, 100.0, 1000.0])
WEIGHTS = np.array([0.7, -1.3, 2.1, 0.4, -0.8, 1.5, 0.9])


def user_softplus(x):
    return np.sum(WEIGHTS[1:-1] * np.log(1 + np.exp(x)))


@pytest.mark.usefixtures('needs_scipy')
def test_user_written_softplus_is_stable_up_to_100():
    # At x = 1000 exp(x) overflows in the primal already (np.log(1 + np.exp(1000)) is inf), so
    # its gradient (1 / (1 + inf)) * inf is nan there: expected, the user's formula is at fault.
    # Use scipy.special.softplus or np.logaddexp(0, x) for such inputs.
    x = EXTREME[1:-1]
    with np.errstate(over='ignore'):
        g = s2sgrad.grad(user_softplus)(x)
    assert np.all(np.isfinite(g))
    assert np.allclose(g, WEIGHTS[1:-1] * sp.expit(x), rtol=1e-12, atol=0)


def scipy_softplus(x):
    return np.sum(WEIGHTS * sp.softplus(x))


def log_expit_sum(x):
    return np.sum(WEIGHTS * sp.log_expit(x))


def expit_sum(x):
    return np.sum(WEIGHTS * sp.expit(x))


def logaddexp_sum(x):
    return np.sum(WEIGHTS * np.logaddexp(0.0, x))


def log_ndtr_sum(x):
    return np.sum(WEIGHTS * sp.log_ndtr(x))


def closed_form(name, x):
    s = sp.expit(x)
    return {
        'scipy_softplus': WEIGHTS * s,
        'logaddexp_sum': WEIGHTS * s,
        'log_expit_sum': WEIGHTS * sp.expit(-x),
        'expit_sum': WEIGHTS * s * (1 - s),
        'log_ndtr_sum': WEIGHTS * np.sqrt(2 / np.pi) / sp.erfcx(-x / np.sqrt(2)),
    }[name]


@pytest.mark.usefixtures('needs_scipy')
@pytest.mark.parametrize('f', [scipy_softplus, log_expit_sum, expit_sum, logaddexp_sum,
                               log_ndtr_sum], ids=lambda f: f.__name__)
def test_elementwise_stable_at_extremes(f):
    if f is logaddexp_sum and rules.lookup_adjoint(np.logaddexp) is None:
        pytest.skip('np.logaddexp has no rule yet')
    expected = closed_form(f.__name__, EXTREME)
    g = s2sgrad.grad(f)(EXTREME)
    assert np.all(np.isfinite(g))
    assert np.allclose(g, expected, rtol=1e-10, atol=1e-300)
    forward = s2sgrad.jvp(f)(EXTREME, np.ones_like(EXTREME))
    assert np.isfinite(forward) and np.isclose(forward, np.sum(expected), rtol=1e-10)


X2 = np.array([[-1000.0, 0.0, 1000.0], [100.0, -100.0, 99.0]])


def logsumexp_rows(x):
    return np.sum(W2 * sp.logsumexp(x, axis=1))


def softmax_rows(x):
    return np.sum(W23 * sp.softmax(x, axis=1))


def log_softmax_rows(x):
    return np.sum(W23 * sp.log_softmax(x, axis=1))


@pytest.mark.usefixtures('needs_scipy')
def test_reductions_stable_at_extremes():
    s = sp.softmax(X2, axis=1)
    expected = {
        logsumexp_rows: W2[:, None] * s,
        softmax_rows: s * (W23 - np.sum(W23 * s, axis=1, keepdims=True)),
        log_softmax_rows: W23 - s * np.sum(W23, axis=1, keepdims=True),
    }
    for f, closed in expected.items():
        g = s2sgrad.grad(f)(X2)
        assert np.all(np.isfinite(g)), f.__name__
        assert np.allclose(g, closed, rtol=1e-12, atol=1e-300), f.__name__
        v = np.array([[0.3, -0.2, 0.5], [1.0, 0.1, -0.7]])
        forward = s2sgrad.jvp(f)(X2, v)
        assert np.isfinite(forward) and np.isclose(forward, np.sum(closed * v)), f.__name__
        assert np.all(np.isfinite(s2sgrad.hvp(f)(X2, v))), f.__name__


@pytest.mark.usefixtures('needs_scipy')
def test_logsumexp_of_everything_stable():
    x = np.array([-1000.0, 1000.0, 999.0])
    g = s2sgrad.grad(logsumexp_all)(x)
    assert np.allclose(g, 1.7 * sp.softmax(x), rtol=1e-12, atol=0)


# -- functions of angles in degrees, Student's t distribution function, NumPy's i0 ------------

def degrees_(x):
    return np.sum(W23[0] * (sp.sindg(40.0 * x) + sp.cosdg(30.0 * x) ** 2 +
                            sp.tandg(20.0 * x) + sp.cotdg(20.0 * x + 45.0)))


def stdtr_(x):
    return np.sum(W23[0] * sp.stdtr(3.5, 2.0 * x)) + sp.stdtr(1.0, x[0] * 0.0) * x[1]


def numpy_i0(x):
    return np.sum(W23[1] * np.i0(2.0 * x) ** 2)


ANGLE_ROWS = [(degrees_, normal(3), 0), (stdtr_, normal(3), 0), (numpy_i0, normal(3), 0)]


@pytest.mark.usefixtures('needs_scipy')
@pytest.mark.parametrize('f, make_args, wrt', ANGLE_ROWS, ids=rulespec.ids(ANGLE_ROWS))
def test_angles_in_degrees_stdtr_and_i0(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


def stdtr_degrees_of_freedom(x):
    return np.sum(sp.stdtr(x + 3.0, 0.5))


@pytest.mark.usefixtures('needs_scipy')
def test_stdtr_in_its_degrees_of_freedom_is_refused():
    with pytest.raises(s2sgrad.errors.S2SError, match="stdtr in its argument .df."):
        s2sgrad.grad(stdtr_degrees_of_freedom)(np.array([0.5, 1.5]))
