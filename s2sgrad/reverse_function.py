"""Reverse mode: the forward sweep, the seed, the backward sweep and the gradients' return.

Takes the normalised body and its return (see `pipeline`); `ReversePass` (reverse.py) writes
the two sweeps; this module puts together the function: argument copies, stacks, the forward
sweep, the seed (1.0, ``s2s.seed(y)``, or the caller's cotangent as a keyword), the backward
sweep and the return of the gradients (and the value, for `value_and_grad`). Gives a
`Derivative`.
"""
import gast

from . import inplace, mutation, nodes as n, scalar_version, split_motion
from .constructs import default_guards
from .derivative import Derivative
from .generated_code import Generated
from .modes import Mode
from .reverse import ReversePass, State
from .reverse_loops import range_call
from .sequences import holds_sequences, sequence_facts


def reverse_function(ctx, body, ret):
    """The reverse-mode FunctionDef of the normalised `body` ending in `ret`."""
    result = ret.value
    rpass = ReversePass(ctx)
    if isinstance(result, gast.Name) and result.id not in n.all_names(ctx.source.node):
        # the function returns an expression: its adjoint (the seed) is named after the
        # function, ``blayer``, not after the temporary that holds the expression
        rpass.adjoints[result.id] = ctx.namer.fresh('b' + ctx.base_name())
    seed_name = None
    seeded = ctx.mode.seeded
    if seeded:
        seed_name = rpass.adj(result.id) if isinstance(result, gast.Name) else \
            ctx.namer.fresh('bresult')
        placeholder = Generated(ctx.function_name(), None, None, seed_name)
        if ctx.mode is Mode.VJP:  # also cut in two (see `split_motion`)
            ctx.split_names = (ctx.namer.fresh(_qualified(ctx) + '_fwd'),
                               ctx.namer.fresh(ctx.function_name() + '_bwd'))
            placeholder.split_names = ctx.split_names
        ctx.builder.cache[ctx.key] = placeholder
    rpass.collect(body)
    needed = set(rpass.needed)
    forward = rpass.forward(body, [], set(ctx.params))
    while rpass.needed != needed:  # a value read again backward became needed late:
        needed = set(rpass.needed)  # save it where it is made, earlier in the sweep
        forward = rpass.forward(body, [], set(ctx.params))
    state = State()
    seed_stmts = []
    result_active = isinstance(result, gast.Name) and result.id in ctx.activity.active
    if result_active:
        bresult = rpass.adj(result.id)
        if seeded:
            state.live.add(bresult)
            if ctx.mode is Mode.COTANGENT:  # the public vjp: the caller gives the seed
                check = n.assign(bresult, n.call('s2s.check_cotangent', n.name(bresult),
                                                 n.name(result.id)))
                check.no_inline = {result.id}
                seed_stmts.append(check)
        else:
            if scalar_version.statically_scalar(ctx, result.id, body):
                seed = n.assign(bresult, n.const(1.0))
            else:
                seed = n.assign(bresult, n.call(
                    's2s.seed', n.name(result.id), n.const(ctx.source.name)))
            seed.no_inline = {result.id}
            seed_stmts.append(seed)
            state.live.add(bresult)
    if seeded and ctx.may_return_none:
        check = n.expr(n.call('s2s.check_output', n.clone(result),
                              n.const(ctx.source.name)))
        check.no_inline = set(n.names_read(result))
        seed_stmts.insert(0, check)
    if not result_active and not seeded:  # a constant result: the gradient is zero
        check = n.expr(n.call('s2s.seed', n.clone(result), n.const(ctx.source.name)))
        check.no_inline = set(n.names_read(result))
        seed_stmts.append(check)
    for stmt in seed_stmts:  # (a run-time error of the seed names the return line)
        gast.copy_location(stmt, ret)
    backward = rpass.backward(body, state, []) if result_active else []
    seed = rpass.adj(result.id) if ctx.mode is Mode.VJP and result_active and seeded else None
    mutated = inplace.mutated_names(backward) if seed else set()
    if seed in mutated:
        # the caller's adjoint, which it may read again (differentiated once more) and may
        # give as a tuple (``a, b = helper(x)``): the sweep pops items off a list of its own
        seed_stmts.insert(0, n.assign(seed, n.call(
            'dict' if _made_dict(result.id, ctx.body_all_statements) else 'list',
            n.name(seed))))
    elif seed and _parts_of(seed, backward) & mutated:  # (``bu = bh[1]``, ``bu.pop()``)
        seed_stmts.insert(0, n.assign(seed, n.call('s2s.own', n.name(seed))))
    # What a caller learns of the result: whatever this body does with a parameter, its
    # caller may pass a list or tuple (of lists or tuples), so a result made from one
    # (``return a, t[1:]``) may be one too, and its adjoint adds item by item.
    params = set(ctx.params)
    found, holders = sequence_facts(
        ctx.body_all_statements, rpass.shared.list_vars | ctx.sequence_results |
        set(ctx.container_vars) | params, ctx.holder_results | params)
    ctx.returns_sequence = isinstance(result, (gast.Tuple, gast.List)) or \
        isinstance(result, gast.Name) and result.id in found
    ctx.returns_holder = holds_sequences(result, found, holders)
    returns, given = [], []
    # (stored by the body: not the parameters of a nested ``def``, which may take an argument
    # of the same name, `NestedFunctions.pass_enclosing_reads`)
    rebound = {node.id for stmt in forward + backward for node in n.walk(stmt)
               if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store)}
    # (``params.pop('a')``: the backward sweep puts the key back last, so the gradient is
    # ordered like the dict as given)
    rebound |= mutation.mutated(ctx.body, methods=frozenset({'pop', 'popitem', 'clear'}),
                                first_argument=(), aliases=True, subscripts=False)
    for name in ctx.wrt:
        badj = rpass.adj(name)
        value = n.name(badj) if badj in state.live else \
            n.call('s2s.zeros_like', n.name(name))
        if ctx.mode is not Mode.VJP:
            like = name
            if name in rebound:  # (``a = a * 3.0`` in a branch: the gradient is like the
                # argument as given, a 0-d array where `a * 3.0` is a NumPy number; a dict
                # whose keys the body removes, in the order given)
                like = ctx.namer.fresh(name + '_given')
                given.append(n.assign(like, n.name(name)))
            value = n.call('s2s.like', value, n.name(like))
        returns.append(value)
    value = returns[0] if len(returns) == 1 and not ctx.as_tuple else n.tuple_(returns)
    if ctx.mode is Mode.VALUE_AND_GRAD:
        output = n.clone(result)
        if set(n.names_read(result)) & set(n.names_stored(gast.Module(
                body=backward, type_ignores=[]))):  # restored by the backward sweep
            output = n.name(ctx.namer.fresh('value'))
            seed_stmts.append(n.assign(output.id, n.clone(result)))
        value = n.tuple_([output, value])
    prologue = inplace.prologue(ctx, body)
    stacks = [n.assign(stack, gast.List(elts=[], ctx=gast.Load()))
              for stack in sorted(rpass.stacks.values())]
    undefined = [n.assign(var, _placeholder(var, forward))
                 for var in sorted(ctx.undefined_before_loop)]
    end = [split_motion.marker(result)] if ctx.split_names else []
    new_body = ctx.declared_comment() + default_guards(ctx) + given + prologue + stacks + \
        undefined + forward + end + \
        seed_stmts + backward + \
        [gast.Return(value=value)]
    args = n.clone(ctx.func.args)
    if seed_name is not None:
        args.kwonlyargs = list(args.kwonlyargs) + [n.name(seed_name, store=False)]
        args.kwonlyargs[-1].ctx = gast.Param()
        args.kw_defaults = list(args.kw_defaults) + [None]
    node = gast.FunctionDef(name=ctx.function_name(), args=args, body=new_body,
                            decorator_list=[], returns=None, type_comment=None, type_params=[])
    keep = set(ctx.params) | ({seed_name} if seed_name else set())
    return Derivative(node, seed_name, None, keep, tuple(sorted(rpass.stacks.values())))


def _parts_of(name, stmts):
    """`name` and the names of `stmts` that may be it or an item of it (``v = name``,
    ``v = name[1]``, ``w = v[0]``)."""
    found = {name}
    assigns = [s for s in n.statements(stmts) if isinstance(s, gast.Assign) and
               isinstance(s.targets[0], gast.Name)]
    changed = True
    while changed:
        changed = False
        for stmt in assigns:
            values = [stmt.value]
            if isinstance(stmt.value, gast.Call) and \
                    (n.dotted_path(stmt.value.func) or '').startswith('s2s.'):
                values = list(stmt.value.args)  # (helpers may return what they are given)
            for i, value in enumerate(values):
                while isinstance(value, gast.Subscript):
                    value = value.value
                values[i] = value
            if any(isinstance(v, gast.Name) and v.id in found for v in values) and \
                    stmt.targets[0].id not in found:
                found.add(stmt.targets[0].id)
                changed = True
    return found


def _qualified(ctx):
    """The base of the forward part's name: a method's class and name (``Dense_call``,
    which says which method the call resolved to), else the function's name."""
    qualname = getattr(getattr(ctx.source, 'func', None), '__qualname__', '')
    parts = qualname.split('.')
    if len(parts) == 2 and parts[1] == ctx.source.name and '<' not in qualname:
        return parts[0] + '_' + ctx.base_name()
    return ctx.base_name()


def _placeholder(var, forward):
    """The value `var` gets before the loop whose first save reads it undefined:
    ``s2s.UNASSIGNED`` where the code checks it (`unbound_reads`), 0 where each
    of its assignments in the `forward` sweep is an integer, a variable of a loop over
    ``range`` or such a value plus or minus an integer (one type for numba, which cannot
    index with an optional integer), None otherwise."""
    if any(isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and
           n.dotted_path(s.value.func) == 's2s.defined' and s.value.args and
           isinstance(s.value.args[0], gast.Name) and s.value.args[0].id == var
           for s in n.statements(forward)):
        return n.attr('s2s', 'UNASSIGNED')  # (``s2s.defined(y)`` raises for it, as Python)
    return placeholder_value(var, forward)


def placeholder_value(var, forward):
    """0 where each assignment of `var` in the statements `forward` is an integer (see
    `_placeholder`), None otherwise (the compiled path's stand-in for ``s2s.UNASSIGNED``,
    whose check it makes with a flag)."""
    counters = {s.target.id for s in n.statements(forward) if isinstance(s, gast.For) and
                isinstance(s.target, gast.Name) and isinstance(s.iter, gast.Call) and
                n.dotted_path(range_call(s.iter).func) == 'range'}

    def integer(value):
        if isinstance(value, gast.Constant):
            return type(value.value) is int
        if isinstance(value, gast.Name):
            return value.id in counters or value.id == var
        return isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Add, gast.Sub)) \
            and integer(value.left) and integer(value.right)
    for stmt in n.statements(forward):
        if isinstance(stmt, gast.For) and var in n.names_stored(stmt.target):
            if not (isinstance(stmt.target, gast.Name) and stmt.target.id in counters):
                return n.const(None)
        elif isinstance(stmt, gast.Assign) and var in n.names_stored(stmt.targets[0]):
            if isinstance(stmt.value, gast.Call) and \
                    isinstance(stmt.value.func, gast.Attribute) and \
                    stmt.value.func.attr == 'pop' and not stmt.value.args:
                continue  # (``k = k_stack.pop()`` of a backward sweep: a value saved here)
            if n.dotted_path(stmt.value) == 's2s.UNASSIGNED':
                continue
            if not (isinstance(stmt.targets[0], gast.Name) and integer(stmt.value)):
                return n.const(None)
    return n.const(0)


def _made_dict(name, statements):
    """Whether every assignment of `name` in `statements` makes a dict (a display, a dict
    comprehension, ``dict(...)``): its cotangent is a dict, copied as one."""
    values = [stmt.value for stmt in statements if isinstance(stmt, gast.Assign) and
              any(isinstance(t, gast.Name) and t.id == name for t in stmt.targets)]
    return bool(values) and all(
        isinstance(v, (gast.Dict, gast.DictComp)) or isinstance(v, gast.Call) and
        n.dotted_path(v.func) in ('dict', 's2s.dict_copy') for v in values)
