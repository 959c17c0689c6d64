"""Programs with ``match`` and ``:=`` (Python 3.10 syntax) for `test_match_walrus`."""
import math

import numpy as np


class MODE:
    FAST = 'fast'

    def __init__(self, mode):
        self.mode = mode


def by_mode(x, mode):
    match mode:
        case 'l1':
            r = np.abs(x)
        case 'l2':
            r = x ** 2
        case 'sq':
            r = np.sin(x) ** 2
        case 'huber':
            r = np.where(np.abs(x) < 1.0, 0.5 * x ** 2, np.abs(x) - 0.5)
        case _:
            r = x * 0.5
    return np.sum(r * np.exp(x))


def by_number(x, k):
    match k:
        case 0:
            return np.sum(x ** 3)
        case 1 | 2:
            y = x * k
        case -1:
            y = np.cos(x)
        case other:
            y = x * other
    return np.sum(np.tanh(y))


def with_guard(x, k):
    match k:
        case 0 if x[0] > 0.0:
            y = x ** 2
        case 0:
            y = -x
        case _ if k > 2:
            y = np.exp(x)
        case _:
            y = x * 2.0
    return np.sum(y * x)


def with_alternatives_and_as(x, mode):
    match mode:
        case 'a' | 'b' as chosen:
            y = x * len(chosen) if chosen == 'a' else x ** 2
        case 'c':
            y = np.sinh(x)
        case unknown:
            y = x * len(unknown)
    return np.sum(y) * x[1]


def on_an_attribute(x, options):
    match options.mode:
        case MODE.FAST:
            y = x * 3.0
        case _:
            y = np.log1p(x ** 2)
    return np.sum(y ** 2)


def on_a_computed_subject(x, n):
    match n % 3:
        case 0:
            y = x
        case 1:
            y = x ** 2
        case 2:
            y = np.sin(x)
    return np.sum(y) * np.sum(x)


def on_none(x, w):
    match w:
        case None:
            y = x
        case True | False:
            y = -x
        case _:
            y = x * w
    return np.sum(y ** 2)


def no_case_matches(x, k):
    y = x * 2.0
    match k:
        case 0:
            y = x
    return np.sum(y ** 2)


def in_a_loop(x, n):
    total = 0.0
    for i in range(n):
        match i:
            case 0:
                total = total + np.sum(x ** 2)
            case 1:
                total = total * np.sum(np.sin(x))
            case _:
                total = total + x[i % 3] * x[0]
    return total


def _power(x, kind):
    match kind:
        case 'square':
            return x * x
        case 'cube':
            return x * x * x
    return x


def nested_in_a_helper(x, kind):
    return np.sum(_power(x, kind)) + math.pi


def sequence_pattern(x, k):
    match [k, k]:
        case [a, b]:
            y = x * a * b
        case _:
            y = x
    return np.sum(y)


def star_pattern(x, k):
    match [k, k, k]:
        case [a, *rest]:
            y = x * a * len(rest)
        case _:
            y = x
    return np.sum(y)


def mapping_pattern(x, k):
    match {'k': k}:
        case {'k': a}:
            y = x * a
        case _:
            y = x
    return np.sum(y)


def capture_with_guard(x, k):
    match k:
        case k if k > 0:
            y = x * k
        case _:
            y = x
    return np.sum(y)


def walrus_in_if(x):
    if (r := np.sum(x ** 2)) > 1.0:
        return r * x[0]
    return r + np.sum(x)


def walrus_in_elif(x):
    if x[0] > 5.0:
        y = x
    elif (s := np.sum(np.sin(x))) > 0.0:
        y = x * s
    else:
        y = x / (1.0 + s ** 2)
    return np.sum(y ** 2)


def walrus_in_while(x):
    n = 0
    while (norm := np.sqrt(np.sum(x ** 2))) > 0.5 and n < 20:
        x = x * 0.7
        n += 1
    return norm * np.sum(x)


def walrus_in_while_with_continue(x):
    i = 0
    total = 0.0
    while (i := i + 1) < 6:
        if i % 2 == 0:
            continue
        total = total + np.sum(x ** i)
    return total


def walrus_while_else(x):
    k = 0
    while (s := np.sum(x * x)) < 50.0:
        x = x * 1.5 + 0.1
        k += 1
        if k > 100:
            break
    else:
        s = s + 1.0
    return s * x[2]


def walrus_nested(x):
    y = (a := np.sum(x)) * (b := (c := x[1] ** 2) + a)
    return y + a * b * c


def walrus_in_return(x):
    return (m := np.mean(x)) * np.sum((x - m) ** 2)


def walrus_in_for_iter(x):
    total = 0.0
    for v in (w := x * 2.0):
        total = total + v * w[0]
    return total


def walrus_read_before(x):
    z = np.sum(x)
    y = z + (z := np.sum(x ** 2))
    return y * z


def walrus_in_or(x):
    if x[0] > 0.0 or (t := np.sum(x)) > 1.0:
        return np.sum(x)
    return t


def walrus_in_comprehension(x):
    ys = [(t := v * 2.0) + t for v in x]
    return ys[0] * t


def walrus_twice(x):
    y = (a := x[0]) + (a := x[1] * 2.0)
    return y * a


def walrus_in_a_chained_comparison(x):
    if 0.0 < (a := x[0]) < (b := 2.0 * x[1]):
        return a * b
    return a


def walrus_after_a_call(x):
    xs = [x[0], x[1], x[2]]
    r = xs.pop() * (last := xs[-1])
    return r + last


def walrus_while_with_continue_in_a_for_else(x):
    i = 0
    s = 0.0
    while (i := i + 1) < 6:
        for j in range(2):
            s = s + x[0] * j
        else:
            if i == 3:
                continue
        s = s + x[1] * i
    return s


def walrus_after_pure_calls(x):
    y = np.sum(x) * np.mean(x) + (r := np.sum(x ** 2)) * len(x)
    return y * r


def match_subject_without_a_rule(x):
    match np.fft.fft(x)[0].real > 0:
        case True:
            y = x
        case _:
            y = -x
    return np.sum(y * np.fft.fft(x).real)


def match_subject_popped(x):
    xs = [1, 2]
    match xs.pop():
        case 2:
            r = np.sum(x) * len(xs)
        case _:
            r = 0.0
    return r


def walrus_after_copyto(x):
    m = np.ones(3)
    t = [np.copyto(m, 7.0), (z := m[1])]
    return np.sum(x) * z + len(t)


class Counter:
    def __init__(self):
        self.n = 0

    def count(self):
        self.n += 1
        return self.n


def walrus_after_a_method_that_changes_its_object(x):
    c = Counter()
    t = (c.count(), (z := c.n))
    return np.sum(x) * z + t[0]


def deletions_in_cases(x, k):
    items = [x[0], x[1] * 2.0, x[2] ** 2]
    tmp = x * 3.0
    match k:
        case 1:
            del items[1]
        case 2:
            del tmp
            tmp = x
        case _:
            pass
    return sum(items) * np.sum(tmp)
