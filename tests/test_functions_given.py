"""Writes out of sight through functions and methods a helper is given: bound methods of arrays
taken without a call, functions given to a helper (as an argument, a default, from a table or a
factory), local functions calling each other, and methods of objects a helper is given."""
import copy
import copyreg
import operator

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import InPlaceError, UnsupportedSyntaxError


X = np.array([0.3, 0.7, 1.1])


def check_grad(f, *args):
    """The gradient of `f` in its first argument agrees with central differences, and the
    arguments are left as they were."""
    saved = [np.array(a, copy=True) for a in args]
    got = s2sgrad.grad(f)(*args)
    for arg, before in zip(args, saved):
        np.testing.assert_array_equal(arg, before)
    want = numerical_grad(f, [a.copy() for a in saved], 0)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def refused(f, error, match, *args):
    """`f`'s gradient is refused with `error` (its message matching `match`)."""
    with pytest.raises(error, match=match):
        s2sgrad.grad(f)(*(args or (X.copy(),)))


# --- bound methods of arrays, taken without a call


def bound_fill(x):
    w = np.sin(x)
    m = w.fill
    m(3.0)
    return np.sum(w * x)


def bound_imul(x):
    w = np.sin(x)
    s = w.__imul__
    s(2.0)
    return np.sum(w * x)


def bound_fill_after_read(x):
    w = np.sin(x)
    v = w * x
    m = w.fill
    m(3.0)
    return np.sum(v * w)


def bound_in_list(x):
    w = np.sin(x)
    v = w * x
    fns = [w.fill]
    fns[0](3.0)
    return np.sum(v * w)


def bound_of_kept_constant(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    m = w.fill
    m(0.0)
    return t


@pytest.mark.parametrize('f', [bound_fill, bound_imul, bound_fill_after_read, bound_in_list,
                               bound_of_kept_constant])
def test_bound_writer_refused(f):
    refused(f, UnsupportedSyntaxError, 'taken without calling it')


def test_bound_writer_refused_in_forward_mode():
    with pytest.raises(UnsupportedSyntaxError, match='the method `fill` of `w`'):
        s2sgrad.jvp(bound_fill)(X.copy(), np.ones(3))


def _fill_first(ps):
    m = ps[0].fill
    m(3.0)
    return 1.0


def _imul_bound(p):
    s = p.__imul__
    s(2.0)
    return 0.0


def helper_bound_fill(x):
    w = np.sin(x)
    t = np.sum(w * x)
    c = _fill_first([w])
    return t + np.sum(w) + c


def helper_bound_imul(x):
    w = np.sin(x)
    t = np.sum(w * x)
    return t + _imul_bound(w)


def helper_bound_fill_of_constant(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    _fill_first([w])
    return t


def helper_bound_fill_of_argument(x, w):
    t = np.sum(w * x)
    c = _fill_first([w])
    return t + c


def test_helper_bound_writers_refused():
    refused(helper_bound_fill, UnsupportedSyntaxError, 'the method `fill` of `ps`')
    refused(helper_bound_imul, UnsupportedSyntaxError, 'writes into its argument `p`')
    refused(helper_bound_fill_of_constant, InPlaceError, 'writes into the items')
    refused(helper_bound_fill_of_argument, InPlaceError, 'writes into the items', X.copy(),
            np.ones(3) * 2.0)


# --- functions given to a helper


def _scale(p):
    p *= 2.0


def _doubled(p):
    return p * 2.0


def _apply_first(fn, ps):
    fn(ps[0])
    return 0.0


def _apply(fn, p):
    fn(p)
    return 0.0


def _apply_default(ps, fn=_scale):
    fn(ps[0])
    return 0.0


def _apply_each(fn, ps):
    for p in ps:
        fn(p)
    return 0.0


_TABLE = {'scale': _scale, 'double': _doubled}


def _apply_named(name, p):
    _TABLE[name](p)
    return 0.0


def _make():
    return _scale


def _make_scaler(c):
    def scale(p):
        p *= c
    return scale


def given_in_list(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    _apply_first(_scale, [w])
    return t


def given_array(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _apply(_scale, w)
    return t + c


def given_by_default(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _apply_default([w])
    return t + c


def given_each(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _apply_each(_scale, [w, x])
    return t + c


def given_from_table(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _apply_named('scale', w)
    return t + c


def given_by_factory(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    _make()(w)
    return t


def given_by_closure_factory(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    _make_scaler(3.0)(w)
    return t


def given_as_default_of_f(x, fn=_scale):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _apply(fn, w)
    return t + c


def given_differentiated(x):
    w = np.sin(x)
    c = _apply(_scale, w)
    return np.sum(w * x) + c


@pytest.mark.parametrize('f', [given_in_list, given_array, given_by_default, given_each,
                               given_from_table, given_by_factory, given_by_closure_factory,
                               given_as_default_of_f, given_differentiated])
def test_writing_function_given_refused(f):
    with pytest.raises((InPlaceError, UnsupportedSyntaxError),
                       match='in place|writes into|changes its parameter'):
        s2sgrad.grad(f)(X.copy())


def _apply_value(fn, p):
    return np.sum(fn(p))


def given_library_function(x):
    w = np.ones(3) * 2.0
    return np.sum(w * x) + _apply_value(np.sin, w)


def given_library_default(x, fn=np.cos):
    w = np.sin(x)
    return np.sum(w * x) + _apply_value(fn, w)


def given_pure_function(x):
    w = np.ones(3) * 2.0
    return np.sum(w * x) + _apply_value(_doubled, w)


def given_pure_table_entry(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    return t + np.sum(_apply_value(_TABLE['double'], w))


@pytest.mark.parametrize('f', [given_library_function, given_library_default,
                               given_pure_function, given_pure_table_entry])
def test_harmless_function_given_runs(f):
    check_grad(f, X.copy())
    assert 'check_method_writes' not in s2sgrad.grad(f).source


# --- local functions of a helper calling each other


def _siblings(ps):
    def inner(p):
        p *= 2.0

    def outer(p):
        inner(p)
    outer(ps[0])
    return 0.0


def _pure_siblings(ps):
    def inner(p):
        return p * 2.0

    def outer(p):
        return inner(p)
    return np.sum(outer(ps[0]))


def sibling_writes(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _siblings([w])
    return t + c


def sibling_reads(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    return t + _pure_siblings([w])


def test_local_functions_calling_each_other():
    refused(sibling_writes, InPlaceError, 'writes into the items')
    check_grad(sibling_reads, X.copy())


# --- methods of objects given to a helper


class _Opt:
    def step(self, p):
        p -= 0.5 * p


class _Log:
    def __init__(self):
        self.rows = []

    def record(self, p):
        self.rows.append(float(np.sum(p)))


def _train_step(opt, p):
    opt.step(p)
    return 0.0


def _update_all(ps, opt):
    for p in ps:
        opt.step(p)
    return 0.0


def _report(log, p):
    log.record(p)
    return 0.0


def _layer(W, v):
    return W.dot(v)


def method_of_default(x, opt=_Opt()):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _train_step(opt, w)
    return t + c


def method_of_new_object(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _train_step(_Opt(), w)
    return t + c


def method_on_items(x, opt=_Opt()):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _update_all([w], opt)
    return t + c


@pytest.mark.parametrize('f', [method_of_default, method_of_new_object, method_on_items])
def test_writing_method_of_given_object_refused(f):
    refused(f, InPlaceError, 'calls `opt.step')


def harmless_method(x, log=_Log()):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _report(log, w)
    return t + c


def test_harmless_method_of_given_object_runs():
    check_grad(harmless_method, X.copy())
    assert harmless_method.__defaults__[0].rows  # (the method ran)


def array_method_in_helper(x, W):
    return np.sum(np.tanh(_layer(W, x)))


def test_array_method_in_helper_call_not_checked():
    W = np.eye(3) * 0.5
    check_grad(array_method_in_helper, X.copy(), W)
    # (the helper's call is not checked for the array method it calls on its parameter)
    assert 'calls `W.dot(...)` of its parameter' not in \
        s2sgrad.grad(array_method_in_helper).source


# --- methods calling methods of their object, objects reached through other objects


class _Delegating:
    lr = 0.5

    def step(self, p):
        self._apply(p)

    def _apply(self, p):
        p -= self.lr * p


class _Wrap:
    def __init__(self, opt):
        self.opt = opt

    def step(self, p):
        self.opt.step(p)


class _BoundStore:
    def __init__(self):
        self.fn = _Opt().step


class _Prop:
    @property
    def step(self):
        return _Opt().step


class _Proxy:
    def __getattr__(self, name):
        return _scale


class _Calling:
    def __call__(self, p):
        p *= 2.0


_OPT = _Opt()


def _train_dict(d, p):
    d['opt'].step(p)
    return 0.0


def _train_each(opts, p):
    for o in opts:
        o.step(p)
    return 0.0


def _run_all(fns, p):
    for fn in fns:
        fn(p)
    return 0.0


def _run_named(d, p):
    d['f'](p)
    return 0.0


_FUNCTIONS = [_scale]


def _run_module_list(p):
    for fn in _FUNCTIONS:
        fn(p)
    return 0.0


def _run_table_values(p):
    for fn in _TABLE.values():
        fn(p)
    return 0.0


def _run_table_get(p):
    fn = _TABLE.get('scale')
    if fn is not None:
        fn(p)
    return 0.0


def _run_local_list(p):
    def inner(q, c):
        q *= c
    fns = [inner]
    fns[0](p, 2.0)
    return 0.0


def _run_appended(p):
    fns = []
    fns.append(_scale)
    fns[0](p)
    return 0.0


def _run_chosen(p):
    fn = _scale if p.ndim else None
    fn(p)
    return 0.0


def _kept(call):
    """f(x) reading `w` for the gradient, then `call(w)` (which may change `w` in place)."""
    def f(x):
        w = np.ones(3) * 2.0
        t = np.sum(w * x)
        call(w)
        return t
    return f


def self_method_default(x, opt=_Delegating()):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    opt.step(w)
    return t


def self_method_new(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    _Delegating().step(w)
    return t


def self_method_helper(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _train_step(_Delegating(), w)
    return t + c


def attribute_object(x, opt=_Wrap(_Opt())):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    opt.step(w)
    return t


def module_object(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _train_step(_OPT, w)
    return t + c


def stored_bound_method(x, o=_BoundStore()):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    o.fn(w)
    return t


def property_method(x, opt=_Prop()):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    opt.step(w)
    return t


def proxy_method(x, opt=_Proxy()):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    opt.step(w)
    return t


def callable_object(x, fn=_Calling()):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    fn(w)
    return t


def objects_in_dict(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _train_dict({'opt': _Opt()}, w)
    return t + c


def objects_in_list(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _train_each([_Opt()], w)
    return t + c


def objects_in_values(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _update_all({'a': w}.values(), _Opt())
    return t + c


def table_call(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    _TABLE['scale'](w)
    return t


def table_get_call(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    _TABLE.get('scale')(w)
    return t


def local_list_call(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    fns = [_scale]
    fns[0](w)
    return t


def default_dict_call(x, cfg={'fn': _scale}):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    cfg['fn'](w)
    return t


def functions_in_list(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _run_all([_scale], w)
    return t + c


def functions_in_dict(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _run_named({'f': _scale}, w)
    return t + c


@pytest.mark.parametrize('f', [
    self_method_default, self_method_new, self_method_helper, attribute_object, module_object,
    stored_bound_method, property_method, proxy_method, callable_object, objects_in_dict,
    objects_in_list, objects_in_values, table_call, table_get_call, local_list_call,
    default_dict_call, functions_in_list, functions_in_dict,
    _kept(_run_module_list), _kept(_run_table_values), _kept(_run_table_get),
    _kept(_run_local_list), _kept(_run_appended), _kept(_run_chosen)])
def test_write_through_objects_and_tables_refused(f):
    with pytest.raises((InPlaceError, UnsupportedSyntaxError),
                       match='in place|writes into|changes|may write'):
        s2sgrad.grad(f)(X.copy())


def argument_written_by_method(x, w, opt=_Delegating()):
    t = np.sum(w * x)
    c = _train_step(opt, w)
    return t + c


def test_argument_written_by_method_refused_and_left_alone():
    w = np.ones(3) * 2.0
    with pytest.raises(InPlaceError, match='calls `opt.step'):
        s2sgrad.grad(argument_written_by_method)(X.copy(), w)
    np.testing.assert_array_equal(w, np.ones(3) * 2.0)


# --- library functions that write, taken as values


def _apply_args(fn, *args):
    fn(*args)
    return 0.0


def alias_imul(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    op = operator.imul
    op(w, 2.0)
    return t


def alias_fill(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    m = np.ndarray.fill
    m(w, 3.0)
    return t


def alias_copyto(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = np.copyto
    c(w, 3.0)
    return t


def copyto_given(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _apply_args(np.copyto, w, 3.0)
    return t + c


def methodcaller_given(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _apply(operator.methodcaller('fill', 3.0), w)
    return t + c


def view_method_bound(x):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    m = w.reshape(-1).fill
    m(3.0)
    return t


@pytest.mark.parametrize('f', [alias_imul, alias_fill, alias_copyto, copyto_given,
                               methodcaller_given, view_method_bound])
def test_library_writer_taken_as_value_refused(f):
    refused(f, UnsupportedSyntaxError, 'taken without calling it')


# --- what must keep running, without checks it does not need


def _pure_each(fns, p):
    return sum(np.sum(fn(p)) for fn in fns)


def pure_functions_in_list(x):
    w = np.sin(x)
    return np.sum(w * x) + _pure_each([np.cos, _doubled], np.ones(3))


def _record_shape(log, shape, n):
    log.rows.append((shape, n))


def shape_given(x, log=_Log()):
    y = np.sin(x)
    log.record(y.shape)
    return np.sum(y * y)


def test_pure_function_containers_run():
    check_grad(pure_functions_in_list, X.copy())


def test_no_check_for_a_shape():
    check_grad(shape_given, X.copy())
    # (the shape is not given to the check as the array `y`; the object may hold `x`, which
    # the derivative read before the call: that is checked, `tests/test_object_holders.py`)
    source = s2sgrad.grad(shape_given).source
    assert "(log, 'record', " in source and "(), kept=(x,))" in source


def logging_objects(x, logs=(_Log(), _Log())):
    w = np.ones(3) * 2.0
    t = np.sum(w * x)
    c = _train_each_log(logs, w)
    return t + c


def _train_each_log(logs, p):
    for log in logs:
        log.record(p)
    return 0.0


def test_logging_objects_in_a_tuple_run():
    check_grad(logging_objects, X.copy())
    assert logging_objects.__defaults__[0][0].rows


# --- review of the above: harmless programs that must keep running, with no needless checks


class _Model:
    def __init__(self):
        self.W = np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.4]])

    def act(self, z):
        return np.tanh(z)

    def layer(self, x):
        return self.act(self.W @ x)

    def loss(self, x):
        return np.sum(self.layer(x) ** 2)


_MODEL = _Model()


def model_loss(x):
    return _MODEL.loss(x)


def test_methods_of_a_known_class_get_no_checks():
    for f in (_MODEL.loss, model_loss):
        check_grad(f, X.copy())
        assert 'check_method_writes' not in s2sgrad.grad(f).source


class _Scaler:
    def apply(self, d):
        return d * 2.0


class _Slotted:
    __slots__ = ('scaler',)

    def __init__(self):
        self.scaler = _Scaler()

    def run(self, d):
        return self.scaler.apply(d)


class _WithProperty:
    def __init__(self):
        self._scaler = _Scaler()

    @property
    def scaler(self):
        return self._scaler

    def run(self, d):
        return self.scaler.apply(d)


class _Forwarding:
    def __init__(self):
        self._inner = _WithProperty()

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _pipeline_of(obj):
    def f(x, data):
        return np.sum(x * obj.run(data))
    return f


@pytest.mark.parametrize('obj', [_Slotted(), _WithProperty(), _Forwarding()],
                         ids=['slots', 'property', 'getattr'])
def test_delegating_objects_that_only_read_run(obj):
    check_grad(_pipeline_of(obj), X.copy(), np.array([1.0, 2.0, 3.0]))


class _Chain:  # (``m0`` calls ``m1``, ..., ``m19``: a chain deeper than the analysis's limit
    # of 16 before this change; each only reads)
    def m0(self, p):
        return self.m1(p) + p

    def m1(self, p):
        return self.m2(p) + p

    def m2(self, p):
        return self.m3(p) + p

    def m3(self, p):
        return self.m4(p) + p

    def m4(self, p):
        return self.m5(p) + p

    def m5(self, p):
        return self.m6(p) + p

    def m6(self, p):
        return self.m7(p) + p

    def m7(self, p):
        return self.m8(p) + p

    def m8(self, p):
        return self.m9(p) + p

    def m9(self, p):
        return self.m10(p) + p

    def m10(self, p):
        return self.m11(p) + p

    def m11(self, p):
        return self.m12(p) + p

    def m12(self, p):
        return self.m13(p) + p

    def m13(self, p):
        return self.m14(p) + p

    def m14(self, p):
        return self.m15(p) + p

    def m15(self, p):
        return self.m16(p) + p

    def m16(self, p):
        return self.m17(p) + p

    def m17(self, p):
        return self.m18(p) + p

    def m18(self, p):
        return self.m19(p) + p

    def m19(self, p):
        return self.m20(p) + p

    def m20(self, p):
        return p * 1.0


_CHAIN = _Chain()


def deep_method_chain(x):
    return np.sum(_CHAIN.m0(x) ** 2)


def test_deep_method_chain_runs():
    check_grad(deep_method_chain, X.copy())


class _Clipper:
    def clip(self, g):  # (named like an array's method, writes into its argument)
        np.clip(g, -0.5, 0.5, out=g)
        return g


def user_method_named_like_arrays(x, data, proc=_Clipper()):
    t = np.sum(x * data)
    proc.clip(data)
    return t


def test_user_method_named_like_an_arrays_is_checked():
    data = np.array([2.0, -3.0, 0.1])
    with pytest.raises(InPlaceError, match='proc.clip'):
        s2sgrad.grad(user_method_named_like_arrays)(X.copy(), data)
    np.testing.assert_array_equal(data, [2.0, -3.0, 0.1])


def _norm(d):
    return d / np.sum(d)


def local_table(x, data):
    table = {'norm': _norm}
    return np.sum(x * table['norm'](data))


def test_local_table_of_pure_functions_exports():
    data = np.array([1.0, 2.0, 3.0])
    check_grad(local_table, X.copy(), data)
    assert 'check_method_writes' not in s2sgrad.grad(local_table).source


# --- the standard library's own tables are not yours


def _reduce_registered(obj):  # (a reducer as libraries register them: torch registers 470)
    return type(obj), ()


def deep_copied_state(x):
    state = [np.sin(x), x * 2.0]
    kept = copy.deepcopy(state)
    kept[0] *= 3.0
    return np.sum(kept[0] * state[1])


def test_deepcopy_does_not_read_the_functions_registered_with_copyreg(monkeypatch):
    # ``copy.deepcopy`` reads ``copyreg.dispatch_table.get(cls)``; the functions registered
    # there are Python's and the libraries', not the program's: reading each of them at every
    # build made a gradient of a program calling ``copy.deepcopy`` take seconds once torch was
    # imported (its 470 reducers), and the test suite's deep-copy tests minutes.
    from s2sgrad import effects, source
    parsed = []
    for module in (effects, source):
        real = module.parse_function
        monkeypatch.setattr(module, 'parse_function',
                            lambda func, *a, real=real, **k: parsed.append(func) or
                            real(func, *a, **k))
    classes = [type(f'_Registered{i}', (), {}) for i in range(3)]
    for klass in classes:
        copyreg.pickle(klass, _reduce_registered)
    try:
        check_grad(deep_copied_state, X.copy())
    finally:
        for klass in classes:
            copyreg.dispatch_table.pop(klass, None)
    assert parsed and _reduce_registered not in parsed
