"""The wall audit: who stands outside the walkable area, and how deep bodies overlap walls.

The kernel keeps centres inside the walkable area by refusing moves that cross a wall segment.
The audit checks that promise independently of the kernel's cell lists and crossing test: it
tests every active person against the walkable area's outline itself, with the even-odd rule
(a point is inside when a ray from it crosses the outline an odd number of times). The outline's
edges are sorted into horizontal bands once per layout, so a test reads only the edges of the
person's band; compiled, it takes a few tens of nanoseconds per person, against several hundred
for a Shapely query, and it agrees with Shapely's ``contains_xy`` except for points on the
outline itself (which the kernel keeps people off).

A centre inside the area can still belong to a body that overlaps a wall: the social force
lets bodies press into walls under load (its contact term acts on the overlap), and a body
squeezed through a gap narrower than itself overlaps both jambs. :class:`WallOverlap` measures
that: the depth by which each body (a disc of the person's radius) reaches into the nearest wall
segment, from wall segments binned once per layout on a grid of its own, also independent of
the kernel's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

#: Height (m) of the bands, about: a band holds the edges that cross a 0.5 m strip.
BAND_M = 0.5


@dataclass(frozen=True, eq=False)
class Outline:
    """The edges of an area's rings, sorted into horizontal bands.

    Attributes:
        edges: (n, 4) x1, y1, x2, y2 of every edge of every ring (m).
        y0: Bottom of the first band (m).
        band_m: Height of a band (m).
        band_start: (bands + 1,) edges of band b are ``band_items[band_start[b]:band_start[b+1]]``.
        band_items: Edge indices grouped by band.
    """

    edges: np.ndarray
    y0: float
    band_m: float
    band_start: np.ndarray
    band_items: np.ndarray

    @classmethod
    def of(cls, area: BaseGeometry) -> Outline:
        """The outline of a polygon or multipolygon (exteriors and holes alike)."""
        rings = shapely.get_rings(shapely.get_parts(area))
        edges = np.vstack(
            [np.hstack([c[:-1], c[1:]]) for c in (np.asarray(r.coords) for r in rings)]
            or [np.zeros((0, 4))]
        )
        ymin, ymax = (area.bounds[1], area.bounds[3]) if len(edges) else (0.0, 1.0)
        height = max(ymax - ymin, 1e-9)
        bands = max(1, int(np.ceil(height / BAND_M)))
        band_m = height / bands
        lo = np.minimum(edges[:, 1], edges[:, 3])
        hi = np.maximum(edges[:, 1], edges[:, 3])
        first = np.clip(np.floor((lo - ymin) / band_m).astype(np.int64), 0, bands - 1)
        last = np.clip(np.floor((hi - ymin) / band_m).astype(np.int64), 0, bands - 1)
        count = last - first + 1
        item = np.repeat(np.arange(len(edges)), count)
        band = np.repeat(first, count) + (
            np.arange(len(item)) - np.repeat(np.cumsum(count) - count, count)
        )
        order = np.argsort(band, kind="stable")
        band_start = np.zeros(bands + 1, np.int64)
        np.cumsum(np.bincount(band, minlength=bands), out=band_start[1:])
        return cls(
            edges=np.ascontiguousarray(edges, np.float64),
            y0=float(ymin),
            band_m=float(band_m),
            band_start=band_start,
            band_items=item[order].astype(np.int64),
        )

    def inside(self, xy: np.ndarray) -> np.ndarray:
        """(n,) True for the points ``xy`` (n, 2) inside the area."""
        xy = np.ascontiguousarray(xy, np.float64).reshape(-1, 2)
        out = np.empty(len(xy), np.bool_)
        _inside(self.edges, self.y0, self.band_m, self.band_start, self.band_items, xy, out)
        return out

    def count_outside(self, pos: np.ndarray, active: np.ndarray) -> int:
        """Active people whose centre (row of ``pos``) is outside the area."""
        return int(
            _count_outside(
                self.edges, self.y0, self.band_m, self.band_start, self.band_items, pos, active
            )
        )


#: Cell size (m) of the overlap audit's own binning of the wall segments.
OVERLAP_CELL_M = 1.0


@dataclass(frozen=True, eq=False)
class WallOverlap:
    """Wall segments binned on a square grid, for the depth by which bodies overlap walls.

    A segment is listed in every cell whose square comes within ``reach_m`` (the largest body
    radius) of the segment's bounding box, so the cell of a person's centre lists every wall
    segment their body can touch.

    Attributes:
        segments: (n, 4) x1, y1, x2, y2 of the wall segments (m).
        x0: x of the grid's lower-left corner (m).
        y0: y of the grid's lower-left corner (m).
        cell_m: Cell size (m).
        nx: Columns.
        ny: Rows.
        cell_start: (nx·ny + 1,) the segments of cell c are ``cell_items[cell_start[c]:…[c+1]]``.
        cell_items: Segment indices grouped by cell.
    """

    segments: np.ndarray
    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int
    cell_start: np.ndarray
    cell_items: np.ndarray

    @classmethod
    def of(
        cls,
        segments: np.ndarray,
        bounds: tuple[float, float, float, float],
        *,
        reach_m: float,
        cell_m: float = OVERLAP_CELL_M,
    ) -> WallOverlap:
        """Bin the wall ``segments`` (n, 4) over ``bounds`` for bodies up to ``reach_m``."""
        seg = np.ascontiguousarray(np.asarray(segments, np.float64).reshape(-1, 4))
        x0, y0 = bounds[0] - cell_m, bounds[1] - cell_m
        nx = max(1, int(np.ceil((bounds[2] - bounds[0]) / cell_m)) + 2)
        ny = max(1, int(np.ceil((bounds[3] - bounds[1]) / cell_m)) + 2)
        lo_x = np.minimum(seg[:, 0], seg[:, 2]) - reach_m
        hi_x = np.maximum(seg[:, 0], seg[:, 2]) + reach_m
        lo_y = np.minimum(seg[:, 1], seg[:, 3]) - reach_m
        hi_y = np.maximum(seg[:, 1], seg[:, 3]) + reach_m
        j0 = np.clip(np.floor((lo_x - x0) / cell_m).astype(np.int64), 0, nx - 1)
        j1 = np.clip(np.floor((hi_x - x0) / cell_m).astype(np.int64), 0, nx - 1)
        i0 = np.clip(np.floor((lo_y - y0) / cell_m).astype(np.int64), 0, ny - 1)
        i1 = np.clip(np.floor((hi_y - y0) / cell_m).astype(np.int64), 0, ny - 1)
        cols, rows = j1 - j0 + 1, i1 - i0 + 1
        count = cols * rows
        item = np.repeat(np.arange(len(seg)), count)
        k = np.arange(len(item)) - np.repeat(np.cumsum(count) - count, count)
        cell = (np.repeat(i0, count) + k // np.repeat(cols, count)) * nx + (
            np.repeat(j0, count) + k % np.repeat(cols, count)
        )
        order = np.argsort(cell, kind="stable")
        cell_start = np.zeros(nx * ny + 1, np.int64)
        np.cumsum(np.bincount(cell, minlength=nx * ny), out=cell_start[1:])
        return cls(
            segments=seg,
            x0=float(x0),
            y0=float(y0),
            cell_m=float(cell_m),
            nx=nx,
            ny=ny,
            cell_start=cell_start,
            cell_items=item[order].astype(np.int64),
        )

    def depths(self, pos: np.ndarray, radius: np.ndarray, outline: Outline) -> np.ndarray:
        """(n,) depth (m) by which each body overlaps a wall, 0 if it touches none.

        A body whose centre is inside the area overlaps by its radius minus the distance from
        its centre to the nearest wall; one whose centre is outside (see
        :meth:`Outline.inside`) by its radius plus that distance, and by its diameter (the
        whole body) once the centre is more than a radius beyond the wall.

        Args:
            pos: (n, 2) centres (m).
            radius: (n,) body radii (m).
            outline: The walkable area's outline (which side of a wall a centre is on).
        """
        pos = np.ascontiguousarray(pos, np.float64).reshape(-1, 2)
        out = np.zeros(len(pos))
        _depths(
            self.segments,
            self.x0,
            self.y0,
            self.cell_m,
            self.nx,
            self.ny,
            self.cell_start,
            self.cell_items,
            pos,
            np.ascontiguousarray(radius, np.float64),
            outline.inside(pos),
            out,
        )
        return out


#: Overlap depths (m) above which the person-seconds of overlap are counted.
OVERLAP_LEVELS_M = (0.01, 0.05)


class OverlapTally:
    """How deep bodies overlapped walls over a run, sampled on the metrics cadence.

    Attributes:
        max_m: Deepest overlap seen (m).
        person_s_above: Overlap level (m) → person-seconds with a body overlapping a wall by
            more than it (each sample counts the people above it times the sampling interval).
    """

    def __init__(self) -> None:
        self.max_m = 0.0
        self.person_s_above = dict.fromkeys(OVERLAP_LEVELS_M, 0.0)

    def add(self, depth_m: np.ndarray, interval_s: float) -> None:
        """Count one sample of the overlap depths of the people present."""
        if len(depth_m):
            self.max_m = max(self.max_m, float(depth_m.max()))
        for level in OVERLAP_LEVELS_M:
            self.person_s_above[level] += interval_s * int(np.count_nonzero(depth_m > level))


@nb.njit(cache=True)
def _depths(
    segments: np.ndarray,
    x0: float,
    y0: float,
    cell_m: float,
    nx: int,
    ny: int,
    cell_start: np.ndarray,
    cell_items: np.ndarray,
    pos: np.ndarray,
    radius: np.ndarray,
    inside: np.ndarray,
    out: np.ndarray,
) -> None:
    for i in range(pos.shape[0]):
        x, y, r = pos[i, 0], pos[i, 1], radius[i]
        j = int(np.floor((x - x0) / cell_m))
        k = int(np.floor((y - y0) / cell_m))
        best = np.inf
        first, last = 0, 0
        if 0 <= j < nx and 0 <= k < ny:  # beyond the grid no wall is within reach
            first, last = cell_start[k * nx + j], cell_start[k * nx + j + 1]
        for m in range(first, last):
            s = cell_items[m]
            ax, ay, bx, by = segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3]
            dx, dy = bx - ax, by - ay
            length2 = dx * dx + dy * dy
            t = 0.0 if length2 == 0.0 else ((x - ax) * dx + (y - ay) * dy) / length2
            t = min(1.0, max(0.0, t))
            ex, ey = ax + t * dx - x, ay + t * dy - y
            d2 = ex * ex + ey * ey
            best = min(best, d2)
        d = np.sqrt(best)
        if inside[i]:
            out[i] = max(0.0, r - d)
        else:  # the centre is beyond the wall: the body reaches at least its diameter in
            out[i] = r + d if d < r else 2.0 * r


@nb.njit(cache=True, inline="always")
def _is_inside(
    edges: np.ndarray,
    y0: float,
    band_m: float,
    band_start: np.ndarray,
    band_items: np.ndarray,
    x: float,
    y: float,
) -> bool:
    """Even-odd rule over the edges of the point's band."""
    b = int(np.floor((y - y0) / band_m)) if band_m > 0.0 else 0
    bands = band_start.shape[0] - 1
    if not 0 <= b < bands:  # below or above the area (NaN too)
        return False
    odd = False
    for k in range(band_start[b], band_start[b + 1]):
        e = band_items[k]
        x1, y1, x2, y2 = edges[e, 0], edges[e, 1], edges[e, 2], edges[e, 3]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            odd = not odd
    return odd


@nb.njit(cache=True)
def _inside(
    edges: np.ndarray,
    y0: float,
    band_m: float,
    band_start: np.ndarray,
    band_items: np.ndarray,
    xy: np.ndarray,
    out: np.ndarray,
) -> None:
    for i in range(xy.shape[0]):
        out[i] = _is_inside(edges, y0, band_m, band_start, band_items, xy[i, 0], xy[i, 1])


@nb.njit(cache=True)
def _count_outside(
    edges: np.ndarray,
    y0: float,
    band_m: float,
    band_start: np.ndarray,
    band_items: np.ndarray,
    pos: np.ndarray,
    active: np.ndarray,
) -> int:
    outside = 0
    for i in range(pos.shape[0]):
        if active[i] and not _is_inside(
            edges, y0, band_m, band_start, band_items, pos[i, 0], pos[i, 1]
        ):
            outside += 1
    return outside
