"""Fence tests: every rejected construct raises UnsupportedSyntaxError at its file position."""
import sys
import textwrap

import gast
import pytest

from s2sgrad.errors import UnsupportedSyntaxError
from s2sgrad.fence import fence

# Lines written before each function, so that file line numbers differ from function lines.
HEADER = '"""A user module."""\nimport math\n\nSCALE = 2.0\n\n'
HEADER_LINES = HEADER.count('\n')

NEEDS_311 = {'try-star'}  # ids of cases whose syntax needs Python 3.11

# (id, function source, line of the construct within the function (1 = the `def` line),
#  text at which the reported column points on that line, substring of the message)
REJECTED = [
    ('try', '''
        def f(x):
            y = x
            try:
                y = 1 / x
            except ZeroDivisionError:
                y = 0.0
            return y
    ''', 3, 'try', '`try` statement'),
    ('try-finally', '''
        def f(x):
            try:
                return x
            finally:
                pass
    ''', 2, 'try', '`try` statement'),
    ('try-star', '''
        def f(x):
            try:
                return x
            except* ValueError:
                pass
    ''', 2, 'try', '`try`/`except*`'),
    ('with', '''
        def f(x, lock):
            with lock:
                x = x * 2
            return x
    ''', 2, 'with', '`with` statement'),
    ('async-def', '''
        async def f(x):
            return x * 2
    ''', 1, 'async def', '`async def`'),
    ('async-with', '''
        def f(x):
            async with x:
                pass
    ''', 2, 'async', '`async with` statement'),
    ('async-for', '''
        def f(x):
            async for a in x:
                pass
    ''', 2, 'async', '`async for` loop'),
    ('nested-async-def', '''
        def f(x):
            async def g(y):
                async with y:
                    pass
            return x
    ''', 2, 'async def', '`async def`'),
    ('await', '''
        def f(x):
            y = [await x]
            return y
    ''', 2, 'await', '`await` expression'),
    ('yield', '''
        def f(x):
            y = x * 2
            yield y
    ''', 3, 'yield', '`yield`'),
    ('yield-from', '''
        def f(x):
            yield from x
    ''', 2, 'yield', '`yield from`'),
    ('global', '''
        def f(x):
            global SCALE
            SCALE = x
            return x
    ''', 2, 'global', '`global` statement'),
    ('nonlocal', '''
        def f(x):
            y = x
            def g():
                nonlocal y
                y = y * 2
            g()
            return y
    ''', 4, 'nonlocal', '`nonlocal` statement'),
    ('class', '''
        def f(x):
            class Point:
                pass
            return x
    ''', 2, 'class', '`class` definition'),
    ('del', '''
        def f(x):
            y = x
            del y
            return x
    ''', 3, 'del', '`del` statement'),
    ('import', '''
        def f(x):
            import numpy as np
            return np.sin(x)
    ''', 2, 'import', '`import` statement'),
    ('from-import', '''
        def f(x):
            from math import sin
            return sin(x)
    ''', 2, 'from', '`from ... import` statement'),
    ('walrus', '''
        def f(x):
            if (y := x * 2) > 1:
                return y
            return x
    ''', 2, 'y :=', '`:=`'),
    ('match', '''
        def f(x, n):
            match n:
                case 1:
                    return x
            return x * 2
    ''', 2, 'match', '`match` statement'),
    ('setcomp', '''
        def f(xs):
            ys = {x * 2 for x in xs}
            return len(ys)
    ''', 2, '{x', 'set comprehension'),
    ('dictcomp', '''
        def f(xs):
            ys = {i: x for i, x in enumerate(xs)}
            return ys[0]
    ''', 2, '{i', 'dict comprehension'),
    # (list comprehensions, and generator expressions consumed by `sum` and the like, are
    # lowered to loops: see tests/test_comprehensions.py)
    ('genexp', '''
        def f(xs):
            return np.fromiter((x * x for x in xs), float)
    ''', 2, '(x * x', 'generator expression'),
    ('dict', '''
        def f(x):
            n = len({**x, 'a': 1})  # (not assigned or returned: `d = {**x, 'a': 1}` is a copy)
            return n
    ''', 2, '{', 'unpacking into a dict display is not supported'),
    ('dict-unpacked', '''
        def f(x):
            d = {**x}
            return x
    ''', 2, '{', 'dict literal'),
    ('set', '''
        def f(x):
            s = {x, 2 * x}
            return x
    ''', 2, '{', 'sets are not supported'),
    ('starred-call', '''
        def f(x, shape):
            return x.reshape(*shape).sum()
    ''', 2, '*shape', 'starred expression `*shape`'),
    ('starred-target', '''
        def f(xs):
            first, *rest = xs
            return first
    ''', 2, '*rest', 'starred assignment target'),
    ('starred-for-target', '''
        def f(xs):
            for a, *b in xs:
                pass
            return a
    ''', 2, '*b', 'starred assignment target'),
    ('starred-list', '''
        def f(x, ys):
            zs = [x, *ys]
            return zs[0]
    ''', 2, '*ys', 'starred expression'),
    ('double-star-call', '''
        def f(x, options):
            return g(x, **options)
    ''', 2, '**options', '`**` argument unpacking'),
    ('kwarg', '''
        def f(x, **kwargs):
            return x
    ''', 1, 'kwargs', '`**kwargs` parameter'),
    ('nested-kwarg', '''
        def f(x):
            def g(z, **options):
                return z
            return g(x)
    ''', 2, 'options', '`**options` parameter of the nested function `g`'),
    ('lambda', '''
        def f(x):
            g = lambda y: y * x
            return g(2.0)
    ''', 2, 'lambda', 'a `lambda` used as a value'),
    ('nested-decorator', '''
        def f(x):
            y = x * 2

            @staticmethod
            def g(z):
                return z * y
            return g(x)
    ''', 4, 'staticmethod', 'decorator on the nested function `g`'),
    ('in-nested-def', '''
        def f(x):
            def g(z):
                return {**z}
            return g(x)
    ''', 3, '{', 'dict literal'),
    ('first-in-source-order', '''
        def f(x, shape):
            try:
                y = {x}
            finally:
                del y
            return x.reshape(*shape)
    ''', 2, 'try', '`try` statement'),
    ('first-on-the-line', '''
        def f(x, n):
            return g(k={n}, *x)
    ''', 2, '{n}', 'sets are not supported'),
    ('decorator-before-body', '''
        def f(x):
            @dec
            def g(z):
                return {z}
            return g(x)
    ''', 2, 'dec', 'decorator'),
]


def _write(tmp_path, source):
    """Write HEADER + source to a file; return its path, lines and the last top-level def."""
    text = HEADER + textwrap.dedent(source).lstrip('\n')
    path = tmp_path / 'user_module.py'
    path.write_text(text)
    tree = gast.parse(path.read_text())
    node = [n for n in tree.body if isinstance(n, (gast.FunctionDef, gast.AsyncFunctionDef))][-1]
    return str(path), text.splitlines(), node


def _params(rows):
    skip_311 = pytest.mark.skipif(sys.version_info < (3, 11), reason='syntax of Python 3.11')
    return [pytest.param(*row[1:], id=row[0], marks=[skip_311] if row[0] in NEEDS_311 else [])
            for row in rows]


@pytest.mark.parametrize('source, line, column_at, expected', _params(REJECTED))
def test_rejected(tmp_path, source, line, column_at, expected):
    filename, lines, node = _write(tmp_path, source)
    with pytest.raises(UnsupportedSyntaxError) as info:
        fence(node, filename, lines, node.name)
    exc = info.value
    lineno = HEADER_LINES + line
    assert isinstance(exc, SyntaxError)
    assert exc.lineno == lineno
    assert exc.offset == lines[lineno - 1].index(column_at) + 1
    assert exc.filename == filename
    assert exc.text.strip() == lines[lineno - 1].strip()
    assert expected in exc.msg
    assert 'in `f`' in exc.msg
    assert '`' in exc.msg.split(';')[0]  # the construct is named in backticks
    assert ';' in exc.msg  # ... followed by what to do instead
    assert lines[lineno - 1].strip() in str(exc)
    assert expected in str(exc)


def test_message_of_try_reads_well(tmp_path):
    _, lines, node = _write(tmp_path, REJECTED[0][1])
    with pytest.raises(UnsupportedSyntaxError) as info:
        fence(node, 'user_module.py', lines, 'f')
    assert info.value.msg == (
        's2sgrad cannot differentiate a `try` statement in `f`; move the try/except outside the '
        'differentiated function, or check the condition with `if`')
    assert str(info.value).endswith('try:\n    ^')


def test_function_name_is_used_in_message(tmp_path):
    _, lines, node = _write(tmp_path, 'def loss(x):\n    del x\n')
    with pytest.raises(UnsupportedSyntaxError, match='in `loss`'):
        fence(node, 'm.py', lines, 'loss')


def _lambda_node(tmp_path, source):
    text = HEADER + source
    tree = gast.parse(text)
    return tree.body[-1].value, text.splitlines()


def test_lambda_root_passes(tmp_path):
    node, lines = _lambda_node(tmp_path, 'f = lambda x, y=2: x * y if x > 0 else -x\n')
    assert fence(node, 'm.py', lines, '<lambda>') is None
    node, lines = _lambda_node(tmp_path, 'f = lambda *xs: xs[0]\n')  # a constant tuple
    assert fence(node, 'm.py', lines, '<lambda>') is None


@pytest.mark.parametrize('source, column_at, expected', [
    ('f = lambda x: {y for y in x}\n', '{y', 'set comprehension'),
    ('f = lambda x: (lambda y: y)(x)\n', 'lambda y', '`lambda` used as a value'),
])
def test_lambda_root_rejected(tmp_path, source, column_at, expected):
    node, lines = _lambda_node(tmp_path, source)
    with pytest.raises(UnsupportedSyntaxError) as info:
        fence(node, 'm.py', lines, '<lambda>')
    assert info.value.lineno == HEADER_LINES + 1
    assert info.value.offset == source.index(column_at) + 1
    assert expected in info.value.msg


ALLOWED = {
    'assign-and-unpack': '''
        def f(x, pair):
            y = x * 2
            a, b = pair
            [c, d] = pair
            (e, (g, h)) = (a, (b, c))
            y = z = y + 1
            return y + a + b + c + d + e + g + h + z
    ''',
    'subscript-and-attribute': '''
        def f(x, W):
            y = x.copy()
            y[0] = x[1] * 2
            y[1:3] = x[::2][:2]
            y[0, ...] += 1
            return (y.T @ W.dot(x)).sum() + x.shape[0] + x[-1]
    ''',
    'augassign': '''
        def f(x, A):
            y = x
            y += 1
            y -= 2
            y *= 3
            y /= 4
            y **= 2
            y @= A
            return y.sum()
    ''',
    'if-elif-else': '''
        def f(x):
            if x > 1:
                y = x
            elif x < -1 or not x:
                y = -x
            else:
                pass
            return y
    ''',
    'loops-break-continue': '''
        def f(x):
            for i in range(10):
                if i == 3:
                    continue
                if i > 5:
                    break
                x = x * 1.1
            while x < 100 and x > 0:
                x = x * 2
                if x is None or x is not None:
                    break
            return x
    ''',
    'several-returns': '''
        def f(x):
            if x > 0:
                return x
            return -x
    ''',
    'assert-raise-docstring': '''
        def f(x):
            """Square a positive number."""
            assert x > 0, 'x must be positive'
            if x > 1e10:
                raise ValueError(f'{x} is too large, limit {1e10:g}')
            return x ** 2
    ''',
    'nested-def-and-closure': '''
        def f(x):
            def g(z, k=2.0):
                def h(w):
                    return w * z
                return h(z) * k
            return g(x) + g(x, k=3.0)
    ''',
    'calls-keywords-conditional': '''
        def f(x, np):
            y = np.sum(x, axis=0, keepdims=True)
            z = y if y.ndim > 1 else -y
            return np.mean(z) + (1 if 0 < x.size <= 10 < 20 else 0)
    ''',
    'constants-lists-tuples-strings': '''
        def f(x):
            items = [x, 2 * x, (x, None)]
            flags = (True, False, None, ...)
            label = 'value: %d' % 3
            other = b'%s' % b'x'
            name = f'{label!r:>10}' + "s"
            print(label, name, flags, sep=', ')
            return items[0] + -x + +x
    ''',
    # Decorators, annotations and defaults of the differentiated function are not its code.
    'top-level-decorator-annotations-defaults': '''
        @some.decorator(lambda y: {y})
        def f(x: int | None, n: int = 7 // 2) -> float:
            y: float | None = x * 2
            return y
    ''',
    # A nested function may take ``*args`` (not ``**kwargs``: `nested-kwarg` above).
    'nested-def-with-star-parameters': '''
        def f(x):
            def g(*args, scale=1.0):
                return args[0] * scale
            return g(x, x)
    ''',
}


@pytest.mark.parametrize('source', list(ALLOWED.values()), ids=list(ALLOWED))
def test_allowed(tmp_path, source):
    filename, lines, node = _write(tmp_path, source)
    assert fence(node, filename, lines, node.name) is None


def test_fence_without_source_lines_still_raises(tmp_path):
    _, _, node = _write(tmp_path, 'def f(x):\n    del x\n')
    with pytest.raises(UnsupportedSyntaxError) as info:
        fence(node, '<string>', [], 'f')
    assert info.value.lineno == HEADER_LINES + 2
    assert info.value.text is None
