"""ba: bundle adjustment, the Jacobian of the reprojection and weight errors (GradBench `ba`,
from ADBench).

n cameras of 11 parameters (Rodrigues rotation 3, centre 3, focal length 1, principal point 2,
radial distortion 2), m points X in 3-d, and p observations: observation j sees point obs[j, 1]
from camera obs[j, 0] at feature feat_j (2-d), with a weight w_j. Its residuals are

    reprojection error  w_j (project(cam, X) - feat_j)   (2 numbers)
    weight error        1 - w_j^2                          (1 number)

where project rotates X - centre by the Rodrigues vector, divides by the depth, applies the
radial distortion 1 + k1 r^2 + k2 r^4 and then the focal length and principal point. GradBench
times the sparse Jacobian ((2 p + p) x (11 n + 3 m + p)); its only non-zero blocks are the
per-observation Jacobians of these three residuals w.r.t. (camera, point, w_j), so what is
computed here is, for every observation, the 3 x 15 Jacobian of `objective` w.r.t. (cam, X, w)
(the Jacobian operator called once per observation, as a user of the operator would; the
weight-error row's zero camera and point entries are included). GradBench's data (ADBench's
files ba1..ba20) hold one camera, one point, one weight and one feature, duplicated n, m, p times,
with obs[j] = (j mod n, j mod m); here the values of ba1's file get a small random perturbation
per copy (so that a wrong index shows in the check) and the sizes are ba1's: n = 49, m = 7776,
p = 31843.
"""
import numpy as np

from _shared import numpy_like

NAME = 'ba'
WRT = ('cam', 'X', 'w')
OPERATOR = 'jacobian'

# ba1_n49_m7776_p31843.txt: the camera, point, weight and feature that GradBench duplicates.
BA1_CAM = (-0.758453, -1.109613, -0.845551, 34.556073, 39.676747, 53.881673, 419.194514,
           5.864426, -8.518870, 0.087812, 0.002739)
BA1_X = (7.203245, 0.001144, 3.023326)
BA1_W = 0.417022
BA1_FEAT = (271.760969, 834.209256)


def make_inputs(rng, quick=False):
    n, m, p = (3, 5, 10) if quick else (49, 7776, 31843)
    cams = np.array(BA1_CAM) * (1 + 0.01 * rng.standard_normal((n, 11)))
    X = np.array(BA1_X) * (1 + 0.01 * rng.standard_normal((m, 3)))
    w = BA1_W * (1 + 0.01 * rng.standard_normal(p))
    feats = np.array(BA1_FEAT) * (1 + 0.01 * rng.standard_normal((p, 2)))
    obs = np.stack((np.arange(p) % n, np.arange(p) % m), axis=1)
    return cams, X, w, obs, feats


def sizes(quick=False):
    return 'n=3, m=5, p=10' if quick else 'n=49, m=7776, p=31843'


def units(cams, X, w, obs, feats):
    """The arguments of `objective` for each observation (the loop over which the Jacobian
    operator is called)."""
    return [(cams[obs[j, 0]], X[obs[j, 1]], w[j], feats[j]) for j in range(obs.shape[0])]


def rodrigues_rotate(rot, X):
    """X rotated by the angle-axis vector rot."""
    sqtheta = np.sum(rot ** 2)
    if sqtheta != 0.0:
        theta = np.sqrt(sqtheta)
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        axis = rot / theta
        w_cross_X = np.cross(axis, X)
        tmp = np.dot(axis, X) * (1.0 - costheta)
        return X * costheta + w_cross_X * sintheta + axis * tmp
    return X + np.cross(rot, X)


def radial_distort(rad, proj):
    rsq = np.sum(proj ** 2)
    return proj * (1.0 + rad[0] * rsq + rad[1] * rsq * rsq)


def project(cam, X):
    Xcam = rodrigues_rotate(cam[0:3], X - cam[3:6])
    distorted = radial_distort(cam[9:11], Xcam[0:2] / Xcam[2])
    return distorted * cam[6] + cam[7:9]


def objective(cam, X, w, feat):
    """The residuals of one observation: the reprojection error (2) and the weight error."""
    reproj = w * (project(cam, X) - feat)
    return np.concatenate((reproj, np.array([1.0 - w * w])))


jax_objective = numpy_like(objective, 'jax.numpy')
autograd_objective = numpy_like(objective, 'autograd.numpy')


def jax_jit_objective(cam, X, w, feat):
    """The JAX peer for jax.jit: the branch on |rot|^2 as jnp.where (a traced value cannot
    drive a Python `if`); the same function as `objective` for a non-zero rotation."""
    import jax.numpy as jnp
    rot, Y = cam[0:3], X - cam[3:6]
    sqtheta = jnp.sum(rot ** 2)
    nonzero = sqtheta != 0.0
    theta = jnp.sqrt(jnp.where(nonzero, sqtheta, 1.0))
    axis = rot / theta
    rotated = (Y * jnp.cos(theta) + jnp.cross(axis, Y) * jnp.sin(theta)
               + axis * (jnp.dot(axis, Y) * (1.0 - jnp.cos(theta))))
    Xcam = jnp.where(nonzero, rotated, Y + jnp.cross(rot, Y))
    proj = Xcam[0:2] / Xcam[2]
    rsq = jnp.sum(proj ** 2)
    distorted = proj * (1.0 + cam[9] * rsq + cam[10] * rsq * rsq)
    reproj = w * (distorted * cam[6] + cam[7:9] - feat)
    return jnp.concatenate((reproj, jnp.array([1.0 - w * w])))


def torch_objective(cam, X, w, feat):
    import torch
    rot, Y = cam[0:3], X - cam[3:6]
    sqtheta = torch.sum(rot ** 2)
    if sqtheta != 0.0:
        theta = torch.sqrt(sqtheta)
        axis = rot / theta
        Xcam = (Y * torch.cos(theta) + torch.linalg.cross(axis, Y) * torch.sin(theta)
                + axis * (torch.dot(axis, Y) * (1.0 - torch.cos(theta))))
    else:
        Xcam = Y + torch.linalg.cross(rot, Y)
    proj = Xcam[0:2] / Xcam[2]
    rsq = torch.sum(proj ** 2)
    distorted = proj * (1.0 + cam[9] * rsq + cam[10] * rsq * rsq)
    reproj = w * (distorted * cam[6] + cam[7:9] - feat)
    return torch.cat((reproj, torch.reshape(1.0 - w * w, (1,))))
