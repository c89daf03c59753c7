"""Distance fields across the seams of a multi-level venue (stairs joined to their landings).

A multi-level venue lays its levels and its stairs' flights out apart in one plane, joined by
seams (:mod:`crowdsim.venue.levels`): who walks out through one side of a seam comes in at its
partner line. Fast marching cannot jump a seam, so the fields are joined the way shortest paths
are: every target's own field reaches only the part of the plane it lies on; every open seam
side p has a field of its own (the walking distance to leaving through p, on p's part); and the
value V_p of leaving through p is the walking distance onward from where p lets people in, by
the target's field there or by leaving again through another side r (the distance to r there
plus V_r). The V_p follow from a shortest-path (Bellman–Ford) pass over the sides; the joined
field is

    D*(x) = min(D(x), min_p [D_p(x) + V_p]),

the minimum over every way out of x's part, with the direction of whichever term is least in
route cost (the same join on the travel-time fields that directions descend). A person keeps
the target's field throughout: on an upper level it leads to the best landing, on the flight
down it, and on the lower level to the exit.

Each side's field is computed on the grid cropped to its part, so a venue of many stairs costs
one small fast-marching run per side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.navigation.field import UNREACHABLE_M, DistanceField, compute_field
from crowdsim.navigation.grid import PAD_CELLS, NavGrid
from crowdsim.venue.geometry import Venue
from crowdsim.venue.levels import SeamSide


def seam_apron(venue: Venue, side: SeamSide, depth_m: float) -> Polygon:
    """The strip of ``depth_m`` beyond a seam side's line, outside the part it leaves."""
    (x1, y1), (x2, y2) = np.asarray(side.line.coords)[[0, -1]]
    ox, oy = side.outward
    far = [(x2 + depth_m * ox, y2 + depth_m * oy), (x1 + depth_m * ox, y1 + depth_m * oy)]
    apron = Polygon([(x1, y1), (x2, y2), *far])
    rest = apron.difference(venue.walkable)
    return rest if isinstance(rest, Polygon) else apron


def join_across_seams(
    venue: Venue,
    grid: NavGrid,
    fields: Sequence[DistanceField],
    speed: np.ndarray,
    aprons: Sequence[BaseGeometry],
    apron_depth_m: float,
) -> list[DistanceField]:
    """The targets' fields joined across the venue's open seams (see the module docstring).

    Args:
        venue: The venue layout (with ``seams``).
        grid: The navigation grid over the plane (seam aprons included).
        fields: Each target's own field, with its ``cost``.
        speed: (ny, nx) share of the walking speed per cell.
        aprons: Each open seam side's apron (``seam_apron``), in ``venue.seams`` order.
        apron_depth_m: Depth of the aprons; the far half of each is its side's target.

    Returns:
        The joined fields (distance, direction and cost), in the order of ``fields``.
    """
    sides = venue.seams
    if not sides or not fields:
        return list(fields)
    side_fields = [
        _side_field(venue, grid, side, apron, apron_depth_m, speed)
        for side, apron in zip(sides, aprons, strict=True)
    ]
    # A side's field counts to the far half of its apron, half its depth beyond the line; the
    # stairs process sets people down as far inside the partner line: read the value there.
    depth = apron_depth_m / 2.0
    landings = np.array([s.partner_centre - depth * np.asarray(s.partner_outward) for s in sides])
    # at[r, p]: distance (and cost) from where side p lets people in to leaving through side r.
    at_d = np.array([f.sample(grid, landings, "distance") for f in side_fields])
    at_c = np.array([f.sample(grid, landings, "cost") for f in side_fields])
    joined = []
    for target in fields:
        assert target.cost is not None
        value_d = _values(grid.sample(target.distance, landings), at_d)
        value_c = _values(grid.sample(target.cost, landings), at_c)
        distance = target.distance.astype(np.float64)
        cost = target.cost.astype(np.float64)
        direction = target.direction.copy()
        for f, vd, vc in zip(side_fields, value_d, value_c, strict=True):
            if vd >= UNREACHABLE_M or vc >= UNREACHABLE_M:
                continue
            rows, cols = f.window
            d_here = distance[rows, cols]
            c_here = cost[rows, cols]
            via_d = f.distance + vd
            via_c = f.cost + vc
            np.minimum(d_here, via_d, out=d_here)
            better = via_c < c_here
            c_here[better] = via_c[better]
            direction[rows, cols][better] = f.direction[better]
        joined.append(
            DistanceField(
                distance=np.minimum(distance, UNREACHABLE_M).astype(np.float32),
                direction=direction,
                cost=np.minimum(cost, UNREACHABLE_M).astype(np.float32),
            )
        )
    return joined


def _values(direct: np.ndarray, at: np.ndarray) -> np.ndarray:
    """V_p = min(direct_p, min_r at[r, p] + V_r), by Bellman–Ford over the seam sides."""
    value = np.where(direct >= 0.5 * UNREACHABLE_M, np.inf, direct.astype(np.float64))
    reach = np.where(at >= 0.5 * UNREACHABLE_M, np.inf, at.astype(np.float64))
    for _ in range(len(value)):
        onward = np.min(reach + value[:, None], axis=0)
        new = np.minimum(value, onward)
        if np.array_equal(new, value):
            break
        value = new
    return np.where(np.isfinite(value), value, UNREACHABLE_M)


class _SideField:
    """One seam side's field on the grid window around its part."""

    def __init__(self, window: tuple[slice, slice], field: DistanceField, sub: NavGrid) -> None:
        self.window = window
        self.distance = field.distance.astype(np.float64)
        assert field.cost is not None
        self.cost = field.cost.astype(np.float64)
        self.direction = field.direction
        self.sub = sub

    def sample(self, grid: NavGrid, xy: np.ndarray, what: str) -> np.ndarray:
        """The field's ``distance`` or ``cost`` at points ``xy`` (unreachable off the window)."""
        values = self.distance if what == "distance" else self.cost
        sub = self.sub
        ny, nx = sub.shape
        fx = (xy[:, 0] - sub.centre_x0) / sub.h
        fy = (xy[:, 1] - sub.centre_y0) / sub.h
        inside = (fx >= 0) & (fx <= nx - 1) & (fy >= 0) & (fy <= ny - 1)
        out = np.full(len(xy), UNREACHABLE_M)
        if inside.any():
            out[inside] = sub.sample(values, xy[inside])
        return out


def _side_field(
    venue: Venue,
    grid: NavGrid,
    side: SeamSide,
    apron: BaseGeometry,
    depth_m: float,
    speed: np.ndarray,
) -> _SideField:
    """The field of leaving through ``side``, on the grid cropped to the side's part."""
    probe = shapely.Point(*(side.centre - 1e-3 * np.asarray(side.outward)))
    part = next((p for p in venue.parts if p.distance(probe) < 1e-6), None)
    area = apron if part is None else part.union(apron)
    xmin, ymin, xmax, ymax = area.bounds
    h = grid.h
    ny, nx = grid.shape
    margin = 2 * PAD_CELLS + 1
    j0 = max(0, int(np.floor((xmin - grid.centre_x0) / h)) - margin)
    i0 = max(0, int(np.floor((ymin - grid.centre_y0) / h)) - margin)
    j1 = min(nx, int(np.ceil((xmax - grid.centre_x0) / h)) + margin + 1)
    i1 = min(ny, int(np.ceil((ymax - grid.centre_y0) / h)) + margin + 1)
    window = (slice(i0, i1), slice(j0, j1))
    # Other parts inside the window stay free: fast marching cannot reach them from the side.
    sub = NavGrid(
        centre_x0=grid.centre_x0 + j0 * h,
        centre_y0=grid.centre_y0 + i0 * h,
        h=h,
        free=grid.free[window],
    )
    target = apron.difference(shapely.buffer(side.line, depth_m / 2))
    field = compute_field(sub, sub.inside(target), speed=speed[window])
    return _SideField(window, field, sub)
