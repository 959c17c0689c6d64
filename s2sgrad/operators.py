"""Derived operators built on generated code: `vjp`, `jacobian`, `hessian`, `hvp`."""
import functools
import inspect

import numpy as np

from .api import grad, resolve, transform
from .errors import NonScalarOutputError, OptionError, ShapeError, WrtError
from .modes import Mode
from .object_state import ObjectState
from .reruns import refuse_varying_runs
from .runtime import check_tangent, own, real_only
from .runtime_values import _is_iterator
from .runtime_checks import as_float
from .wrt import definition, label


def vjp(func=None, wrt=0, *, optimized=True, verbose=0, shapes=None, motion='split',
        compile=None, fallback=False):
    """``vjp(f, wrt)(*args, cotangent)``: the cotangent times the Jacobian of `f` (L-op).

    With a tuple `wrt`, the result is a tuple with one entry per selected argument. The
    cotangent has the shape of `f`'s output; `f` may return any array. `motion`, `compile`
    and `fallback`: as for `grad`.
    """
    if func is None:
        return functools.partial(vjp, wrt=wrt, optimized=optimized, verbose=verbose,
                                 shapes=shapes, motion=motion, compile=compile,
                                 fallback=fallback)
    generated = transform(func, resolve(func, wrt), Mode.COTANGENT, optimized, verbose, shapes,
                          motion, compile=compile, fallback=fallback)
    seed = generated.seed_name

    def apply(*args, **kwargs):
        *primal, cotangent = args or (None,)
        try:
            return generated(*primal, **kwargs, **{seed: cotangent})
        except TypeError:
            _check_arguments(func, 'vjp', 'cotangent', primal, kwargs)
            raise
    apply.source = generated.source
    apply.generated = generated
    apply.__name__ = apply.__qualname__ = generated.__name__
    apply.__doc__ = f'cotangent @ J for {getattr(func, "__name__", func)}; see .source'
    apply.s2sgrad_operator = 'vjp'
    return apply


def _check_arguments(func, operator, last, args, kwargs):
    """Raise `ShapeError` where `args` and `kwargs` (all but the `last` of a call of
    `operator`'s result) do not fit `func`'s parameters: the `last` was left out."""
    try:
        inspect.signature(func).bind(*args, **kwargs)
    except TypeError as error:
        raise ShapeError(f'{operator}(f)(*args, {last}) takes the {last} as its last '
                         f'positional argument, after the arguments of `{label(func)}`, '
                         f'which do not fit them without it ({error}): was the {last} left '
                         f'out?' + definition(func)) from None
    except ValueError:
        pass  # (no signature to read: a built-in's)


def jvp(func=None, wrt=0, *, optimized=True, verbose=0, shapes=None, compile=None,
        fallback=False):
    """``jvp(f, wrt)(*args, tangent)``: the Jacobian of `f` times `tangent` (R-op).

    Forward mode, source to source: the generated function carries a tangent beside every
    value. With a tuple `wrt`, `tangent` is a tuple with one entry per selected argument.
    `compile` and `fallback` as for `grad`.
    """
    if func is None:
        return functools.partial(jvp, wrt=wrt, optimized=optimized, verbose=verbose,
                                 shapes=shapes, compile=compile, fallback=fallback)
    return _tangent_product(func, wrt, func, 'jvp', 'tangent', optimized=optimized,
                            verbose=verbose, shapes=shapes, compile=compile,
                            fallback=fallback)


def _tangent_product(func, wrt, user, operator, last, **options):
    """The forward-mode product of `func` (`jvp`'s result), whose argument errors name the
    `operator` the user called on `user` and its `last` argument."""
    selected = resolve(func, wrt)
    generated = transform(func, selected, Mode.JVP, options['optimized'], options['verbose'],
                          options['shapes'], compile=options['compile'],
                          fallback=options['fallback'])
    keywords = [generated.tangent_names[name] for name in selected.names]

    def apply(*args, **kwargs):
        *primal, tangent = args or (None,)
        try:
            values = selected.arguments(primal, kwargs)
        except (IndexError, KeyError, TypeError):
            _check_arguments(user, operator, last, primal, kwargs)
            raise
        tangents = (tangent,) if selected.single else tuple(tangent)
        if len(tangents) != len(keywords):
            raise ShapeError(f'{operator} needs {len(keywords)} tangents, one per wrt '
                             f'argument' + definition(user))
        for name, value, t in zip(selected.names, values, tangents):
            try:
                check_tangent(real_only(t), real_only(value), name)
            except ShapeError as error:
                # (``jvp(f)(x, A)`` of ``f(x, A)``: `A` taken for the tangent)
                _check_arguments(user, operator, last, primal, kwargs)
                raise ShapeError(str(error) + definition(user)) from None
        # (an integer tangent, `H @ e_i` with np.array([1, 0, 0]), as floats)
        tangents = tuple(as_float(t, value) for t, value in zip(tangents, values))
        return real_only(generated(*primal, **kwargs, **dict(zip(keywords, tangents))))
    apply.source = generated.source
    apply.generated = generated
    apply.__name__ = apply.__qualname__ = generated.__name__
    apply.__doc__ = f'J @ tangent for {getattr(func, "__name__", func)}; see .source'
    apply.s2sgrad_operator = operator
    return apply


def jacobian(func=None, wrt=0, *, optimized=True, mode=None, compile=None, fallback=False):
    """``jacobian(f, wrt)(*args)``: an array of shape ``out.shape + arg.shape``.

    Forward mode (one `jvp` per input element) when the inputs are smaller than the output,
    reverse mode (one `vjp` per output element) otherwise; ``mode='fwd'`` or ``'rev'``
    forces one. With a tuple `wrt`, a tuple of Jacobians. `compile` and `fallback` (as for
    `grad`) compile the `jvp` or `vjp` it calls.
    """
    if func is None:
        return functools.partial(jacobian, wrt=wrt, optimized=optimized, mode=mode,
                                 compile=compile, fallback=fallback)
    from .numba_path import check_option
    check_option(compile, fallback)
    if mode not in (None, 'fwd', 'rev'):
        raise OptionError(f"mode={mode!r}: use 'fwd' (one jvp per input element), 'rev' (one "
                          f'vjp per output element) or None (the fewer of the two)')
    options = {'compile': compile, 'fallback': fallback} if compile else {}
    chosen = resolve(func, wrt)
    names = chosen.names
    refuse_varying_runs(func, 'jacobian')

    def jac(*args, **kwargs):
        selected = chosen.arguments(args, kwargs)
        for name, value in zip(names, selected):
            if _is_iterator(value):  # (before a run reads its items: `check_tangent`)
                check_tangent(None, value, name)
            if isinstance(value, (list, tuple, dict)):
                raise WrtError(f'jacobian and hessian need number or array arguments, but '
                               f'`{name}` is a {type(value).__name__}; differentiate with '
                               f'respect to its arrays one by one, or use grad, vjp and jvp, '
                               f'which take containers' + definition(func))
        out = _output_like(func, args, kwargs)
        outs = _outputs(out, func)
        runs = _RunsFromTheGivenState(args, kwargs, func)
        many = isinstance(out, (list, tuple))
        inputs = [_array(value) for value in selected]
        forward = mode == 'fwd' or (mode is None and sum(x.size for x in inputs) <
                                    max(sum(o.size for o in outs), 1))
        try:
            if forward:
                result = _forward_jacobian(func, chosen, inputs, outs, many, args, kwargs,
                                           optimized, options, runs)
            else:
                result = _reverse_jacobian(func, names, inputs, outs, many, args, kwargs,
                                           optimized, options, runs)
        finally:
            runs.finish()
        result = [blocks[0] if chosen.single else tuple(blocks) for blocks in result]
        if not many:
            return result[0]
        return type(out)(*result) if hasattr(out, '_fields') else type(out)(result)
    jac.s2sgrad_operator = 'jacobian'
    return jac


def _output_like(func, args, kwargs):
    """What `func` returns at `args` (its shape, type and structure), run on copies of the
    arrays and containers (`own`), with what the objects of yours among the arguments (and a
    bound method's object) hold put back afterwards (`object_state`): a function changing
    what its arguments hold (``x[0] = v``, ``W = box.W; W *= 2``) changes neither the
    caller's values nor the point the derivatives below are taken at, and the objects stay
    the caller's own (``cfg is DEFAULT`` holds)."""
    kept = ObjectState([func] + list(args) + list(kwargs.values()))
    try:
        return func(*own(args), **own(kwargs))
    finally:
        kept.put_back()


class _RunsFromTheGivenState:
    """The objects of yours reachable from the arguments (`object_state`) put back as given
    before each run of the function (``sched.rate()`` advancing `sched` would give each
    column another function), and left at the end as one run left them, as one call
    would."""

    def __init__(self, args, kwargs, owner=None):
        self.values = [owner] + list(args) + list(kwargs.values())
        self.given = ObjectState(self.values)
        self.after_one = None

    def start(self):
        """Before a run: each object as given."""
        if self.after_one is not None:
            self.given.put_back()

    def done(self):
        """After a run: the state the first run left, kept."""
        if self.after_one is None:
            self.after_one = ObjectState(self.values)

    def finish(self):
        """The objects as the first run left them."""
        if self.after_one is not None:
            self.after_one.put_back()


def _outputs(out, func):
    """The arrays `func` returned: `out` itself, or the items of a tuple or list of them
    (a Jacobian each, as JAX and PyTorch give them)."""
    items = out if isinstance(out, (list, tuple)) else [out]
    if isinstance(out, dict) or any(isinstance(o, (list, tuple, dict)) for o in items):
        raise NonScalarOutputError(
            f'jacobian needs a number, an array or a tuple of them as the output, but the '
            f'function returned a {type(out).__name__}'
            f'{" holding containers" if not isinstance(out, dict) else ""}; use vjp or jvp '
            f'for containers' + definition(func))
    return [_array(o) for o in items]


def _reverse_jacobian(func, names, inputs, outs, many, args, kwargs, optimized, options,
                      runs):
    """Per output, the Jacobian block of each input: one `vjp` per output element, each
    run from the objects' given state (`runs`)."""
    product = vjp(func, wrt=names, optimized=optimized, **options)
    result = []
    for j, out in enumerate(outs):
        rows = [[] for _ in names]
        for index in np.ndindex(out.shape or ()):
            cotangent = np.zeros_like(out, dtype=_float_dtype(out))
            cotangent[index] = 1.0
            if many:  # (zeros for the other outputs)
                cotangent = tuple(cotangent if i == j else
                                  np.zeros_like(o, dtype=_float_dtype(o))
                                  for i, o in enumerate(outs))
            runs.start()
            parts = product(*args, cotangent, **kwargs)
            runs.done()
            for k, part in enumerate(parts):  # a tuple `wrt`: always a tuple of parts
                rows[k].append(_array(part))
        result.append([np.stack(rows[k]).reshape(out.shape + x.shape) if rows[k] else
                       np.zeros(out.shape + x.shape, dtype=_float_dtype(x))  # (empty output)
                       for k, x in enumerate(inputs)])
    return result


def _forward_jacobian(func, chosen, inputs, outs, many, args, kwargs, optimized, options,
                      runs):
    """Per output, the Jacobian block of each input: one `jvp` per input element, each
    run from the objects' given state (`runs`)."""
    blocks = [[] for _ in outs]
    given = chosen.arguments(args, kwargs)
    for k, name in enumerate(chosen.names):
        product = jvp(func, wrt=name, optimized=optimized, **options)
        x = inputs[k]
        columns = [[] for _ in outs]
        for index in np.ndindex(x.shape or ()):
            tangent = np.zeros_like(x, dtype=_float_dtype(x))
            tangent[index] = 1.0
            if not x.shape and not isinstance(given[k], np.ndarray):
                tangent = 1.0
            runs.start()
            image = product(*args, tangent, **kwargs)
            runs.done()
            for j, part in enumerate(image if many else [image]):
                columns[j].append(_array(part))
        for j, out in enumerate(outs):
            stacked = np.stack(columns[j], axis=-1) if columns[j] else \
                np.zeros(out.shape + (0,), dtype=_float_dtype(x))  # (an empty argument)
            blocks[j].append(stacked.reshape(out.shape + x.shape))
    return blocks


def hessian(func=None, wrt=0, *, optimized=True, compile=None, fallback=False):
    """``hessian(f, wrt)(*args)``: the Hessian of scalar `f`, shape ``arg.shape + arg.shape``.

    Forward over reverse: one forward-mode product of the generated gradient per column.
    With a tuple `wrt`, a tuple of rows of blocks: ``H[i][j]`` has shape
    ``args[i].shape + args[j].shape``. `compile` and `fallback` (as for `grad`) compile
    the forward-mode products.
    """
    if func is None:
        return functools.partial(hessian, wrt=wrt, optimized=optimized, compile=compile,
                                 fallback=fallback)
    selected = resolve(func, wrt)
    names = selected.names
    refuse_varying_runs(func, 'hessian')
    options = {'compile': compile, 'fallback': fallback}
    if selected.single:
        single = jacobian(grad(func, wrt=names[0], optimized=optimized), wrt=names[0],
                          optimized=optimized, mode='fwd', **options)
        single.s2sgrad_operator = 'hessian'
        return single
    rows = [jacobian(grad(func, wrt=name, optimized=optimized), wrt=names,
                     optimized=optimized, mode='fwd', **options) for name in names]

    def blocks(*args, **kwargs):
        # (each row from the state given, as each column of a row is: `_RunsFromTheGivenState`)
        runs = _RunsFromTheGivenState(args, kwargs, func)
        found = []
        try:
            for row in rows:
                runs.start()
                found.append(row(*args, **kwargs))
                runs.done()
        finally:
            runs.finish()
        return tuple(found)
    blocks.s2sgrad_operator = 'hessian'
    return blocks


def hvp(func=None, wrt=0, *, optimized=True, compile=None, fallback=False):
    """``hvp(f, wrt)(*args, v)``: the Hessian of scalar `f` times `v`, without forming it.

    Forward over reverse (Pearlmutter): the forward-mode product of the generated gradient.
    With a tuple `wrt`, `v` and the result are tuples with one entry per argument.
    `compile` and `fallback` (as for `grad`) compile that product.
    """
    if func is None:
        return functools.partial(hvp, wrt=wrt, optimized=optimized, compile=compile,
                                 fallback=fallback)
    selected = resolve(func, wrt).selection
    return _tangent_product(grad(func, wrt=selected, optimized=optimized), selected, func,
                            'hvp', 'vector', optimized=optimized, verbose=0, shapes=None,
                            compile=compile, fallback=fallback)


def _array(value):
    """`value` as an array without computing or moving it: NumPy, CuPy and dask arrays as
    they are (``np.asarray`` would compute a dask array and refuses a CuPy one), NumPy for
    the rest."""
    if hasattr(value, 'shape') and hasattr(value, 'dtype') and hasattr(value, 'reshape'):
        return value
    return np.asarray(value)


def _float_dtype(out):
    return out.dtype if out.dtype.kind in 'fc' else np.float64
