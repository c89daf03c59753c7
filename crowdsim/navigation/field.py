"""Geodesic distance fields and the desired directions derived from them.

The distance to a target region is the shortest walking distance around obstacles, computed by
fast marching (second order, :mod:`crowdsim.navigation.marching`) on a
:class:`~crowdsim.navigation.grid.NavGrid`.
The desired direction is the normalised negative gradient of that distance. Two rules keep it
usable by the dynamics:

* next to a wall the component pointing into the wall is removed, so a direction never leads
  into an obstacle;
* blocked cells carry the value and direction of their nearest free cell, so bilinear sampling
  near a wall stays smooth and never returns a zero vector;
* cells of the target region, where the distance is flat, keep the heading of the nearest cell
  outside it (people walk on through an exit rather than stop in the doorway).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from crowdsim.navigation.grid import NavGrid, nearest_of
from crowdsim.navigation.marching import travel_time

#: Distance (m) from walls over which routes are discouraged (about a body width).
WALL_CLEARANCE_M = 0.5
#: Relative route speed right at a wall (1 in open space); see :func:`compute_field`.
SLOW_NEAR_WALL = 0.4
#: Distance (m) from a wall over which the into-wall part of a direction is faded out: about a
#: body's radius, where a body would touch the wall. Wider (0.5 m), it turned the directions of
#: people waiting beside a narrow door sideways, into the person in front of the door, where
#: the door's corner is the nearest wall (see docs/validation.md, narrow openings).
WALL_BLEND_M = 0.25
#: Distance (m) given to free cells from which the target cannot be reached.
UNREACHABLE_M = 1.0e9


@dataclass(frozen=True, eq=False)
class DistanceField:
    """Walking distance to one target and the desired direction towards it.

    Attributes:
        distance: (ny, nx) float32, metres to the target region (0 inside it).
        direction: (ny, nx, 2) float32 unit vectors, downhill along the route cost.
        cost: (ny, nx) float32, the route cost the directions descend: travel time at unit
            speed, slower near walls and on slow floor (m); None if not kept.
    """

    distance: np.ndarray
    direction: np.ndarray
    cost: np.ndarray | None = None


def compute_field(
    grid: NavGrid,
    target: np.ndarray,
    *,
    wall_clearance_m: float = WALL_CLEARANCE_M,
    speed: np.ndarray | None = None,
    walked: np.ndarray | None = None,
) -> DistanceField:
    """Walking distance and desired direction towards the ``target`` cells of ``grid``.

    The distance is the plain geodesic (fast marching at unit speed). The direction follows a
    second field, the travel time at a speed that drops to :data:`SLOW_NEAR_WALL` at a wall and
    recovers over ``wall_clearance_m``: routes then keep clear of walls and door jambs the way
    people do, instead of grazing a jamb's corner, where the social force of the corner would
    balance the driving force and leave a person standing. Slow floor (stairs, ``speed`` < 1)
    slows the travel time too, so routes avoid it where a level way is quicker.

    Args:
        grid: The navigation grid.
        target: Boolean (ny, nx): cells of the target region (must include free cells).
        wall_clearance_m: Distance from walls over which routes are discouraged (m).
        speed: Optional (ny, nx) share of the walking speed on each cell (speed zones).
        walked: The plain geodesic, ``travel_time(grid.free, target, 1.0, grid.h)``, if
            already computed (a caller may march it before the grid's wall distances exist).

    Returns:
        The distance field and its directions.

    Raises:
        ValueError: If ``target`` holds no free cell.
    """
    free = grid.free
    target = target & free
    if not target.any():
        raise ValueError("target region covers no free grid cell; refine the navigation grid")
    if walked is None:
        walked = travel_time(free, target, 1.0, grid.h)
    d = _filled(walked, free, grid.nearest_free)
    speed = route_speed(grid, wall_clearance_m=wall_clearance_m, speed=speed)
    direction, cost = travel_directions(grid, target, speed)
    return DistanceField(
        distance=d.astype(np.float32), direction=direction, cost=cost.astype(np.float32)
    )


def load_kernels() -> None:
    """Load (or compile) the compiled code of :func:`compute_field`, on a grid of 6 × 6 cells.

    The first compiled call in a process starts numba (about 0.3 s); a caller can do this in
    a thread while it does other work.
    """
    free = np.zeros((6, 6), bool)
    free[1:-1, 1:-1] = True
    target = np.zeros_like(free)
    target[1, 1] = True
    compute_field(NavGrid(centre_x0=0.0, centre_y0=0.0, h=0.1, free=free), target)


def route_speed(
    grid: NavGrid, *, wall_clearance_m: float = WALL_CLEARANCE_M, speed: np.ndarray | None = None
) -> np.ndarray:
    """(ny, nx) relative route speed: :data:`SLOW_NEAR_WALL` at a wall, 1 beyond the clearance.

    Args:
        grid: The navigation grid.
        wall_clearance_m: Distance from walls over which routes are discouraged (m).
        speed: Optional (ny, nx) share of the walking speed on each cell (speed zones).
    """
    ramp = np.clip(grid.wall_m / max(wall_clearance_m, 1e-9), 0.0, 1.0)
    out = SLOW_NEAR_WALL + (1.0 - SLOW_NEAR_WALL) * ramp
    return out * speed if speed is not None else out


def travel_directions(
    grid: NavGrid, target: np.ndarray, speed: np.ndarray, *, approach: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Desired directions down the travel time to ``target`` at the cell speeds ``speed``.

    Args:
        grid: The navigation grid.
        target: Boolean (ny, nx): cells of the target region.
        speed: (ny, nx) route speed of each cell (> 0; e.g. :func:`route_speed`).
        approach: ``nearest_of(grid.free & ~target, target)`` if already known (it depends
            on the target alone; a caller that recomputes one target's directions often keeps
            it).

    Returns:
        (ny, nx, 2) float32 unit directions, and the (ny, nx) travel time (s per unit speed;
        :data:`UNREACHABLE_M` where the target cannot be reached).

    Raises:
        ValueError: If ``target`` holds no free cell.
    """
    free = grid.free
    target = target & free
    if not target.any():
        raise ValueError("target region covers no free grid cell; refine the navigation grid")
    cost = travel_cost(grid, target, speed)
    direction = _directions(cost, grid)
    # Inside the target the distance is flat: keep the heading of the nearest cell outside it.
    outside = free & ~target
    if outside.any():
        if approach is None:
            approach = nearest_of(outside, target)
        flat = direction.reshape(-1, 2)
        flat[np.flatnonzero(target)] = flat[approach]
    return direction, cost


def travel_cost(grid: NavGrid, target: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """(ny, nx) travel time to the free ``target`` cells at the cell speeds ``speed``.

    In s per unit speed, :data:`UNREACHABLE_M` where the target cannot be reached; blocked
    cells take their nearest free cell's value.
    """
    free = grid.free
    return _filled(travel_time(free, target & free, speed, grid.h), free, grid.nearest_free)


def _filled(field: np.ndarray, free: np.ndarray, nearest: np.ndarray) -> np.ndarray:
    """A travel time as the fields keep it.

    It is :data:`UNREACHABLE_M` on free cells the target cannot be reached from, and blocked
    cells take their nearest free cell's value.
    """
    d = np.where(np.isfinite(field), field, UNREACHABLE_M)
    return np.where(free, d, d[nearest[0], nearest[1]])


def _directions(d: np.ndarray, grid: NavGrid) -> np.ndarray:
    """Unit vectors of −∇d, one-sided next to blocked cells, wall-tangent at walls."""
    return off_walls(descent(d, grid), grid)


def descent(d: np.ndarray, grid: NavGrid) -> np.ndarray:
    """(ny, nx, 2) −∇d on the free cells of ``grid`` (not normalised; 0 on blocked cells).

    Central differences, one-sided next to blocked cells and the grid's edge.
    """
    downhill = np.zeros((*d.shape, 2))
    _downhill(np.ascontiguousarray(d, dtype=np.float64), grid.free, grid.h, downhill)
    return downhill


@njit(cache=True, nogil=True)
def _downhill(d: np.ndarray, free: np.ndarray, h: float, out: np.ndarray) -> None:
    """−∇d on the free cells into ``out`` (ny, nx, 2).

    Central differences, one-sided next to blocked cells and the grid's edge, 0 along an axis
    with no free neighbour.
    """
    ny, nx = d.shape
    for i in range(ny):
        for j in range(nx):
            if not free[i, j]:
                continue
            for comp in range(2):
                di, dj = (0, 1) if comp == 0 else (1, 0)
                fi, fj, bi, bj = i + di, j + dj, i - di, j - dj
                fwd_ok = fi < ny and fj < nx and free[fi, fj]
                bwd_ok = bi >= 0 and bj >= 0 and free[bi, bj]
                if fwd_ok and bwd_ok:
                    g = (d[fi, fj] - d[bi, bj]) / (2 * h)
                elif fwd_ok:
                    g = (d[fi, fj] - d[i, j]) / h
                elif bwd_ok:
                    g = (d[i, j] - d[bi, bj]) / h
                else:
                    g = 0.0
                out[i, j, comp] = -g


def off_walls(direction: np.ndarray, grid: NavGrid) -> np.ndarray:
    """Directions (ny, nx, 2) that never lead into a wall, normalised; blocked cells copied.

    The component pointing into the nearest wall is removed wholly next to it and faded out
    over :data:`WALL_BLEND_M`, so that the field stays smooth where the correction ends; blocked
    cells take the direction of their nearest free cell.
    """
    out = np.empty(direction.shape, np.float32)
    nearest = grid.nearest_free
    _off_walls(
        np.ascontiguousarray(direction, dtype=np.float64),
        grid.free,
        np.ascontiguousarray(grid.wall_away),
        wall_blend(grid),
        np.ascontiguousarray(nearest[0]),
        np.ascontiguousarray(nearest[1]),
        out,
    )
    return out


@njit(cache=True, nogil=True)
def _off_walls(
    direction: np.ndarray,
    free: np.ndarray,
    away: np.ndarray,
    blend: np.ndarray,
    near_i: np.ndarray,
    near_j: np.ndarray,
    out: np.ndarray,
) -> None:
    """:func:`off_walls` into ``out`` (and :func:`off_walls_at`, on one row of free cells)."""
    ny, nx = free.shape
    for i in range(ny):
        for j in range(nx):
            if not free[i, j]:
                continue
            dx, dy = direction[i, j, 0], direction[i, j, 1]
            into = dx * away[i, j, 0] + dy * away[i, j, 1]
            if into < 0.0 and blend[i, j] > 0.0:
                w = blend[i, j] * into
                dx -= w * away[i, j, 0]
                dy -= w * away[i, j, 1]
            length = np.sqrt(dx * dx + dy * dy)
            if length > 1e-12:
                out[i, j, 0], out[i, j, 1] = dx / length, dy / length
            else:
                out[i, j, 0], out[i, j, 1] = 0.0, 0.0
    for i in range(ny):
        for j in range(nx):
            if not free[i, j]:
                out[i, j, 0] = out[near_i[i, j], near_j[i, j], 0]
                out[i, j, 1] = out[near_i[i, j], near_j[i, j], 1]


def wall_blend(grid: NavGrid) -> np.ndarray:
    """(ny, nx) share of the into-wall part of a direction that :func:`off_walls` removes."""
    # At least two cells wide, so that coarse grids still turn directions off the walls.
    blend_m = max(WALL_BLEND_M, 2.0 * grid.h)
    return np.clip((blend_m - grid.wall_m) / (blend_m - grid.h), 0.0, 1.0)


def off_walls_at(direction: np.ndarray, away: np.ndarray, blend: np.ndarray) -> np.ndarray:
    """:func:`off_walls` at some free cells only, value for value as it would give them there.

    Args:
        direction: (m, 2) directions at the cells.
        away: (m, 2) the grid's ``wall_away`` at the cells.
        blend: (m,) :func:`wall_blend` at the cells.

    Returns:
        (m, 2) float32 directions, kept off the walls and normalised.
    """
    m = len(direction)
    out = np.empty((1, m, 2), np.float32)
    # The cells as one row of free cells: the same kernel, value for value.
    _off_walls(
        np.ascontiguousarray(direction, dtype=np.float64).reshape(1, m, 2),
        np.ones((1, m), np.bool_),
        np.ascontiguousarray(away, dtype=np.float64).reshape(1, m, 2),
        np.ascontiguousarray(blend, dtype=np.float64).reshape(1, m),
        np.zeros((1, m), np.int32),
        np.zeros((1, m), np.int32),
        out,
    )
    return out.reshape(m, 2)
