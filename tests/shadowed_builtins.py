"""A module that binds names of built-ins after its function was differentiated (as a script
defining `max` further down, or a function rebinding it), for tests/test_review_session38.py."""
import builtins


def peak_and_size(x):
    return max(x[0], x[1]) * 2.0 + abs(x[2])


def shadow():
    """Bind `max` and `abs` here, as a definition below the function would."""
    global max, abs

    def max(a, b):
        return a * b

    def abs(v):
        return v ** 2


def unshadow():
    global max, abs
    max, abs = builtins.max, builtins.abs


def top(a, b):
    return a * b


def uses_top(x):
    return top(x[0], x[1])
