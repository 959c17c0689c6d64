"""The loops of the backward sweep: each run backward, as many times as it ran forward.

A mixin of `backward_sweep.BackwardSweep` (its `backward`, `_touched`, `_zero` and
`shared` state): `_backward_loop` gives the loop's adjoint code, with the adjoints carried
across its passes started at zero (None for the value of the last pass that the code reads
after the loop: `State.unset`), and the helpers that tell backward statements apart.
"""
import gast

from . import nodes as n
from .reverse_loops import loop_statements, range_call


class LoopsBackward:
    """The loops of `backward_sweep.BackwardSweep`, run backward."""

    def _shares_stacks(self, loop, body):
        """Whether a stack that the backward `body` of `loop` (restores only) pops is also
        popped outside the loop: the same variable saved by other statements, as the index
        and the branch condition of each loop of a differentiated gradient are. Left out,
        its pops would leave this loop's values to those other statements."""
        popped = {_popped(stmt) for stmt in body if is_pop(stmt)}
        inside = {id(stmt) for stmt in loop_statements(loop.body)} | {id(loop)}
        return any(saved.holder in popped for (owner, _), saved in self.shared.saved.items()
                   if owner not in inside)

    def _restores_earlier(self, loop, body, loops):
        """Whether the backward `body` of `loop` (restores only) gives back a value that the
        code before the loop had and the backward sweep reads (``i = 0``, ``y = x[i]``, then
        ``for i in range(1, 3): pass``: the rule of ``x[i]`` reads the first `i`), or, inside
        other `loops`, that the pass before had (``for t in ...: for k in ...: pass``, then
        ``ys[k]``: the `k` of each pass)."""
        defined = self.shared.defined_before.get(id(loop), set())
        around = set()
        if loops:  # (what the loops around read besides this loop: the pass before's values)
            inside = {id(node) for node in n.walk(loop)}
            around = {node.id for outer in loops for stmt in outer.body for node in n.walk(stmt)
                      if id(node) not in inside and isinstance(node, gast.Name) and
                      isinstance(node.ctx, gast.Load)}
        return any(isinstance(stmt.targets[0], gast.Name) and (
            stmt.targets[0].id in defined | around) and stmt.targets[0].id in self.shared.kept()
            for stmt in body if is_pop(stmt))

    def _first_only_inside(self, loop):
        """The variables that a loop nested in `loop` assigns, first inside it, without
        adding to their adjoints: those whose adjoints that loop run backward may leave None
        (`_backward_loop`)."""
        found = set()
        for inner in loop_statements(loop.body):
            if isinstance(inner, (gast.For, gast.While)):
                defined = self.shared.defined_before.get(id(inner), set())
                found |= {var for var in self._touched(inner.body) - self._touched(
                    inner.body, kills=False) if var not in defined and
                    var not in self.shared.list_vars}
        return found

    def _backward_loop(self, loop, state, loops):
        """The loop run backward: over its reversed range, or as many times as it ran (its
        counter, popped inside other loops); adjoints carried across iterations start zero."""
        shared = self.shared
        touched = self._touched(loop.body)
        local = shared.loop_local[id(loop)]
        carried = sorted(v for v in touched if v not in local and v in self.activity.active)
        # (a variable the loop only assigns, whose value the loop reads without derivative,
        # ``s = X.sum(1)`` for ``if s.max() > 100: break``: no item of the body adds to its
        # adjoint, so, zero on entry, it stays zero; left dead, no statement reads it, where
        # the number 0.0 would reach a rule that needs its shape)
        receiving = self._touched(loop.body, kills=False)
        carried = [v for v in carried if v in receiving or shared.adj(v) in state.live]
        pre = []
        defined = shared.defined_before.get(id(loop))
        # (one read after the loop, to which no item of the body adds, ``w = A @ v`` each
        # pass, ``np.sum(w ** 2)`` after: the adjoint of the loop's last value, which the pass
        # that meets its definition consumes; in the passes after, None, not a 0.0 that a
        # rule needing its shape would get; not for the value of a `return`, assigned once)
        # (and one an inner loop leaves None so, ``t = x[j]`` in the inner loop, ``s = s + t
        # ** 2`` in this one: None at the end of a pass, which the statement that adds to it
        # first makes zeros of the value: `BackwardSweep._statement`)
        ends_unset = self._first_only_inside(loop)
        none_zero = {var for var in carried if (var not in receiving or var in ends_unset) and
                     is_number_zero(self._zero(var, defined))} - \
            self.none_zero - {self.ctx.returned}
        self.none_zero |= none_zero
        for var in carried:
            if shared.adj(var) not in state.live:
                pre.append(self._zero(var, defined))
                state.live.add(shared.adj(var))
                state.owned.add(shared.adj(var))
            zero = self._zero(var, defined)
            if is_number_zero(zero):
                state.zeros.add(shared.adj(var))  # set to 0.0 before or at the end of a pass
            elif is_unset(zero):
                state.unset.add(shared.adj(var))
        state.spread = {}
        for _ in range(2):
            body_state = state.copy()
            for var in local:
                body_state.live.discard(shared.adj(var))
            body = self.backward(loop.body, body_state, loops + [loop])
            # (an adjoint a branch of the body zeroes as the number 0.0, ``ba1 = 0.0`` after
            # ``a1 = u @ x`` in an ``if``, is that number at the start of the next pass: once
            # more, knowing it, so that what needs an array is guarded)
            more = {shared.adj(var) for var in carried} & body_state.zeros - state.zeros
            if not more:
                break
            state.zeros |= more
        for var in carried:
            if shared.adj(var) not in body_state.live:
                body.append(self._zero(var, defined))
        self.none_zero -= none_zero
        state.owned &= body_state.owned
        state.zeros |= body_state.zeros
        state.unset |= body_state.unset
        counter = shared.counters.get(id(loop))
        index_saved = shared.saved.get((id(loop), loop.target.id)) \
            if isinstance(loop, gast.For) else None
        if index_saved is not None:
            body.insert(0, n.assign(loop.target.id, n.call(n.attr(index_saved.holder, 'pop'))))
        if not body or all(n.is_comment(s) or is_pop(s) for s in body) and \
                not self._shares_stacks(loop, body) and \
                not self._restores_earlier(loop, body, loops):
            return pre  # (nothing to compute, and nothing later pops or reads what it would)
        if counter and loops:
            pre.append(n.assign(counter, n.call(n.attr(shared.stack(counter), 'pop'))))
        if isinstance(loop, gast.For) and shared.reversible.get(id(loop)):
            iterator = n.clone(loop.iter.args[0]) if loop.iter is not range_call(loop.iter) \
                else n.call('reversed', n.clone(loop.iter))
            target = n.clone(loop.target)
        else:
            iterator = n.call('range', n.name(counter))
            target = n.name(self.namer.fresh('_'), store=True)
        header = gast.For(target=target, iter=iterator, body=body, orelse=[],
                          type_comment=None)
        return pre + [header]


def _popped(stmt):
    """The stack that ``v = stack.pop()`` pops."""
    holder = stmt.value.func.value
    return holder.id if isinstance(holder, gast.Name) else None


def is_number_zero(stmt):
    """Whether `stmt` (made by `_zero`) sets an adjoint to the number 0.0."""
    return isinstance(stmt.value, gast.Constant) and stmt.value.value is not None


def is_unset(stmt):
    """Whether `stmt` (made by `_zero`) sets an adjoint to None (`State.unset`)."""
    return isinstance(stmt.value, gast.Constant) and stmt.value.value is None


def is_none(badj, op=None):
    """``badj is None`` (``is not`` for `op` IsNot)."""
    return gast.Compare(left=n.name(badj), ops=[op or gast.Is()], comparators=[n.const(None)])


def is_pop(stmt):
    """Whether `stmt` is ``v = stack.pop()`` (restores a value, computes no adjoint)."""
    return isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call) and \
        isinstance(stmt.value.func, gast.Attribute) and stmt.value.func.attr == 'pop'
