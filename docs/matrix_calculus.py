"""Generate docs/matrix_calculus.md: s2sgrad's printed gradients beside textbook closed forms.

    python docs/matrix_calculus.py           # rewrite docs/matrix_calculus.md
    python docs/matrix_calculus.py --check   # exit 1 if docs/matrix_calculus.md is stale

For each entry of ENTRIES, the function of docs/gallery_functions.py is differentiated with
``s2sgrad.grad(f, wrt=..., shapes=...)``, and the gradient it prints (``df.source``) is
compared with the closed form two ways:

* symbolically, by `matches`: the gradient's return expression, with its single-assignment
  temporaries substituted, against the closed form (and its accepted spellings), both
  normalized only for the order of ``+`` and ``*`` operands, ``np.transpose(x)`` versus
  ``x.T`` and ``2.0`` versus ``2``;
* numerically, by `numeric_check`: on random float64 data of the declared shapes, the
  gradient equals the closed form evaluated with NumPy (relative error 1e-10) and central
  differences (1e-6).

Exit status: 0 when every numeric check passes (and, with --check, the file is current).
"""
import argparse
import ast
import copy
import dataclasses
import importlib.util
import inspect
import os
import sys

import numpy as np

import s2sgrad

HERE = os.path.dirname(os.path.abspath(__file__))
MARKDOWN = os.path.join(HERE, 'matrix_calculus.md')
COMMAND = 'python docs/matrix_calculus.py'

MATCHES = 'matches'
EQUIVALENT = 'equivalent, numerically checked (printed form differs)'
FAILED = 'NUMERIC CHECK FAILED'

# Concrete sizes for the named sizes of the declared shapes, in the numeric checks.
SIZES = {'n': 4, 'm': 3, 'k': 5}
CLOSED_RTOL = 1e-10     # gradient versus the closed form, relative (2-norm)
FD_STEP = 1e-5          # central differences: step
FD_TOL = 1e-6           # central differences: max error, relative to max(1, max |gradient|)


def _load_functions():
    """docs/gallery_functions.py, imported by path (docs/ is not a package)."""
    name = 'gallery_functions'
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, os.path.join(HERE, 'gallery_functions.py'))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


functions = _load_functions()


@dataclasses.dataclass(frozen=True)
class Entry:
    """One gallery entry: `func` (a name in gallery_functions) differentiated with respect to
    `wrt` under the declared `shapes`; `closed` is the textbook gradient as a Python
    expression over the function's parameters, `accepted` trivially equivalent spellings of
    it, and `data` the kind of random data a parameter needs (see `make_data`)."""
    func: str
    title: str
    math: str
    wrt: str
    shapes: dict
    closed: str
    citation: str
    accepted: tuple = ()
    data: dict = dataclasses.field(default_factory=dict)
    why: str = ''
    """Why s2sgrad prints another form, where it does on purpose (shown under the entry)."""

    @property
    def function(self):
        return getattr(functions, self.func)

    @property
    def forms(self):
        return (self.closed,) + tuple(self.accepted)


COOKBOOK = 'The Matrix Cookbook (Petersen & Pedersen, 2012)'

ENTRIES = [
    Entry('linear_form', 'Linear form', '∂(aᵀx)/∂x = a', 'x',
          {'a': ('n',), 'x': ('n',)}, 'a',
          f'{COOKBOOK}, §2.4.1, eq. (69)'),
    Entry('squared_norm', 'Squared norm', '∂(xᵀx)/∂x = 2x', 'x',
          {'x': ('n',)}, '2 * x',
          f'{COOKBOOK}, §2.4.2 (eq. (81) with B = I)', accepted=('x + x',)),
    Entry('quadratic_form', 'Quadratic form', '∂(xᵀAx)/∂x = (A + Aᵀ)x', 'x',
          {'x': ('n',), 'A': ('n', 'n')}, '(A + A.T) @ x',
          f'{COOKBOOK}, §2.4.2, eq. (81)', accepted=('A @ x + A.T @ x',)),
    Entry('bilinear_form', 'Bilinear form', '∂(aᵀXb)/∂X = abᵀ', 'X',
          {'a': ('m',), 'X': ('m', 'n'), 'b': ('n',)}, 'np.outer(a, b)',
          f'{COOKBOOK}, §2.4.1, eq. (70)'),
    Entry('trace_linear', 'Trace of a product', '∂tr(AX)/∂X = Aᵀ', 'X',
          {'A': ('n', 'm'), 'X': ('m', 'n')}, 'A.T',
          f'{COOKBOOK}, §2.5.1 (first-order traces)'),
    Entry('trace_quadratic', 'Trace of a quadratic form', '∂tr(XᵀAX)/∂X = (A + Aᵀ)X', 'X',
          {'X': ('n', 'm'), 'A': ('n', 'n')}, '(A + A.T) @ X',
          f'{COOKBOOK}, §2.5.2 (second-order traces)', accepted=('A @ X + A.T @ X',)),
    Entry('trace_sandwich', 'Trace of a sandwich', '∂tr(AXB)/∂X = AᵀBᵀ', 'X',
          {'A': ('k', 'm'), 'X': ('m', 'n'), 'B': ('n', 'k')}, 'A.T @ B.T',
          f'{COOKBOOK}, §2.5.1 (first-order traces)', accepted=('(B @ A).T',)),
    Entry('log_det', 'Log-determinant', '∂log det X/∂X = X⁻ᵀ', 'X',
          {'X': ('n', 'n')}, 'np.linalg.inv(X).T',
          f'{COOKBOOK}, §2.1 (derivatives of a determinant)',
          accepted=('np.linalg.inv(X.T)',), data={'X': 'positive_det'}),
    Entry('det', 'Determinant', '∂det X/∂X = det(X) X⁻ᵀ', 'X',
          {'X': ('n', 'n')}, 'np.linalg.det(X) * np.linalg.inv(X).T',
          f'{COOKBOOK}, §2.1 (derivatives of a determinant)',
          accepted=('np.linalg.det(X) * np.linalg.inv(X.T)',), data={'X': 'positive_det'},
          why='The closed form needs X invertible, which nothing in the program proves; the '
              'cofactor matrix is the same gradient where X is invertible, and the right one '
              'where it is singular (a matrix of rank n - 1 has a nonzero gradient).'),
    Entry('inverse_bilinear_form', 'Bilinear form in the inverse',
          '∂(aᵀX⁻¹b)/∂X = −X⁻ᵀabᵀX⁻ᵀ', 'X',
          {'a': ('n',), 'X': ('n', 'n'), 'b': ('n',)},
          '-np.outer(np.linalg.inv(X).T @ a, np.linalg.inv(X) @ b)',
          f'{COOKBOOK}, §2.2 (derivatives of an inverse)',
          accepted=('-(np.linalg.inv(X).T @ np.outer(a, b) @ np.linalg.inv(X).T)',),
          data={'X': 'positive_det'}),
    Entry('frobenius_squared', 'Squared Frobenius norm', '∂‖O‖²_F/∂O = 2O', 'o',
          {'o': ('m', 'n')}, '2 * o',
          f'{COOKBOOK}, §2.5.2 (‖O‖²_F = tr(OOᵀ))', accepted=('o + o',)),
    Entry('least_squares', 'Least squares', '∂‖Ax − b‖²/∂x = 2Aᵀ(Ax − b)', 'x',
          {'x': ('n',), 'A': ('m', 'n'), 'b': ('m',)}, '2 * A.T @ (A @ x - b)',
          f'{COOKBOOK}, §2.4.2 (second-order forms)',
          accepted=('A.T @ (2 * (A @ x - b))',)),
    Entry('euclidean_norm', 'Euclidean norm', '∂‖x‖₂/∂x = x/‖x‖₂', 'x',
          {'x': ('n',)}, 'x / np.linalg.norm(x)',
          f'{COOKBOOK}, §2.6 (derivatives of vector norms)',
          why='`s2s.xdivy(x, n)` is `x / n`, except 0 where x is 0: at x = 0 the closed form '
              'divides 0 by 0, and s2sgrad gives the zero subgradient instead of nan.'),
    Entry('tanh_layer', 'A tanh layer', '∂(vᵀtanh(Wx))/∂W = (v ⊙ (1 − tanh²(Wx))) xᵀ', 'W',
          {'W': ('k', 'n'), 'x': ('n',), 'v': ('k',)},
          'np.outer(v * (1 - np.tanh(W @ x) ** 2), x)',
          f'chain rule with {COOKBOOK}, §2.4.1, eq. (70); tanh′ = 1 − tanh²'),
    Entry('logistic_loss', 'Logistic loss (labels ±1)',
          '∂Σᵢ log(1 + exp(−yᵢxᵢᵀw))/∂w = Xᵀ(−y ⊙ e / (1 + e)), e = exp(−y ⊙ Xw)', 'w',
          {'w': ('n',), 'X': ('m', 'n'), 'y': ('m',)},
          'X.T @ (-y * np.exp(-y * (X @ w)) / (1 + np.exp(-y * (X @ w))))',
          f'chain rule with {COOKBOOK}, §2.4.1, eq. (69)', data={'y': 'sign'}),
    Entry('logistic_regression', 'Logistic regression (labels 0/1)',
          '∂(−Σᵢ yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ))/∂w = Xᵀ(p − y), p = σ(Xw)', 'w',
          {'w': ('n',), 'X': ('m', 'n'), 'y': ('m',)},
          'X.T @ (1 / (1 + np.exp(-(X @ w))) - y)',
          'Bishop, Pattern Recognition and Machine Learning (2006), §4.3.2',
          data={'y': 'binary'},
          why='Not reached: `X.T @ (p - y)` needs the algebra of p = 1 / (1 + e) '
              '(1 - p = e / (1 + e), p (1 - p) = e / (1 + e)²), which the simplifier does '
              'not do; the printed form is the chain rule, term by term.'),
    Entry('softmax_cross_entropy', 'Softmax cross-entropy (one-hot y)',
          '∂(−Σⱼ yⱼ log softmax(Wx)ⱼ)/∂W = (softmax(Wx) Σⱼyⱼ − y) xᵀ', 'W',
          {'W': ('k', 'n'), 'x': ('n',), 'y': ('k',)},
          'np.outer(np.exp(W @ x) / np.sum(np.exp(W @ x)) * np.sum(y) - y, x)',
          'Bishop, Pattern Recognition and Machine Learning (2006), §4.3.4',
          data={'y': 'one_hot'}),
    Entry('frobenius_inner', 'Frobenius inner product', '∂⟨A, X⟩/∂X = ∂tr(AᵀX)/∂X = A', 'X',
          {'A': ('m', 'n'), 'X': ('m', 'n')}, 'A',
          f'{COOKBOOK}, §2.5.1 (first-order traces)'),
    Entry('sum_exp', 'Sum of exponentials', '∂Σᵢ exp(xᵢ)/∂x = exp(x)', 'x',
          {'x': ('n',)}, 'np.exp(x)',
          'elementwise chain rule'),
    Entry('trace_square', 'Trace of a square', '∂tr(X²)/∂X = 2Xᵀ', 'X',
          {'X': ('n', 'n')}, '2 * X.T',
          f'{COOKBOOK}, §2.5.2 (second-order traces)', accepted=('X.T + X.T',)),
]


# ----------------------------------------------------------------------------- the matcher

def gradient_function(source, name):
    """The top-level ``def name`` of `source` (which may define helpers before it), or None."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _parameters(func):
    args = func.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names


def _binding_counts(func):
    """How often each name is bound in `func`: once per parameter, once per assignment,
    deletion, import, nested definition or ``except ... as``, anywhere in the body; a name
    whose item or attribute is assigned, that is passed to ``out=``, or that appears in an
    expression statement (a call that may change it in place) counts as bound again."""
    counts = {}

    def bind(name):
        counts[name] = counts.get(name, 0) + 1

    for name in _parameters(func):
        bind(name)
    for statement in func.body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                bind(node.id)
            elif isinstance(node, (ast.Subscript, ast.Attribute)) and \
                    isinstance(node.ctx, (ast.Store, ast.Del)):
                base = node
                while isinstance(base, (ast.Subscript, ast.Attribute)):
                    base = base.value
                if isinstance(base, ast.Name):
                    bind(base.id)
            elif isinstance(node, ast.alias):
                bind((node.asname or node.name).split('.')[0])
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bind(node.name)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bind(node.name)
            elif isinstance(node, ast.keyword) and node.arg == 'out':
                for name in ast.walk(node.value):
                    if isinstance(name, ast.Name):
                        bind(name.id)
            elif isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
                for name in ast.walk(node.value):
                    if isinstance(name, ast.Name):
                        bind(name.id)
    return counts


def _loaded_names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _definitions(func):
    """Variables to substitute: name -> value of its one top-level ``name = value``, for a
    name bound exactly once whose value reads only names bound at most once (so the value is
    the same wherever the name is read)."""
    counts = _binding_counts(func)
    definitions = {}
    for statement in func.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                isinstance(statement.targets[0], ast.Name):
            name = statement.targets[0].id
            reads = _loaded_names(statement.value)
            if counts.get(name) == 1 and name not in reads and \
                    all(counts.get(read, 0) <= 1 for read in reads):
                definitions[name] = statement.value
    return definitions


class _Substitute(ast.NodeTransformer):
    def __init__(self, definitions):
        self.definitions = definitions
        self.active = set()

    def visit_Name(self, node):
        value = self.definitions.get(node.id)
        if value is None or not isinstance(node.ctx, ast.Load) or node.id in self.active:
            return node
        self.active.add(node.id)
        try:
            return self.visit(copy.deepcopy(value))
        finally:
            self.active.discard(node.id)


def _strip_like(expr, parameters):
    """``e`` for ``s2s.like(e, param)``, else `expr`; then ``e`` for ``s2s.own(e)`` (a copy,
    where `e` may be an argument's memory)."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and \
            expr.func.attr == 'like' and isinstance(expr.func.value, ast.Name) and \
            expr.func.value.id == 's2s' and len(expr.args) == 2 and not expr.keywords and \
            isinstance(expr.args[1], ast.Name) and expr.args[1].id in parameters:
        expr = expr.args[0]
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and \
            expr.func.attr == 'own' and isinstance(expr.func.value, ast.Name) and \
            expr.func.value.id == 's2s' and len(expr.args) == 1 and not expr.keywords:
        expr = expr.args[0]
    return expr


def returned_expression(source, name):
    """What the function `name` of `source` returns, as an ast expression: its one
    ``return`` (which must be its last statement) with every variable that is assigned
    exactly once substituted, repeatedly, and one outer ``s2s.like(e, param)`` taken off.
    None when the function is missing or does not end in its only return."""
    func = gradient_function(source, name)
    if func is None or not func.body:
        return None
    returns = [node for statement in func.body for node in ast.walk(statement)
               if isinstance(node, ast.Return)]
    last = func.body[-1]
    if len(returns) != 1 or returns[0] is not last or last.value is None:
        return None
    expr = _Substitute(_definitions(func)).visit(copy.deepcopy(last.value))
    return _strip_like(expr, _parameters(func))


class _Normalize(ast.NodeTransformer):
    """Sorts the operands of chains of ``+`` and of ``*``, writes ``np.transpose(x)`` as
    ``x.T`` and integral floats as ints; nothing else."""

    def visit_Constant(self, node):
        value = node.value
        if type(value) is float and np.isfinite(value) and value.is_integer():
            return ast.Constant(int(value))
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == 'transpose' and \
                isinstance(func.value, ast.Name) and func.value.id == 'np' and \
                len(node.args) == 1 and not node.keywords and \
                not isinstance(node.args[0], ast.Starred):
            return ast.Attribute(value=node.args[0], attr='T', ctx=ast.Load())
        return node

    def visit_BinOp(self, node):
        if not isinstance(node.op, (ast.Add, ast.Mult)):
            return self.generic_visit(node)
        kind = type(node.op)
        operands, stack = [], [node]
        while stack:
            item = stack.pop()
            if isinstance(item, ast.BinOp) and type(item.op) is kind:
                stack += [item.right, item.left]
            else:
                operands.append(self.visit(item))
        operands.sort(key=ast.dump)
        result = operands[0]
        for operand in operands[1:]:
            result = ast.BinOp(left=result, op=kind(), right=operand)
        return result


def normalize(expr):
    """`expr` (ast or source text) normalized by `_Normalize`, as a comparable string."""
    if isinstance(expr, str):
        expr = ast.parse(expr, mode='eval').body
    return ast.dump(_Normalize().visit(copy.deepcopy(expr)))


def matches(source, name, forms):
    """Whether the function `name` of `source` returns one of `forms` (closed forms as
    source text), as `returned_expression` and `normalize` read them."""
    expr = returned_expression(source, name)
    if expr is None:
        return False
    printed = normalize(expr)
    return any(printed == normalize(form) for form in forms)


# ----------------------------------------------------------------------------- numbers

def make_data(entry, seed):
    """Random float64 arguments with the declared shapes (named sizes from SIZES), by name;
    `entry.data` asks for special data: 'positive_det' (X + n I, det X > 0), 'sign' (±1),
    'binary' (0 or 1), 'one_hot'."""
    rng = np.random.default_rng(seed)
    params = {}
    for name in inspect.signature(entry.function).parameters:
        shape = tuple(SIZES.get(size, size) for size in entry.shapes[name])
        kind = entry.data.get(name, 'normal')
        if kind == 'normal':
            value = rng.normal(size=shape)
        elif kind == 'positive_det':
            value = rng.normal(size=shape) + shape[0] * np.eye(shape[0])
            assert np.linalg.det(value) > 0, 'positive_det: det X <= 0'
        elif kind == 'sign':
            value = rng.choice([-1.0, 1.0], size=shape)
        elif kind == 'binary':
            value = rng.choice([0.0, 1.0], size=shape)
        elif kind == 'one_hot':
            value = np.zeros(shape)
            value[rng.integers(shape[0])] = 1.0
        else:
            raise ValueError(f'unknown kind of data {kind!r}')
        params[name] = value
    return params


def _relative(a, b):
    scale = np.linalg.norm(b)
    return np.linalg.norm(a - b) / scale if scale else np.linalg.norm(a - b)


def numeric_check(entry, df, seed):
    """Problems found comparing the gradient `df` with the closed forms and central
    differences on random data; an empty list when there are none."""
    params = make_data(entry, seed)
    names = list(params)
    problems = []
    gradient = np.asarray(df(*params.values()), dtype=float)
    wrt = params[entry.wrt]
    if gradient.shape != wrt.shape:
        return [f'the gradient has shape {gradient.shape}, {entry.wrt} has {wrt.shape}']
    for form in entry.forms:
        expected = np.asarray(eval(form, {'np': np, **params}), dtype=float)
        if expected.shape != wrt.shape:
            problems.append(f'`{form}` has shape {expected.shape}, {entry.wrt} has {wrt.shape}')
        elif not _relative(gradient, expected) <= CLOSED_RTOL:
            problems.append(f'the gradient differs from `{form}`: relative error '
                            f'{_relative(gradient, expected):.1e}')
    f = entry.function
    differences = np.zeros_like(wrt)
    for index in np.ndindex(wrt.shape):
        values = []
        for step in (FD_STEP, -FD_STEP):
            moved = wrt.copy()
            moved[index] += step
            args = dict(params, **{entry.wrt: moved})
            values.append(f(*(args[name] for name in names)))
        differences[index] = (values[0] - values[1]) / (2 * FD_STEP)
    error = np.max(np.abs(gradient - differences)) / max(1.0, np.max(np.abs(gradient)))
    if not error <= FD_TOL:
        problems.append(f'the gradient differs from central differences by {error:.1e}')
    return problems


# ----------------------------------------------------------------------------- the gallery

@dataclasses.dataclass
class Result:
    entry: Entry
    source: str = ''            # the printed gradient, df.source
    name: str = ''              # df.__name__
    printed: str = ''           # its return expression, substituted (see returned_expression)
    matched: bool = False
    problems: list = dataclasses.field(default_factory=list)

    @property
    def status(self):
        if self.problems:
            return FAILED
        return MATCHES if self.matched else EQUIVALENT


def call_text(entry):
    return f'grad({entry.func}, wrt={entry.wrt!r}, shapes={entry.shapes!r})'


def evaluate(entry, seed):
    """The Result of one entry."""
    result = Result(entry)
    try:
        df = s2sgrad.grad(entry.function, wrt=entry.wrt, shapes=entry.shapes)
    except Exception as error:  # shown in the gallery (and failing its test)
        message = str(error).replace(HERE + os.sep, 'docs/').splitlines()
        result.problems.append(f's2sgrad.{call_text(entry)} raised {type(error).__name__}: '
                               f'{message[0] if message else ""}')
        return result
    result.name = df.__name__
    result.source = df.source
    for helper in getattr(df, 'helpers', []):
        if gradient_function(result.source, getattr(helper, '__name__', '')) is None:
            result.source = helper.source.rstrip('\n') + '\n\n\n' + result.source
    expr = returned_expression(result.source, result.name)
    result.printed = ast.unparse(expr) if expr is not None else '(no single final return)'
    result.matched = matches(result.source, result.name, entry.forms)
    try:
        result.problems += numeric_check(entry, df, seed)
    except Exception as error:
        result.problems.append(f'the numeric check raised {type(error).__name__}: {error}')
    return result


def results():
    """The Results of all ENTRIES, in order (entry i uses seed i)."""
    return [evaluate(entry, seed) for seed, entry in enumerate(ENTRIES)]


def summary(all_results):
    matched = sum(r.status == MATCHES for r in all_results)
    return f'{matched} of {len(all_results)} printed gradients match the closed form'


def _shapes_text(shapes):
    return ', '.join(f'{name}: ({", ".join(map(str, sizes))}{"," if len(sizes) == 1 else ""})'
                     for name, sizes in shapes.items())


def markdown(all_results):
    sizes = ', '.join(f'{name} = {size}' for name, size in SIZES.items())
    out = [
        '# Matrix calculus gallery',
        '',
        '<!-- Generated by `python docs/matrix_calculus.py`; do not edit by hand. -->',
        '',
        'For expressions from the matrix-calculus literature (The Matrix Cookbook, and the '
        'standard machine-learning losses as in Bishop\'s *Pattern Recognition and Machine '
        'Learning*), this page shows the gradient that s2sgrad prints beside the textbook '
        'closed form, each checked numerically.',
        '',
        f'It was produced by `{COMMAND}` (run from the repository root; `--check` only '
        'reports whether this file is current, and `tests/test_gallery.py` fails when it is '
        'not). The functions are in `docs/gallery_functions.py`; each is differentiated with '
        '`s2sgrad.grad(f, wrt=..., shapes=...)`, and the printed forms below are s2sgrad\'s '
        'output under those `shapes=` (`df.source`, verbatim): the gradient is simplified for '
        'the declared shapes and checks them when called.',
        '',
        '**"matches"** means the printed gradient\'s return expression, with every local '
        'variable that is assigned exactly once substituted (repeatedly) and one outer '
        '`s2s.like(e, param)` (a cast to the argument\'s type) and `s2s.own(e)` (a copy where '
        '`e` may be an argument\'s own memory) taken off, equals the closed '
        'form or one of its listed equivalent spellings, up to: the order of the operands of '
        '`+` and of elementwise `*`, `np.transpose(x)` versus `x.T`, and `2.0` versus `2`. '
        'Nothing else is normalized. **"equivalent, numerically checked (printed form '
        'differs)"** means it does not, but the numbers agree.',
        '',
        'Every entry is checked numerically on random float64 data of the declared shapes '
        f'({sizes}; matrices whose determinant or inverse is taken are X + n·I, with det X > 0): '
        f'the gradient equals the closed form, evaluated with NumPy, to {CLOSED_RTOL:g} '
        f'relative error, and central differences (step {FD_STEP:g}) to {FD_TOL:g}.',
        '',
        f'**{summary(all_results)}.**',
        '',
        '| # | Expression | wrt | Result |',
        '|---|---|---|---|',
    ]
    for number, result in enumerate(all_results, 1):
        entry = result.entry
        out.append(f'| {number} | [{entry.title}](#{number}) | `{entry.wrt}` | {result.status} |')
    for number, result in enumerate(all_results, 1):
        entry = result.entry
        source = inspect.getsource(entry.function).rstrip('\n')
        out += [
            '',
            f'<a id="{number}"></a>',
            '',
            f'## {number}. {entry.title}',
            '',
            f'{entry.math}',
            '',
            '```python',
            source,
            '```',
            '',
            f'Closed form ({entry.citation}):',
            '',
            '```python',
            entry.closed,
            '```',
            '',
        ]
        if entry.accepted:
            spellings = ', '.join(f'`{form}`' for form in entry.accepted)
            out += [f'Also accepted as spelled: {spellings}.', '']
        named = f' (`df.__name__` is `{result.name}`)' if result.name else ''
        out += [f'Printed by `df = s2sgrad.{call_text(entry)}`{named}:', '']
        if result.source:
            out += ['```python', result.source.rstrip('\n'), '```', '']
        out.append(f'Result: **{result.status}**')
        if result.status == EQUIVALENT:
            out += ['', 'The printed gradient returns, with its single-assignment variables '
                    'substituted:', '', '```python', result.printed, '```']
        if entry.why:
            out += ['', f'Why the printed form differs: {entry.why}']
        for problem in result.problems:
            out += ['', f'- {problem}']
    return '\n'.join(out) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='exit 1 if docs/matrix_calculus.md is not what this script writes')
    args = parser.parse_args(argv)
    all_results = results()
    text = markdown(all_results)
    status = 0
    failed = [r.entry.func for r in all_results if r.problems]
    if failed:
        print(f'numeric checks failed: {", ".join(failed)}', file=sys.stderr)
        status = 1
    if args.check:
        try:
            with open(MARKDOWN, encoding='utf-8') as file:
                current = file.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print(f'docs/matrix_calculus.md is stale: run `{COMMAND}`', file=sys.stderr)
            return 1
        print(f'docs/matrix_calculus.md is current: {summary(all_results)}')
        return status
    with open(MARKDOWN, 'w', encoding='utf-8') as file:
        file.write(text)
    print(f'wrote docs/matrix_calculus.md: {summary(all_results)}')
    return status


if __name__ == '__main__':
    sys.exit(main())
