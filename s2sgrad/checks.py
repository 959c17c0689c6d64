"""Numerical gradient checks: compare s2sgrad's derivatives with central differences."""

import inspect
import numbers

import numpy as np

from .argtrees import as64, fresh_copies, fresh_copy, inner, is_container, is_integer, \
    is_numeric, leaves, magnitude, map_leaves, path_text, random_cotangent, random_direction, \
    shift, shifted, structure_error, tangent_of, varies
from .wrt import Wrt

__all__ = ['check_grads', 'numerical_grad']


# ------------------------------------------------------------ wrt: the arguments checked

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
    """(the indices of the arguments that `wrt` selects and that have a float leaf, the
    parameter names of `f` or None). `wrt` is resolved as every operator resolves it
    (`Wrt`); None selects every argument."""
    names = _param_names(f)
    if wrt is None:
        indices = list(range(len(args)))
    elif names is None:  # no signature to resolve names against: positions only
        items = wrt if isinstance(wrt, (tuple, list)) else [wrt]
        indices = [_resolve_one(f, names, len(args), w) for w in items]
    else:
        indices = list(Wrt.of(f, wrt).positions)
    return [i for i in indices if any(varies(leaf) for _, leaf in leaves(args[i]))], names


# ----------------------------------------------------------------------------- helpers

def _fname(f):
    return getattr(f, '__qualname__', None) or getattr(f, '__name__', None) or repr(f)


def _argname(names, i):
    if names is not None and i < len(names):
        return f'argument {i} ({names[i]!r})'
    return f'argument {i}'


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


def _call_with(f, args, i, value):
    new = fresh_copies(args)
    new[i] = fresh_copy(value)
    return f(*new)


# ----------------------------------------------------------------------------- comparisons

def _check_like(f, names, i, template, value, label, what='the argument'):
    error = structure_error(template, value)
    if error:
        raise AssertionError(
            f'check_grads: {_fname(f)}: {label} w.r.t. {_argname(names, i)} does not have the '
            f'structure of {what}: {error}')


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


def _compare_outputs(f, names, i, forward, fp, fm, step, rtol, atol, ulp):
    """Compare the forward-mode derivative `forward` (the output's structure) element by
    element with ``(f(x + h v) - f(x - h v)) / 2h``."""
    plus, minus = dict(leaves(fp)), dict(leaves(fm))
    for path, value in leaves(forward):
        if not varies(plus[path]):
            continue
        a = as64(value)
        p, m = as64(plus[path]), as64(minus[path])
        numeric = (p - m) / (2 * step)
        noise = 64 * ulp * np.maximum(1.0, np.maximum(np.abs(p), np.abs(m))) / (2 * step)
        tol = atol + noise + rtol * np.maximum(np.abs(a), np.abs(numeric))
        diff = np.abs(a - numeric)
        bad = ~(diff <= tol)  # also catches NaN
        if np.any(bad):
            k = np.unravel_index(int(np.argmax(np.where(bad, diff - tol, -np.inf))),
                                 np.shape(bad)) if np.ndim(bad) else ()
            where = f'output{path_text(path)}' + (f'[{", ".join(map(str, k))}]' if k else '')
            raise AssertionError(
                f'check_grads: {_fname(f)}: the forward-mode derivative w.r.t. '
                f'{_argname(names, i)} disagrees with central differences of the output '
                f'along a random direction at {where} ({int(np.sum(bad))} of {np.size(bad)} '
                f'element(s) of output{path_text(path)}):\n'
                f'  s2sgrad (jvp):       {float(a[k])!r}\n'
                f'  central differences: {float(numeric[k])!r}\n'
                f'  |difference| = {float(diff[k]):.3e} > tolerance {float(tol[k]):.3e}')


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
    if is_integer(x):
        raise TypeError(f'numerical_grad: {_argname(_param_names(f), i)} is an integer; '
                        'integers have no gradient')
    if eps is None:
        eps = _default_eps(_dtype_of(x))

    def diff_at(xp, xm):
        step = as64(xp) - as64(xm)
        fp = _as_scalar(_call_with(f, args, i, xp), f)
        fm = _as_scalar(_call_with(f, args, i, xm), f)
        return (float(fp) - float(fm)) / float(np.sum(step))

    if not isinstance(x, np.ndarray):
        value = diff_at(shift(x, eps), shift(x, -eps))
        return value if type(x) is float else np.float64(value)

    out = np.zeros(x.shape, dtype=np.float64)
    for k in range(x.size):
        xp = x.copy()
        xm = x.copy()
        xp.flat[k] = shift(x.flat[k], eps)
        xm.flat[k] = shift(x.flat[k], -eps)
        out.flat[k] = diff_at(xp, xm)
    return out


def _check_output(f, y):
    """Whether `y` is a scalar output; raise unless every part of it is a number or array."""
    for path, leaf in leaves(y):
        if not is_numeric(leaf):
            where = f'the output{path_text(path)}' if path else 'the output'
            raise TypeError(f'check_grads: {_fname(f)}: {where} is a {type(leaf).__name__}; '
                            'only numbers and arrays (or lists, tuples and dicts of them) '
                            'have derivatives to check')
    return not is_container(y) and np.size(y) == 1


def check_grads(f, args, wrt=0, modes=('rev',), order=1, eps=None, rtol=1e-5, atol=1e-6,
                seed=0):
    """Check s2sgrad's derivatives of ``f(*args)`` against central differences along random
    directions; raise ``AssertionError`` describing the first mismatch.

    Arguments: ``wrt`` is an index, a parameter name, a tuple/list of them, or ``None`` for all;
    each selected argument is checked on its own. An argument may be a number, an array, or a
    (nested) list, tuple or dict of them (``{'W1': A, 'b1': b, 'out': {'W2': C}}``,
    ``[(W, b), (W2, b2)]``): every float leaf is moved along a random direction ``v`` of the
    same structure, integer and boolean leaves (and anything that is not a number) are held
    fixed. Arguments with no float leaf are never selected.

    Scalar output (a number or a size-1 array): ``<grad, v>`` (``modes`` ``'rev'``) and
    ``jvp(f)(x, v)`` (``'fwd'``) are compared with ``(f(x + eps v) - f(x - eps v)) / (2 eps)``.

    Any other output (an array, or a list, tuple or dict of arrays and numbers): a random
    cotangent ``u`` of the output's structure is drawn and the projection
    ``phi(x) = sum(u * f(x))`` is checked. ``'rev'`` compares ``<vjp(f)(x, u), v>`` with the
    central differences of ``phi`` along ``v``; ``'fwd'`` compares ``jvp(f)(x, v)`` element by
    element with the central differences of ``f`` along ``v``, and ``<u, jvp>`` with those of
    ``phi``; with both modes, ``<u, jvp>`` is also compared with ``<vjp, v>``.

    ``order=2`` also checks the derivative of the first-order result along ``v``, projected on
    another random direction ``w``, against central differences of that first-order result:
    for a scalar output, the Hessian-vector product ``hvp(f)(x, v)`` (the gradient of the
    gradient for a number argument); for any other output, the Hessian of the projection
    ``phi`` times ``v``, computed by forward mode over the generated ``vjp`` (cotangent ``u``
    held fixed). The second-order check runs whatever ``modes`` are.

    ``eps`` defaults to 1e-6 for float64 and 1e-3 when an argument has a float32 (or smaller)
    leaf, which is also compared with looser tolerances. ``seed`` seeds the random directions.
    """
    from s2sgrad.api import check_callable, grad
    from s2sgrad.operators import hvp, jvp, vjp

    check_callable(f)
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
    y = f(*fresh_copies(args))
    scalar = _check_output(f, y)
    u = 1.0 if scalar else random_cotangent(rng, y)
    for i in indices:
        x = args[i]
        single = any(_is_single(_dtype_of(leaf)) for _, leaf in leaves(x) if varies(leaf)) or \
            any(_is_single(_dtype_of(leaf)) for _, leaf in leaves(y) if varies(leaf))
        # (a float32 output of a float64 argument rounds as float32 does: its tolerances)
        dtype = np.float32 if single else np.float64
        step = _default_eps(dtype) if eps is None else eps
        r_tol = max(rtol, 1e-3) if single else rtol
        a_tol = max(atol, 1e-4) if single else atol
        ulp = float(np.finfo(dtype).eps)

        v = random_direction(rng, x)
        xp, xm = shifted(x, v, step), shifted(x, v, -step)
        plus, minus = dict(leaves(xp)), dict(leaves(xm))
        displacement = map_leaves(  # what the dtype actually realised (none at a NaN entry)
            lambda path, move: None if move is None else np.nan_to_num(
                as64(plus[path]) - as64(minus[path]), nan=0.0, posinf=0.0, neginf=0.0),
            v)
        tangent = tangent_of(x, displacement, step)
        fp, fm = _call_with(f, args, i, xp), _call_with(f, args, i, xm)
        if scalar:
            fp, fm = float(_as_scalar(fp, f)), float(_as_scalar(fm, f))
            numeric = (fp - fm) / (2 * step)
            noise = 64 * ulp * max(1.0, abs(fp), abs(fm)) / (2 * step)
        else:
            for value in (fp, fm):
                error = structure_error(y, value)
                if error:
                    raise ValueError(f'check_grads: {_fname(f)}: the output changes structure '
                                     f'when {_argname(names, i)} moves: {error}')
            numeric = (inner(u, fp) - inner(u, fm)) / (2 * step)
            noise = 64 * ulp * max(1.0, magnitude(u, fp), magnitude(u, fm)) / (2 * step)

        label = 'the gradient' if scalar else 'the vjp (with a random cotangent)'
        backward = None
        if 'rev' in modes or order == 2:
            df = grad(f, wrt=i) if scalar else vjp(f, wrt=i)
            g = df(*fresh_copies(args)) if scalar else df(*fresh_copies(args), fresh_copy(u))
            _check_like(f, names, i, x, g, label)
            backward = inner(g, displacement) / (2 * step)
        if 'rev' in modes:
            _compare(f, names, i, label, backward, numeric, r_tol, a_tol, noise)
        if 'fwd' in modes:
            forward = jvp(f, wrt=i)(*fresh_copies(args), tangent)
            if scalar:
                forward = float(np.asarray(forward).reshape(()))
                _compare(f, names, i, 'the forward-mode derivative', forward, numeric, r_tol,
                         a_tol, noise)
            else:
                error = structure_error(y, forward)
                if error:
                    raise AssertionError(
                        f'check_grads: {_fname(f)}: the forward-mode derivative w.r.t. '
                        f'{_argname(names, i)} does not have the structure of the output: '
                        f'{error}')
                _compare_outputs(f, names, i, forward, fp, fm, step, r_tol, a_tol, ulp)
                projected = inner(u, forward)
                _compare(f, names, i, 'the forward-mode derivative projected on a random '
                         'cotangent', projected, numeric, r_tol, a_tol, noise)
                if 'rev' in modes:
                    tol = a_tol + r_tol * max(abs(projected), abs(backward))
                    if not abs(projected - backward) <= tol:
                        raise AssertionError(
                            f'check_grads: {_fname(f)}: forward and reverse mode disagree '
                            f'w.r.t. {_argname(names, i)}: <u, jvp(v)> = {projected!r}, '
                            f'<vjp(u), v> = {backward!r} (tolerance {tol:.3e})')

        if order == 2:
            _check_second_order(f, args, i, names, x, xp, xm, tangent, displacement, u, scalar,
                                df, step, r_tol, a_tol, ulp, rng, grad, hvp, jvp)


def _check_second_order(f, args, i, names, x, xp, xm, tangent, displacement, u, scalar, df,
                        step, r_tol, a_tol, ulp, rng, grad, hvp, jvp):
    """<d/dv first_order(x), w> against central differences of the first-order result."""
    w = random_direction(rng, x)
    if scalar:
        first = df
    else:
        def first(*call_args):
            return df(*call_args, fresh_copy(u))
    gp, gm = _call_with(first, args, i, xp), _call_with(first, args, i, xm)
    numeric = (inner(gp, w) - inner(gm, w)) / (2 * step)
    noise = 64 * ulp * max(1.0, magnitude(gp, w), magnitude(gm, w)) / (2 * step)
    if scalar and not is_container(x) and not isinstance(x, np.ndarray):
        # a number argument: the gradient of the gradient, a number too
        label = 'the second derivative'
        h = grad(df, wrt=i)(*fresh_copies(args))
        _check_like(f, names, i, x, h, label)
        analytic = inner(h, displacement) * float(w) / (2 * step)
    elif scalar:
        label = 'the Hessian-vector product'
        product = hvp(f, wrt=i)(*fresh_copies(args), tangent)
        _check_like(f, names, i, x, product, label)
        analytic = inner(product, w)
    else:
        # the Hessian of phi(x) = <u, f(x)> times v: forward mode over the generated vjp
        label = 'the derivative of the vjp (Hessian of the projected output times v)'
        generated = df.generated
        params = _param_names(generated)
        if names is None or params is None or params[:len(args)] != names[:len(args)]:
            raise ValueError(
                f'check_grads: {_fname(f)}: order=2 for an output that is not a scalar '
                f'differentiates the generated vjp, whose parameters '
                f'({", ".join(params or ["?"])}) are not those of the function '
                f'({", ".join(names or ["?"])}); check a plain function of the same arguments')
        product = jvp(generated, wrt=i)(*fresh_copies(args), tangent,
                                        **{generated.seed_name: fresh_copy(u)})
        _check_like(f, names, i, x, product, label)
        analytic = inner(product, w)
    _compare(f, names, i, label, analytic, numeric, max(r_tol, 1e-4), a_tol, noise)
