"""Numerical gradient checks: compare s2sgrad's derivatives with central differences."""

import copy
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
    return [i for i in indices if any(_varies(leaf) for _, leaf in _leaves(args[i]))], names


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


def _is_numeric(x):
    return isinstance(x, (numbers.Number, np.generic, np.ndarray))


def _varies(x):
    """Whether a leaf is perturbed: a number or array that is not an integer or boolean."""
    return _is_numeric(x) and not _is_integer(x)


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


# ----------------------------------------------------------------------------- structures

def _is_container(x):
    return isinstance(x, (list, tuple, dict))


def _leaves(x, path=()):
    """The ``(path, leaf)`` pairs of a (nested) list, tuple or dict, in iteration order; a
    path is a tuple of keys and indices."""
    if isinstance(x, dict):
        for key, value in x.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(x, (list, tuple)):
        for k, value in enumerate(x):
            yield from _leaves(value, path + (k,))
    else:
        yield path, x


def _map(fn, x, path=()):
    """`x`'s structure (same container types) with each leaf replaced by ``fn(path, leaf)``."""
    if isinstance(x, dict):
        out = copy.copy(x)
        for key, value in x.items():
            out[key] = _map(fn, value, path + (key,))
        return out
    if isinstance(x, (list, tuple)):
        items = [_map(fn, value, path + (k,)) for k, value in enumerate(x)]
        if isinstance(x, list):
            out = copy.copy(x)
            out[:] = items
            return out
        return type(x)(*items) if hasattr(x, '_fields') else type(x)(items)
    return fn(path, x)


def _path_text(path):
    return ''.join(f'[{key!r}]' for key in path)


def _copy(x):
    """A copy of `x` whose arrays and containers are fresh, so that a function that writes into
    its arguments cannot skew a check."""
    return _map(lambda path, leaf: leaf.copy() if isinstance(leaf, np.ndarray) else leaf, x)


def _fresh(args):
    return [_copy(a) for a in args]


def _call_with(f, args, i, value):
    new = _fresh(args)
    new[i] = _copy(value)
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


def _random_leaf(rng, x):
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape)
    return float(rng.standard_normal())


def _random_direction(rng, x):
    """A random direction of `x`'s structure: None at the leaves that are not perturbed."""
    return _map(lambda path, leaf: _random_leaf(rng, leaf) if _varies(leaf) else None, x)


def _random_cotangent(rng, y):
    """A random cotangent of the output `y`'s structure and dtypes (zeros at integer parts)."""
    def one(path, leaf):
        if _varies(leaf):
            u = _random_leaf(rng, leaf)
            if isinstance(leaf, np.ndarray) and leaf.dtype.kind in 'fc':
                return u.astype(leaf.dtype)
            if isinstance(leaf, np.floating):
                return type(leaf)(u)
            return u
        return np.zeros(leaf.shape) if isinstance(leaf, np.ndarray) else 0.0
    return _map(one, y)


def _shifted(x, direction, step):
    """`x` moved by ``step * direction`` at its perturbed leaves."""
    moves = dict(_leaves(direction))
    return _map(lambda path, leaf: leaf if moves[path] is None
                else _shift(leaf, step * moves[path]), x)


def _tangent_of(x, displacement, step):
    """The forward-mode tangent `displacement / (2 step)` with `x`'s structure (zeros at the
    leaves that are not perturbed)."""
    moves = dict(_leaves(displacement))

    def one(path, leaf):
        move = moves[path]
        if move is not None:
            return move / (2 * step) if isinstance(leaf, np.ndarray) else \
                float(move) / (2 * step)
        return np.zeros(leaf.shape) if isinstance(leaf, np.ndarray) else 0.0
    return _map(one, x)


def _inner(a, b):
    """Sum over the common leaves of ``a * b`` (in float64), skipping None leaves."""
    if not _is_container(a) and not _is_container(b):
        return float(np.sum(_as64(a) * _as64(b)))
    others = dict(_leaves(b))
    total = 0.0
    for path, leaf in _leaves(a):
        other = others.get(path)
        if leaf is None or other is None or not _is_numeric(leaf) or not _is_numeric(other):
            continue
        total += float(np.sum(_as64(leaf) * _as64(other)))
    return total


def _magnitude(a, b):
    """Sum over the common leaves of ``|a * b|``: the size of the terms of ``_inner(a, b)``."""
    others = dict(_leaves(b))
    total = 0.0
    for path, leaf in _leaves(a):
        other = others.get(path)
        if leaf is None or other is None or not _is_numeric(leaf) or not _is_numeric(other):
            continue
        total += float(np.sum(np.abs(_as64(leaf) * _as64(other))))
    return total


def _structure_error(template, value, path=()):
    """None when `value` has the structure and leaf shapes of `template`, else a description
    of the first difference (a path and what differs)."""
    where = _path_text(path)
    for kind in (dict, list, tuple):
        if isinstance(template, kind):
            if not isinstance(value, kind):
                return f'{where} is a {type(value).__name__}, not a {kind.__name__}'.lstrip()
            break
    if isinstance(template, dict):
        missing = [key for key in template if key not in value]
        extra = [key for key in value if key not in template]
        if missing or extra:
            return (f'{where} has keys {sorted(map(repr, value))}, but the expected keys are '
                    f'{sorted(map(repr, template))}').lstrip()
        for key in template:
            error = _structure_error(template[key], value[key], path + (key,))
            if error:
                return error
        return None
    if isinstance(template, (list, tuple)):
        if len(value) != len(template):
            return f'{where} has {len(value)} item(s), not {len(template)}'.lstrip()
        for k, (t, v) in enumerate(zip(template, value)):
            error = _structure_error(t, v, path + (k,))
            if error:
                return error
        return None
    if not _is_numeric(template):
        return None
    if _is_container(value) or value is None:
        return f'{where} is a {type(value).__name__}, not an array or number'.lstrip()
    if np.shape(value) != np.shape(template):
        return f'{where} has shape {np.shape(value)}, not {np.shape(template)}'.lstrip()
    return None


def _check_like(f, names, i, template, value, label, what='the argument'):
    error = _structure_error(template, value)
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
    plus, minus = dict(_leaves(fp)), dict(_leaves(fm))
    for path, value in _leaves(forward):
        if not _varies(plus[path]):
            continue
        a = _as64(value)
        p, m = _as64(plus[path]), _as64(minus[path])
        numeric = (p - m) / (2 * step)
        noise = 64 * ulp * np.maximum(1.0, np.maximum(np.abs(p), np.abs(m))) / (2 * step)
        tol = atol + noise + rtol * np.maximum(np.abs(a), np.abs(numeric))
        diff = np.abs(a - numeric)
        bad = ~(diff <= tol)  # also catches NaN
        if np.any(bad):
            k = np.unravel_index(int(np.argmax(np.where(bad, diff - tol, -np.inf))),
                                 np.shape(bad)) if np.ndim(bad) else ()
            where = f'output{_path_text(path)}' + (f'[{", ".join(map(str, k))}]' if k else '')
            raise AssertionError(
                f'check_grads: {_fname(f)}: the forward-mode derivative w.r.t. '
                f'{_argname(names, i)} disagrees with central differences of the output '
                f'along a random direction at {where} ({int(np.sum(bad))} of {np.size(bad)} '
                f'element(s) of output{_path_text(path)}):\n'
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


def _check_output(f, y):
    """Whether `y` is a scalar output; raise unless every part of it is a number or array."""
    for path, leaf in _leaves(y):
        if not _is_numeric(leaf):
            where = f'the output{_path_text(path)}' if path else 'the output'
            raise TypeError(f'check_grads: {_fname(f)}: {where} is a {type(leaf).__name__}; '
                            'only numbers and arrays (or lists, tuples and dicts of them) '
                            'have derivatives to check')
    return not _is_container(y) and np.size(y) == 1


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
    y = f(*_fresh(args))
    scalar = _check_output(f, y)
    u = 1.0 if scalar else _random_cotangent(rng, y)
    for i in indices:
        x = args[i]
        single = any(_is_single(_dtype_of(leaf)) for _, leaf in _leaves(x) if _varies(leaf))
        dtype = np.float32 if single else np.float64
        step = _default_eps(dtype) if eps is None else eps
        r_tol = max(rtol, 1e-3) if single else rtol
        a_tol = max(atol, 1e-4) if single else atol
        ulp = float(np.finfo(dtype).eps)

        v = _random_direction(rng, x)
        xp, xm = _shifted(x, v, step), _shifted(x, v, -step)
        plus, minus = dict(_leaves(xp)), dict(_leaves(xm))
        displacement = _map(  # what the dtype actually realised
            lambda path, move: None if move is None else _as64(plus[path]) - _as64(minus[path]),
            v)
        tangent = _tangent_of(x, displacement, step)
        fp, fm = _call_with(f, args, i, xp), _call_with(f, args, i, xm)
        if scalar:
            fp, fm = float(_as_scalar(fp, f)), float(_as_scalar(fm, f))
            numeric = (fp - fm) / (2 * step)
            noise = 64 * ulp * max(1.0, abs(fp), abs(fm)) / (2 * step)
        else:
            for value in (fp, fm):
                error = _structure_error(y, value)
                if error:
                    raise ValueError(f'check_grads: {_fname(f)}: the output changes structure '
                                     f'when {_argname(names, i)} moves: {error}')
            numeric = (_inner(u, fp) - _inner(u, fm)) / (2 * step)
            noise = 64 * ulp * max(1.0, _magnitude(u, fp), _magnitude(u, fm)) / (2 * step)

        label = 'the gradient' if scalar else 'the vjp (with a random cotangent)'
        backward = None
        if 'rev' in modes or order == 2:
            df = grad(f, wrt=i) if scalar else vjp(f, wrt=i)
            g = df(*_fresh(args)) if scalar else df(*_fresh(args), _copy(u))
            _check_like(f, names, i, x, g, label)
            backward = _inner(g, displacement) / (2 * step)
        if 'rev' in modes:
            _compare(f, names, i, label, backward, numeric, r_tol, a_tol, noise)
        if 'fwd' in modes:
            forward = jvp(f, wrt=i)(*_fresh(args), tangent)
            if scalar:
                forward = float(np.asarray(forward).reshape(()))
                _compare(f, names, i, 'the forward-mode derivative', forward, numeric, r_tol,
                         a_tol, noise)
            else:
                error = _structure_error(y, forward)
                if error:
                    raise AssertionError(
                        f'check_grads: {_fname(f)}: the forward-mode derivative w.r.t. '
                        f'{_argname(names, i)} does not have the structure of the output: '
                        f'{error}')
                _compare_outputs(f, names, i, forward, fp, fm, step, r_tol, a_tol, ulp)
                projected = _inner(u, forward)
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
    w = _random_direction(rng, x)
    if scalar:
        first = df
    else:
        def first(*call_args):
            return df(*call_args, _copy(u))
    gp, gm = _call_with(first, args, i, xp), _call_with(first, args, i, xm)
    numeric = (_inner(gp, w) - _inner(gm, w)) / (2 * step)
    noise = 64 * ulp * max(1.0, _magnitude(gp, w), _magnitude(gm, w)) / (2 * step)
    if scalar and not _is_container(x) and not isinstance(x, np.ndarray):
        # a number argument: the gradient of the gradient, a number too
        label = 'the second derivative'
        h = grad(df, wrt=i)(*_fresh(args))
        _check_like(f, names, i, x, h, label)
        analytic = _inner(h, displacement) * float(w) / (2 * step)
    elif scalar:
        label = 'the Hessian-vector product'
        product = hvp(f, wrt=i)(*_fresh(args), tangent)
        _check_like(f, names, i, x, product, label)
        analytic = _inner(product, w)
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
        product = jvp(generated, wrt=i)(*_fresh(args), tangent,
                                        **{generated.seed_name: _copy(u)})
        _check_like(f, names, i, x, product, label)
        analytic = _inner(product, w)
    _compare(f, names, i, label, analytic, numeric, max(r_tol, 1e-4), a_tol, noise)
