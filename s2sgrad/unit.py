"""The printed unit: a generated function and every generated helper it calls, as one text."""
from . import nodes as n
from .printer import to_source


def _plan(roots, taken):
    """The generated functions of the unit of `roots`, helpers first (each before the
    functions that call it, the roots last), each with the name it has in the unit and the
    renaming of its code's names that makes its calls match: ``[(Generated, name,
    mapping), ...]``. Names in `taken` are given to none of them.

    A helper is compiled once and may be called under different local names by different
    callers (``dlayerdW`` in one, ``dlayerdW_2`` in another where the first name was
    taken); in the unit each helper has one name, unique, and every call says it.
    """
    order = []
    seen = set()

    def visit(item):
        if id(item) in seen:
            return
        seen.add(id(item))
        for target in _callees(item).values():
            visit(target)
        order.append(item)
    for root in roots:
        visit(root)
    taken = set(taken)
    for item in order:
        taken |= n.all_names(item.node) - {item.name} - set(getattr(item, 'calls', {}))
    names = {}
    for item in list(roots) + list(reversed(order)):  # the roots keep their names first
        if id(item) in names:
            continue
        name = item.name
        counter = 2
        while name in taken:
            name = f'{item.name}_{counter}'
            counter += 1
        taken.add(name)
        names[id(item)] = name
    result = []
    for item in order:
        mapping = {local: names[id(target)] for local, target in _callees(item).items()}
        mapping[item.name] = names[id(item)]
        result.append((item, names[id(item)], mapping))
    return result


def members(*roots, taken=()):
    """The generated functions of the unit of `roots`, helpers first (each before the
    functions that call it, the roots last), each with the name it has in the unit and the
    calls of its code renamed to match: ``[(Generated, name, FunctionDef), ...]``.
    Names in `taken` are given to none of them (see `_plan`). The FunctionDefs are copies.
    """
    result = []
    for item, name, mapping in _plan(roots, taken):
        node = n.rename(n.clone(item.node), mapping)
        node.name = name
        result.append((item, name, node))
    return result


def source(generated):
    """The unit's source text: every helper, then the function (see `members`). A member
    whose names all stay as they are is the text it was compiled from, printed once."""
    texts = []
    for item, name, mapping in _plan((generated,), ()):
        if item.source is not None and all(k == v for k, v in mapping.items()):
            texts.append(item.source)
            continue
        node = n.rename(n.clone(item.node), mapping)
        node.name = name
        texts.append(to_source(node))
    return '\n\n'.join(texts)


def _callees(generated):
    """Local name -> Generated of each generated helper that `generated`'s code calls."""
    found = {}
    for local, cell in sorted(getattr(generated, 'calls', {}).items()):
        try:
            target = cell.cell_contents
        except ValueError:  # never filled: the helper's transformation failed
            continue
        target = getattr(target, 'function', target)  # LiveHelper, MethodGuard
        target = getattr(target, '__s2sgrad__', None)
        if target is not None and target.node is not None:
            found[local] = target
    return found
