"""Copy propagation: after ``y = x`` read `x` for `y`; a number assigned once replaces its name."""
import gast

from . import nodes as n
from .activity import target_names
from .folding import signed_number
from .mutation import MUTATING_METHODS, changes


def assignment_counts(stmts, with_reads=False, mutated=None):
    """Name -> how many times `stmts` assign it (a loop target, a function definition and
    a call of a mutating method count 2), and with `with_reads` name -> how many times
    they read it. The names changed in place (see `mutation.mutated`) are added to the set
    `mutated` when one is given."""
    counts = {}
    reads = {}
    name_class, load, store = gast.Name, gast.Load, gast.Store
    for node in n.walk(gast.Module(body=stmts, type_ignores=[])):
        cls = node.__class__
        if cls is name_class:
            if with_reads and node.ctx.__class__ is load:
                reads[node.id] = reads.get(node.id, 0) + 1
        elif cls is gast.Assign:
            if mutated is not None:
                changes(node, mutated)
            for target in node.targets:
                if target.__class__ is name_class:
                    if target.ctx.__class__ is store:
                        counts[target.id] = counts.get(target.id, 0) + 1
                    continue
                for child in n.walk(target):
                    if isinstance(child, gast.Name) and isinstance(child.ctx, gast.Store):
                        counts[child.id] = counts.get(child.id, 0) + 1
        elif cls is gast.Call:
            if mutated is not None:
                changes(node, mutated)
        elif cls is gast.For:
            for name in target_names(node.target):
                counts[name] = counts.get(name, 0) + 2
        elif cls is gast.FunctionDef:
            counts[node.name] = counts.get(node.name, 0) + 2
        elif cls is gast.Expr and isinstance(node.value, gast.Call) and \
                isinstance(node.value.func, gast.Attribute) and \
                node.value.func.attr in MUTATING_METHODS and \
                isinstance(node.value.func.value, gast.Name):
            name = node.value.func.value.id
            counts[name] = counts.get(name, 0) + 2
    return (counts, reads) if with_reads else counts


def copy_propagate(stmts, keep):
    """`stmts` (a function body) without the copies ``y = x`` and the number constants ``c = 2``
    of variables assigned once and never changed in place: their reads read `x` or ``2``
    instead. Names in `keep` stay."""
    mutated = set()
    counts, reads = assignment_counts(stmts, with_reads=True, mutated=mutated)
    mapping = {}
    out = []
    constants = {}
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                signed_number(stmt.value) is not None and \
                counts.get(stmt.targets[0].id) == 1 and \
                stmt.targets[0].id not in keep and stmt.targets[0].id not in mutated:
            constants[stmt.targets[0].id] = signed_number(stmt.value)
            continue
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.Name):
            target, source = stmt.targets[0].id, stmt.value.id
            source = mapping.get(source, source)
            if reads.get(source) == 1 and out and isinstance(out[-1], gast.Assign) and \
                    n.names_stored(out[-1].targets[0]) == [source]:
                out.append(stmt)  # `t = e; y = t`: inlining keeps the better name `y`
                continue
            # `keep` holds the parameters: their binding at the call is one more definition
            defined = counts.get(source, 0) + (source in keep)
            if counts.get(target) == 1 and defined <= 1 and \
                    target not in keep and target not in mutated and source not in mutated:
                mapping[target] = source
                continue
        out.append(stmt)
    if mapping:
        for stmt in out:
            for node in n.walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                        node.id in mapping:
                    node.id = mapping[node.id]
    if constants:
        writer = _Constants(constants)
        out = [writer.visit(stmt) for stmt in out]
    return out


class _Constants(gast.NodeTransformer):
    """Writes the variables of `constants` (name -> number) as their numbers."""

    def __init__(self, constants):
        self.constants = constants

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.constants:
            value = self.constants[node.id]
            return n.const(value) if value >= 0 else gast.UnaryOp(
                op=gast.USub(), operand=n.const(-value))
        return node


def drop_copy_backs(stmts):
    """``t = b`` followed by ``b = t``: the second assignment changes nothing."""
    out = []
    for stmt in stmts:
        n.map_blocks(stmt, drop_copy_backs)
        if out and _is_copy(stmt) and _is_copy(out[-1]) and \
                stmt.value.id == out[-1].targets[0].id and \
                stmt.targets[0].id == out[-1].value.id:
            continue
        out.append(stmt)
    return out


def _is_copy(stmt):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
        isinstance(stmt.value, gast.Name)
