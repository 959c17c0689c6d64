"""What a generated function computes: the six modes of a transformation."""
import enum


class Mode(enum.Enum):
    """What one transformation generates from a function ``f``.

    Reverse mode: `GRAD` (``dfdx(x)``), `VALUE_AND_GRAD` (``value_and_dfdx(x)``), `COTANGENT`
    (the public ``vjp_f(x, *, bf)``: the caller gives the seed) and `VJP` (the VJP of a user
    function that a gradient calls, ``dfdx(x, *, bf)``). Forward mode: `JVP` (the public
    ``jvp_f(x, *, dx)``, which returns the tangent) and `FORWARD` (the JVP of a called user
    function, ``f_fwd_dx(x, *, dx)``, which returns the value and its tangent).
    """

    GRAD = 'grad'
    VALUE_AND_GRAD = 'value_and_grad'
    COTANGENT = 'cotangent'
    VJP = 'vjp'
    JVP = 'jvp'
    FORWARD = 'forward'

    @property
    def forward(self):
        """Whether this is forward mode (tangents beside values)."""
        return self in (Mode.JVP, Mode.FORWARD)

    @property
    def seeded(self):
        """Whether the generated function takes the seed (the output's adjoint) as a
        keyword argument instead of starting from 1."""
        return self in (Mode.VJP, Mode.COTANGENT)

    @property
    def gradient(self):
        """Whether the generated function is a gradient of a scalar function."""
        return self in (Mode.GRAD, Mode.VALUE_AND_GRAD)

    def function_name(self, base, wrt):
        """The generated function's name before it is made unique: ``dfdx``, ``dlayerdW``,
        ``layer_fwd_dW``, ``jvp_f``, ``vjp_f``, ``value_and_dfdx``."""
        if self is Mode.FORWARD:
            return base + '_fwd_d' + '_d'.join(wrt)
        if self is Mode.JVP:
            return 'jvp_' + base
        if self is Mode.COTANGENT:
            return 'vjp_' + base
        if self is Mode.VALUE_AND_GRAD:
            return 'value_and_d' + base + 'd' + ''.join(wrt)
        return 'd' + base + 'd' + ''.join(wrt)
