"""Rename straight-line reassignments (``x = x * 2`` -> ``x_2 = x * 2``).

A variable whose every assignment is a top-level statement of the function gets a fresh name
at each reassignment, so straight-line code needs no saved values and no stack: the backward
sweep reads each version by name.
"""
import gast

from . import nodes as n
from .activity import target_names


def rename_versions(func_body, params, namer, protected=()):
    """Rename in place; return the mapping of each final version to its original name."""
    top_level = set()
    for stmt in func_body:
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                if isinstance(target, (gast.Name, gast.Tuple, gast.List)):
                    top_level.update(_plain_names(target))
    nested_reads = set()
    elsewhere = set()
    for stmt in func_body:
        if isinstance(stmt, gast.FunctionDef):
            nested_reads.update(n.names_read(stmt))
            continue
        compound = not isinstance(stmt, gast.Assign)
        for node in n.walk(stmt):
            if isinstance(node, gast.Assign):
                for target in node.targets:
                    if compound or isinstance(target, gast.Subscript):
                        elsewhere.update(target_names(target))
            elif isinstance(node, gast.For):
                elsewhere.update(target_names(node.target))
            elif isinstance(node, gast.FunctionDef):
                nested_reads.update(n.names_read(node))
    candidates = top_level - elsewhere - nested_reads - set(protected)
    current = {}
    defined = set(params)
    for stmt in func_body:
        if isinstance(stmt, gast.Assign):
            n.rename(stmt.value, current)
            for target in stmt.targets:
                if isinstance(target, gast.Subscript):
                    n.rename(target, current)
            for target in stmt.targets:
                for node in n.walk(target):
                    if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                        var = node.id
                        if var in candidates and var in defined:
                            new = namer.fresh(var)
                            current[var] = new
                            node.id = new
                        elif var in candidates:
                            current.pop(var, None)
                        defined.add(var)
        else:
            n.rename(stmt, current)
    return current


def _plain_names(target):
    if isinstance(target, gast.Name):
        return [target.id]
    return [name for elt in target.elts for name in _plain_names(elt)]
