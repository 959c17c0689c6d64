"""The pipeline step by step: each step's input and output, in both modes."""
import gast
import numpy as np

import s2sgrad
from s2sgrad import pipeline
from s2sgrad.api import _BUILDER
from s2sgrad.context import Context
from s2sgrad.derivative import Derivative
from s2sgrad.modes import Mode
from s2sgrad.printer import to_source
from s2sgrad.source import parse_function


def layer(W, x):
    h = np.tanh(W @ x)
    return np.sum(h * h)


def _context(func, wrt, mode):
    return Context(_BUILDER, parse_function(func), wrt, mode, True, ('test', func, mode))


def test_normalise_gives_one_operation_per_statement_and_the_return():
    ctx = _context(layer, ['W'], Mode.GRAD)
    body = pipeline.normalise(ctx)
    text = to_source(gast.Module(body=body, type_ignores=[]))
    assert text.splitlines() == ['W_at_x = W @ x', 'h = np.tanh(W_at_x)', 'h_times_h = h * h',
                                 'sum_h_times_h = np.sum(h_times_h)', 'return sum_h_times_h']


def test_analyse_splits_off_the_return_and_records_the_facts():
    ctx = _context(layer, ['W'], Mode.GRAD)
    body, ret = pipeline.analyse(ctx, pipeline.normalise(ctx))
    assert isinstance(ret, gast.Return) and len(body) == 4
    assert {'W', 'W_at_x', 'h', 'h_times_h', 'sum_h_times_h'} <= ctx.activity.active
    assert 'x' not in ctx.activity.active
    assert ctx.shapes.same('h', 'W_at_x')


def test_reverse_and_forward_differentiation_give_a_derivative_to_optimise():
    ctx = _context(layer, ['W'], Mode.GRAD)
    made = pipeline.reverse_function(ctx, *pipeline.analyse(ctx, pipeline.normalise(ctx)))
    assert isinstance(made, Derivative) and made.node.name == 'dlayerdW'
    assert made.seed_name is None and made.tangent_names is None and 'W' in made.keep
    ctx = _context(layer, ['W'], Mode.JVP)
    made = pipeline.forward_function(ctx, *pipeline.analyse(ctx, pipeline.normalise(ctx)))
    assert made.node.name == 'jvp_layer' and made.tangent_names == {'W': 'dW'}
    assert [a.id for a in made.node.args.kwonlyargs] == ['dW']


def test_run_compiles_what_the_public_operators_return():
    rng = np.random.default_rng(0)
    W, x, dW = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((3, 2))
    generated = pipeline.run(_context(layer, ['W'], Mode.GRAD))
    assert generated.source == s2sgrad.grad(layer).source
    gradient = generated.function(W, x)
    tangent = pipeline.run(_context(layer, ['W'], Mode.JVP)).function(W, x, dW=dW)
    h = np.tanh(W @ x)
    np.testing.assert_allclose(gradient, np.outer(2 * h * (1 - h ** 2), x), rtol=1e-12)
    np.testing.assert_allclose(tangent, np.sum(gradient * dW), rtol=1e-12)
