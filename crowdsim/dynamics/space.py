"""The uniform grid shared by the pedestrian cell lists and the binned wall segments.

One grid serves both neighbour searches. Its cell size is at least the largest distance at which
two people interact, so each person only looks at the 3 × 3 cells around its own. Wall (and exit)
segments are binned once per layout into every cell whose square comes within a reach of them, so
a person only tests the segments listed for its own cell, both for wall forces and for the
crossing test that keeps centres inside the walkable area.

The grid's origin is the lower-left *corner* of its first cell (``corner_x0``, ``corner_y0``),
unlike the navigation grid, whose origin is the *centre* of its first cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crowdsim.dynamics.inputs import WallCells

#: Segment kind of a wall; portals (exits, then gates) carry their portal index (≥ 0) instead.
WALL = -1


@dataclass(frozen=True, eq=False)
class SpatialGrid:
    """Grid over the simulated region, with wall and exit segments binned per cell.

    Attributes:
        corner_x0: x of the lower-left corner of the grid's first cell (m).
        corner_y0: y of the lower-left corner of the grid's first cell (m).
        cell_m: Cell size (m).
        nx: Number of columns.
        ny: Number of rows.
        segments: (n_segments, 4) float64: x1, y1, x2, y2 of walls and exits (m).
        kinds: (n_segments,) int64: :data:`WALL` or the portal index.
        prev: (n_segments,) int64: the wall segment ending where this one starts (−1: none).
        next: (n_segments,) int64: the wall segment starting where this one ends (−1: none).
        cell_start: (nx·ny + 1,) int64: segments of cell c are
            ``cell_items[cell_start[c]:cell_start[c + 1]]``.
        cell_items: Segment indices, grouped by cell.
        period_m: Length (m) of a periodic domain along x, 0 for none: somebody leaving at
            corner_x0 + period_m comes back at corner_x0, and people interact across that seam.
    """

    corner_x0: float
    corner_y0: float
    cell_m: float
    nx: int
    ny: int
    segments: np.ndarray
    kinds: np.ndarray
    prev: np.ndarray
    next: np.ndarray
    cell_start: np.ndarray
    cell_items: np.ndarray
    period_m: float = 0.0

    @classmethod
    def periodic_corridor(cls, length_m: float, width_m: float, *, cell_m: float) -> SpatialGrid:
        """A corridor x ∈ [0, ``length_m``), y ∈ [0, ``width_m``], periodic along x.

        Walls run along both long sides; there are no end walls and no portals.

        Raises:
            ValueError: If the corridor is shorter than three cells (the neighbour search
                would then meet the same person twice across the seam).
        """
        if length_m // cell_m < 3:
            raise ValueError(f"a periodic corridor must be at least {3 * cell_m:.2f} m long")
        far = 2.0 * cell_m  # walls run past the seam, so nobody meets a wall end
        walls = [np.array([[-far, y], [length_m + far, y]]) for y in (0.0, width_m)]
        return cls.build(
            bounds=(0.0, 0.0, length_m, width_m),
            walls=walls,
            portals=np.zeros((0, 4)),
            cell_m=cell_m,
            reach_m=cell_m,
            period_m=length_m,
        )

    @classmethod
    def build(
        cls,
        *,
        bounds: tuple[float, float, float, float],
        walls: list[np.ndarray],
        portals: np.ndarray,
        cell_m: float,
        reach_m: float,
        period_m: float = 0.0,
    ) -> SpatialGrid:
        """Bin segments into a grid covering ``bounds`` (plus a margin).

        Args:
            bounds: (xmin, ymin, xmax, ymax) of the region people can be in (m).
            walls: Wall polylines, (k, 2) coordinates each; closed rings end on their start.
            portals: (n_portals, 4) segments people pass through (exits, then screening gates);
                segment kind = row index.
            cell_m: Cell size (m), at least the pair interaction distance.
            reach_m: A segment is listed in every cell it comes within this distance of: the wall
                interaction distance plus the largest move in one step.
            period_m: If > 0, the grid is periodic along x with this period, which must equal the
                width of ``bounds``: whole columns span exactly one period (cells at least
                ``cell_m`` wide, no margin along x).
        """
        margin = cell_m
        x0, y0 = bounds[0] - margin, bounds[1] - margin
        nx = max(1, int(np.ceil((bounds[2] - bounds[0] + 2 * margin) / cell_m)))
        if period_m > 0.0:
            x0, nx = bounds[0], int(period_m // cell_m)
            cell_m = period_m / nx
            margin = cell_m
            y0 = bounds[1] - margin
        ny = max(1, int(np.ceil((bounds[3] - bounds[1] + 2 * margin) / cell_m)))
        wall_segs, prev, nxt = _chain(walls)
        segments = np.ascontiguousarray(
            np.vstack([wall_segs, portals.reshape(-1, 4)]), dtype=np.float64
        )
        n_portals = len(portals)
        kinds = np.concatenate(
            [np.full(len(wall_segs), WALL, np.int64), np.arange(n_portals, dtype=np.int64)]
        )
        prev = np.concatenate([prev, np.full(n_portals, -1, np.int64)])
        nxt = np.concatenate([nxt, np.full(n_portals, -1, np.int64)])
        cell_start, cell_items = _bin(segments, x0, y0, cell_m, nx, ny, reach_m)
        return cls(
            corner_x0=float(x0),
            corner_y0=float(y0),
            cell_m=float(cell_m),
            nx=nx,
            ny=ny,
            segments=segments,
            kinds=kinds,
            prev=prev,
            next=nxt,
            cell_start=cell_start,
            cell_items=cell_items,
            period_m=float(period_m),
        )

    def kernel_view(self) -> WallCells:
        """The segments and their cell lists (not copies) as the kernel reads them."""
        return WallCells(
            segments=self.segments,
            kinds=self.kinds,
            prev=self.prev,
            next=self.next,
            cell_start=self.cell_start,
            cell_items=self.cell_items,
            corner_x0=float(self.corner_x0),
            corner_y0=float(self.corner_y0),
            cell_m=float(self.cell_m),
            nx=int(self.nx),
            ny=int(self.ny),
            period_m=float(self.period_m),
        )


def _chain(polylines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments of the polylines with, for each, the index of its predecessor and successor."""
    segs, prev, nxt = [], [], []
    base = 0
    for coords in polylines:
        k = len(coords) - 1
        if k < 1:
            continue
        idx = base + np.arange(k)
        p, n = idx - 1, idx + 1
        closed = k >= 3 and np.allclose(coords[0], coords[-1])
        p[0] = idx[-1] if closed else -1
        n[-1] = idx[0] if closed else -1
        segs.append(np.hstack([coords[:-1], coords[1:]]))
        prev.append(p)
        nxt.append(n)
        base += k
    if not segs:
        empty = np.zeros(0, np.int64)
        return np.zeros((0, 4)), empty, empty
    return np.vstack(segs), np.concatenate(prev), np.concatenate(nxt)


def _bin(
    segments: np.ndarray, x0: float, y0: float, cell_m: float, nx: int, ny: int, reach_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Cell lists: each segment is listed in every cell whose square comes within ``reach_m``.

    The distance between a segment and a cell's square is exact: 0 if they intersect, else the
    least of the distances from the segment's ends to the square and from the square's corners
    to the segment. Pairs are tested in bulk: every cell of a segment's bounding box grown by
    ``reach_m`` (and one cell for rounding) is a candidate.

    Two forms decide pairs at exactly ``reach_m`` (to the last bit) the way the Shapely (GEOS)
    query that this replaces did, so that the cell lists, and with them every simulation, stay
    as they were: the gap between bounding boxes is tested first, computed as the span of both
    minus their widths, and the distance from a corner to a segment as |s|·L with s the cross
    product over L². A zero-length segment (inert in the kernel) is listed only in the cells
    that hold it.

    Returns:
        ``cell_start`` (nx·ny + 1,) and ``cell_items``: the segments of cell c, in index order,
        are ``cell_items[cell_start[c]:cell_start[c + 1]]``.
    """
    seg, col, row = _candidates(segments, x0, y0, cell_m, nx, ny, reach_m)
    ax, ay, bx, by = segments[seg].T
    # The cell's square, with the same arithmetic as the cell lists of people use.
    sq_x0, sq_x1 = x0 + col * cell_m, x0 + (col + 1) * cell_m
    sq_y0, sq_y1 = y0 + row * cell_m, y0 + (row + 1) * cell_m
    lo_x, hi_x = np.minimum(ax, bx), np.maximum(ax, bx)
    lo_y, hi_y = np.minimum(ay, by), np.maximum(ay, by)
    gap_x = np.maximum(
        np.maximum(sq_x1, hi_x) - np.minimum(sq_x0, lo_x) - (sq_x1 - sq_x0) - (hi_x - lo_x), 0.0
    )
    gap_y = np.maximum(
        np.maximum(sq_y1, hi_y) - np.minimum(sq_y0, lo_y) - (sq_y1 - sq_y0) - (hi_y - lo_y), 0.0
    )
    near = np.sqrt(gap_x * gap_x + gap_y * gap_y) <= reach_m
    # They intersect if their bounding boxes overlap and the segment's line has corners of the
    # square on both sides of it (or on it).
    sx, sy = bx - ax, by - ay
    corners = [(sq_x0, sq_y0), (sq_x1, sq_y0), (sq_x1, sq_y1), (sq_x0, sq_y1)]
    side = np.stack([sx * (cy - ay) - sy * (cx - ax) for cx, cy in corners])
    overlap = (lo_x <= sq_x1) & (hi_x >= sq_x0) & (lo_y <= sq_y1) & (hi_y >= sq_y0)
    cut = overlap & ~((side > 0).all(axis=0) | (side < 0).all(axis=0))
    len2 = sx * sx + sy * sy
    dist = np.full(len(seg), np.inf)
    for cx, cy in corners:
        dist = np.minimum(dist, _point_to_segment(cx, cy, ax, ay, bx, by, len2))
    for px, py in ((ax, ay), (bx, by)):
        out_x = np.maximum(np.maximum(sq_x0 - px, px - sq_x1), 0.0)
        out_y = np.maximum(np.maximum(sq_y0 - py, py - sq_y1), 0.0)
        dist = np.minimum(dist, np.sqrt(out_x * out_x + out_y * out_y))
    keep = near & (cut | ((dist <= reach_m) & (len2 > 0.0)))
    cell, seg = (row * nx + col)[keep], seg[keep]
    order = np.lexsort((seg, cell))
    cell_start = np.zeros(nx * ny + 1, np.int64)
    np.cumsum(np.bincount(cell, minlength=nx * ny), out=cell_start[1:])
    return cell_start, seg[order].astype(np.int64)


def _candidates(
    segments: np.ndarray, x0: float, y0: float, cell_m: float, nx: int, ny: int, reach_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment, column and row of the candidate cells of each segment.

    They are the cells of the segment's bounding box grown by ``reach_m`` and one cell (against
    rounding), clipped to the grid.
    """
    lo = np.minimum(segments[:, :2], segments[:, 2:])
    hi = np.maximum(segments[:, :2], segments[:, 2:])
    origin = np.array([x0, y0])
    last = np.array([nx - 1, ny - 1])
    first_cell = np.clip(np.floor((lo - reach_m - origin) / cell_m).astype(np.int64) - 1, 0, last)
    last_cell = np.clip(np.floor((hi + reach_m - origin) / cell_m).astype(np.int64) + 1, 0, last)
    span = last_cell - first_cell + 1
    count = span[:, 0] * span[:, 1]
    seg = np.repeat(np.arange(len(segments)), count)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(count) - count, count)
    col = first_cell[seg, 0] + k % span[seg, 0]
    row = first_cell[seg, 1] + k // span[seg, 0]
    return seg, col, row


def _point_to_segment(
    px: np.ndarray,
    py: np.ndarray,
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    len2: np.ndarray,
) -> np.ndarray:
    """Distance from points p to segments a–b of squared length ``len2`` (inf where it is 0)."""
    sx, sy = bx - ax, by - ay
    safe = np.where(len2 > 0.0, len2, 1.0)
    u = ((px - ax) * sx + (py - ay) * sy) / safe
    s = ((ay - py) * sx - (ax - px) * sy) / safe
    to_a = np.sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay))
    to_b = np.sqrt((px - bx) * (px - bx) + (py - by) * (py - by))
    dist = np.where(u <= 0.0, to_a, np.where(u >= 1.0, to_b, np.abs(s) * np.sqrt(len2)))
    return np.where(len2 > 0.0, dist, np.inf)
