"""Functions with comprehensions, written as users write them (tests/test_comprehensions.py)."""
import numpy as np


squared_norm = lambda v: sum([c * c for c in v])  # noqa: E731


def squares_then_sum(xs):
    ys = [x * x for x in xs]
    return np.sum(np.stack(ys))


def sum_of_generator(x, ws):
    return sum(w * np.sin(x) for w in ws)


def stacked_layers(x, Ws):
    hs = np.stack([np.tanh(W @ x) for W in Ws])
    return np.sum(hs ** 2)


def with_condition(x, ks):
    terms = [x ** k for k in ks if k % 2 == 0]
    return np.sum(np.array(terms))


def nested_generators(x, a, b):
    return sum([x * i + j for i in a for j in b])


def nested_comprehension(X):
    rows = [[X[i, j] * X[j, i] for j in range(X.shape[1])] for i in range(X.shape[0])]
    return np.sum(np.array(rows))


def shadows_a_local(x):
    i = 3.0
    values = [x * i for i in range(4)]
    return np.sum(np.stack(values)) * i


def tuple_targets(x, pairs):
    return sum([a * x + b for a, b in pairs])


def reads_its_own_name(x, ys):
    ys = [y * x for y in ys]
    ys = [y + x for y in ys]
    return np.sum(np.stack(ys))


def in_if_test(x, ks):
    if sum([k for k in ks]) > 2:
        return np.sum(x ** 2)
    return np.sum(x)


def in_loop(xs):
    total = 0.0
    for x in xs:
        total = total + max(x * k for k in (1.0, 2.0, -3.0))
    return total


def enumerate_weights(x, ws):
    return sum([i * w * x for i, w in enumerate(ws)])


def in_nested_function(x):
    def scale(v):
        return np.sum(np.stack([v * c for c in (1.0, 2.0)]))
    return scale(x) * np.sum(x)


def zip_of_lists(xs, ys):
    return sum([np.sum(a * b) for a, b in zip(xs, ys)])


def in_while_condition(x):
    while sum([x for _ in range(2)]) < 10:
        x = x * 2
    return x


def in_conditional_expression(x, flag):
    return np.sum(x) if flag else sum([x * 2 for _ in range(2)])


def generator_to_other(x):
    return np.sum(np.fromiter((x * k for k in range(3)), float))


def set_comprehension(x):
    return len({k for k in range(3)}) * x
