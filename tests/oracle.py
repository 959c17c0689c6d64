"""Differential oracle: reverse (optimized and raw) and forward mode against central differences.

``check(f, args, wrt)`` runs every mode s2sgrad has on one function and returns an ``Outcome``
listing what went wrong, classified by kind:

- ``wrong``: a number that disagrees with central differences (the truth here is always the
  function itself, evaluated in float64 on fresh copies of the arguments; never s2sgrad's output);
- ``crash``: an exception that is not an ``s2sgrad.errors.S2SError`` (from the transform or from
  the generated code);
- ``modified``: a generated function changed an argument the caller passed;
- ``kind``: a gradient whose type, shape or dtype differs from its argument's (or a result of the
  wrong structure);
- ``rejected``: an ``S2SError`` where the case is expected to work (``may_raise=False``).

With ``may_raise=True`` (views and aliases with writes, dictionaries, ...) an ``S2SError`` is an
allowed outcome and is recorded in ``Outcome.allowed``; a wrong number, a crash or a modified
input never is. ``Outcome.assert_ok()`` raises ``AssertionError`` describing every finding.
"""
import copy
import inspect
import os
import traceback

import numpy as np

import s2sgrad
from s2sgrad.errors import S2SError

EPS = 1e-6            # central-difference step, in float64
HVP_EPS = 1e-6        # step for differences of the gradient
RTOL64, ATOL64 = 1e-5, 1e-6
RTOL32, ATOL32 = 1e-3, 1e-4

KINDS = ('wrong', 'crash', 'modified', 'kind', 'rejected')


class Finding:
    def __init__(self, kind, mode, message):
        self.kind, self.mode, self.message = kind, mode, message

    def __repr__(self):
        return f'[{self.kind}] {self.mode}: {self.message}'


class Outcome:
    """What the oracle found for one function: findings (failures), allowed errors, notes."""

    def __init__(self, name):
        self.name = name
        self.findings = []
        self.allowed = []   # (mode, exception class name, message) for allowed S2SErrors
        self.notes = []     # observations that are not failures (a gradient aliasing an input)
        self.checked = []   # modes whose numbers were compared

    def add(self, kind, mode, message):
        self.findings.append(Finding(kind, mode, message))

    @property
    def ok(self):
        return not self.findings

    def kinds(self):
        return sorted({f.kind for f in self.findings})

    def describe(self):
        lines = [f'{self.name}: {len(self.findings)} finding(s)']
        lines += [f'  {f!r}' for f in self.findings]
        if self.allowed:
            lines += [f'  (allowed) {m}: {c}: {msg}' for m, c, msg in self.allowed]
        return '\n'.join(lines)

    def assert_ok(self, source=None):
        if self.findings:
            text = self.describe()
            if source:
                text += '\n--- source ---\n' + source
            raise AssertionError(text)


# ----------------------------------------------------------------------------- structures

def _is_container(x):
    return isinstance(x, (list, tuple, dict))


def leaves(x):
    """The leaves of a (nested) list/tuple/dict, in a fixed order."""
    if isinstance(x, dict):
        return [leaf for k in sorted(x, key=repr) for leaf in leaves(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in leaves(v)]
    return [x]


def rebuild(template, values):
    """``template``'s structure with its leaves replaced by ``values`` (an iterator)."""
    if isinstance(template, dict):
        out = {}
        for k in sorted(template, key=repr):
            out[k] = rebuild(template[k], values)
        return {k: out[k] for k in template}
    if isinstance(template, (list, tuple)):
        items = [rebuild(v, values) for v in template]
        return items if isinstance(template, list) else tuple(items)
    return next(values)


def is_float_leaf(x):
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, np.ndarray):
        return x.dtype.kind == 'f'
    return isinstance(x, (float, np.floating))


def is_single(x):
    return any(isinstance(leaf, (np.ndarray, np.generic)) and leaf.dtype == np.float32
               for leaf in leaves(x))


def _upcast_leaf(x):
    if isinstance(x, np.ndarray) and x.dtype.kind == 'f' and x.dtype != np.float64:
        return x.astype(np.float64)
    if isinstance(x, np.floating) and not isinstance(x, np.float64):
        return np.float64(x)
    return x


def upcast(x):
    return rebuild(x, iter([_upcast_leaf(leaf) for leaf in leaves(x)]))


def same(a, b):
    """Exact equality of two argument structures (type, shape, dtype and every bit of value)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return (a.shape == b.shape and a.dtype == b.dtype
                and np.array_equal(a, b, equal_nan=a.dtype.kind in 'fc'))
    if isinstance(a, (float, np.floating)) and a != a and b != b:
        return True
    return a == b


def as_scalar(value):
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f'output of shape {arr.shape} is not a scalar')
    return float(arr.reshape(()))


# ----------------------------------------------------------------------------- references

def value(f, args):
    """``f`` on deep copies of the arguments (``f`` may write into its arguments)."""
    return as_scalar(f(*copy.deepcopy(args)))


def numerical_grad(f, args, i, eps=EPS):
    """Central differences of ``f`` w.r.t. every float leaf of ``args[i]`` (float64 structure;
    ``None`` for leaves that are not floats). ``args`` must already be upcast to float64."""
    args = list(args)
    template = args[i]
    out = []
    flat = leaves(template)

    def at(k, new_leaf):
        changed = list(flat)
        changed[k] = new_leaf
        moved = list(args)
        moved[i] = rebuild(template, iter(changed))
        return value(f, moved)

    for k, leaf in enumerate(flat):
        if not is_float_leaf(leaf):
            out.append(None)
        elif isinstance(leaf, np.ndarray):
            g = np.zeros(leaf.shape)
            for j in range(leaf.size):
                plus, minus = leaf.copy(), leaf.copy()
                plus.flat[j] += eps
                minus.flat[j] -= eps
                g.flat[j] = (at(k, plus) - at(k, minus)) / (2 * eps)
            out.append(g)
        else:
            kind = type(leaf)
            out.append((at(k, kind(leaf + eps)) - at(k, kind(leaf - eps))) / (2 * eps))
    return rebuild(template, iter(out))


def _direction(x, rng):
    def one(leaf):
        if isinstance(leaf, np.ndarray) and leaf.dtype.kind == 'f':
            return rng.standard_normal(leaf.shape).astype(leaf.dtype)
        if isinstance(leaf, np.floating):
            return type(leaf)(rng.standard_normal())
        if isinstance(leaf, float):
            return float(rng.standard_normal())
        if isinstance(leaf, np.ndarray):
            return np.zeros(leaf.shape)
        return 0.0
    return rebuild(x, iter([one(leaf) for leaf in leaves(x)]))


def _inner(g, v):
    """(<g, v>, sum |g v|) over the float leaves."""
    total, size = 0.0, 0.0
    for a, b in zip(leaves(g), leaves(v)):
        if a is None:
            continue
        prod = np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)
        total += float(np.sum(prod))
        size += float(np.sum(np.abs(prod)))
    return total, size


def _maxabs(x):
    m = 0.0
    for leaf in leaves(x):
        if leaf is not None and is_float_leaf(leaf) or isinstance(leaf, (int, float)):
            a = np.abs(np.asarray(leaf, dtype=np.float64))
            if a.size:
                m = max(m, float(np.max(a)))
    return m


# ----------------------------------------------------------------------------- the oracle

def wrt_indices(f, wrt):
    names = list(inspect.signature(f).parameters)
    items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    return [names.index(w) if isinstance(w, str) else w for w in items], \
        isinstance(wrt, (tuple, list))


def _where(exc):
    """The innermost traceback frame in generated code (else outside NumPy), as a short string."""
    frames = traceback.extract_tb(exc.__traceback__)
    for fr in reversed(frames):
        if (fr.filename or '').startswith('<s2sgrad'):
            return f'{fr.filename}:{fr.lineno}: {fr.line}'
    for fr in reversed(frames):
        if f'{os.sep}numpy{os.sep}' not in (fr.filename or ''):
            return f'{fr.filename}:{fr.lineno}: {fr.line}'
    if frames:
        fr = frames[-1]
        return f'{fr.filename}:{fr.lineno}: {fr.line}'
    return ''


class _Run:
    def __init__(self, outcome, args, may_raise):
        self.outcome, self.args, self.may_raise = outcome, args, may_raise

    def call(self, mode, make, *extra, refusal_allowed=False):
        """Build with ``make()`` and call on fresh copies; record errors and modified inputs
        (an S2SError as allowed with `refusal_allowed`). Returns (ok, result)."""
        outcome = self.outcome
        try:
            fn = make()
        except S2SError as exc:
            self._s2s(mode, exc, 'transform', refusal_allowed)
            return False, None
        except Exception as exc:  # noqa: BLE001 -- a crash of the transform is a finding
            outcome.add('crash', mode, f'transform raised {type(exc).__name__}: {exc} '
                        f'[{_where(exc)}]')
            return False, None
        call_args = copy.deepcopy(self.args)
        extra_before = copy.deepcopy(extra)
        try:
            result = fn(*call_args, *extra)
        except S2SError as exc:
            self._check_unmodified(mode, call_args)
            self._s2s(mode, exc, 'call', refusal_allowed)
            return False, None
        except Exception as exc:  # noqa: BLE001
            self._check_unmodified(mode, call_args)
            outcome.add('crash', mode, f'generated code raised {type(exc).__name__}: {exc} '
                        f'[{_where(exc)}]')
            return False, None
        unmodified = self._check_unmodified(mode, call_args)
        if not same(extra_before, extra):
            outcome.add('modified', mode, f'the tangent/vector argument was modified: '
                        f'{_short(extra_before)} became {_short(extra)}')
        if unmodified:
            for res_leaf in leaves(result):
                if isinstance(res_leaf, np.ndarray):
                    for arg_leaf in leaves(call_args):
                        if isinstance(arg_leaf, np.ndarray) and np.shares_memory(res_leaf,
                                                                                 arg_leaf):
                            outcome.notes.append(f'{mode}: a result shares memory with an '
                                                 'argument')
        return True, result

    def _check_unmodified(self, mode, call_args):
        for k, (before, after) in enumerate(zip(self.args, call_args)):
            if not same(before, after):
                self.outcome.add('modified', mode, f'argument {k} was modified: '
                                 f'{_short(before)} became {_short(after)}')
                return False
        return True

    def _s2s(self, mode, exc, when, allowed=False):
        message = str(exc).splitlines()[0] if str(exc) else ''
        if self.may_raise or allowed:
            self.outcome.allowed.append((mode, type(exc).__name__, message))
        else:
            self.outcome.add('rejected', mode, f'{when} raised {type(exc).__name__}: {message}')


def _short(x):
    text = repr(x).replace('\n', ' ')
    return text if len(text) < 120 else text[:117] + '...'


def _check_kind(outcome, mode, i, arg, g):
    """The gradient of ``arg`` has its structure and, leaf by leaf, its type, shape and dtype."""
    where = f'gradient of argument {i}'
    if _is_container(arg):
        if type(g) is not type(arg) or (isinstance(arg, dict) and set(g) != set(arg)) or (
                not isinstance(arg, dict) and len(g) != len(arg)):
            outcome.add('kind', mode, f'{where} is {_short(g)}, expected the structure of '
                        f'{_short(arg)}')
            return False
        pairs = zip(leaves(arg), leaves(g))
    else:
        pairs = [(arg, g)]
    ok = True
    for a, b in pairs:
        if not is_float_leaf(a):
            continue
        if isinstance(a, np.ndarray):
            if not isinstance(b, np.ndarray):
                outcome.add('kind', mode, f'{where} is {type(b).__name__}, expected ndarray')
                ok = False
            elif b.shape != a.shape or b.dtype != a.dtype:
                outcome.add('kind', mode, f'{where} has shape {b.shape} dtype {b.dtype}, '
                            f'expected {a.shape} {a.dtype}')
                ok = False
        elif type(b) is not type(a):
            outcome.add('kind', mode, f'{where} is {type(b).__name__}, expected '
                        f'{type(a).__name__}')
            ok = False
    return ok


def _compare(outcome, mode, i, got, expected, rtol, atol, scale):
    """Leaf by leaf; returns True when every float leaf agrees."""
    ok = True
    for g, e in zip(leaves(got) if _is_container(expected) else [got],
                    leaves(expected) if _is_container(expected) else [expected]):
        if e is None:
            continue
        try:
            g64 = np.asarray(g, dtype=np.float64)
        except (TypeError, ValueError):
            outcome.add('kind', mode, f'gradient of argument {i} is not numeric: {_short(g)}')
            return False
        if g64.shape != np.shape(e):
            continue  # reported by _check_kind
        e = np.asarray(e)
        bad = ~(np.abs(g64 - e) <= atol * scale + rtol * np.abs(e))
        if np.any(bad):
            outcome.add('wrong', mode, f'gradient of argument {i} differs from central '
                        f'differences at {int(np.sum(bad))} of {e.size} entries:\n'
                        f'      got      {_short(np.round(g64, 8))}\n'
                        f'      expected {_short(np.round(e, 8))}')
            ok = False
    return ok


def check(f, args, wrt, *, may_raise=False, second_order=True, seed=0, name=None,
          modes=('rev', 'raw', 'vag', 'fwd', 'hvp')):
    """Run the oracle on ``f(*args)`` differentiated w.r.t. ``wrt``; return an ``Outcome``."""
    with np.errstate(all='ignore'):  # a NaN or inf shows up in the comparison, not as a warning
        return _check(f, args, wrt, may_raise, second_order, seed, name, modes)


def _check(f, args, wrt, may_raise, second_order, seed, name, modes):
    outcome = Outcome(name or getattr(f, '__name__', repr(f)))
    args = list(args)
    indices, is_tuple = wrt_indices(f, wrt)
    pristine = copy.deepcopy(args)
    single = any(is_single(args[i]) for i in range(len(args)))
    rtol, atol = (RTOL32, ATOL32) if single else (RTOL64, ATOL64)

    # The truth: the function itself, in float64, on fresh copies.
    args64 = [upcast(a) for a in args]
    try:
        f_value = value(f, args64)
        expected = [numerical_grad(f, args64, i) for i in indices]
    except Exception as exc:  # noqa: BLE001 -- a broken case is reported, not hidden
        outcome.add('crash', 'reference', f'the function itself raised {type(exc).__name__}: '
                    f'{exc}')
        return outcome
    scales = [max(1.0, abs(f_value), _maxabs(e)) for e in expected]

    run = _Run(outcome, args, may_raise)
    good_grad = {}
    for mode, optimized in (('rev', True), ('raw', False)):
        if mode not in modes:
            continue
        ok, result = run.call(mode, lambda: s2sgrad.grad(f, wrt=wrt, optimized=optimized))
        if not ok:
            continue
        if is_tuple:
            if not isinstance(result, tuple) or len(result) != len(indices):
                outcome.add('kind', mode, f'wrt={wrt!r} must give a tuple of {len(indices)} '
                            f'gradients, got {_short(result)}')
                if len(indices) != 1:
                    continue
                result = (result,)  # still compare the numbers of a one-element wrt
            grads = list(result)
        else:
            grads = [result]
        outcome.checked.append(mode)
        all_ok = True
        for i, g, e, scale in zip(indices, grads, expected, scales):
            all_ok &= _check_kind(outcome, mode, i, args[i], g)
            all_ok &= _compare(outcome, mode, i, g, e, rtol, atol, scale)
        if all_ok:
            good_grad[mode] = optimized

    if 'vag' in modes:  # the value beside the gradient is the function's value
        ok, result = run.call('vag', lambda: s2sgrad.value_and_grad(f, wrt=wrt))
        if ok:
            outcome.checked.append('vag')
            try:
                got_value = as_scalar(result[0])
                if not abs(got_value - f_value) <= atol * max(1.0, abs(f_value)) + \
                        rtol * abs(f_value):
                    outcome.add('wrong', 'vag', f'value_and_grad gives the value {got_value!r}, '
                                f'the function returns {f_value!r}')
            except (TypeError, ValueError, IndexError) as exc:
                outcome.add('kind', 'vag', f'value_and_grad result {_short(result)} has no '
                            f'scalar value ({exc})')

    rng = np.random.default_rng(seed + 1)
    if 'fwd' in modes:
        tangents = [_direction(args[i], rng) for i in indices]
        passed = copy.deepcopy(tangents)  # the oracle uses `tangents`, jvp gets its own copy
        ok, got = run.call('fwd', lambda: s2sgrad.jvp(f, wrt=wrt),
                           tuple(passed) if is_tuple else passed[0])
        if ok:
            outcome.checked.append('fwd')
            want, size = 0.0, 0.0
            for e, t in zip(expected, tangents):
                a, b = _inner(e, t)
                want += a
                size += b
            try:
                got_value = as_scalar(got)
                out_shape = np.shape(f(*copy.deepcopy(args)))
                if np.shape(got) != out_shape:
                    outcome.add('kind', 'fwd', f'jvp result has shape {np.shape(got)}, the '
                                f'output has shape {out_shape}')
                scale = max(scales) * max(1.0, sum(_maxabs(t) for t in tangents))
                if not abs(got_value - want) <= atol * scale + rtol * size:
                    outcome.add('wrong', 'fwd', f'jvp along a random direction is {got_value!r}, '
                                f'central differences give {want!r}')
            except (TypeError, ValueError) as exc:
                outcome.add('kind', 'fwd', f'jvp result {_short(got)} is not a scalar ({exc})')

    floats64 = all(not _is_container(args[i]) and is_float_leaf(args[i]) and not is_single(args[i])
                   for i in indices)
    if 'hvp' in modes and second_order and floats64 and good_grad:
        # H v against differences of a gradient that has just agreed with central differences.
        optimized = good_grad.get('rev', good_grad.get('raw'))
        g = s2sgrad.grad(f, wrt=wrt, optimized=optimized)
        v = [_direction(args[i], rng) for i in indices]
        passed = copy.deepcopy(v)
        ok, got = run.call('hvp', lambda: s2sgrad.hvp(f, wrt=wrt),
                           tuple(passed) if is_tuple else passed[0])
        if ok:
            outcome.checked.append('hvp')

            def moved(sign):
                new = copy.deepcopy(args)
                for i, d in zip(indices, v):
                    new[i] = type(args[i])(args[i] + sign * HVP_EPS * d) \
                        if not isinstance(args[i], np.ndarray) else args[i] + sign * HVP_EPS * d
                res = g(*new)
                return list(res) if is_tuple else [res]
            plus, minus = moved(1.0), moved(-1.0)
            got_list = list(got) if is_tuple else [got]
            if len(got_list) != len(indices):
                outcome.add('kind', 'hvp', f'hvp gave {_short(got)}')
            else:
                for i, h, p, m in zip(indices, got_list, plus, minus):
                    want = (np.asarray(p, dtype=np.float64) - np.asarray(m, dtype=np.float64)) \
                        / (2 * HVP_EPS)
                    h64 = np.asarray(h, dtype=np.float64)
                    if h64.shape != np.shape(args[i]):
                        outcome.add('kind', 'hvp', f'H v for argument {i} has shape {h64.shape},'
                                    f' expected {np.shape(args[i])}')
                        continue
                    scale = max(1.0, _maxabs(want), _maxabs(p))
                    bad = ~(np.abs(h64 - want) <= atol * scale + rtol * np.abs(want))
                    if np.any(bad):
                        outcome.add('wrong', 'hvp', f'H v for argument {i} differs from '
                                    f'differences of the gradient:\n'
                                    f'      got      {_short(np.round(h64, 8))}\n'
                                    f'      expected {_short(np.round(want, 8))}')
        # reverse over reverse: the vjp of the gradient with v is H v too (H is symmetric);
        # a refusal there is allowed (the README names the forms), a wrong number is not
        ok, rgot = run.call('rhvp', lambda: s2sgrad.vjp(g, wrt=wrt, optimized=optimized),
                            tuple(copy.deepcopy(v)) if is_tuple else copy.deepcopy(v[0]),
                            refusal_allowed=True)
        if ok and 'hvp' in outcome.checked:
            outcome.checked.append('rhvp')
            for i, h, p, m in zip(indices, list(rgot) if is_tuple else [rgot], plus, minus):
                want = (np.asarray(p, dtype=np.float64) - np.asarray(m, dtype=np.float64)) \
                    / (2 * HVP_EPS)
                h64 = np.asarray(h, dtype=np.float64)
                scale = max(1.0, _maxabs(want), _maxabs(p))
                if h64.shape != want.shape or np.any(
                        ~(np.abs(h64 - want) <= atol * scale + rtol * np.abs(want))):
                    outcome.add('wrong', 'rhvp', f'the vjp of the gradient for argument {i} '
                                f'differs from differences of the gradient:\n'
                                f'      got      {_short(np.round(h64, 8))}\n'
                                f'      expected {_short(np.round(want, 8))}')
    for before, after in zip(pristine, args):
        assert same(before, after), 'the oracle itself modified the arguments'
    return outcome


def describe_source(f, wrt):
    """Generated source of the optimized gradient, or why there is none (for reports)."""
    try:
        return s2sgrad.grad(f, wrt=wrt).source
    except Exception as exc:  # noqa: BLE001
        return f'<no source: {type(exc).__name__}: {exc}>'
