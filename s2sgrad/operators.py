"""Derived operators built on generated code: `vjp`, `jacobian`, `hessian`, `hvp`."""
import functools
import inspect
import numbers

import numpy as np

from .api import grad, resolve, transform
from .argtrees import leaves, map_leaves
from .builder import still_valid
from .callables import unbind
from .errors import NonScalarOutputError, OptionError, ShapeError
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
    forces one. With a tuple `wrt`, a tuple of Jacobians. An argument that is a list, tuple
    or dict of arrays and numbers gets a Jacobian of its structure (a block per item, of
    shape ``out.shape + item.shape``); an output that is one gives one of its structure,
    holding, for each of its items, what an array output would give. `compile` and
    `fallback` (as for `grad`) compile the `jvp` or `vjp` it calls.
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

    made = {}  # (the vjp, or each argument's jvp: made at the first call, and again only
    # where a name, attribute or default it pinned changed since, as `grad` would remake it;
    # of a method or a partial holding objects of yours, at each call, which follows what
    # the objects hold then: ``obj.act = np.cos``)
    keep = not unbind(func).receivers

    def product(key, make):
        found = made.get(key) if keep else None
        if found is None or not still_valid(found.generated):
            found = made[key] = make()
        return found

    def jac(*args, **kwargs):
        selected = chosen.arguments(args, kwargs)
        for name, value in zip(names, selected):
            if _is_iterator(value):  # (before a run reads its items: `check_tangent`)
                check_tangent(None, value, name)
        runs = _RunsFromTheGivenState(args, kwargs, func)
        out = runs.first(lambda: func(*own(args), **own(kwargs)))
        outs = _outputs(out, func)
        inputs = [_items(value) for value in selected]
        forward = mode == 'fwd' or (mode is None and sum(
            x.size for items in inputs for x in items if x is not None) <
            max(sum(o.size for o in outs), 1))
        try:
            if forward:
                result = _forward_jacobian(func, chosen, inputs, out, outs, args, kwargs,
                                           optimized, options, runs, product)
            else:
                result = _reverse_jacobian(func, names, selected, inputs, out, outs, args,
                                           kwargs, optimized, options, runs, product)
        finally:
            runs.finish()
        result = [[_like(value, blocks[k]) for k, value in enumerate(selected)]
                  for blocks in result]
        return _like(out, [parts[0] if chosen.single else tuple(parts) for parts in result])
    jac.s2sgrad_operator = 'jacobian'
    return jac


def _is_tree(value):
    """Whether `value` is a list, tuple or dict: a Jacobian of its structure."""
    return isinstance(value, (list, tuple, dict))


def _items(value):
    """The arrays of argument `value` whose elements the Jacobian has columns for: `value`
    itself, or the items of a (nested) list, tuple or dict, in `argtrees.leaves` order (None
    for an item that is neither a number nor an array: a name, a flag object; its blocks are
    zeros)."""
    if not _is_tree(value):
        return [_array(value)]
    return [_array(leaf) if _numeric(leaf) else None for _, leaf in leaves(value)]


def _numeric(value):
    """Whether `value` is a number or an array (NumPy, CuPy, dask)."""
    return isinstance(value, (numbers.Number, np.generic)) or hasattr(value, 'shape') and \
        hasattr(value, 'dtype') and hasattr(value, 'reshape')


def _like(template, items):
    """`items` (one per item of `template`, in `_items` order) in `template`'s structure;
    the only item where `template` is no list, tuple or dict."""
    if not _is_tree(template):
        return items[0]
    found = iter(items)
    return map_leaves(lambda path, leaf: next(found), template)


def _basis(value, items, k, index, scalar):
    """A direction of argument or output `value` (`items`: its `_items`): zeros but 1 at
    element `index` of its item `k` (a Python number's direction is a number, `scalar`);
    None for the items that are neither numbers nor arrays."""
    parts = []
    for j, x in enumerate(items):
        if x is None:
            parts.append(None)
            continue
        part = np.zeros_like(x, dtype=_float_dtype(x))
        if j == k:
            part[index] = 1.0
        parts.append(float(part) if scalar[j] else part)
    return _like(value, parts)


class _RunsFromTheGivenState:
    """The objects of yours reachable from the arguments (`object_state`) put back as given
    before each run of the function (``sched.rate()`` advancing `sched` would give each
    column another function), and left at the end as the first run left them, as one call
    would."""

    def __init__(self, args, kwargs, owner=None):
        self.values = [owner] + list(args) + list(kwargs.values())
        self.given = ObjectState(self.values)
        self.after_one = None

    def first(self, run):
        """What `run()` returns, the call of the function itself that finds its output's
        shape, type and structure (on copies of the arrays and containers given: `own`),
        with the objects put back afterwards: a function changing what its arguments hold
        (``x[0] = v``, ``W = box.W; W *= 2``) changes neither the caller's values nor the
        point the derivatives are taken at, and the objects stay the caller's own (``cfg is
        DEFAULT`` holds)."""
        try:
            return run()
        finally:
            self.given.put_back()

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
    """The arrays `func` returned: `out` itself, or the items of a (nested) list, tuple or
    dict of them (a Jacobian each, as JAX gives them), in `argtrees.leaves` order."""
    items = _items(out)
    if any(x is None for x in items):
        kind = next(type(leaf).__name__ for _, leaf in leaves(out) if not _numeric(leaf))
        raise NonScalarOutputError(
            f'jacobian needs numbers and arrays as the output (or lists, tuples or dicts of '
            f'them), but the {type(out).__name__} the function returned holds a {kind}; '
            f'return only the values to differentiate' + definition(func))
    return items


def _reverse_jacobian(func, names, selected, inputs, out, outs, args, kwargs, optimized,
                      options, runs, made):
    """Per output item, the Jacobian blocks of each argument's items: one `vjp` per output
    element, each run from the objects' given state (`runs`); `made(key, make)` keeps the
    `vjp` across calls."""
    product = made(('vjp',), lambda: vjp(func, wrt=names, optimized=optimized, **options))
    numbers_out = [False] * len(outs)  # (a cotangent is an array, also of a number)
    paths = [_paths(value) for value in selected]
    result = []
    for j, y in enumerate(outs):
        rows = [[[] for _ in items] for items in inputs]
        for index in np.ndindex(y.shape or ()):
            cotangent = _basis(out, outs, j, index, numbers_out)
            runs.start()
            parts = product(*args, cotangent, **kwargs)
            runs.done()
            for k, part in enumerate(parts):  # a tuple `wrt`: always a tuple of parts
                found = dict(leaves(part))  # (by path: ``['W']``, ``[0][1]``; ``()``)
                for p, (x, path) in enumerate(zip(inputs[k], paths[k])):
                    if x is not None:
                        rows[k][p].append(_array(found[path]))
        result.append([[_block(y.shape, x, rows[k][p], 0) for p, x in enumerate(items)]
                       for k, items in enumerate(inputs)])
    return result


def _block(shape, x, parts, axis):
    """The block of output item shape `shape` and argument item `x` from its rows (`axis`
    0) or columns (`axis` -1) `parts`: zeros where there are none (an empty array, an item
    that is no number)."""
    if x is None:
        return np.zeros(shape)
    if not parts:
        return np.zeros(shape + x.shape, dtype=_float_dtype(x))
    return np.stack(parts, axis=axis).reshape(shape + x.shape)


def _forward_jacobian(func, chosen, inputs, out, outs, args, kwargs, optimized, options,
                      runs, made):
    """Per output item, the Jacobian blocks of each argument's items: one `jvp` per
    argument element, each run from the objects' given state (`runs`); `made(key, make)`
    keeps each `jvp` across calls."""
    result = [[] for _ in outs]
    given = chosen.arguments(args, kwargs)
    for k, name in enumerate(chosen.names):
        product = made(('jvp', name), lambda name=name: jvp(func, wrt=name,
                                                            optimized=optimized, **options))
        items = inputs[k]
        scalar = [x is not None and not x.shape and not isinstance(leaf, np.ndarray)
                  for x, leaf in zip(items, _given_items(given[k]))]
        columns = [[[] for _ in items] for _ in outs]
        out_paths = _paths(out)
        for p, x in enumerate(items):
            for index in (np.ndindex(x.shape or ()) if x is not None else ()):
                tangent = _basis(given[k], items, p, index, scalar)
                runs.start()
                image = product(*args, tangent, **kwargs)
                runs.done()
                found = dict(leaves(image))
                for j, path in enumerate(out_paths):
                    columns[j][p].append(_array(found[path]))
        for j, y in enumerate(outs):
            result[j].append([_block(y.shape, x, columns[j][p], -1)
                              for p, x in enumerate(items)])
    return result


def _given_items(value):
    """The items of argument `value` as given (`_items` order, unconverted)."""
    return [leaf for _, leaf in leaves(value)]


def _paths(value):
    """Where each item of `value` is (`_items` order): its `argtrees.leaves` paths, ``()``
    for `value` itself."""
    return [path for path, _ in leaves(value)]


def hessian(func=None, wrt=0, *, optimized=True, compile=None, fallback=False):
    """``hessian(f, wrt)(*args)``: the Hessian of scalar `f`, shape ``arg.shape + arg.shape``.

    Forward over reverse: one forward-mode product of the generated gradient per column.
    With a tuple `wrt`, a tuple of rows of blocks: ``H[i][j]`` has shape
    ``args[i].shape + args[j].shape``. Of a list, tuple or dict argument, blocks in its
    structure twice (`jacobian` of the gradient): ``H['W']['b']`` of a dict. `compile` and
    `fallback` (as for `grad`) compile the forward-mode products.
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
