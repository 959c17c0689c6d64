"""Rules of SciPy's special functions (``scipy.special``), registered only when SciPy imports."""
import numpy as np

from s2sgrad.rules import adjoint, d, elementwise, nondifferentiable, partials, tangent
from s2sgrad.runtime import unbroadcast, unreduce

from .arithmetic import xdivy  # noqa: F401 (used by the rules)

try:  # SciPy is optional: without it, only the NumPy part of this module registers anything
    import scipy.special
    from scipy.special import digamma, expit, gammaln, log1p, polygamma, zeta  # noqa: F401
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
    raise NotImplementedError(
        f's2sgrad has no derivative of scipy.special.{function} in its argument {argument!r}; '
        f'keep that argument constant (its derivative is not implemented)')


def plain_logsumexp(g, b=None, return_sign=False):
    """`g`, once checked that logsumexp was called without `b=` weights or `return_sign=True`."""
    if b is not None or return_sign:
        raise NotImplementedError(
            's2sgrad differentiates scipy.special.logsumexp(a, axis, keepdims=...) only: '
            'the b= weights and return_sign=True are not supported; write '
            'logsumexp(a + np.log(b)) for positive weights')
    return g


# -- SciPy elementwise functions of one argument: their derivative in `x` and `ans` ----------

DERIVATIVES = {
    'expit': 'ans * (1 - ans)',
    'logit': '1 / (x * (1 - x))',
    'log_expit': 'expit(-x)',
    'softplus': 'expit(x)',
    'erf': '2 / np.sqrt(np.pi) * np.exp(-x ** 2)',
    'erfc': '-2 / np.sqrt(np.pi) * np.exp(-x ** 2)',
    'erfcx': '2 * x * ans - 2 / np.sqrt(np.pi)',
    'erfinv': 'np.sqrt(np.pi) / 2 * np.exp(ans ** 2)',
    'erfcinv': '-np.sqrt(np.pi) / 2 * np.exp(ans ** 2)',
    'ndtr': 'np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)',
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
}

for _name, _derivative in DERIVATIVES.items():
    for _func in _scipy(_name):
        elementwise(_func, _derivative, label=_name)


# -- reductions and normalisations along an axis ------------------------------------------

@adjoint(*_scipy('logsumexp'))
def logsumexp_adjoint(ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    d[a] = unreduce(plain_logsumexp(d[ans], b, return_sign), a, axis, keepdims) * \
        np.exp(a - unreduce(ans, a, axis, keepdims))


@tangent(*_scipy('logsumexp'))
def logsumexp_tangent(ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    d[ans] = np.sum(plain_logsumexp(d[a], b, return_sign) *
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
partials(*_scipy('rel_entr'), x='(np.log(x / y) + 1)', y='-xdivy(x, y)')
partials(*_scipy('kl_div'), x='np.log(x / y)', y='(1 - xdivy(x, y))')
partials(*_scipy('betaln'), a='(digamma(a) - digamma(a + b))', b='(digamma(b) - digamma(a + b))')
partials(*_scipy('beta'), a='ans * (digamma(a) - digamma(a + b))',
         b='ans * (digamma(b) - digamma(a + b))')


@adjoint(*_scipy('gammainc'))
def gammainc_adjoint(ans, a, x):
    d[a] = no_derivative('gammainc', 'a')
    d[x] = unbroadcast(d[ans] * np.exp((a - 1) * np.log(x) - x - gammaln(a)), x)


@tangent(*_scipy('gammainc'))
def gammainc_tangent(ans, a, x):
    d[ans] = no_derivative('gammainc', 'a', d[a])
    d[ans] = d[x] * np.exp((a - 1) * np.log(x) - x - gammaln(a))


@adjoint(*_scipy('gammaincc'))
def gammaincc_adjoint(ans, a, x):
    d[a] = no_derivative('gammaincc', 'a')
    d[x] = unbroadcast(-d[ans] * np.exp((a - 1) * np.log(x) - x - gammaln(a)), x)


@tangent(*_scipy('gammaincc'))
def gammaincc_tangent(ans, a, x):
    d[ans] = no_derivative('gammaincc', 'a', d[a])
    d[ans] = -d[x] * np.exp((a - 1) * np.log(x) - x - gammaln(a))


# -- rules of the helpers above, so that generated gradients can be differentiated again ----

@adjoint(plain_logsumexp)
def plain_logsumexp_adjoint(ans, g, b=None, return_sign=False):
    d[g] = d[ans]


@tangent(plain_logsumexp)
def plain_logsumexp_tangent(ans, g, b=None, return_sign=False):
    d[ans] = d[g]


nondifferentiable(no_derivative)
