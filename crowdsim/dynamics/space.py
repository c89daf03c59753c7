"""The uniform grid shared by the pedestrian cell lists and the binned wall segments.

One grid serves both neighbour searches. Its cell size is at least the largest distance at which
two people interact, so each person only looks at the 3 × 3 cells around its own. Wall (and exit)
segments are binned once per layout into every cell they come close to, so a person only tests
the segments listed for its own cell, both for wall forces and for the crossing test that keeps
centres inside the walkable area.

The grid's origin is the lower-left *corner* of its first cell (``corner_x0``, ``corner_y0``),
unlike the navigation grid, whose origin is the *centre* of its first cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

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
        cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
        cells = shapely.box(
            x0 + cols.ravel() * cell_m,
            y0 + rows.ravel() * cell_m,
            x0 + (cols.ravel() + 1) * cell_m,
            y0 + (rows.ravel() + 1) * cell_m,
        )
        lines = shapely.linestrings(segments.reshape(-1, 2, 2)) if len(segments) else []
        if len(segments):
            tree = shapely.STRtree(lines)
            cell_idx, seg_idx = tree.query(cells, predicate="dwithin", distance=reach_m)
        else:
            cell_idx = seg_idx = np.zeros(0, np.int64)
        order = np.lexsort((seg_idx, cell_idx))
        cell_idx, seg_idx = cell_idx[order], seg_idx[order]
        counts = np.bincount(cell_idx, minlength=nx * ny)
        cell_start = np.zeros(nx * ny + 1, np.int64)
        np.cumsum(counts, out=cell_start[1:])
        cell_items = seg_idx.astype(np.int64)
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
