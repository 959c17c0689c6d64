"""Rules of SciPy's special functions (``scipy.special``), registered only when SciPy imports."""
import math

import numpy as np

from s2sgrad.runtime_errors import unsupported
from s2sgrad.rules import adjoint, d, elementwise, nondifferentiable, partials, tangent
from s2sgrad.runtime import unbroadcast, unreduce

from .arithmetic import _unwrap, _where, xdivy  # noqa: F401 (used by the rules)

try:  # SciPy is optional: without it, only the NumPy part of this module registers anything
    import scipy.special
    from scipy.special import (  # noqa: F401 (used by the rules)
        betaln, cosdg, digamma, expit, gamma, gammaln, i0, i0e, i1, i1e, iv, ive, j0, j1, jv, k0,
        k1, kv, log1p, polygamma, sindg, xlog1py, xlogy, y0, y1, yn, zeta)
except ImportError:
    scipy = None


def _scipy(*names):
    """The functions `names` of scipy.special that exist (none without SciPy), to register."""
    if scipy is None:
        return ()
    return tuple(getattr(scipy.special, name) for name in names
                 if hasattr(scipy.special, name))


def no_derivative(function, argument, tangent=None):
    """Raise: the derivative of `function` in `argument` is not supported (correct or loud)."""
    raise unsupported(
        f's2sgrad has no derivative of scipy.special.{function} in its argument {argument!r}; '
        f'keep that argument constant (its derivative is not implemented)')


def plain_logsumexp(g, return_sign=False):
    """`g`, once checked that logsumexp was called without ``return_sign=True``."""
    if return_sign:
        raise unsupported(
            's2sgrad differentiates scipy.special.logsumexp(a, axis, b=..., keepdims=...) but '
            'not with return_sign=True (a pair of results); with positive weights the sign is '
            '1: leave return_sign out')
    return g


# -- the normal density and its derivatives: ndtr's, erf's ----------------------------------

def normal_density(x, order=0):
    """The `order`-th derivative of the standard normal density at `x`, ``(-1) ** order *
    He(order, x) * exp(-x ** 2 / 2) / sqrt(2 pi)`` (the probabilists' Hermite polynomial): 0
    where `x` is infinite, its limit (``-x * np.exp(-x ** 2 / 2)`` is nan there, which made
    the second derivatives of ``ndtr`` at infinite cut points nan)."""
    with np.errstate(invalid='ignore', over='ignore'):
        value = np.exp(-x * x / 2) / np.sqrt(2 * np.pi)
        if order == 0:
            return value
        previous, current = 1.0, x
        for k in range(1, order):  # He(k + 1, x) = x He(k, x) - k He(k - 1, x)
            previous, current = current, x * current - k * previous
        value = (-1) ** order * current * value
    value = np.where(np.isinf(x), np.zeros_like(value), value)
    return value[()] if np.ndim(value) == 0 else value


@adjoint(normal_density)
def normal_density_adjoint(ans, x, order=0):
    d[x] = unbroadcast(d[ans] * normal_density(x, order + 1), x)


@tangent(normal_density)
def normal_density_tangent(ans, x, order=0):
    d[ans] = d[x] * normal_density(x, order + 1)


# -- SciPy elementwise functions of one argument: their derivative in `x` and `ans` ----------

DERIVATIVES = {
    'expit': 'ans * (1 - ans)',
    'logit': '1 / (x * (1 - x))',
    'log_expit': 'expit(-x)',
    'softplus': 'expit(x)',
    'erf': '2 * np.sqrt(2) * normal_density(np.sqrt(2) * x)',  # (2 / sqrt(pi) exp(-x ** 2))
    'erfc': '-2 * np.sqrt(2) * normal_density(np.sqrt(2) * x)',
    'erfcx': '2 * x * ans - 2 / np.sqrt(np.pi)',
    'erfinv': 'np.sqrt(np.pi) / 2 * np.exp(ans ** 2)',
    'erfcinv': '-np.sqrt(np.pi) / 2 * np.exp(ans ** 2)',
    'ndtr': 'normal_density(x)',
    'log_ndtr': 'np.exp(-x ** 2 / 2 - ans) / np.sqrt(2 * np.pi)',
    'ndtri': 'np.sqrt(2 * np.pi) * np.exp(ans ** 2 / 2)',
    'gamma': 'ans * digamma(x)',
    'gammaln': 'digamma(x)',
    'digamma': 'zeta(2, x)',  # the trigamma function polygamma(1, x), as a ufunc (lazy)
    'entr': '-np.log(x) - 1',
    'expm1': 'ans + 1',
    'log1p': '1 / (1 + x)',
    'exp2': 'ans * np.log(2.0)',
    'exp10': 'ans * np.log(10.0)',
    'cbrt': '1 / (3 * ans ** 2)',
    'loggamma': 'digamma(x)',  # (real x > 0)
    'dawsn': '1 - 2 * x * ans',
    'spence': 'np.where(x == 1, -1.0, np.log(x) / (1 - x))',  # (its limit -1 at x = 1)
    'gammasgn': '0.0',  # piecewise constant (the sign of gamma)
    # Bessel functions of order 0 and 1 (the forms of order 1 are finite at x == 0)
    'j0': '-j1(x)',
    'j1': '(j0(x) - jv(2, x)) / 2',
    'y0': '-y1(x)',
    'y1': '(y0(x) - yn(2, x)) / 2',
    'i0': 'i1(x)',
    'i1': '(i0(x) + iv(2, x)) / 2',
    'i0e': 'i1e(x) - np.sign(x) * ans',  # i0e(x) = i0(x) exp(-|x|)
    'i1e': '(i0e(x) + ive(2, x)) / 2 - np.sign(x) * ans',
    'k0': '-k1(x)',
    'k1': '-(k0(x) + kv(2, x)) / 2',
}

for _name, _derivative in DERIVATIVES.items():
    for _func in _scipy(_name):
        elementwise(_func, _derivative, label=_name)

if scipy is not None:  # the math module's gamma functions: their derivatives need digamma
    elementwise(math.gamma, 'ans * digamma(x)', label='gamma')
    elementwise(math.lgamma, 'digamma(x)', label='lgamma')


# -- reductions and normalisations along an axis ------------------------------------------

@adjoint(*_scipy('logsumexp'))
def logsumexp_adjoint(ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    # ans = log(sum(b * exp(a))): its partials are b * exp(a - ans) in a, exp(a - ans) in b.
    d[a] = unreduce(plain_logsumexp(d[ans], return_sign), a, axis, keepdims) * \
        np.exp(a - unreduce(ans, a, axis, keepdims)) if b is None else \
        unbroadcast(unreduce(plain_logsumexp(d[ans], return_sign), a, axis, keepdims) *
                    np.exp(a - unreduce(ans, a, axis, keepdims)) * b, a)
    d[b] = unbroadcast(unreduce(plain_logsumexp(d[ans], return_sign), a, axis, keepdims) *
                       np.exp(a - unreduce(ans, a, axis, keepdims)), b)


@tangent(*_scipy('logsumexp'))
def logsumexp_tangent(ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    d[ans] = np.sum(plain_logsumexp(d[a], return_sign) *
                    np.exp(a - unreduce(ans, a, axis, keepdims)) * (1 if b is None else b),
                    axis=axis, keepdims=keepdims)
    d[ans] = np.sum(plain_logsumexp(d[b], return_sign) *
                    np.exp(a - unreduce(ans, a, axis, keepdims)), axis=axis, keepdims=keepdims)


@adjoint(*_scipy('softmax'))
def softmax_adjoint(ans, x, axis=None):
    d[x] = ans * (d[ans] - np.sum(d[ans] * ans, axis=axis, keepdims=True))


@tangent(*_scipy('softmax'))
def softmax_tangent(ans, x, axis=None):
    d[ans] = ans * (d[x] - np.sum(d[x] * ans, axis=axis, keepdims=True))


@adjoint(*_scipy('log_softmax'))
def log_softmax_adjoint(ans, x, axis=None):
    d[x] = d[ans] - np.exp(ans) * np.sum(d[ans], axis=axis, keepdims=True)


@tangent(*_scipy('log_softmax'))
def log_softmax_tangent(ans, x, axis=None):
    d[ans] = d[x] - np.sum(np.exp(ans) * d[x], axis=axis, keepdims=True)


# -- functions of two arguments ------------------------------------------------------------

@adjoint(*_scipy('polygamma'))
def polygamma_adjoint(ans, n, x):
    d[n] = no_derivative('polygamma', 'n')
    d[x] = unbroadcast(d[ans] * polygamma(n + 1, x), x)


@tangent(*_scipy('polygamma'))
def polygamma_tangent(ans, n, x):
    d[ans] = no_derivative('polygamma', 'n', d[n])
    d[ans] = d[x] * polygamma(n + 1, x)


@adjoint(*_scipy('zeta'))
def zeta_adjoint(ans, x, q=None):
    d[x] = no_derivative('zeta', 'x')
    d[q] = unbroadcast(d[ans] * -x * zeta(x + 1, q), q)


@tangent(*_scipy('zeta'))
def zeta_tangent(ans, x, q=None):
    d[ans] = no_derivative('zeta', 'x', d[x])
    d[ans] = d[q] * -x * zeta(x + 1, q)


# declared by their partial derivatives
partials(*_scipy('xlogy'), x='np.log(y)', y='xdivy(x, y)')  # 0 where x == 0 (xlogy(0, y) is 0)
partials(*_scipy('xlog1py'), x='log1p(y)', y='xdivy(x, 1 + y)')
# (the slope in x at x == 0, -inf, is 0 there as xlogy's: a zero entry of a probability made
# of others, ``rel_entr(p, q)`` with ``p = x ** 2 / np.sum(x ** 2)``, has its chain rule's 0)
partials(*_scipy('rel_entr'), x='np.where(x == 0, 0.0, np.log(np.where(x == 0, y, x) / y) + 1)',
         y='-xdivy(x, y)')
partials(*_scipy('kl_div'), x='np.where(x == 0, 0.0, np.log(np.where(x == 0, y, x) / y))',
         y='(1 - xdivy(x, y))')
partials(*_scipy('betaln'), a='(digamma(a) - digamma(a + b))', b='(digamma(b) - digamma(a + b))')
partials(*_scipy('beta'), a='ans * (digamma(a) - digamma(a + b))',
         b='ans * (digamma(b) - digamma(a + b))')


def gamma_density(a, x, k, log_gamma_a):
    """The k-th derivative in `x` of the gamma density ``x ** (a - 1) * exp(-x) / gamma(a)``
    (the derivative of ``gammainc(a, x)``; `log_gamma_a` is ``gammaln(a)``), term by term:
    ``(a - 1) ... (a - k) * x ** (a - 1 - k) * exp(-x) / gamma(a)``, 0 where the coefficient is
    (also at x == 0, where the power reads inf: the second derivative of gammainc(2, x) is 1
    there). The next derivative of the term is the term of k + 1 less this one."""
    coefficient = 1.0
    for i in range(1, k + 1):
        coefficient = coefficient * (a - i)
    power = a - 1 - k
    with np.errstate(divide='ignore', over='ignore', invalid='ignore'):
        log_power = _where(power == 0, 0.0, power * np.log(x))  # (xlogy: 0 log 0 is 0)
        term = coefficient * np.exp(log_power - x - log_gamma_a)
        return _unwrap(_where(coefficient == 0, 0.0, term))


partials(gamma_density, a="no_derivative('gammainc', 'a')",
         x='gamma_density(a, x, k + 1, log_gamma_a) - gamma_density(a, x, k, log_gamma_a)',
         k=None, log_gamma_a=None)


@adjoint(*_scipy('gammainc'))
def gammainc_adjoint(ans, a, x):
    d[a] = no_derivative('gammainc', 'a')
    d[x] = unbroadcast(d[ans] * gamma_density(a, x, 0, gammaln(a)), x)


@tangent(*_scipy('gammainc'))
def gammainc_tangent(ans, a, x):
    d[ans] = no_derivative('gammainc', 'a', d[a])
    d[ans] = d[x] * gamma_density(a, x, 0, gammaln(a))


@adjoint(*_scipy('gammaincc'))
def gammaincc_adjoint(ans, a, x):
    d[a] = no_derivative('gammaincc', 'a')
    d[x] = unbroadcast(-d[ans] * gamma_density(a, x, 0, gammaln(a)), x)


@tangent(*_scipy('gammaincc'))
def gammaincc_tangent(ans, a, x):
    d[ans] = no_derivative('gammaincc', 'a', d[a])
    d[ans] = -d[x] * gamma_density(a, x, 0, gammaln(a))


# Bessel functions of real order v: no derivative in the order
partials(*_scipy('iv'), v="no_derivative('iv', 'v')", z='(iv(v - 1, z) + iv(v + 1, z)) / 2')
partials(*_scipy('ive'), v="no_derivative('ive', 'v')",  # ive(v, z) = iv(v, z) exp(-|z|)
         z='(ive(v - 1, z) + ive(v + 1, z)) / 2 - np.sign(z) * ans')
partials(*_scipy('jv'), v="no_derivative('jv', 'v')", z='(jv(v - 1, z) - jv(v + 1, z)) / 2')
# (yn's: the recurrence without the order n - 1, which is -1 for n == 0, where CuPy's yn
# gives nan; SciPy's reflects it)
partials(*_scipy('yn'), n="no_derivative('yn', 'n')", x='n / x * ans - yn(n + 1, x)')
partials(*_scipy('kv'), v="no_derivative('kv', 'v')", z='-(kv(v - 1, z) + kv(v + 1, z)) / 2')

# the regularized incomplete beta function: d/dx = x^(a-1) (1-x)^(b-1) / beta(a, b), in logs
# (finite for large a, b; xlogy gives 0 at x == 0 for a == 1); a, b: no closed form in SciPy
partials(*_scipy('betainc'), a="no_derivative('betainc', 'a')",
         b="no_derivative('betainc', 'b')",
         x='np.exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))')


# functions of an angle in degrees: d/dx = pi / 180 times the derivative in radians
partials(*_scipy('sindg'), x='cosdg(x) * (np.pi / 180)')
partials(*_scipy('cosdg'), x='-sindg(x) * (np.pi / 180)')
partials(*_scipy('tandg'), x='(1 + ans * ans) * (np.pi / 180)')
partials(*_scipy('cotdg'), x='-(1 + ans * ans) * (np.pi / 180)')
if scipy is not None:  # (NumPy's Bessel function of order 0: its derivative is SciPy's i1)
    partials(np.i0, x='i1(x)')


# Student's t distribution function: d/dt is the density (its gamma functions as betaln,
# which keeps its digits for large df; df = inf, the normal density, read as df = 1e300);
# df: no closed form
partials(*_scipy('stdtr'), df="no_derivative('stdtr', 'df')",
         t='np.exp(-betaln(np.minimum(df, 1e300) / 2, 0.5) - np.log(np.minimum(df, 1e300)) / 2 '
           '- (np.minimum(df, 1e300) + 1) / 2 * log1p(t * t / np.minimum(df, 1e300)))')


# 1 / gamma(x): d/dx = -rgamma(x) digamma(x), which reads 0 * inf at the poles x = 0, -1, -2, ...
# of gamma. For x < 1/2 the rules use the reflection formula rgamma(x) = sin(pi x) gamma(1 - x) / pi
# instead: d/dx = gamma(1 - x) cos(pi x) - rgamma(x) digamma(1 - x), finite there ((-1)^k k! at
# x = -k) and smooth around them, so second order holds there too. Each branch gets an argument
# where it is finite (np.where computes both).
@adjoint(*_scipy('rgamma'))
def rgamma_adjoint(ans, x):
    left = np.less(x, 0.5)  # (a NumPy bool for a number x: CuPy's where takes no Python bool)
    r = np.where(left, x, 0.0)
    right = np.where(left, 1.0, x)
    d[x] = d[ans] * np.where(left, gamma(1 - r) * np.cos(np.pi * r) - ans * digamma(1 - r),
                             -ans * digamma(right))


@tangent(*_scipy('rgamma'))
def rgamma_tangent(ans, x):
    left = np.less(x, 0.5)
    r = np.where(left, x, 0.0)
    right = np.where(left, 1.0, x)
    d[ans] = d[x] * np.where(left, gamma(1 - r) * np.cos(np.pi * r) - ans * digamma(1 - r),
                             -ans * digamma(right))


# log of the multivariate gamma function: sum_{j < d} gammaln(a - j / 2) + constant, so d/da =
# sum_{j < d} digamma(a - j / 2); the dimension d (an integer) has no derivative. (The rules
# name it `dim`: `d` is the adjoint.)
@adjoint(*_scipy('multigammaln'))
def multigammaln_adjoint(ans, a, dim):
    d[dim] = no_derivative('multigammaln', 'd')
    d[a] = d[ans] * sum(digamma(a - j / 2) for j in range(dim))


@tangent(*_scipy('multigammaln'))
def multigammaln_tangent(ans, a, dim):
    d[ans] = no_derivative('multigammaln', 'd', d[dim])
    d[ans] = d[a] * sum(digamma(a - j / 2) for j in range(dim))


# -- rules of the helpers above, so that generated gradients can be differentiated again ----

@adjoint(plain_logsumexp)
def plain_logsumexp_adjoint(ans, g, return_sign=False):
    d[g] = d[ans]


@tangent(plain_logsumexp)
def plain_logsumexp_tangent(ans, g, return_sign=False):
    d[ans] = d[g]


nondifferentiable(no_derivative)
