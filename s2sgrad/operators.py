"""Derived operators built on generated code: `vjp`, `jacobian`, `hessian`, `hvp`."""
import functools

import numpy as np

from .api import _normalize_wrt, _transform, grad


def vjp(func=None, wrt=0, *, optimized=True, verbose=0):
    """``vjp(f, wrt)(*args, cotangent)``: the cotangent times the Jacobian of `f` (L-op).

    With a tuple `wrt`, the result is a tuple with one entry per selected argument. The
    cotangent has the shape of `f`'s output; `f` may return any array.
    """
    if func is None:
        return functools.partial(vjp, wrt=wrt, optimized=optimized, verbose=verbose)
    generated = _transform(func, wrt, 'cotangent', optimized, verbose)
    seed = generated.seed_name

    @functools.wraps(generated)
    def apply(*args, **kwargs):
        *primal, cotangent = args
        return generated(*primal, **kwargs, **{seed: cotangent})
    apply.source = generated.source
    apply.generated = generated
    return apply


def jvp(func=None, wrt=0, *, optimized=True, verbose=0):
    """``jvp(f, wrt)(*args, tangent)``: the Jacobian of `f` times `tangent` (R-op).

    Forward mode, source to source: the generated function carries a tangent beside every
    value. With a tuple `wrt`, `tangent` is a tuple with one entry per selected argument.
    """
    if func is None:
        return functools.partial(jvp, wrt=wrt, optimized=optimized, verbose=verbose)
    names, single = _normalize_wrt(func, wrt)
    generated = _transform(func, wrt, 'jvp', optimized, verbose)
    keywords = [generated.tangent_names[name] for name in names]

    @functools.wraps(generated)
    def apply(*args, **kwargs):
        *primal, tangent = args
        tangents = (tangent,) if single else tuple(tangent)
        if len(tangents) != len(keywords):
            raise ValueError(f'jvp needs {len(keywords)} tangents, one per wrt argument')
        return generated(*primal, **kwargs, **dict(zip(keywords, tangents)))
    apply.source = generated.source
    apply.generated = generated
    return apply


def jacobian(func=None, wrt=0, *, optimized=True):
    """``jacobian(f, wrt)(*args)``: an array of shape ``out.shape + arg.shape``.

    Rows are computed by reverse mode, one vector-Jacobian product per output element.
    With a tuple `wrt`, a tuple of Jacobians.
    """
    if func is None:
        return functools.partial(jacobian, wrt=wrt, optimized=optimized)
    names, single = _normalize_wrt(func, wrt)
    product = vjp(func, wrt=names, optimized=optimized)
    positions = _positions(func, names)

    def jac(*args, **kwargs):
        out = np.asarray(func(*args, **kwargs))
        rows = [[] for _ in names]
        for index in np.ndindex(out.shape or ()):
            cotangent = np.zeros(out.shape, dtype=_float_dtype(out))
            cotangent[index] = 1.0
            parts = product(*args, cotangent, **kwargs)
            for k, part in enumerate((parts,) if len(names) == 1 else parts):
                rows[k].append(np.asarray(part))
        result = []
        for k, name in enumerate(names):
            arg = np.asarray(_argument(args, kwargs, positions[k], name))
            stacked = np.stack(rows[k]) if rows[k] else np.zeros((0,) + arg.shape)
            result.append(stacked.reshape(out.shape + arg.shape))
        return result[0] if single else tuple(result)
    return jac


def hessian(func=None, wrt=0, *, optimized=True):
    """``hessian(f, wrt)(*args)``: the Hessian of scalar `f`, shape ``arg.shape + arg.shape``.

    Computed as the Jacobian of the generated gradient (reverse over reverse).
    """
    if func is None:
        return functools.partial(hessian, wrt=wrt, optimized=optimized)
    names, single = _normalize_wrt(func, wrt)
    if not single:
        raise NotImplementedError('hessian with a tuple wrt arrives with forward mode')
    return jacobian(grad(func, wrt=names[0], optimized=optimized), wrt=names[0],
                    optimized=optimized)


def hvp(func=None, wrt=0, *, optimized=True):
    """``hvp(f, wrt)(*args, v)``: the Hessian of scalar `f` times `v`, without forming it.

    One vector-Jacobian product of the generated gradient (the Hessian is symmetric).
    """
    if func is None:
        return functools.partial(hvp, wrt=wrt, optimized=optimized)
    names, single = _normalize_wrt(func, wrt)
    if not single:
        raise NotImplementedError('hvp with a tuple wrt arrives with forward mode')
    return vjp(grad(func, wrt=names[0], optimized=optimized), wrt=names[0],
               optimized=optimized)


def _positions(func, names):
    import inspect
    params = list(inspect.signature(func).parameters)
    return [params.index(name) for name in names]


def _argument(args, kwargs, position, name):
    return args[position] if position < len(args) else kwargs[name]


def _float_dtype(out):
    return out.dtype if out.dtype.kind in 'fc' else np.float64
