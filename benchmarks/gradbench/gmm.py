"""gmm: the log-likelihood of a Gaussian mixture model plus a Wishart prior on the inverse
covariances (GradBench `gmm`, from ADBench).

Component j has a weight alpha_j (log-sum-exp normalised), a mean mu_j and an inverse covariance
factor Q_j = diag(exp(q_j)) + L_j (L_j strictly lower triangular): row j of `icf` holds the d
entries q_j and then the d (d - 1) / 2 entries of L_j column by column. The objective is

    -n d/2 log(2 pi) + sum_i logsumexp_j(alpha_j + sum(q_j) - |Q_j (x_i - mu_j)|^2 / 2)
    - n logsumexp(alpha) + log Wishart prior(gamma, m)

with the prior  sum_j [-gamma^2/2 (|exp(q_j)|^2 + |L_j|^2) + m sum(q_j)]
+ k (nu d log(gamma / sqrt 2) - log Gamma_d(nu / 2)),  nu = d + m + 1.
GradBench's data (from ADBench): alpha, icf and x standard normal, means uniform on [0, 1),
gamma = 1, m = 0; sizes d in {2, 10, 20, 32, 64, 128}, k in {5, 10, 25, 50, 100, 200},
n in {1000, 10000}. Here d = 10, k = 25, n = 1000; the gradient is w.r.t. alpha, means and icf.
"""
import math

import numpy as np

from _shared import numpy_like

NAME = 'gmm'
WRT = ('alpha', 'means', 'icf')


def make_inputs(rng, quick=False):
    d, k, n = (3, 4, 50) if quick else (10, 25, 1000)
    alpha = rng.standard_normal(k)
    means = rng.random((k, d))
    icf = rng.standard_normal((k, d + d * (d - 1) // 2))
    x = rng.standard_normal((n, d))
    return alpha, means, icf, x, 1.0, 0


def sizes(quick=False):
    return 'd=3, k=4, n=50' if quick else 'd=10, k=25, n=1000'


def log_multigamma(a, p):
    """log of the multivariate Gamma function Gamma_p(a) (a constant here)."""
    out = p * (p - 1) / 4 * math.log(math.pi)
    for j in range(1, p + 1):
        out = out + math.lgamma(a + (1 - j) / 2)
    return out


def lower_index(d):
    """(d, d) integers: 1 + the position of entry (r, c), r > c, in the column-by-column list of
    a strictly lower triangle; 0 on and above the diagonal."""
    r, c = np.indices((d, d))
    return np.where(r > c, c * d - c * (c + 1) // 2 + r - c, 0)


def logsumexp(a, axis):
    amax = np.max(a, axis=axis, keepdims=True)
    return np.log(np.sum(np.exp(a - amax), axis=axis)) + np.squeeze(amax, axis=axis)


def objective(alpha, means, icf, x, gamma, m):
    n, d = x.shape
    k = alpha.shape[0]
    q = icf[:, :d]
    qdiag = np.exp(q)
    sum_q = np.sum(q, axis=1)
    # The lower triangles L_j, from a zero followed by the packed entries.
    packed = np.concatenate((np.zeros((k, 1)), icf[:, d:]), axis=1)
    Ls = packed[:, lower_index(d)]  # (k, d, d)
    terms = []
    for j in range(k):
        xc = x - means[j]  # (n, d)
        Qxc = qdiag[j] * xc + xc @ Ls[j].T
        terms.append(alpha[j] + sum_q[j] - 0.5 * np.sum(Qxc ** 2, axis=1))
    inner = np.stack(terms, axis=1)  # (n, k)
    slse = np.sum(logsumexp(inner, 1))
    constant = -n * d * 0.5 * math.log(2 * math.pi)
    # The Wishart prior.
    nu = d + m + 1
    prior = np.sum(0.5 * gamma * gamma * (np.sum(qdiag ** 2, axis=1)
                                          + np.sum(icf[:, d:] ** 2, axis=1)) - m * sum_q)
    c = nu * d * math.log(gamma / math.sqrt(2))
    prior_constant = k * (c - log_multigamma(0.5 * nu, d))
    return constant + slse - n * logsumexp(alpha, 0) - prior + prior_constant


jax_objective = numpy_like(objective, 'jax.numpy')
autograd_objective = numpy_like(objective, 'autograd.numpy')


def _torch_logsumexp(a, dim):
    import torch
    amax = torch.max(a, dim=dim, keepdim=True).values
    return torch.log(torch.sum(torch.exp(a - amax), dim=dim)) + torch.squeeze(amax, dim)


def torch_objective(alpha, means, icf, x, gamma, m):
    import torch
    n, d = x.shape
    k = alpha.shape[0]
    q = icf[:, :d]
    qdiag = torch.exp(q)
    sum_q = torch.sum(q, dim=1)
    packed = torch.cat((torch.zeros((k, 1), dtype=torch.float64), icf[:, d:]), dim=1)
    Ls = packed[:, torch.from_numpy(lower_index(d))]
    terms = []
    for j in range(k):
        xc = x - means[j]
        Qxc = qdiag[j] * xc + xc @ Ls[j].T
        terms.append(alpha[j] + sum_q[j] - 0.5 * torch.sum(Qxc ** 2, dim=1))
    inner = torch.stack(terms, dim=1)
    slse = torch.sum(_torch_logsumexp(inner, 1))
    constant = -n * d * 0.5 * math.log(2 * math.pi)
    nu = d + m + 1
    prior = torch.sum(0.5 * gamma * gamma * (torch.sum(qdiag ** 2, dim=1)
                                             + torch.sum(icf[:, d:] ** 2, dim=1)) - m * sum_q)
    c = nu * d * math.log(gamma / math.sqrt(2))
    prior_constant = k * (c - log_multigamma(0.5 * nu, d))
    return constant + slse - n * _torch_logsumexp(alpha, 0) - prior + prior_constant
