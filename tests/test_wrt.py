"""`Wrt` (the arguments to differentiate, resolved once) and `Mode` (what is generated)."""
import functools

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import WrtError
from s2sgrad.modes import Mode
from s2sgrad.wrt import Wrt


def f(x, y, z=2.0):
    return x * y * z


class Model:
    def loss(self, w, x):
        return np.sum(w * x)


def test_positions_names_and_numpy_integers_resolve_to_names():
    assert Wrt.of(f, 0).names == ('x',)
    assert Wrt.of(f, 'y').names == ('y',)
    assert Wrt.of(f, -1).names == ('z',)
    assert Wrt.of(f, np.int64(1)).names == ('y',)
    both = Wrt.of(f, (0, 'z'))
    assert both.names == ('x', 'z') and not both.single
    assert both.selection == ('x', 'z') and Wrt.of(f, 1).selection == 'y'
    assert both.positions == (0, 2)


def test_arguments_reads_positional_and_keyword_values():
    chosen = Wrt.of(f, ('x', 'z'))
    assert chosen.arguments((1.0, 2.0), {'z': 5.0}) == [1.0, 5.0]
    assert chosen.arguments((1.0, 2.0, 3.0), {}) == [1.0, 3.0]


def test_a_bound_method_and_a_partial_count_their_own_parameters():
    assert Wrt.of(Model().loss, 0).names == ('w',)
    assert Wrt.of(functools.partial(f, 1.0), 0).names == ('y',)


@pytest.mark.parametrize('wrt, message', [
    ((), 'wrt is empty'),
    (True, 'positions or names'),
    (1.5, 'positions or names'),
    (3, 'out of range'),
    ('w', "names no parameter of `f`"),
])
def test_bad_wrt_raises_one_error_pointing_at_the_definition(wrt, message):
    with pytest.raises(WrtError, match=message) as info:
        Wrt.of(f, wrt)
    assert 'test_wrt.py' in str(info.value) and 'def f(x, y, z=2.0):' in str(info.value)


@pytest.mark.parametrize('operator', [s2sgrad.grad, s2sgrad.value_and_grad, s2sgrad.vjp,
                                      s2sgrad.jvp, s2sgrad.jacobian, s2sgrad.hessian,
                                      s2sgrad.hvp])
def test_every_operator_raises_the_same_wrt_error(operator):
    with pytest.raises(WrtError, match="wrt='w' names no parameter of `f`"):
        operator(f, wrt='w')


def test_modes_name_the_generated_functions():
    assert Mode.GRAD.function_name('f', ['x', 'y']) == 'dfdxy'
    assert Mode.VALUE_AND_GRAD.function_name('f', ['x']) == 'value_and_dfdx'
    assert Mode.VJP.function_name('layer', ['W']) == 'dlayerdW'
    assert Mode.COTANGENT.function_name('f', ['x']) == 'vjp_f'
    assert Mode.JVP.function_name('f', ['x']) == 'jvp_f'
    assert Mode.FORWARD.function_name('layer', ['W', 'b']) == 'layer_fwd_dW_db'
    assert [m for m in Mode if m.forward] == [Mode.JVP, Mode.FORWARD]
    assert [m for m in Mode if m.seeded] == [Mode.COTANGENT, Mode.VJP]
    assert [m for m in Mode if m.gradient] == [Mode.GRAD, Mode.VALUE_AND_GRAD]


def test_generated_names_follow_the_mode():
    assert s2sgrad.grad(f).__name__ == 'dfdx'
    assert s2sgrad.value_and_grad(f, wrt=(0, 1)).__name__ == 'value_and_dfdxy'
    assert s2sgrad.vjp(f).__name__ == 'vjp_f'
    assert s2sgrad.jvp(f).__name__ == 'jvp_f'
    x, y = 1.5, -2.0
    assert s2sgrad.grad(f)(x, y) == pytest.approx(y * 2.0)
    assert s2sgrad.jvp(f, wrt='y')(x, y, 1.0) == pytest.approx(x * 2.0)


def shifted(x, *offsets, scale=1.0):
    out = x * scale
    for r in offsets:
        out = out + r
    return out


def shifted_energy(x, *offsets, scale=1.0):
    s = np.sum(x ** 2) * scale ** 2
    for r in offsets:
        s = s + np.sum(r * x)
    return s


def test_keyword_only_parameter_after_varargs_is_read_by_name():
    # (with two `*offsets`, the position of `scale` in the signature lands on the second
    # offset: every operator must read `scale` from the keywords)
    x = np.array([0.3, -0.5, 1.2])
    r1, r2 = np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.5, 0.5])
    for mode in ('fwd', 'rev'):
        J = s2sgrad.jacobian(shifted, wrt='scale', mode=mode)(x, r1, r2, scale=2.0)
        np.testing.assert_allclose(J, x)
    np.testing.assert_allclose(s2sgrad.jvp(shifted, wrt='scale')(x, r1, r2, 1.0, scale=2.0), x)
    want = 2 * np.sum(x ** 2)
    np.testing.assert_allclose(s2sgrad.hessian(shifted_energy, wrt='scale')(x, r1, r2, scale=2.0),
                               want)
    np.testing.assert_allclose(s2sgrad.hvp(shifted_energy, wrt='scale')(x, r1, r2, 1.0,
                                                                        scale=2.0), want)
