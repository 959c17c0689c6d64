"""A module that defines the name s2sgrad would give a generated helper (tests/test_printed)."""
import numpy as np

from corpus_printed import layer


def dlayerdW(W, x):
    """A user function whose name is the one s2sgrad would give the VJP of `layer`."""
    return W


def shadowing_helper_name(W, x):
    return np.sum(layer(W, x)) + 0.0 * np.sum(dlayerdW(W, x))
