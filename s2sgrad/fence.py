"""Fence pass: reject every construct s2sgrad cannot differentiate, pointing at its source line."""
import ast

import gast

from . import nodes as n
from .comprehensions import CONSUMERS, MATH_CONSUMERS
from .errors import UnsupportedSyntaxError, char_offset
from .key_lambdas import plain_key, rename_apart, stable_names

_ASYNC = 'async code is not supported; differentiate a plain synchronous function'
_NO_DICT = ('`**` unpacking into a dict display is not supported (dicts themselves are); '
            'build the dict with `dict(a)` and item assignments')
_NO_SET = 'sets are not supported; use a tuple, a list or an array'
_LOOP = 'write a for loop that appends to a list'
_TRY = 'move the try/except outside the differentiated function, or check the condition with `if`'

# Constructs rejected wherever they appear: node type -> (what it is, what to do instead).
_ALWAYS = {
    gast.Try: ('a `try` statement', _TRY),
    gast.With: ('a `with` statement',
                'enter the context manager outside the differentiated function and call the '
                'function inside the `with` block'),
    gast.AsyncWith: ('an `async with` statement', _ASYNC),
    gast.AsyncFor: ('an `async for` loop', _ASYNC),
    gast.AsyncFunctionDef: ('an `async def` function',
                            'async code is not supported; make it a plain `def`'),
    gast.Await: ('an `await` expression', _ASYNC),
    gast.Yield: ('a `yield` expression',
                 'generators are not supported; return a value instead (collect values in a list)'),
    gast.YieldFrom: ('a `yield from` expression',
                     'generators are not supported; return a value instead (collect values in a '
                     'list)'),
    gast.Global: ('a `global` statement',
                  'pass the value in as an argument and return the new value instead'),
    gast.Nonlocal: ('a `nonlocal` statement',
                    'pass the value in as an argument and return the new value instead'),
    gast.ClassDef: ('a `class` definition', 'define the class outside the differentiated function'),
    gast.Delete: ('a `del` statement of an attribute or an extended slice (`del name`, '
                  '`del items[i]` and `del items[a:b]` are followed)',
                  'rebind the name instead, or build a new list without the elements'),
    gast.Import: ('an `import` statement', 'move the import to the top of the module'),
    gast.ImportFrom: ('a `from ... import` statement', 'move the import to the top of the module'),
    gast.NamedExpr: ('the walrus operator `:=` where Python may compute it more than once or '
                     'not at all (in `and`/`or`, a chained comparison, `x if c else y`, a '
                     'comprehension or a lambda), or after its name is read or a call runs in '
                     'the same statement, or twice in one',
                     'assign the variable in a separate statement before using it'),
    gast.SetComp: ('a set comprehension `{... for ...}`', 'sets are not supported; ' + _LOOP),
    gast.DictComp: ('a dict comprehension `{...: ... for ...}` other than the value of an '
                    'assignment to a name or of a `return`',
                    'assign it to a name first, or fill a dict key by key in a loop (`d = {}`, '
                    'then `d[k] = ...`)'),
    gast.Dict: ('a dict literal with `**` unpacking (`{**a, ...}`)', _NO_DICT),
    gast.Set: ('a set literal `{...}`', _NO_SET),
    gast.Lambda: ('a `lambda` used as a value (stored in a container, returned, or passed to a '
                  'function other than `map` and `s2sgrad.grad`)',
                  'assign it to a name and call it, or define it with `def` and call it'),
}
for _name, _what, _todo in (
        ('TryStar', 'a `try`/`except*` statement', _TRY),
        ('Match', 'a `match` statement', 'use `if`/`elif`/`else`'),
        ('TypeAlias', 'a `type` statement', 'define the type alias outside the function')):
    if hasattr(gast, _name):
        _ALWAYS[getattr(gast, _name)] = (_what, _todo)

_AUGASSIGN_OK = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.MatMult, gast.FloorDiv,
                 gast.Mod, gast.BitAnd, gast.BitOr, gast.BitXor, gast.LShift, gast.RShift)

_LATER = 'and pass the result in; support for integer operands is planned'
# Operators rejected in BinOp, UnaryOp and AugAssign: op type -> (symbol, what to do instead).
_OPERATORS = {
    gast.FloorDiv: ('//', 'floor division is piecewise constant: compute it outside the '
                          'differentiated function (e.g. with `int(...)` or `np.floor`) ' + _LATER),
    gast.Mod: ('%', 'the remainder is discontinuous: compute it outside the differentiated '
                    'function ' + _LATER),
    gast.BitAnd: ('&', 'for booleans use `and` or `np.logical_and(a, b)`'),
    gast.BitOr: ('|', 'for booleans use `or` or `np.logical_or(a, b)`'),
    gast.BitXor: ('^', 'for booleans use `!=` or `np.logical_xor(a, b)`'),
    gast.LShift: ('<<', 'multiply by a power of two, or compute it outside the function'),
    gast.RShift: ('>>', 'divide by a power of two, or compute it outside the function'),
    gast.Invert: ('~', 'for booleans use `not` or `np.logical_not(a)`'),
}

# Fields that are never executed as part of the differentiated code.
_SKIPPED_FIELDS = {'annotation', 'returns', 'type_comment', 'type_params'}


def _operator_message(node):
    """The message for a BinOp/UnaryOp with an unsupported operator, or None."""
    if type(node.op) not in _OPERATORS:
        return None
    if (isinstance(node.op, gast.Mod) and isinstance(node.left, (gast.Constant, gast.JoinedStr))
            and isinstance(getattr(node.left, 'value', ''), (str, bytes))):
        return None  # '%d' % n is string formatting
    symbol, todo = _OPERATORS[type(node.op)]
    if symbol in ('//', '%', '&', '|', '^', '~', '<<', '>>'):
        return None  # fine on integers and masks; the passes reject differentiated operands
    return f'the bitwise operator `{symbol}`', todo


def _augassign_message(node):
    """The message for an augmented assignment other than += -= *= /= **= @=, or None."""
    if isinstance(node.op, _AUGASSIGN_OK):
        return None
    symbol, todo = _OPERATORS.get(type(node.op), ('?', ''))
    return (f'the augmented assignment `{symbol}=`',
            'only `+=`, `-=`, `*=`, `/=`, `**=`, `@=` and (on integers and masks) `//=`, '
            '`%=`, `&=`, `|=`, `^=`, `<<=`, `>>=` are supported; ' + todo)


def _starred_message(node):
    """The message for `*x` as an assignment target or as an argument/element."""
    if getattr(node, 'packed', False):
        return None  # ``*args`` of a called function, as `constructs` passes them
    if isinstance(node.ctx, gast.Load) and isinstance(node.value, gast.Attribute) and \
            node.value.attr == 'shape':
        return None  # ``np.random.rand(*x.shape)``: integers, never differentiated
    if isinstance(node.ctx, gast.Store):
        return ('a starred assignment target `*name`',
                'index explicitly, e.g. `first, rest = xs[0], xs[1:]`')
    shown = ast.unparse(gast.gast_to_ast(n.clone(node.value)))
    return (f'a starred expression `*{shown}`',
            'pass the elements one by one, e.g. `f(t[0], t[1])` (a shape may be starred '
            'whole: `*x.shape`)')


def _keyword_message(node):
    """The message for `**kwargs` unpacking in a call, or None for `name=value`."""
    if node.arg is not None:
        return None
    return ('a `**` argument unpacking',
            'the call\'s keywords must be known where it is written (dicts themselves are '
            'supported); pass each keyword argument explicitly, `f(mu=params[\'mu\'], ...)`')


def _generator_message(node):
    """The message for a generator expression not consumed whole by a built-in, or None."""
    if getattr(node, 'consumed', False):
        return None
    return ('a generator expression `(... for ...)`',
            f'pass it to {", ".join(f"`{name}`" for name in CONSUMERS)}, or use a list '
            f'comprehension `[... for ...]`')


# Constructs rejected only in some forms: node type -> function returning None (allowed), a
# (what, instead) pair, or a whole message in which `{func}` stands for the function name.
_CONDITIONAL = {
    gast.BinOp: _operator_message,
    gast.UnaryOp: _operator_message,
    gast.AugAssign: _augassign_message,
    gast.Starred: _starred_message,
    gast.keyword: _keyword_message,
    gast.GeneratorExp: _generator_message,
}


def _signature_problems(args):
    """Yield (node or None, message) for parameters the differentiated function may not have."""
    if args.kwarg is not None:
        yield args.kwarg, ('a `**kwargs` parameter', 'give the function explicit parameters')


class _Fence:
    """Collects every unsupported construct with its position; the earliest one is reported."""

    def __init__(self, root, func_name):
        self.root = root
        self.func_name = func_name
        arguments = root.args.args + root.args.kwonlyargs + root.args.posonlyargs + \
            [a for a in (root.args.vararg, root.args.kwarg) if a is not None]
        lambdas = {id(node) for node in n.walk(root) if isinstance(node, gast.Lambda)}
        self.local_names = {a.id for a in arguments} | {
            node.id for node in n.walk(root, skip=lambda node: id(node) in lambdas)
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store)}
        self.problems = []  # (lineno, col_offset, discovery order, message, node)
        self.stable = None  # (`_stable`)

    def report(self, node, message):
        if getattr(node, 'lineno', None) is None:
            node = self.root  # e.g. gast.arguments has no position
        if isinstance(message, tuple):
            what, todo = message
            message = f's2sgrad cannot differentiate {what} in `{{func}}`; {todo}'
        message = message.replace('{func}', self.func_name)
        self.problems.append((node.lineno, node.col_offset, len(self.problems), message, node))

    def check_root(self):
        """Check the differentiated function itself: its signature and its body."""
        root = self.root
        if isinstance(root, gast.AsyncFunctionDef):
            self.report(root, _ALWAYS[gast.AsyncFunctionDef])
        for node, message in _signature_problems(root.args):
            self.report(node, message)
        body = root.body if isinstance(root.body, list) else [root.body]
        for stmt in body:
            self.visit(stmt)

    def visit(self, node):
        """Check `node` and everything below it (except annotations)."""
        kind = type(node)
        if isinstance(node, gast.Call):
            self._mark_key_functions(node)
        if getattr(node, 'key_function', False):
            return  # (read as a constant: see `_mark_key_functions`)
        if kind in _ALWAYS:
            self.report(node, _ALWAYS[kind])
        elif kind in _CONDITIONAL:
            message = _CONDITIONAL[kind](node)
            if message is not None:
                self.report(node, message)
        if isinstance(node, gast.Call) and (isinstance(node.func, gast.Name) and
                                            node.func.id in CONSUMERS or
                                            n.dotted_path(node.func) in MATH_CONSUMERS):
            for arg in node.args:  # lowered to a list by `comprehensions`
                if isinstance(arg, gast.GeneratorExp):
                    arg.consumed = True
        if isinstance(node, gast.FunctionDef) and node.args.kwarg is not None:
            self.report(node.args.kwarg, (f'a `**{node.args.kwarg.id}` parameter of the '
                                          f'nested function `{node.name}`',
                                          'give the function explicit parameters'))
        if isinstance(node, gast.FunctionDef) and node.decorator_list:
            self.report(node.decorator_list[0],
                        (f'a decorator on the nested function `{node.name}`',
                         'apply the decorator outside the differentiated function, or define '
                         'the nested function without it'))
        for field, value in gast.iter_fields(node):
            if field in _SKIPPED_FIELDS:
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, gast.AST):
                    self.visit(child)

    def _stable(self, call):
        """`key_lambdas.stable_names` of the function for `call`: what the statements of its
        body before the one holding `call` change is no change (found once for each)."""
        if self.stable is None:
            self.stable = {}
            body = self.root.body if isinstance(self.root.body, list) else []
            self.top = {id(node): index for index, stmt in enumerate(body)
                        for node in n.walk(stmt)}
        start = self.top.get(id(call), 0)
        if start not in self.stable:
            self.stable[start] = stable_names(self.root, start)
        return self.stable[start]

    def _mark_key_functions(self, call):
        """Mark the ``key=lambda v: ...`` of a call (``sorted``, ``max``, ``min``) that reads
        nothing of the function, or only its variables bound once and never changed
        (`key_lambdas.stable_names`; its parameters renamed apart from the function's names):
        a constant function, which only orders the items (a variable read in it that changed
        between the sweeps would order them otherwise)."""
        for keyword in call.keywords:
            value = keyword.value
            if keyword.arg != 'key' or not isinstance(value, gast.Lambda):
                continue
            params = {a.id for a in value.args.args + value.args.kwonlyargs}
            read = set(n.all_names(value.body)) - params
            if value.args.vararg is None and value.args.kwarg is None and \
                    not (read | params) & self.local_names:
                value.key_function = True
            elif plain_key(value) and read & self.local_names <= self._stable(call):
                # (``min(range(n), key=lambda i: losses[i])``: variables bound once and never
                # changed, which order the items alike whenever the key runs)
                rename_apart(value, self.local_names)
                value.key_function = True
            else:
                self.report(value, ('a `key=lambda` that reads a variable of the function '
                                    'that is assigned again or changed in place',
                                    'define the key function with `def` at module level '
                                    '(or, for the position of the largest value, use '
                                    '`int(np.argmax(values))`)'))
                value.key_function = True  # (reported once)


def fence(node, filename, source_lines, func_name):
    """Raise UnsupportedSyntaxError for the first unsupported construct in `node`.

    `node` is the gast.FunctionDef (or gast.Lambda) of the function to differentiate, with
    file positions; `source_lines` are the file's lines and `func_name` names the function in
    messages. Its decorators, default values and annotations are not checked (they are not part
    of the differentiated code). Among several unsupported constructs, the first in source order
    is reported, with its file line, 1-based column and source text. Returns None when the
    function passes.
    """
    checker = _Fence(node, func_name)
    checker.check_root()
    if not checker.problems:
        return
    lineno, col, _, message, node = min(checker.problems, key=lambda problem: problem[:3])
    text = None
    if source_lines and 0 < lineno <= len(source_lines):
        text = source_lines[lineno - 1].rstrip('\r\n')
    end_lineno = getattr(node, 'end_lineno', None)
    end_offset = None
    if end_lineno == lineno and getattr(node, 'end_col_offset', None) is not None:
        end_offset = char_offset(text, node.end_col_offset)
    raise UnsupportedSyntaxError(message, filename, lineno, char_offset(text, col), text,
                                 end_lineno, end_offset)
