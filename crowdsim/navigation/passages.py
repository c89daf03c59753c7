"""How wide the passage is round each cell: where people turn their shoulders to get through.

Two measures of the clear width, both exact from the venue's geometry, and the narrower wins:

* **Gaps.** A gap is the shortest line across the floor from a jutting corner (a door jamb, a
  bollard's or a barrier's corner) to the wall opposite, when the walls at its two ends are far
  apart along the walls themselves (at least :data:`DETOUR_FACTOR` times the gap): a door, the
  space between two bollards or between a barrier and a wall, but not the inside of a room's
  corner. Every cell within :data:`NEAR_M` of a gap reads its width, so that people turn on the
  approach, as they do.
* **Passages.** Inside a long narrow passage (a screening lane, a corridor) the width is the
  local thickness of the floor: the diameter of the widest disc that fits in the walkable area
  and covers the cell, found by morphological openings of the area (``buffer(−R).buffer(R)``)
  in steps of :data:`STEP_M`. It is taken where a cell lies in the passage's middle (at least
  :data:`MIDDLE_SHARE` of the width from the walls, which excludes rooms' corners) and spread
  over :data:`NEAR_M` like the gaps.

Open exits narrower than :data:`OPEN_WIDTH_M` are gaps as wide as their line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from crowdsim.navigation.grid import NavGrid

#: Widths from this on (m) are open floor: no one turns to pass them.
OPEN_WIDTH_M = 0.8
#: Step (m) of the disc radii tried for passages: widths are known to twice this.
STEP_M = 0.025
#: People turn on the approach: a cell reads the narrowest width within this distance (m).
NEAR_M = 0.5
#: A cell is in the middle of a passage when it lies at least this share of the passage's
#: width from the walls (the middle line lies at 0.5; a room corner's cells at most at 0.15).
MIDDLE_SHARE = 0.35
#: A line across the floor is a gap only if the way along the walls between its ends is at
#: least this many times longer (a room's corner: about 1.4).
DETOUR_FACTOR = 3.0


def passage_width(
    grid: NavGrid, walkable: BaseGeometry, openings: Sequence[LineString] = ()
) -> np.ndarray:
    """(ny, nx) float32 narrowest clear width (m) within :data:`NEAR_M` of each cell.

    Widths of :data:`OPEN_WIDTH_M` and more, blocked cells and free cells outside
    ``walkable`` read :data:`OPEN_WIDTH_M`.

    Args:
        grid: The navigation grid.
        walkable: The walkable area the grid covers (m).
        openings: Lines people pass through that are not walls of the area (open exits): each
            is a gap as wide as the line is long.
    """
    out = _spread(grid, _passages(grid, walkable))
    xs, ys = grid.centres()
    gaps = [*gap_lines(walkable), *(line for line in openings if line.length < OPEN_WIDTH_M)]
    reach = int(np.ceil(NEAR_M / grid.h))
    for line in gaps:
        rows, cols = _window(grid, line.bounds, reach)
        close = grid.free[rows, cols] & shapely.dwithin(
            line, shapely.points(xs[rows, cols], ys[rows, cols]), NEAR_M
        )
        out[rows, cols] = np.where(close, np.minimum(out[rows, cols], line.length), out[rows, cols])
    return out


def gap_lines(walkable: BaseGeometry) -> list[LineString]:
    """The gaps of ``walkable`` narrower than :data:`OPEN_WIDTH_M`, as lines across them (m).

    From every jutting (reflex) corner of the walkable area, the shortest line to another wall
    within :data:`OPEN_WIDTH_M` that crosses the floor and whose ends are at least
    :data:`DETOUR_FACTOR` times its length apart along the walls (or on different walls: an
    obstacle's and the outline).
    """
    parts = list(walkable.geoms) if hasattr(walkable, "geoms") else [walkable]
    rings = [ring for part in parts for ring in _rings(orient(part, sign=1.0))]
    if not rings:
        return []
    # Every wall segment: ends, ring, and where along its ring it starts (m).
    ends, owner, start_s, corners, corner_ring, corner_s, ring_len = [], [], [], [], [], [], []
    for k, ring in enumerate(rings):
        s = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(ring, axis=0).T))])
        ends.append(np.hstack([ring[:-1], ring[1:]]))
        owner.append(np.full(len(ring) - 1, k))
        start_s.append(s[:-1])
        reflex = _reflex(ring)
        corners.append(ring[reflex])
        corner_ring.append(np.full(len(reflex), k))
        corner_s.append(s[reflex])
        ring_len.append(s[-1])
    seg, seg_ring, seg_s = np.vstack(ends), np.concatenate(owner), np.concatenate(start_s)
    pts, pts_ring, pts_s = np.vstack(corners), np.concatenate(corner_ring), np.concatenate(corner_s)
    if not len(pts):
        return []
    tree = shapely.STRtree(shapely.linestrings(seg.reshape(-1, 2, 2)))
    ci, si = tree.query(shapely.points(pts), predicate="dwithin", distance=OPEN_WIDTH_M)
    # The nearest point q of each segment to each corner, and the gap's width.
    a, b, v = seg[si, :2], seg[si, 2:], pts[ci]
    ab = b - a
    t = np.clip(
        np.einsum("ij,ij->i", v - a, ab) / np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-18), 0, 1
    )
    q = a + t[:, None] * ab
    width = np.hypot(*(q - v).T)
    along = np.abs(seg_s[si] + t * np.hypot(*ab.T) - pts_s[ci])
    along = np.minimum(along, np.asarray(ring_len)[pts_ring[ci]] - along)
    far = (seg_ring[si] != pts_ring[ci]) | (along >= DETOUR_FACTOR * width)
    mid = 0.5 * (v + q)
    ok = (width > 1e-6) & far & shapely.contains_xy(walkable, mid[:, 0], mid[:, 1])
    gaps = []
    for c in np.unique(ci[ok]):
        rows = np.flatnonzero(ok & (ci == c))
        best = rows[np.argmin(width[rows])]
        gaps.append(LineString([v[best], q[best]]))
    return gaps


def _rings(polygon: Polygon) -> list[np.ndarray]:
    """The outline and the holes of ``polygon`` as closed (k, 2) coordinate arrays."""
    return [np.asarray(polygon.exterior.coords)] + [np.asarray(h.coords) for h in polygon.interiors]


def _reflex(ring: np.ndarray) -> list[int]:
    """Indices of the corners of ``ring`` that jut into the floor (the floor on the left)."""
    pts = ring[:-1]
    prev = pts - np.roll(pts, 1, axis=0)
    nxt = np.roll(pts, -1, axis=0) - pts
    cross = prev[:, 0] * nxt[:, 1] - prev[:, 1] * nxt[:, 0]
    return [int(i) for i in np.flatnonzero(cross < -1e-12)]


def _passages(grid: NavGrid, walkable: BaseGeometry) -> np.ndarray:
    """(ny, nx) float32 width of narrow passages at the cells in their middle, else open."""
    width = np.full(grid.shape, OPEN_WIDTH_M, np.float32)
    xs, ys = grid.centres()
    # Only cells within half the open width of a wall can lie in a narrower passage; free cells
    # outside the area (the grid runs on beyond exits) are open floor.
    near_wall = grid.free & (grid.wall_m < 0.5 * OPEN_WIDTH_M + grid.h)
    near_wall[near_wall] = shapely.contains_xy(walkable, xs[near_wall], ys[near_wall])
    px, py = xs[near_wall], ys[near_wall]
    local = np.full(len(px), 2.0 * STEP_M)
    for radius in np.arange(STEP_M, 0.5 * OPEN_WIDTH_M + 1e-9, STEP_M):
        opened = walkable.buffer(-radius).buffer(radius)
        if opened.is_empty:
            break
        shapely.prepare(opened)
        local[shapely.contains_xy(opened, px, py)] = 2.0 * radius
    narrow = local < OPEN_WIDTH_M
    wall_m = shapely.distance(walkable.boundary, shapely.points(px[narrow], py[narrow]))
    middle = np.zeros(len(px), np.bool_)
    middle[narrow] = wall_m >= MIDDLE_SHARE * local[narrow]
    width[near_wall] = np.where(middle, local, OPEN_WIDTH_M)
    return width


def _spread(grid: NavGrid, width: np.ndarray) -> np.ndarray:
    """The narrowest of ``width`` within :data:`NEAR_M` of each free cell (open elsewhere)."""
    out = np.full(grid.shape, OPEN_WIDTH_M, np.float32)
    cells = np.argwhere(width < OPEN_WIDTH_M)
    if not len(cells):
        return out
    reach = int(np.ceil(NEAR_M / grid.h))
    (i0, j0), (i1, j1) = cells.min(axis=0) - reach, cells.max(axis=0) + reach + 1
    window = (slice(max(i0, 0), i1), slice(max(j0, 0), j1))
    di, dj = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    disc = (di * di + dj * dj) * grid.h * grid.h <= NEAR_M**2
    free = grid.free[window]
    nearest = ndimage.minimum_filter(
        np.where(free, width[window], np.inf), footprint=disc, mode="constant", cval=np.inf
    )
    out[window] = np.where(free, nearest, OPEN_WIDTH_M)
    return out


def _window(
    grid: NavGrid, bounds: tuple[float, float, float, float], pad: int
) -> tuple[slice, slice]:
    """Rows and columns of the cells over ``bounds`` (m), ``pad`` cells more on each side."""
    ny, nx = grid.shape
    xmin, ymin, xmax, ymax = bounds
    j0 = max(int((xmin - grid.centre_x0) / grid.h) - pad, 0)
    j1 = min(int((xmax - grid.centre_x0) / grid.h) + pad + 2, nx)
    i0 = max(int((ymin - grid.centre_y0) / grid.h) - pad, 0)
    i1 = min(int((ymax - grid.centre_y0) / grid.h) + pad + 2, ny)
    return slice(i0, i1), slice(j0, j1)
