"""Geometry of people against wall and portal segments: nearest points, crossings, cells.

Walls are polylines cut into segments (see :class:`~crowdsim.dynamics.space.SpatialGrid`), each
knowing its neighbours along the polyline, so that a wall drawn with many segments acts as one
wall. Portals (exits and screening gates) are segments too; a closed portal is a wall, and a busy
one refuses the crossing (a busy gate also pushes like a wall; a busy exit does not).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, inline="always")
def cell_of(x: float, y: float, x0: float, y0: float, inv: float, nx: int, ny: int) -> int:
    """Index of the cell holding (x, y) on a grid whose first square has its corner at (x0, y0).

    ``inv`` is one over the cell size; points outside the grid go to the nearest edge cell.
    """
    cx = int((x - x0) * inv)
    cy = int((y - y0) * inv)
    cx = min(max(cx, 0), nx - 1)
    cy = min(max(cy, 0), ny - 1)
    return cy * nx + cx


@nb.njit(cache=True, inline="always")
def nearest_image(dx: float, period: float) -> float:
    """The offset dx less the whole periods nearest to it: the shortest across a periodic seam.

    The number of periods is dx/period rounded half to even, as ``np.round`` does; written
    out because the GPU compiler has no ``np.round``.
    """
    q = dx / period
    k = float(math.floor(q))
    f = q - k  # exact: 0 <= f < 1
    if f > 0.5 or (f == 0.5 and k % 2.0 != 0.0):
        k += 1.0
    return dx - period * k


@nb.njit(cache=True, inline="always")
def is_wall(kind: int, portal_open: np.ndarray, portal_free_at: np.ndarray, t: float) -> bool:
    """A wall segment, or a portal that is closed or busy at time t."""
    return kind < 0 or not portal_open[kind] or portal_free_at[kind] > t


@nb.njit(cache=True, inline="always")
def pushes(
    kind: int, portal_open: np.ndarray, portal_free_at: np.ndarray, is_gate: np.ndarray, t: float
) -> bool:
    """A segment that acts on people with wall forces at time t.

    Walls and closed portals push; so does a busy screening gate (the lane holds the next
    person back while it serves one). A busy exit does not: it only refuses the crossing (see
    :func:`is_wall`), so that the next person waits at the line and crosses as soon as the exit
    is free again, and a flow-limited exit passes its limit under a waiting crowd.
    """
    if kind < 0 or not portal_open[kind]:
        return True
    return is_gate[kind] and portal_free_at[kind] > t


@nb.njit(cache=True, inline="always")
def projection(segments: np.ndarray, w: int, x: float, y: float) -> float:
    """Parameter u of the projection of (x, y) on the line of segment w (0 at start, 1 at end)."""
    x1 = segments[w, 0]
    y1 = segments[w, 1]
    sx = segments[w, 2] - x1
    sy = segments[w, 3] - y1
    return ((x - x1) * sx + (y - y1) * sy) / (sx * sx + sy * sy)


@nb.njit(cache=True, inline="always")
def wall_point(
    segments: np.ndarray, prev: np.ndarray, nxt: np.ndarray, w: int, x: float, y: float
) -> tuple[float, float]:
    """Nearest point of wall segment w to (x, y), or NaN if another segment accounts for it.

    A polyline is one wall, not a pile of segments: a segment contributes its interior nearest
    point; a shared vertex is counted once, by the segment that starts there, and only where it
    is the nearest point of both segments meeting there (a convex corner seen from outside).
    Without this rule a curved obstacle drawn with many segments would push many times over.
    """
    u = projection(segments, w, x, y)
    if u <= 0.0:
        p = prev[w]
        if p >= 0 and projection(segments, p, x, y) < 1.0:
            return np.nan, np.nan
        return segments[w, 0], segments[w, 1]
    if u >= 1.0:
        if nxt[w] >= 0:
            return np.nan, np.nan
        return segments[w, 2], segments[w, 3]
    return (
        segments[w, 0] + u * (segments[w, 2] - segments[w, 0]),
        segments[w, 1] + u * (segments[w, 3] - segments[w, 1]),
    )


@nb.njit(cache=True, inline="always")
def crosses(
    px: float, py: float, qx: float, qy: float, ax: float, ay: float, bx: float, by: float
) -> bool:
    """True if the move p→q touches or crosses segment a–b (parallel moves never cross)."""
    dx = qx - px
    dy = qy - py
    sx = bx - ax
    sy = by - ay
    den = dx * sy - dy * sx
    if abs(den) < 1e-15:
        return False
    wx = ax - px
    wy = ay - py
    t = (wx * sy - wy * sx) / den
    u = (wx * dy - wy * dx) / den
    eps = 1e-9
    return -eps <= t <= 1.0 + eps and -eps <= u <= 1.0 + eps


@nb.njit(cache=True, inline="always")
def enters_hazard(hazards: np.ndarray, px: float, py: float, qx: float, qy: float) -> bool:
    """True if the move p→q ends inside a hazard circle (x, y, r) that p was outside of."""
    for k in range(hazards.shape[0]):
        r2 = hazards[k, 2] * hazards[k, 2]
        dq = (qx - hazards[k, 0]) ** 2 + (qy - hazards[k, 1]) ** 2
        if dq < r2 and (px - hazards[k, 0]) ** 2 + (py - hazards[k, 1]) ** 2 >= dq:
            return True
    return False
