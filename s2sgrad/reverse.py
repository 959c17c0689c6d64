"""Reverse pass: a normalized function becomes its forward sweep followed by its adjoint.

The forward sweep is the primal code plus the few saves the backward sweep needs: values that
are overwritten inside loops (pushed on per-variable lists), overwritten values in branches
(saved under a name), and iteration counts. The backward sweep walks the statements in
reverse, instantiating each operation's template; the first contribution to an adjoint is an
assignment, later ones accumulate.

Takes the transform context (`transform.Context`: the normalized function's analyses and the
callbacks `user_call`, `nested_call`, `unsupported`, `no_rule`). Gives `ReversePass`, which
runs phase 1 (`collect`), the forward sweep (`forward`) and the backward sweep (`backward`),
each in its own module, over one shared `reverse_state.ReverseState`; and re-exports `State`
and `CallAdjoint`, which the context builds.
"""
from .adjoint_items import CallAdjoint, ItemMaker
from .backward_sweep import BackwardSweep
from .forward_sweep import ForwardSweep
from .reverse_state import ReverseState, State

__all__ = ['CallAdjoint', 'ReversePass', 'State']


class ReversePass:
    """Builds the forward and backward sweeps of one normalized function."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.shared = ReverseState(ctx.namer)
        self.item_maker = ItemMaker(ctx, self.shared)
        self.forward_sweep = ForwardSweep(ctx, self.shared)
        self.backward_sweep = BackwardSweep(ctx, self.shared)

    @property
    def adjoints(self):
        """Variable -> the name of its adjoint; the context may name one before the pass."""
        return self.shared.adjoints

    @property
    def stacks(self):
        """Variable -> the name of the list its values are pushed on in loops."""
        return self.shared.stacks

    @property
    def needed(self):
        """The variables the backward sweep reads (it grows while the forward sweep runs)."""
        return self.shared.kept()

    def adj(self, var):
        """The name of `var`'s adjoint (``x`` -> ``bx``)."""
        return self.shared.adj(var)

    def collect(self, stmts, defined=None):
        """Phase 1: the adjoint items of every statement of `stmts` and the loop facts."""
        self.item_maker.collect(stmts, defined)

    def forward(self, stmts, loops, defined):
        """The forward sweep of `stmts`; `defined`: the variables defined before them."""
        return self.forward_sweep.forward(stmts, loops, defined)

    def backward(self, stmts, state, loops, heading=None):
        """The backward sweep of `stmts` from the live adjoints in `state` (a `State`)."""
        return self.backward_sweep.backward(stmts, state, loops, heading)
