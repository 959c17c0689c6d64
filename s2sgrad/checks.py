"""Numerical gradient checks: compare s2sgrad's gradients with central differences."""

import inspect
import numbers

import numpy as np

__all__ = ['check_grads', 'numerical_grad']


# ----------------------------------------------------------------------------- helpers

def _param_names(f):
    try:
        return list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        return None


def _resolve_one(f, names, nargs, item):
    if isinstance(item, str):
        if names is None or item not in names:
            raise ValueError(f'check_grads: {_fname(f)} has no parameter named {item!r}'
                             + (f' (parameters: {", ".join(names)})' if names else ''))
        return names.index(item)
    if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Integral):
        raise TypeError(f'check_grads: wrt entries must be ints or parameter names, got {item!r}')
    index = int(item)
    if index < 0:
        index += nargs
    if not 0 <= index < nargs:
        raise ValueError(f'check_grads: wrt={item!r} is out of range for {nargs} argument(s)')
    return index


def _resolve_wrt(f, args, wrt):
    names = _param_names(f)
    if wrt is None:
        indices = list(range(len(args)))
    elif isinstance(wrt, (tuple, list)):
        indices = [_resolve_one(f, names, len(args), w) for w in wrt]
    else:
        indices = [_resolve_one(f, names, len(args), wrt)]
    return [i for i in indices if not _is_integer(args[i])], names


def _fname(f):
    return getattr(f, '__qualname__', None) or getattr(f, '__name__', None) or repr(f)


def _argname(names, i):
    if names is not None and i < len(names):
        return f'argument {i} ({names[i]!r})'
    return f'argument {i}'


def _is_integer(x):
    if isinstance(x, (bool, np.bool_, numbers.Integral)):
        return True
    if isinstance(x, np.ndarray) and (np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_):
        return True
    return False


def _dtype_of(x):
    if isinstance(x, (np.ndarray, np.generic)):
        return np.dtype(x.dtype)
    return np.dtype(np.float64)


def _is_single(dtype):
    return np.dtype(dtype).itemsize <= 4


def _default_eps(dtype):
    return 1e-3 if _is_single(dtype) else 1e-6


def _as_scalar(value, f):
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(f'{_fname(f)} must return a scalar to be checked, '
                         f'got an output of shape {arr.shape}')
    return arr.reshape(())[()]


def _fresh(args):
    """Copies of the array arguments, so a function that mutates its inputs cannot skew a check."""
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def _call_with(f, args, i, value):
    new = _fresh(args)
    new[i] = value
    return f(*new)


def _shift(x, delta):
    """``x + delta`` keeping the type (Python float, NumPy scalar, array) and dtype of ``x``."""
    if isinstance(x, np.ndarray):
        return (x.astype(np.float64) + delta).astype(x.dtype)
    if isinstance(x, np.generic):
        return type(x)(np.float64(x) + delta)
    return float(x + delta)


def _as64(x):
    return np.asarray(x, dtype=np.float64)


def _random_direction(rng, x):
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape)
    return float(rng.standard_normal())


def _inner(a, b):
    return float(np.sum(_as64(a) * _as64(b)))


def _check_shape(f, names, i, x, g, label):
    if np.shape(g) != np.shape(x):
        raise AssertionError(
            f'check_grads: {_fname(f)}: {label} w.r.t. {_argname(names, i)} has shape '
            f'{np.shape(g)}, but the argument has shape {np.shape(x)}')


def _compare(f, names, i, label, analytic, numeric, rtol, atol, noise):
    tol = atol + noise + rtol * max(abs(analytic), abs(numeric))
    diff = abs(analytic - numeric)
    if not diff <= tol:  # also catches NaN
        raise AssertionError(
            f'check_grads: {_fname(f)}: {label} w.r.t. {_argname(names, i)} disagrees with '
            f'central differences along a random direction:\n'
            f'  s2sgrad (directional derivative): {analytic!r}\n'
            f'  central differences:              {numeric!r}\n'
            f'  |difference| = {diff:.3e} > tolerance {tol:.3e}')


# ----------------------------------------------------------------------------- public API

def numerical_grad(f, args, argnum, eps=None):
    """Return the full central-difference gradient of scalar ``f(*args)`` w.r.t. ``args[argnum]``.

    ``argnum`` is an index or a parameter name. Each entry is perturbed by ``eps`` (default 1e-6
    for float64, 1e-3 for float32) and divided by the displacement actually realised in the
    argument's dtype. A Python float argument gives a float, a NumPy scalar a float64 scalar, an
    array a float64 array of the argument's shape. Array arguments are copied for every call, so
    a function that writes into its arguments does not corrupt the estimate.
    """
    args = list(args)
    i = _resolve_one(f, _param_names(f), len(args), argnum)
    x = args[i]
    if _is_integer(x):
        raise TypeError(f'numerical_grad: {_argname(_param_names(f), i)} is an integer; '
                        'integers have no gradient')
    if eps is None:
        eps = _default_eps(_dtype_of(x))

    def diff_at(xp, xm):
        step = _as64(xp) - _as64(xm)
        fp = _as_scalar(_call_with(f, args, i, xp), f)
        fm = _as_scalar(_call_with(f, args, i, xm), f)
        return (float(fp) - float(fm)) / float(np.sum(step))

    if not isinstance(x, np.ndarray):
        value = diff_at(_shift(x, eps), _shift(x, -eps))
        return value if type(x) is float else np.float64(value)

    out = np.zeros(x.shape, dtype=np.float64)
    for k in range(x.size):
        xp = x.copy()
        xm = x.copy()
        xp.flat[k] = _shift(x.flat[k], eps)
        xm.flat[k] = _shift(x.flat[k], -eps)
        out.flat[k] = diff_at(xp, xm)
    return out


def check_grads(f, args, wrt=0, modes=('rev',), order=1, eps=None, rtol=1e-5, atol=1e-6,
                seed=0):
    """Check ``s2sgrad.grad(f)`` against central differences along random directions.

    For each selected argument (``wrt``: an index, a parameter name, a tuple/list of them, or
    ``None`` for all; integer arguments are never selected) a random direction ``v`` of the
    argument's shape is drawn and ``<grad, v>`` is compared with
    ``(f(x + eps v) - f(x - eps v)) / (2 eps)``. ``eps`` defaults to 1e-6 for float64 and 1e-3 for
    float32 (float32 is compared with looser tolerances). ``order=2`` also checks the gradient of
    the gradient (for scalar arguments). Raises ``AssertionError`` describing the mismatch.
    """
    from s2sgrad.api import grad
    from s2sgrad.operators import hvp, jvp

    if isinstance(modes, str):
        modes = (modes,)
    for mode in modes:
        if mode not in ('rev', 'fwd'):
            raise ValueError(f'check_grads: modes are "rev" and "fwd", got {mode!r}')
    if order not in (1, 2):
        raise ValueError(f'check_grads: order must be 1 or 2, got {order!r}')

    args = list(args)
    indices, names = _resolve_wrt(f, args, wrt)
    if not indices:
        raise ValueError(f'check_grads: {_fname(f)}: no differentiable argument selected '
                         f'by wrt={wrt!r}')

    rng = np.random.default_rng(seed)
    for i in indices:
        x = args[i]
        dtype = _dtype_of(x)
        single = _is_single(dtype)
        step = _default_eps(dtype) if eps is None else eps
        r_tol = max(rtol, 1e-3) if single else rtol
        a_tol = max(atol, 1e-4) if single else atol
        ulp = float(np.finfo(np.float32 if single else np.float64).eps)

        df = grad(f, wrt=i)
        g = df(*_fresh(args))
        _check_shape(f, names, i, x, g, 'the gradient')

        v = _random_direction(rng, x)
        xp, xm = _shift(x, step * v), _shift(x, -step * v)
        displacement = _as64(xp) - _as64(xm)          # what the dtype actually realised
        fp = float(_as_scalar(_call_with(f, args, i, xp), f))
        fm = float(_as_scalar(_call_with(f, args, i, xm), f))
        numeric = (fp - fm) / (2 * step)
        analytic = _inner(g, displacement) / (2 * step)
        noise = 64 * ulp * max(1.0, abs(fp), abs(fm)) / (2 * step)
        if 'rev' in modes:
            _compare(f, names, i, 'the gradient', analytic, numeric, r_tol, a_tol, noise)
        if 'fwd' in modes:
            tangent = displacement / (2 * step) if isinstance(x, np.ndarray) else \
                float(displacement) / (2 * step)
            forward = float(np.asarray(jvp(f, wrt=i)(*_fresh(args), tangent)).reshape(()))
            _compare(f, names, i, 'the forward-mode derivative', forward, numeric, r_tol,
                     a_tol, noise)

        if order == 2 and isinstance(x, np.ndarray):
            # <H v, u> by central differences of the gradient, against hvp (fwd over rev).
            u = _random_direction(rng, x)
            tangent = displacement / (2 * step)
            product = hvp(f, wrt=i)(*_fresh(args), tangent)
            _check_shape(f, names, i, x, product, 'the Hessian-vector product')
            gp = _call_with(df, args, i, xp)
            gm = _call_with(df, args, i, xm)
            numeric2 = (_inner(gp, u) - _inner(gm, u)) / (2 * step)
            noise2 = 64 * ulp * max(1.0, abs(_inner(gp, u)), abs(_inner(gm, u))) / (2 * step)
            _compare(f, names, i, 'the Hessian-vector product', _inner(product, u), numeric2,
                     max(r_tol, 1e-4), a_tol, noise2)
        elif order == 2:
            # d/dv <g(x), u> by central differences of g, against the gradient of g itself.
            u = _random_direction(rng, x)
            ddf = grad(df, wrt=i)
            h = ddf(*_fresh(args))
            _check_shape(f, names, i, x, h, 'the second derivative')
            gp = _call_with(df, args, i, xp)
            gm = _call_with(df, args, i, xm)
            numeric2 = (_inner(gp, u) - _inner(gm, u)) / (2 * step)
            analytic2 = _inner(h, displacement) * float(u) / (2 * step)
            noise2 = 64 * ulp * max(1.0, abs(_inner(gp, u)), abs(_inner(gm, u))) / (2 * step)
            _compare(f, names, i, 'the second derivative', analytic2, numeric2,
                     max(r_tol, 1e-4), a_tol, noise2)
