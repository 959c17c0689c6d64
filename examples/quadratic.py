"""The quadratic form x.T @ A @ x, whose gradient s2sgrad prints as (A.T + A) @ x.

    python -m s2sgrad show examples/quadratic.py:quad --shapes 'x=(n,),A=(n,n)'
"""
import numpy as np


def quad(x, A):
    return x.T @ A @ x


if __name__ == '__main__':
    import s2sgrad
    dquad = s2sgrad.grad(quad, shapes={'x': ('n',), 'A': ('n', 'n')})
    print(dquad.source)
    rng = np.random.default_rng(0)
    x, A = rng.standard_normal(4), rng.standard_normal((4, 4))
    assert np.allclose(dquad(x, A), (A + A.T) @ x)
