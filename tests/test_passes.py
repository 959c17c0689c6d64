"""Each pass on its own: source before and after (docs/architecture.md, "The pipeline")."""
import textwrap

import gast
import numpy as np

from s2sgrad import nodes as n
from s2sgrad.activity import Activity
from s2sgrad.anf import Normalizer
from s2sgrad.canonical import Canonicalizer
from s2sgrad.naming import Namer
from s2sgrad.optimize import optimize
from s2sgrad.printer import to_source
from s2sgrad.resolve import Resolver
from s2sgrad.shapes import ShapeClasses
from s2sgrad.source import FunctionSource
from s2sgrad.ssa import rename_versions

NAMESPACE = {'np': np, 'range': range, 'len': len}


def parse(source):
    source = textwrap.dedent(source)
    node = gast.parse(source).body[0]
    return FunctionSource(node, '<test>', source.splitlines(True), NAMESPACE, node.name)


def canonical(source):
    parsed = parse(source)
    Canonicalizer(parsed, Namer(n.all_names(parsed.node))).run(parsed.node)
    return parsed.node


def normalized(source, wrt):
    parsed = parse(source)
    func = parsed.node
    namer = Namer(n.all_names(func))
    Canonicalizer(parsed, namer).run(func)
    params = [a.id for a in func.args.args]
    resolver = Resolver(NAMESPACE, set(n.names_stored(func)) | set(params))
    func.body = Normalizer(Activity(func.body, wrt, resolver), namer).run(func.body)
    rename_versions(func.body, params, namer)
    return func


def same(node, expected):
    assert to_source(node) == textwrap.dedent(expected).lstrip('\n')


def test_canonical_single_exit():
    same(canonical('''
        def f(x):
            if x > 0:
                return x * 2
            y = x + 1
            return y
        '''), '''
        def f(x):
            if x > 0:
                result = x * 2
            else:
                y = x + 1
                result = y
            return result
        ''')


def test_canonical_loops_index_and_break_ends_branch():
    same(canonical('''
        def f(xs):
            s = 0.0
            for x in xs:
                if x > 3.0:
                    break
                s += x
            return s
        '''), '''
        def f(xs):
            s = 0.0
            for i in range(s2s.positions(xs)):
                x = xs[i]
                if x > 3.0:
                    break
                else:
                    s = s + x
            return s
        ''')


def test_canonical_return_in_loop_sets_a_flag():
    same(canonical('''
        def f(x):
            while True:
                x = x * 1.5
                if x > 10.0:
                    return x
        '''), '''
        def f(x):
            returned = False
            while True:
                x = x * 1.5
                if x > 10.0:
                    result = x
                    returned = True
                if returned:
                    break
            return result
        ''')


def test_anf_names_temporaries_and_ssa_renames_reassignments():
    same(normalized('''
        def f(x, W):
            h = np.tanh(x @ W)
            h = h * 2.0
            return np.sum(h ** 2, axis=0)
        ''', ['x']), '''
        def f(x, W):
            x_at_W = x @ W
            h = np.tanh(x_at_W)
            h_times_2 = h * 2.0
            h_2 = h_times_2
            h_pow_2 = h_2 ** 2
            sum_h_pow_2 = np.sum(h_pow_2, axis=0)
            return sum_h_pow_2
        ''')


def test_anf_keeps_indices_inline_and_names_inactive_calls():
    same(normalized('''
        def f(x, n):
            y = x[n - 1] * len(x)
            return y
        ''', ['x']), '''
        def f(x, n):
            x_item = x[n - 1]
            len_x = len(x)
            y = x_item * len_x
            return y
        ''')


def test_activity_stops_at_shapes_and_comparisons():
    parsed = parse('''
        def f(x, w):
            n = x.shape[0]
            big = x > 0
            k = len(x)
            y = x * w
            z = n * 2
            return y
        ''')
    func = parsed.node
    resolver = Resolver(NAMESPACE, set(n.names_stored(func)) | {'x', 'w'})
    active = Activity(func.body, ['x'], resolver).active
    assert active == {'x', 'y'}


def test_optimize_folds_and_removes_dead_code():
    parsed = parse('''
        def g(x, b):
            unused = np.exp(x)
            p = b * 2 * x ** (2 - 1)
            q = p * 1.0
            return q
        ''')
    same(optimize(parsed.node, keep={'x', 'b'}), '''
        def g(x, b):
            q = b * 2 * x
            return q
        ''')


def test_optimize_never_turns_a_product_into_an_alias():
    parsed = parse('''
        def g(x):
            y = x * 1.0
            y[0] = 5.0
            return y
        ''')
    same(optimize(parsed.node, keep={'x'}), '''
        def g(x):
            y = x * 1.0
            y[0] = 5.0
            return y
        ''')


def test_shape_classes():
    parsed = parse('''
        def f(x, W, y):
            a = np.sin(x) * 2.0
            b = a + x
            m = np.max(b, axis=1, keepdims=True)
            c = b - m
            d = x @ W
            e = d - y
            return e
        ''')
    func = parsed.node
    resolver = Resolver(NAMESPACE, set(n.names_stored(func)) | {'x', 'W', 'y'})
    shapes = ShapeClasses(func.body, ['x', 'W', 'y'], resolver)
    assert shapes.same('a', 'x') and shapes.same('b', 'x') and shapes.same('c', 'x')
    assert not shapes.same('m', 'x')
    assert not shapes.same('d', 'x') and not shapes.same('e', 'd') and not shapes.same('e', 'y')
    assert shapes.proxy('c') == 'x'


def test_reuse_reads_turns_a_repeated_item_read_into_a_copy():
    from s2sgrad.reuse_reads import reuse_reads
    func = normalized('''
        def f(p, x):
            h = np.tanh(x @ p['W'])
            q = p
            for i in range(3):
                h = h @ p['W']
            return np.sum(h) + np.sum(p['W'] ** 2) + np.sum(q['W'])
    ''', ['p'])
    func.body = reuse_reads(func.body, ['p', 'x'])
    text = to_source(func)
    assert text.count("p['W']") == 1, text  # read once; q['W'] reads another name
    assert "q['W']" in text
    func = normalized('''
        def f(p, x):
            a = p['W']
            p['W'] = x
            return np.sum(a * p['W'])
    ''', ['p'])
    func.body = reuse_reads(func.body, ['p', 'x'])
    assert to_source(func).count("p['W']") == 3  # a container written into is read anew


def _penalised(params, x):
    h = np.tanh(x @ params['W'] + params['b'])
    return np.sum(h ** 2) + 0.1 * np.sum(params['W'] ** 2) + np.sum(params['b'] * params['W'][0])


def test_reused_reads_give_one_adjoint_per_item_and_the_right_gradient():
    import s2sgrad
    from trees import central_grad
    rng = np.random.default_rng(0)
    params = {'W': rng.standard_normal((3, 2)), 'b': rng.standard_normal(2)}
    x = rng.standard_normal((4, 3))
    df = s2sgrad.grad(_penalised)
    code = '\n'.join(line for line in df.source.splitlines() if not line.strip().startswith('#'))
    assert code.count("params['W']") == 1, df.source
    assert code.count("s2s.add_at(bparams, 'W'") == 1, df.source
    got = df(params, x)
    for key in params:
        expected = central_grad(lambda v: _penalised({**params, key: v}, x), [params[key]], 0)
        np.testing.assert_allclose(got[key], expected, rtol=1e-6, atol=1e-8)
