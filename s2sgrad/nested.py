"""Functions defined inside the differentiated function, as s2sgrad lifts them to top level."""
import gast

from . import nodes as n
from .scopes import default_expressions, function_scope, header_nodes, is_literal, \
    names_written, own_scope_nodes, parameter_names, precedes, statement_paths


_MEANINGFUL_KEYWORDS = frozenset({'out', 'copy', 'dtype'})
"""Keywords the passes read as NumPy's in any call (``out=`` writes into an array)."""


class NestedFunctions:
    """The functions defined inside a function `func` (at any depth of its ``if``, ``for``
    and ``while`` blocks), as s2sgrad lifts them to the top level.

    A closure reads the enclosing variables when it is called, so a nested function called
    where it is defined is the lifted function with those variables passed at each call.
    For each nested function this finds the enclosing variables its calls must pass
    (`needs`: its own and those of the nested functions it calls), the nested functions it
    calls (`reach`, copied into its lifted body) and whether its default values are passed
    at its calls (`filled`: they are expressions that read variables, evaluated where the
    ``def`` runs, which lifting turns into the same expressions at the calls). `problem(node,
    what)` makes the error for each case where lifting would not keep the function's meaning:
    a name defined twice; a nested function used as a value; a call that may come before its
    ``def`` runs; a default value that may change between the ``def`` and a call, or that is
    an expression; nested functions that call each other, or one calling a nested function
    defined after it; a nested function with a variable of the name of one that a nested
    function it calls reads from the enclosing function.
    """

    def __init__(self, func, problem):
        self.problem = problem
        self.defs, self.paths = {}, {}
        statements = list(statement_paths(func.body))
        for stmt, path in statements:
            if isinstance(stmt, gast.FunctionDef):
                if stmt.name in self.defs:
                    raise problem(stmt, self._twice(stmt.name, self.defs[stmt.name]))
                self.defs[stmt.name] = stmt
                self.paths[stmt.name] = path
        self.needs, self.reach, self.filled = {}, {}, {}
        if not self.defs:
            return
        self.bound = function_scope(func)[0]
        self._check_single_binding(func)
        self._check_calls_only(func)
        scopes = {name: function_scope(node) for name, node in self.defs.items()}
        refs = {name: [v for v in scope[1] if v in self.defs] for name, scope in scopes.items()}
        default_reads = {}
        for name, node in self.defs.items():
            self.filled[name] = not all(is_literal(d) for _, d in default_expressions(node))
            default_reads[name] = [v for _, d in default_expressions(node) for v in n.names_read(d)
                                   if v in self.bound and v not in self.defs] \
                if self.filled[name] else []
            self.needs[name] = [v for v in scopes[name][1]
                                if v in self.bound and v not in self.defs]
        for name in self.defs:  # the nested functions each one calls, directly or not
            reach, todo = [], list(refs[name])
            while todo:
                callee = todo.pop(0)
                if callee not in reach:
                    reach.append(callee)
                    todo.extend(refs[callee])
            self.reach[name] = reach
            for callee in reach:
                for var in self.needs[callee] + default_reads[callee]:
                    if var not in self.needs[name]:
                        self.needs[name].append(var)
        for name in self.defs:
            self._check_order(name, refs)
            self._check_callees(name, scopes, default_reads)
        calls = self._call_points(statements, refs)
        for name in self.defs:
            for path, call, via in calls[name]:
                if not precedes(self.paths[name], path):
                    raise problem(call, self._before_def(name, via))
            if self.filled[name]:
                self._check_defaults(name, calls[name], func)

    def pass_enclosing_reads(self, func):
        """Make each nested function take the enclosing variables it reads (`needs`) as
        keyword-only parameters, and each call of one (in `func` or in another nested
        function, where those variables are parameters too) pass them by name: ``y = step()``
        becomes ``y = step(y=y)``, which reads `y` as the closure does when it is called, and
        which the passes after this one then see (a target its own value reads, SSA
        versions, activity). Nested functions are only called (`_check_calls_only`), so this
        keeps the meaning."""
        for name, node in self.defs.items():
            args = node.args
            taken = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs}
            for var in self._passed_early(name):
                if var not in taken:
                    param = n.name(var)
                    param.ctx = gast.Param()
                    args.kwonlyargs.append(param)
                    args.kw_defaults.append(None)
        for node in n.walk(func):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                    node.func.id in self.defs:
                given = {kw.arg for kw in node.keywords}
                node.keywords.extend(gast.keyword(arg=var, value=n.name(var))
                                     for var in self._passed_early(node.func.id)
                                     if var not in given)

    def _passed_early(self, name):
        """The enclosing variables `pass_enclosing_reads` passes to the nested function
        `name`: not those named like keywords that NumPy functions give a meaning
        (``out=``, ``copy=``, ``dtype=``), which the passes read so in any call; lifting
        (`calls._lift`) passes those."""
        return [var for var in self.needs[name] if var not in _MEANINGFUL_KEYWORDS]

    def lifted(self, name):
        """The FunctionDef nodes that the lifted function `name` starts with: those of the
        nested functions it calls, itself too when it is recursive."""
        return sorted((self.defs[callee] for callee in self.reach.get(name, ())),
                      key=lambda node: (node.lineno, node.col_offset))

    # -- checks -----------------------------------------------------------------------------
    def _twice(self, name, first):
        return (f'a second definition of the nested function `{name}` (the first is at line '
                f'{first.lineno}); s2sgrad passes the enclosing variables a nested function '
                f'reads at each of its calls, which needs one definition for each name: give '
                f'each function a name of its own')

    def _check_single_binding(self, func):
        for name, node in self.defs.items():
            if name in parameter_names(func):
                raise self.problem(node, f'the nested function `{name}`, which has the name '
                                         f'of a parameter: s2sgrad needs one definition for '
                                         f'each name; give it a name of its own')
        for node in own_scope_nodes(func.body):
            if isinstance(node, gast.Name) and node.id in self.defs and \
                    not isinstance(node.ctx, gast.Load):
                first = self.defs[node.id]
                raise self.problem(node, f'an assignment to `{node.id}`, the name of the '
                                         f'nested function defined at line {first.lineno}: '
                                         f's2sgrad needs one definition for each name; give '
                                         f'the function or the variable another name')

    def _check_calls_only(self, func):
        called = {id(node.func) for node in own_scope_nodes(func.body)
                  if isinstance(node, gast.Call)}
        for node in own_scope_nodes(func.body):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                    node.id in self.defs and id(node) not in called:
                raise self.problem(node, self._escape(node.id))

    @staticmethod
    def _escape(name):
        return (f'the nested function `{name}` used as a value (returned, stored, or passed '
                f'to another function): s2sgrad lifts a nested function to the top level and '
                f'passes the enclosing variables it reads at each call, so it can follow '
                f'only calls `{name}(...)` where it is defined: call it there, or define it '
                f'at module level and pass what it reads as arguments')

    def _check_order(self, name, refs):
        """The nested functions that `name` calls are defined before it: generated code
        keeps a ``def`` only where a later statement reads the name it defines."""
        for callee in refs[name]:
            if callee == name or precedes(self.paths[callee], self.paths[name]):
                continue
            use = next(node for node in gast.walk(self.defs[name])
                       if isinstance(node, gast.Name) and node.id == callee)
            if name in self.reach[callee]:
                raise self.problem(use, (
                    f'the nested functions `{name}` and `{callee}`, which call each other; '
                    f'define them at module level and pass what they read as arguments'))
            raise self.problem(use, (
                f'the call of the nested function `{callee}` in the nested function `{name}` '
                f'defined before it; define `{callee}` first (before `{name}`, in the same '
                f'block or an enclosing one)'))

    def _check_callees(self, name, scopes, default_reads):
        """The nested functions that `name` calls are copied into its lifted body, so
        what they read from the enclosing function must not be a variable of `name`."""
        own = scopes[name][0]
        for callee in self.reach[name]:
            if callee == name:
                continue
            reads = [callee] + scopes[callee][1] + default_reads[callee]
            clash = [v for v in reads if v in own]
            if clash:
                raise self.problem(self.defs[name], (
                    f'the nested function `{name}`, which has a variable `{clash[0]}` of its '
                    f'own and calls the nested function `{callee}` (directly or not), which '
                    f'reads the `{clash[0]}` of the enclosing function: s2sgrad copies '
                    f'`{callee}` into the function it makes of `{name}`; rename one of the '
                    f'variables'))

    def _call_points(self, statements, refs):
        """Where each nested function is called, as (statement path, call node, name of the
        nested function called there that leads to it, or None)."""
        calls = {name: [] for name in self.defs}
        for stmt, path in statements:
            for node in header_nodes(stmt):
                if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                        node.func.id in self.defs:
                    calls[node.func.id].append((path, node, None))
        changed = True
        while changed:
            changed = False
            for caller, callees in refs.items():
                for callee in callees:
                    known = {(path, id(call)) for path, call, _ in calls[callee]}
                    for path, call, via in calls[caller]:
                        if (path, id(call)) not in known:
                            calls[callee].append((path, call, via or caller))
                            known.add((path, id(call)))
                            changed = True
        return calls

    @staticmethod
    def _before_def(name, via):
        through = f' (through `{via}`, which calls it)' if via else ''
        return (f'a call of the nested function `{name}`{through} that its `def` does not '
                f'come before in every run: it is in an `if` or a loop that this call is '
                f'not in, or after the call; define `{name}` before its calls, in the same '
                f'block or an enclosing one')

    def _check_defaults(self, name, calls, func):
        node = self.defs[name]
        def_path = self.paths[name]
        depth = len(def_path) - 1
        block = func.body
        for step in range(0, depth, 2):
            block = getattr(block[def_path[step]], def_path[step + 1])
        for param, default in default_expressions(node):
            enclosing = [v for v in n.names_read(default) if v in self.bound]
            simple = isinstance(default, gast.Name) or is_literal(default) or \
                (n.dotted_path(default) is not None and not enclosing)
            if not simple:
                raise self.problem(default, (
                    f'the default value of `{param}` of the nested function `{name}`: '
                    f's2sgrad passes a nested function\'s default values at its calls, and '
                    f'this one is an expression it would evaluate again at each call; assign '
                    f'it to a variable before the `def` and use that variable as the default'))
            if enclosing and param in names_written(node.body, rebinding=False):
                raise self.problem(default, (
                    f'the default value of `{param}` of the nested function `{name}`: it is '
                    f'the enclosing variable `{enclosing[0]}`, which `{name}` changes in place '
                    f'through `{param}`; pass a copy explicitly (`{name}(..., '
                    f'{param}={enclosing[0]}.copy())`)'))
            for path, call, _ in calls:
                between = block[def_path[depth] + 1:path[depth] + 1]
                changed = [v for v in enclosing if v in names_written(between)]
                if changed:
                    raise self.problem(default, (
                        f'the default value of `{param}` of the nested function `{name}`: '
                        f'it reads `{changed[0]}`, which changes between the `def` and the '
                        f'call at line {call.lineno}, and s2sgrad passes default values at '
                        f'the calls; pass the value explicitly, or copy it to a variable that '
                        f'does not change'))
