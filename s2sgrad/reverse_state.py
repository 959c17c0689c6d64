"""The state of the reverse pass: what its phases share, and which adjoints hold a value.

Takes the transform context's `namer` (fresh, clash-free names). Gives `ReverseState`, the one
object the item maker, the forward sweep and the backward sweep of `reverse.ReversePass` read
and fill; `Saved`, the record of how a value the backward sweep reads again was kept; and
`State`, the adjoints live at a point of the backward sweep.
"""
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Saved:
    """How the forward sweep keeps a value that its statement overwrites or that a loop
    iteration leaves behind, for the backward sweep to read again."""

    how: str
    """'stack' (pushed on a list, one entry per iteration), 'name' (assigned to a fresh
    variable, outside loops), or 'recompute' (not kept: the statement runs again backward)."""
    holder: Any
    """The stack's name, the fresh variable's name, or (for 'recompute') the statement."""
    before: bool
    """True: the value the statement overwrites, kept just before it and restored just after
    its adjoint. False: the value the statement makes, kept just after it and restored at the
    start of its block's backward sweep (values local to a loop's block)."""
    item: bool = False
    """An item of a list or dict kept with ``s2s.item_before`` (`s2s.ABSENT` for a key the
    statement adds to a dict), restored with ``s2s.restore_item`` (which removes that key)."""


class ReverseState:
    """What the phases of one reverse pass share: names, adjoint items, saves, loop facts.

    Phase 1 (`adjoint_items.ItemMaker.collect`) fills `items`, `list_vars`, `needed` and the
    loop facts; phase 2's forward sweep (`forward_sweep`) fills `stacks`, `saved` and adds to
    `needed`; the backward sweep (`backward_sweep`, `adjoint_emit`) reads them all. Keys
    ``id(node)`` name a statement or a block (a statement list) of the normalized body.
    """

    def __init__(self, namer):
        self.namer = namer
        self.adjoints = {}  # variable -> the name of its adjoint (``x`` -> ``bx``)
        self.items = {}  # id(statement) -> its adjoint items, in the order they are emitted
        self.stacks = {}  # variable -> the name of the list its values are pushed on in loops
        self.saved = {}  # (id(statement or loop), variable) -> Saved
        self.counters = {}  # id(loop) -> the name of its iteration counter (loops run by count)
        self.reversible = {}  # id(for loop) -> True when it runs backward over its own range
        self.list_vars = set()  # variables holding lists or tuples: adjoints add by `s2s.add`
        self.resized = set()  # lists appended to, inserted into, reversed or popped from
        # adjoints of lists onto which the adjoint of a popped value went that may be the
        # number 0.0 (``ba_stack.append(ba)``): what is popped off them may be 0.0 too
        self.zero_lists = set()
        self.loop_local = {}  # id(loop) -> variables local to a block inside the loop
        self.block_locals = {}  # id(block in a loop) -> variables local to that block
        self.defined_before = {}  # id(if or loop) -> variables defined before it runs
        self.needed = set()  # variables the backward sweep reads: kept where overwritten
        # variables it reads only for their dtype (``s2s.stored(g, y)``): kept where rebound,
        # but not restored where written into (a write changes no dtype)
        self.dtype_needed = set()

    def kept(self):
        """The variables whose binding the forward sweep keeps where it is rebound."""
        return self.needed | self.dtype_needed

    def adj(self, var):
        """The name of `var`'s adjoint, made on first use (``x`` -> ``bx``)."""
        if var not in self.adjoints:
            self.adjoints[var] = self.namer.fresh('b' + var)
        return self.adjoints[var]

    def stack(self, var):
        """The name of the list on which loops push `var`'s values (``x`` -> ``x_stack``)."""
        if var not in self.stacks:
            self.stacks[var] = self.namer.fresh(var + '_stack')
        return self.stacks[var]


class State:
    """Which adjoints currently hold a value, and which of those we own (may modify)."""

    def __init__(self, live=(), owned=(), spread=None, zeros=(), unset=()):
        self.live = set(live)
        self.owned = set(owned)
        self.spread = dict(spread or {})
        """Adjoints that hold a scalar spread over their variable's shape: name -> scalar."""
        self.zeros = set(zeros)
        """Adjoints that may hold the number 0.0 in place of zeros of their variable's shape
        (a variable first defined inside a branch or loop): no update in place."""
        self.unset = set(unset)
        """Adjoints that may hold None: no adjoint at all, in the passes of a loop backward
        after the one that met the last definition of a value read after the loop
        (`backward_loops.LoopsBackward._backward_loop`): a rule that reads one runs under
        ``if bw is not None:``."""

    def copy(self):
        """An independent copy, for one branch of an ``if`` or the body of a loop."""
        return State(self.live, self.owned, self.spread, self.zeros, self.unset)
