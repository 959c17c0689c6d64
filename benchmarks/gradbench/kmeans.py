"""kmeans: the k-means cost, sum over points of the squared distance to the nearest centroid
(GradBench `kmeans`).

GradBench runs k in {10, 100, 1000}, n in {1000, 10000, 100000}, d in {8, 16}, points uniform on
[0, 1) and the centroids the last k points; here k = 100, n = 10,000, d = 8. GradBench's `dir`
function asks for the gradient divided by a Hessian-vector product (a Newton step); here we time
the gradient of the cost w.r.t. the centroids only.
"""
import numpy as np

from _shared import numpy_like

NAME = 'kmeans'
WRT = ('centroids',)


def make_inputs(rng, quick=False):
    k, n, d = (5, 200, 3) if quick else (100, 10_000, 8)
    points = rng.random((n, d))
    centroids = points[-k:].copy()  # every cluster is non-empty
    return centroids, points


def sizes(quick=False):
    return 'k=5, n=200, d=3' if quick else 'k=100, n=10000, d=8'


def objective(centroids, points):
    # |p - c|^2 = |p|^2 + |c|^2 - 2 p.c for every point (rows) and centroid (columns).
    dists = (np.sum(points ** 2, axis=1)[:, None] + np.sum(centroids ** 2, axis=1)[None, :]
             - 2.0 * points @ centroids.T)
    return np.sum(np.min(dists, axis=1))


jax_objective = numpy_like(objective, 'jax.numpy')
autograd_objective = numpy_like(objective, 'autograd.numpy')


def torch_objective(centroids, points):
    import torch
    dists = (torch.sum(points ** 2, dim=1)[:, None] + torch.sum(centroids ** 2, dim=1)[None, :]
             - 2.0 * points @ centroids.T)
    return torch.sum(torch.min(dists, dim=1).values)
