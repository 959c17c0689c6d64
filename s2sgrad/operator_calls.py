"""Which calls are calls of s2sgrad's own operators (`grad`, `jvp`, ...), by the mode each
makes inside a differentiated function (None: not differentiated there)."""
from .modes import Mode


def operators():
    """``{operator: Mode}``: `grad` and `value_and_grad` are differentiated inside a
    differentiated function; the others (None) are refused there."""
    from . import api, operators as ops
    return {api.grad: Mode.GRAD, api.value_and_grad: Mode.VALUE_AND_GRAD,
            ops.jvp: None, ops.vjp: None, ops.hessian: None, ops.hvp: None,
            ops.jacobian: None}


def is_operator(resolver, node, ops):
    """Whether `node` (a callee) resolves to one of `ops`."""
    try:
        return resolver.lookup(node) in ops
    except TypeError:  # an unhashable object
        return False
