"""ht: hand tracking, the Jacobian of the residuals of a skinned hand model w.r.t. its pose
(GradBench `ht`, from ADBench; the "simple" variant, without the per-point triangle
coordinates `us` of the "complicated" one).

The model has 22 bones (a wrist, four bones per finger and a forearm; `PARENTS`), each with a
base transform relative to its parent and the inverse of its base absolute transform (4 x 4),
and V vertices (homogeneous base positions) skinned to the bones with weights. The pose
theta (26) sets the global rotation (angle-axis, 3) and translation (3) and per finger one
two-angle and two one-angle joint rotations (Euler angles); the other bones keep their base
pose. The posed vertices are

    sum_b weight[v, b] * absolute_b(theta) @ inverse_base_absolute_b @ base_position_v,

rotated by the global angle-axis rotation and translated; the residuals are the c observed
points minus the posed vertices they correspond to, a (c, 3) array, and what is computed is its
Jacobian w.r.t. theta, (c, 3, 26) (GradBench's 3 c x 26 matrix). GradBench reads ADBench's model
files (simple_small: 22 bones, 544 vertices) and data files (hand1..hand12, c = 100 to 100,000
points; its default run takes hand1 and hand2, c = 100 and 192). Here the model is synthetic
with those sizes (the bone tree is ADBench's; the transforms, vertices, weights, points and
theta are random, each vertex weighted on 1 to 4 bones as in the model file): full size
V = 544, c = 100; --quick V = 40, c = 10.
"""
import numpy as np

from _shared import numpy_like, rebind

NAME = 'ht'
WRT = ('theta',)
OPERATOR = 'jacobian'

# ADBench's hand: wrist, thumb1-4, index1-4, middle1-4, ring1-4, pinky1-4, forearm.
PARENTS = (-1, 0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15, 0, 17, 18, 19, 0)


def _rotation(rng):
    q, r = np.linalg.qr(rng.standard_normal((3, 3)))
    q = q * np.sign(np.diag(r))
    return q * np.linalg.det(q)


def make_inputs(rng, quick=False):
    n_verts, c = (40, 10) if quick else (544, 100)
    n_bones = len(PARENTS)
    base_relatives = np.zeros((n_bones, 4, 4))
    for b in range(n_bones):
        base_relatives[b, :3, :3] = _rotation(rng)
        base_relatives[b, :3, 3] = 0.03 * rng.standard_normal(3)
        base_relatives[b, 3, 3] = 1.0
    absolutes = []
    for b in range(n_bones):
        parent = PARENTS[b]
        absolutes.append(base_relatives[b] if parent == -1
                         else absolutes[parent] @ base_relatives[b])
    inverse_base_absolutes = np.linalg.inv(np.stack(absolutes))
    base_positions = np.ones((n_verts, 4))
    base_positions[:, :3] = 0.1 * rng.standard_normal((n_verts, 3))
    weights = np.zeros((n_verts, n_bones))
    for v in range(n_verts):
        bones = rng.choice(n_bones, size=rng.integers(1, 5), replace=False)
        share = rng.random(len(bones))
        weights[v, bones] = share / np.sum(share)
    correspondences = rng.integers(0, n_verts, size=c)
    points = 0.1 * rng.standard_normal((c, 3))
    theta = rng.standard_normal(26)
    return (theta, PARENTS, base_relatives, inverse_base_absolutes, base_positions, weights,
            points, correspondences)


def sizes(quick=False):
    return 'bones=22, V=40, c=10' if quick else 'bones=22, V=544, c=100'


def to_pose_params(theta):
    """(25, 3): global rotation, scale (ones), translation, then one row of Euler angles per
    bone (the wrist, each finger's first bone and the forearm stay at zero)."""
    rows = [theta[0:3], np.ones(3), theta[3:6], np.zeros(3), np.zeros(3)]
    i = 6
    for finger in range(5):
        rows.append(np.array([theta[i], theta[i + 1], 0.0]))
        rows.append(np.array([theta[i + 2], 0.0, 0.0]))
        rows.append(np.array([theta[i + 3], 0.0, 0.0]))
        rows.append(np.zeros(3))  # the next finger's first bone; after the pinky, the forearm
        i = i + 4
    return np.stack(rows)


def euler_angles_to_rotation(xzy):
    tx, ty, tz = xzy[0], xzy[2], xzy[1]
    Rx = np.array([[1.0, 0.0, 0.0],
                   [0.0, np.cos(tx), -np.sin(tx)],
                   [0.0, np.sin(tx), np.cos(tx)]])
    Ry = np.array([[np.cos(ty), 0.0, -np.sin(ty)],
                   [0.0, 1.0, 0.0],
                   [np.sin(ty), 0.0, np.cos(ty)]])
    Rz = np.array([[np.cos(tz), -np.sin(tz), 0.0],
                   [np.sin(tz), np.cos(tz), 0.0],
                   [0.0, 0.0, 1.0]])
    return Rz @ Ry @ Rx


def angle_axis_to_rotation(angle_axis):
    n = np.sqrt(np.sum(angle_axis ** 2))
    if n < 0.0001:
        return np.eye(3)
    x, y, z = angle_axis[0] / n, angle_axis[1] / n, angle_axis[2] / n
    s, c = np.sin(n), np.cos(n)
    return np.array([[x * x + (1 - x * x) * c, x * y * (1 - c) - z * s, x * z * (1 - c) + y * s],
                     [x * y * (1 - c) + z * s, y * y + (1 - y * y) * c, y * z * (1 - c) - x * s],
                     [x * z * (1 - c) - y * s, z * y * (1 - c) + x * s, z * z + (1 - z * z) * c]])


def skinned_positions(pose, parents, base_relatives, inverse_base_absolutes, base_positions,
                      weights):
    absolutes = []
    positions = np.zeros((base_positions.shape[0], 3))
    for b in range(len(parents)):
        R = euler_angles_to_rotation(pose[3 + b])
        # base_relative @ [[R, 0], [0, 1]]
        relative = np.concatenate((base_relatives[b][:, :3] @ R, base_relatives[b][:, 3:]),
                                  axis=1)
        if parents[b] == -1:
            absolute = relative
        else:
            absolute = absolutes[parents[b]] @ relative
        absolutes.append(absolute)
        transform = absolute @ inverse_base_absolutes[b]
        moved = base_positions @ transform.T
        positions = positions + weights[:, b:b + 1] * moved[:, :3]
    R = angle_axis_to_rotation(pose[0]) * pose[1]
    return positions @ R.T + pose[2]


def objective(theta, parents, base_relatives, inverse_base_absolutes, base_positions, weights,
              points, correspondences):
    pose = to_pose_params(theta)
    positions = skinned_positions(pose, parents, base_relatives, inverse_base_absolutes,
                                  base_positions, weights)
    return points - positions[correspondences]


jax_objective = numpy_like(objective, 'jax.numpy')
autograd_objective = numpy_like(objective, 'autograd.numpy')


def _angle_axis_where(angle_axis):
    """angle_axis_to_rotation for jax.jit: the small-angle branch as jnp.where (a traced value
    cannot drive a Python `if`)."""
    n2 = np.sum(angle_axis ** 2)
    small = n2 < 1e-8
    n = np.sqrt(np.where(small, 1.0, n2))
    x, y, z = angle_axis[0] / n, angle_axis[1] / n, angle_axis[2] / n
    s, c = np.sin(n), np.cos(n)
    R = np.array([[x * x + (1 - x * x) * c, x * y * (1 - c) - z * s, x * z * (1 - c) + y * s],
                  [x * y * (1 - c) + z * s, y * y + (1 - y * y) * c, y * z * (1 - c) - x * s],
                  [x * z * (1 - c) - y * s, z * y * (1 - c) + x * s, z * z + (1 - z * z) * c]])
    return np.where(small, np.eye(3), R)


def jax_jit_objective(*args):
    """The JAX peer for jax.jit: `objective` on jax.numpy with `_angle_axis_where`."""
    f = _JIT.get('f')
    if f is None:
        import jax.numpy as jnp
        f = _JIT['f'] = rebind(objective, jnp)
        f.__globals__['angle_axis_to_rotation'] = f.__globals__['_angle_axis_where']
    return f(*args)


_JIT = {}


def _torch_euler(xzy):
    import torch
    tx, ty, tz = xzy[0], xzy[2], xzy[1]
    one, zero = torch.ones((), dtype=torch.float64), torch.zeros((), dtype=torch.float64)
    Rx = torch.stack([torch.stack([one, zero, zero]),
                      torch.stack([zero, torch.cos(tx), -torch.sin(tx)]),
                      torch.stack([zero, torch.sin(tx), torch.cos(tx)])])
    Ry = torch.stack([torch.stack([torch.cos(ty), zero, -torch.sin(ty)]),
                      torch.stack([zero, one, zero]),
                      torch.stack([torch.sin(ty), zero, torch.cos(ty)])])
    Rz = torch.stack([torch.stack([torch.cos(tz), -torch.sin(tz), zero]),
                      torch.stack([torch.sin(tz), torch.cos(tz), zero]),
                      torch.stack([zero, zero, one])])
    return Rz @ Ry @ Rx


def _torch_angle_axis(angle_axis):
    import torch
    n = torch.sqrt(torch.sum(angle_axis ** 2))
    if n < 0.0001:
        return torch.eye(3, dtype=torch.float64)
    x, y, z = angle_axis[0] / n, angle_axis[1] / n, angle_axis[2] / n
    s, c = torch.sin(n), torch.cos(n)
    return torch.stack([
        torch.stack([x * x + (1 - x * x) * c, x * y * (1 - c) - z * s, x * z * (1 - c) + y * s]),
        torch.stack([x * y * (1 - c) + z * s, y * y + (1 - y * y) * c, y * z * (1 - c) - x * s]),
        torch.stack([x * z * (1 - c) - y * s, z * y * (1 - c) + x * s, z * z + (1 - z * z) * c])])


def torch_objective(theta, parents, base_relatives, inverse_base_absolutes, base_positions,
                    weights, points, correspondences):
    import torch
    zero = torch.zeros((), dtype=torch.float64)
    rows = [theta[0:3], torch.ones(3, dtype=torch.float64), theta[3:6],
            torch.zeros(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)]
    i = 6
    for finger in range(5):
        rows.append(torch.stack([theta[i], theta[i + 1], zero]))
        rows.append(torch.stack([theta[i + 2], zero, zero]))
        rows.append(torch.stack([theta[i + 3], zero, zero]))
        rows.append(torch.zeros(3, dtype=torch.float64))
        i = i + 4
    pose = torch.stack(rows)
    absolutes = []
    positions = torch.zeros((base_positions.shape[0], 3), dtype=torch.float64)
    for b in range(len(parents)):
        R = _torch_euler(pose[3 + b])
        relative = torch.cat((base_relatives[b][:, :3] @ R, base_relatives[b][:, 3:]), dim=1)
        absolute = relative if parents[b] == -1 else absolutes[parents[b]] @ relative
        absolutes.append(absolute)
        moved = base_positions @ (absolute @ inverse_base_absolutes[b]).T
        positions = positions + weights[:, b:b + 1] * moved[:, :3]
    R = _torch_angle_axis(pose[0]) * pose[1]
    positions = positions @ R.T + pose[2]
    return points - positions[correspondences]
