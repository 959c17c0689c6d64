"""Loop facts for the reverse pass: how each loop runs backward, which values are block-local.

Takes the transform context (`occurrences`, `assignment_counts` of the normalized body) and the
shared `reverse_state.ReverseState`. Gives `LoopAnalysis.record(loop)`, which fills the shared
state's `reversible`, `counters`, `loop_local` and `block_locals` for one ``for`` or ``while``
loop, and the walkers over nested blocks that the reverse pass uses.
"""
import gast

from . import nodes as n
from .activity import target_names
from .resolve import method_call


class LoopAnalysis:
    """Records, for each loop, whether it can run backward over its own range (else it counts
    its iterations) and which variables are local to a block inside it."""

    def __init__(self, ctx, shared):
        self.ctx = ctx
        self.shared = shared

    def record(self, loop):
        """Fill the shared state's loop facts for `loop`; a reversible loop's range is needed."""
        shared = self.shared
        body_module = gast.Module(body=loop.body, type_ignores=[])
        assigned = set(n.names_stored(body_module)) | _changed_in_place(loop.body)
        has_break = any(isinstance(node, gast.Break) for node in loop_statements(loop.body))
        if isinstance(loop, gast.For):
            assigned.update(target_names(loop.target))
            range_args = range_call(loop.iter).args
            reads = {name for arg in range_args for name in n.names_read(arg)}
            if not has_break and not reads & assigned:
                shared.reversible[id(loop)] = True
                shared.needed.update(reads)
        if not shared.reversible.get(id(loop)):
            shared.counters[id(loop)] = shared.namer.fresh('n_iterations' if isinstance(
                loop, gast.While) else 'n_' + _target_word(loop))
        shared.loop_local[id(loop)] = self._local_vars(loop)

    def _local_vars(self, loop):
        """Variables local to a block inside `loop`: each block's set goes to block_locals."""
        locals_in_loop = set()
        for block in n.nested_blocks([loop]):
            local = self._block_local_vars(block)
            self.shared.block_locals[id(block)] = local
            locals_in_loop |= local
        return locals_in_loop

    def _block_local_vars(self, block):
        """Defined once by a statement of `block` before any use, used only inside `block`."""
        inside = {id(node) for node in loop_statements(block)}
        occurrences = self.ctx.occurrences
        counts = self.ctx.assignment_counts
        local = set()
        seen = set()
        for stmt in block:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                seen.update(n.names_read(stmt.value))
                name = stmt.targets[0].id
                if name not in seen and counts.get(name) == 1 and \
                        all(i in inside for i in occurrences.get(name, ())):
                    local.add(name)
                seen.add(name)
            else:
                seen.update(n.all_names(stmt))
        return local


def range_call(node):
    """The ``range(...)`` call of ``range(...)`` or ``reversed(range(...))``."""
    if isinstance(node.func, gast.Name) and node.func.id == 'reversed':
        return node.args[0]
    return node


def _target_word(loop):
    return loop.target.id if isinstance(loop.target, gast.Name) else 'loop'


def _changed_in_place(stmts):
    """Variables that `stmts` change without rebinding them: ``y[i] = v``, ``ys.append(v)``."""
    changed = set()
    for stmt in loop_statements(stmts):
        if isinstance(stmt, gast.Assign):
            for target in n.walk(stmt.targets[0]):
                if isinstance(target, gast.Subscript):
                    changed.update(target_names(target))
        elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            receiver = method_call(stmt.value)
            if receiver and isinstance(receiver[0], gast.Name):
                changed.add(receiver[0].id)
    return changed


def loop_statements(stmts):
    """The statements of `stmts` at any depth, without nested function definitions."""
    return (stmt for stmt in n.statements(stmts) if not isinstance(stmt, gast.FunctionDef))
