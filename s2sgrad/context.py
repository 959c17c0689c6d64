"""The `Context` of one transformation: what every pass of the pipeline shares.

It holds the source and its copy being transformed (`func`), the mode, the `wrt` names, the
namer, the names s2sgrad binds, and, once the pipeline's `analyse` step has run, the analyses
of the normalised body (`activity`, `shapes`, `mutated`, `container_vars`, ...). The passes
report errors through `unsupported` and `no_rule`, which point at the user's source, and
reach the calls of user functions (`calls.py`) through `user_call`, `nested_call` and
`forward_call`.
"""
import re
from collections import ChainMap

import gast

from . import calls, nodes as n, runtime
from .declared import describe as describe_shapes
from .errors import NoRuleError, S2SError, UnsupportedSyntaxError, char_offset
from .naming import Namer
from .templating import Names


_ITERATORS = frozenset({'map', 'filter', 'zip', 'enumerate', 'reversed', 'iter'})
"""Built-ins whose iterators s2sgrad reads as lists where they are consumed whole."""


class Context:
    """Everything one transformation shares: source, names, analyses, helper VJPs."""

    scalar_guard = ()
    """Set by `pipeline.analyse`: the parameters whose being Python numbers makes a faster
    version (see `scalar_version`)."""

    def __init__(self, builder, source, wrt, mode, optimized, key, as_tuple=False, shapes=(),
                 scalar_params=(), general=None, motion='split'):
        """`builder` makes the helpers this function calls; `source` is its FunctionSource;
        `wrt` the names of the parameters to differentiate; `mode` a `Mode`; `key` its cache
        key; `as_tuple`: return a tuple of gradients even for one `wrt` parameter; `shapes`:
        declared parameter shapes; `scalar_params`: the parameters this version is built
        for as Python numbers (checked at entry), and `general` the Generated version for
        any arguments that it calls for other values; `motion`: 'split' or 'joint', how
        its code calls the VJPs of user functions (see `calls.splittable`)."""
        self.builder = builder
        self.source = source
        self.mode = mode
        self.optimized = optimized
        self.key = key
        self.as_tuple = as_tuple
        self.declared = dict(shapes)
        self.scalar_params = scalar_params
        self.general = general
        self.func = n.clone(source.node)
        for node in n.walk(self.func):
            if isinstance(node, (gast.BinOp, gast.UnaryOp)):
                node.written = True  # (``1 * m`` casts a bool mask, ``-(-x)`` is a new array)
        args = self.func.args
        params = [a.id for a in args.args + args.kwonlyargs]
        self.vararg = args.vararg.id if args.vararg is not None else None
        if self.vararg is not None:  # a tuple (see `constructs`)
            params.append(self.vararg)
        self.params = params
        self.wrt = [params[i] if isinstance(i, int) else i for i in wrt]
        self.namer = Namer(n.all_names(self.func) | set(source.namespace))
        self.helper_cells = {}  # local name -> cell holding a generated helper it calls
        self.names = Names(source.namespace, set(params) - {'s2s'})
        if self.names.module('s2s', runtime) != 's2s':
            raise S2SError(f'`{source.name}` uses the global name `s2s` for something else; '
                           f'generated code reserves it for s2sgrad.runtime')
        if 's2s' in params or 's2s' in n.names_stored(self.func):
            where = next((node for node in n.walk(self.func) if isinstance(node, gast.Name)
                          and node.id == 's2s'), None)
            raise self.unsupported(where, 'a variable named `s2s`: generated code reserves '
                                          'the name for s2sgrad.runtime; rename the variable',
                                   node=where)
        self.helper_generated = []  # the Generated helpers its code calls
        self.undefined_before_loop = set()
        self.sequence_results = set()  # results of calls of user functions returning tuples
        self.holder_results = set()  # those returning tuples of lists or tuples
        self.returns_holder = False  # whether it may return a tuple of lists or tuples
        self.returns_sequence = False  # whether it may return a list or tuple (`sequences`)
        self.nested = {}  # functions defined in its body: name -> (FunctionDef, free names)
        self.receivers = {}  # parameters holding instances of a known class, by class
        self.live_names = set()  # names of called user functions that the code reads live
        self.name = None  # the generated function's name, once `function_name` chose it
        self.helper_names = {}  # cache key of a called helper -> its local name
        self.nested_info = None  # the `NestedFunctions` of its body
        self.may_return_none = False  # whether a path ends without `return` (canonical)
        self.returned = None  # the variable every `return` in a loop assigns (canonical)
        self.return_where = None  # where the last `return` is, for errors on the output
        self.bound_where = {}  # checked variable -> where it is read (`global_functions`)
        self.scalar_definitions = None  # see `scalar_version.statically_scalar`
        self.default_guards = []  # (parameter, default expression): see `constructs`
        self.extra_pins = []  # names the code no longer reads but was built for (`linking`)
        self.recent_sharers = frozenset()  # names sharing recent arrays (`aliasing`)
        self.split_names = None  # a VJP's forward and backward functions (`split_motion`)
        self.split_cells = []  # (forward, backward) cells of its own parts, for recursion
        self.replaced_calls = []  # user calls that call forward parts instead (`linking`)
        self.written_copies = set()  # copies made for one call, which it writes (`effects`)
        self.written_by_calls = set()  # names passed to helpers that write into them
        self.motion = motion
        self.split_used = False  # whether its code calls forward and backward parts

    # -- errors ---------------------------------------------------------------------------
    def where(self, stmt, what='', node=None):
        """Where an error about `stmt` points, as the arguments ``filename, lineno, offset,
        text, end_lineno, end_offset`` of the error: at `node` when given, else at `stmt`
        when it is a node of the source, else (a statement the passes made, which has only
        its line) at the part of that line's source that `what` names."""
        if node is None or getattr(node, 'col_offset', None) is None:
            node = stmt if getattr(stmt, 'col_offset', None) is not None else None
        lineno = getattr(node, 'lineno', None) or getattr(stmt, 'lineno', None) or \
            getattr(self.func, 'lineno', None)
        if node is None and lineno:
            node = self.source.locate(lineno, what)
        if node is not None and getattr(node, 'col_offset', None) is not None:
            lineno = node.lineno
        lines = self.source.lines
        text = lines[lineno - 1].rstrip('\r\n') if lineno and 0 < lineno <= len(lines) else ''
        offset = end_lineno = end_offset = None
        if node is not None and getattr(node, 'col_offset', None) is not None:
            offset = char_offset(text, node.col_offset)
            end_lineno = getattr(node, 'end_lineno', None)
            if end_lineno == lineno and not isinstance(node, gast.stmt) and \
                    getattr(node, 'end_col_offset', None) is not None:
                end_offset = char_offset(text, node.end_col_offset)
        elif text:
            offset = len(text) - len(text.lstrip()) + 1
        return self.source.filename, lineno, offset, text, end_lineno, end_offset

    def unsupported(self, stmt, what, node=None):
        """UnsupportedSyntaxError for `what` (a description of the construct that says what
        to do instead) in statement `stmt`, pointing at `node` or what `what` names."""
        construct, advice = _split_advice(what)
        where = self.where(stmt, what, node)
        yours = self._yours(where)
        if yours is not None:  # (a gradient differentiated again: point at your line)
            return UnsupportedSyntaxError(
                f's2sgrad cannot differentiate {construct} in `{self.source.name}`, the '
                f'derivative it generated, again (a second derivative: line {where[1]} of '
                f'the generated code, `{where[3].strip()}`, made from your line below)'
                f'{advice}', *yours)
        return UnsupportedSyntaxError(
            f's2sgrad cannot differentiate {construct} in `{self.source.name}`{advice}',
            *where)

    def _yours(self, where):
        """The location in your file of the generated line `where` points at, where the
        function differentiated is generated code (a derivative of yours), else None."""
        if not (self.source.filename or '').startswith('<s2sgrad'):
            return None
        from .runtime_errors import ORIGINS, _through_generated, _where
        code = getattr(self.source.func, '__code__', None)
        origin = ORIGINS.get(code) if code is not None else None
        if origin is None or not where[1]:
            return None
        found = _where(origin, where[1])
        return _through_generated(found) if found is not None else None

    def no_method_rule(self, stmt, receiver, method, active):
        """NoRuleError for ``y.sort()``, a method of `receiver` (as the user wrote it) that
        s2sgrad does not follow, called on a differentiated value or given one: an array's
        method that changes the differentiated `receiver` in place (`active`) is named so,
        with what to write instead."""
        instead = {'sort': f'{receiver} = np.sort({receiver})` for an array, '
                           f'`{receiver} = sorted({receiver})` for a list',
                   'fill': f'{receiver} = np.full_like({receiver}, value)',
                   'partition': f'{receiver} = np.partition({receiver}, k)',
                   'put': f'{receiver} = np.where(...)', 'resize': f'{receiver} = np.resize(...)',
                   'itemset': f'{receiver}[i] = value'}.get(method)
        if not (active and instead):
            return self.no_rule(stmt, f'the method `{method}` of `{receiver}`',
                                'it may modify an active value in place')
        return NoRuleError(
            f'no derivative rule for the method `{method}` of `{receiver}` in '
            f'`{self.source.name}`: `{receiver}.{method}(...)` changes the differentiated '
            f'{"value" if method == "sort" else "array"} `{receiver}` in place, which s2sgrad '
            f'does not follow; write the new value instead (`{instead}`)',
            *self.where(stmt, method))

    def no_rule(self, stmt, what, extra='', node=None):
        """NoRuleError for the call of `what` in `stmt`, pointing at the call."""
        reason = f' ({extra})' if extra else ''
        if what.strip('`') in _ITERATORS:  # (a built-in's iterator kept or passed on)
            return NoRuleError(
                f'no derivative rule for {what}{reason}, called with an active argument in '
                f'`{self.source.name}`: s2sgrad reads {what} as the list of its items where a '
                f'`for` loop, a comprehension or a built-in taking the whole iterable (`sum`, '
                f'`list`, ...) consumes it, which it does not here (kept under a name, or '
                f'given to another call); write that list instead (`[g(v) for v in xs]`, '
                f'`list(zip(xs, ys))`) or a loop', *self.where(stmt, what, node))
        return NoRuleError(
            f'no derivative rule for {what}{reason}, called with an active argument in '
            f'`{self.source.name}`. Register one with @s2sgrad.adjoint(function) (see the '
            f'README, "Extending"), mark it with s2sgrad.nondifferentiable(function) if it has '
            f'no derivative, or compute it outside the differentiated function.',
            *self.where(stmt, what, node))

    def user_name(self, name):
        """`name` as the user wrote it: a name that renaming made (``ws_2`` for the second
        ``ws``) shown as the name in the source, where the source has that name."""
        written = n.all_names(self.source.node)
        base = name
        while base not in written and re.fullmatch(r'.+_\d+', base):
            base = base.rsplit('_', 1)[0]
        return base if base in written else name

    def visible(self):
        """The names the function's code sees: its namespace and the classes s2sgrad bound."""
        return ChainMap(self.names.bindings, self.source.namespace)

    # -- the generated function's name ---------------------------------------------------
    def function_name(self):
        """``dfdx`` (the gradient), ``dlayerdW`` (the VJP of a called function, after the
        arguments it differentiates), ``layer_fwd_dW`` (its JVP), ``jvp_f``, ``vjp_f``."""
        if self.name is None:
            self.name = self.namer.fresh(self.mode.function_name(self.base_name(), self.wrt))
        return self.name

    def base_name(self):
        """The source function's name as generated names use it (``lambda``, ``call``)."""
        base = self.source.name if self.source.name != '<lambda>' else 'lambda'
        if base.startswith('__') and base.endswith('__'):  # ``__call__``: ``dcall``
            base = base.strip('_')
        return base

    def declared_comment(self):
        """``# for the declared shapes x: (n,), A: (n, n)`` when shapes were declared."""
        if not self.declared:
            return []
        order = [p for p in self.params if p in self.declared]
        return [n.comment('for the declared shapes ' +
                          describe_shapes(tuple((p, self.declared[p]) for p in order)))]

    # -- what the passes call back -------------------------------------------------------
    def user_call(self, stmt, ans, call, func):
        """The adjoint item of ``ans = func(...)`` for a user function (see `calls`)."""
        return calls.user_call(self, stmt, ans, call, func)

    def nested_call(self, stmt, ans, call):
        """The adjoint item of a call of a function defined inside this one."""
        return calls.nested_call(self, stmt, ans, call)

    def forward_call(self, stmt, ans, call, func):
        """``ans, dans = g_fwd(args, dx=...)`` for a call of a user or nested function."""
        return calls.forward_call(self, stmt, ans, call, func)


def _split_advice(what):
    """`what` cut before its first ``;`` or ``:`` outside backticks and brackets: the
    construct, and what follows it (the reason or the fix), or ''."""
    depth, quoted = 0, False
    for index, char in enumerate(what):
        if char == '`':
            quoted = not quoted
        elif not quoted and char in '([{':
            depth += 1
        elif not quoted and char in ')]}':
            depth -= 1
        elif not quoted and depth == 0 and char in ';:' and what[index + 1:index + 2] == ' ':
            return what[:index], what[index:]
    return what, ''
