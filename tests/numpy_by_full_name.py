"""Functions of a module that imports NumPy as ``numpy`` and binds no ``np``: the code s2sgrad
writes for their in-place calls must not read ``np`` (tests/test_scatter_into_integers.py)."""
import numpy


def scattered(x):
    out = numpy.zeros(4)
    numpy.add.at(out, [0, 2, 2], x)
    return numpy.sum(out ** 2)


def scattered_away(x):
    out = numpy.ones(4)
    numpy.subtract.at(out, [3, 3, 1], x)
    return numpy.sum(out ** 2)


def diagonal_filled(x):
    a = numpy.zeros((3, 3))
    numpy.fill_diagonal(a, 2.0)
    return numpy.sum((a @ x) ** 2)


def counted_positions(x):
    idx = numpy.zeros(3, dtype=int)
    numpy.add.at(idx, [1, 2, 2], 1)
    return numpy.sum(x[idx] ** 2)
