"""The functions of the matrix-calculus gallery (docs/matrix_calculus.md).

Ordinary NumPy functions, one per gallery entry, written as a user would write them.
docs/matrix_calculus.py differentiates each with s2sgrad and compares the printed gradient
with the textbook closed form.
"""
import numpy as np


def linear_form(a, x):
    """aᵀx, a linear form in x."""
    return a @ x


def squared_norm(x):
    """xᵀx, the squared Euclidean norm of x."""
    return x @ x


def quadratic_form(x, A):
    """xᵀAx, a quadratic form with a non-symmetric A."""
    return x.T @ A @ x


def bilinear_form(a, X, b):
    """aᵀXb, linear in the matrix X."""
    return a @ X @ b


def trace_linear(A, X):
    """tr(AX)."""
    return np.trace(A @ X)


def trace_quadratic(X, A):
    """tr(XᵀAX)."""
    return np.trace(X.T @ A @ X)


def trace_sandwich(A, X, B):
    """tr(AXB)."""
    return np.trace(A @ X @ B)


def log_det(X):
    """log det X, for det X > 0."""
    return np.log(np.linalg.det(X))


def det(X):
    """det X."""
    return np.linalg.det(X)


def inverse_bilinear_form(a, X, b):
    """aᵀX⁻¹b."""
    return a @ np.linalg.inv(X) @ b


def frobenius_squared(o):
    """‖O‖²_F = Σᵢⱼ Oᵢⱼ², the squared Frobenius norm."""
    return np.sum(o * o)


def least_squares(x, A, b):
    """‖Ax − b‖², the least-squares residual."""
    return np.sum((A @ x - b) ** 2)


def euclidean_norm(x):
    """‖x‖₂, the Euclidean norm."""
    return np.linalg.norm(x)


def tanh_layer(W, x, v):
    """vᵀ tanh(Wx), a one-hidden-layer network's output, as a function of the weights W."""
    return np.sum(v * np.tanh(W @ x))


def logistic_loss(w, X, y):
    """Σᵢ log(1 + exp(−yᵢ xᵢᵀw)), the logistic loss with labels yᵢ = ±1."""
    return np.sum(np.log(1 + np.exp(-y * (X @ w))))


def logistic_regression(w, X, y):
    """−Σᵢ yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ) with p = σ(Xw), labels yᵢ ∈ {0, 1}."""
    p = 1 / (1 + np.exp(-(X @ w)))
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def softmax_cross_entropy(W, x, y):
    """−Σⱼ yⱼ log softmax(Wx)ⱼ, for a one-hot y."""
    z = W @ x
    return -np.sum(y * (z - np.log(np.sum(np.exp(z)))))


def frobenius_inner(A, X):
    """⟨A, X⟩ = Σᵢⱼ AᵢⱼXᵢⱼ = tr(AᵀX)."""
    return np.sum(A * X)


def sum_exp(x):
    """Σᵢ exp(xᵢ)."""
    return np.sum(np.exp(x))


def trace_square(X):
    """tr(X²)."""
    return np.trace(X @ X)
