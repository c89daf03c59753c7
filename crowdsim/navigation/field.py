"""Geodesic distance fields and the desired directions derived from them.

The distance to a target region is the shortest walking distance around obstacles, computed by
fast marching (second order, :mod:`skfmm`) on a :class:`~crowdsim.navigation.grid.NavGrid`.
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
import skfmm

from crowdsim.navigation.grid import NavGrid, nearest_index

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

    Returns:
        The distance field and its directions.

    Raises:
        ValueError: If ``target`` holds no free cell.
    """
    free = grid.free
    target = target & free
    if not target.any():
        raise ValueError("target region covers no free grid cell; refine the navigation grid")
    # Zero level set half a cell outside the target region, positive elsewhere.
    phi = np.ma.MaskedArray(np.where(target, -1.0, 1.0), mask=~free)
    d = _filled(skfmm.distance(phi, dx=grid.h, order=2), free, target, grid.nearest_free)
    speed = route_speed(grid, wall_clearance_m=wall_clearance_m, speed=speed)
    direction, cost = travel_directions(grid, target, speed)
    return DistanceField(
        distance=d.astype(np.float32), direction=direction, cost=cost.astype(np.float32)
    )


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
        approach: ``nearest_index(grid.free & ~target)`` if already known (it depends on the
            target alone; a caller that recomputes one target's directions often keeps it).

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
    phi = np.ma.MaskedArray(np.where(target, -1.0, 1.0), mask=~free)
    cost = _filled(
        skfmm.travel_time(phi, speed, dx=grid.h, order=2), free, target, grid.nearest_free
    )
    direction = _directions(cost, grid)
    # Inside the target the distance is flat: keep the heading of the nearest cell outside it.
    if approach is None:
        approach = nearest_index(free & ~target)
    direction[target] = direction[approach[0], approach[1]][target]
    return direction, cost


def _filled(
    field: np.ma.MaskedArray, free: np.ndarray, target: np.ndarray, nearest: np.ndarray
) -> np.ndarray:
    """A fast-marching result as a plain array.

    It is 0 in the target, :data:`UNREACHABLE_M` where the target cannot be reached, and blocked
    cells take their nearest free cell's value.
    """
    d = np.ma.filled(field, np.nan).astype(np.float64)
    d[target] = 0.0
    d[free & ~np.isfinite(d)] = UNREACHABLE_M
    d[free & np.ma.getmaskarray(field) & ~target] = UNREACHABLE_M
    return np.where(free, d, d[nearest[0], nearest[1]])


def _directions(d: np.ndarray, grid: NavGrid) -> np.ndarray:
    """Unit vectors of −∇d, one-sided next to blocked cells, wall-tangent at walls."""
    free, h = grid.free, grid.h
    ny, nx = d.shape
    grad = np.zeros((ny, nx, 2))
    for axis, comp in ((1, 0), (0, 1)):
        fwd = np.roll(d, -1, axis=axis)
        bwd = np.roll(d, 1, axis=axis)
        fwd_ok = np.roll(free, -1, axis=axis)
        bwd_ok = np.roll(free, 1, axis=axis)
        central = (fwd - bwd) / (2 * h)
        forward = (fwd - d) / h
        backward = (d - bwd) / h
        g = np.where(fwd_ok & bwd_ok, central, np.where(fwd_ok, forward, backward))
        g[~(fwd_ok | bwd_ok)] = 0.0
        grad[..., comp] = g
    return off_walls(-grad, grid)


def off_walls(direction: np.ndarray, grid: NavGrid) -> np.ndarray:
    """Directions (ny, nx, 2) that never lead into a wall, normalised; blocked cells copied.

    The component pointing into the nearest wall is removed wholly next to it and faded out
    over :data:`WALL_BLEND_M`, so that the field stays smooth where the correction ends; blocked
    cells take the direction of their nearest free cell.
    """
    free, nearest = grid.free, grid.nearest_free
    direction = np.array(direction, dtype=np.float64)
    away = grid.wall_away
    weight = wall_blend(grid)
    into = np.einsum("ijk,ijk->ij", direction, away)
    fix = free & (into < 0) & (weight > 0)
    direction[fix] -= (weight[fix] * into[fix])[:, None] * away[fix]
    length = np.linalg.norm(direction, axis=-1, keepdims=True)
    direction = np.divide(direction, length, out=np.zeros_like(direction), where=length > 1e-12)
    # Blocked cells take the direction of their nearest free cell.
    direction = np.where(free[..., None], direction, direction[nearest[0], nearest[1]])
    return np.ascontiguousarray(direction, dtype=np.float32)


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
    direction = np.array(direction, dtype=np.float64)
    into = np.einsum("ik,ik->i", direction, away)
    fix = (into < 0) & (blend > 0)
    direction[fix] -= (blend[fix] * into[fix])[:, None] * away[fix]
    length = np.linalg.norm(direction, axis=-1, keepdims=True)
    direction = np.divide(direction, length, out=np.zeros_like(direction), where=length > 1e-12)
    return direction.astype(np.float32)
