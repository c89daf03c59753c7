"""Regular grid over a walkable domain, on which distance fields are computed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry.base import BaseGeometry

#: Blocked cells added around the domain so that every free cell has blocked neighbours at most.
PAD_CELLS = 2


@dataclass(frozen=True, eq=False, kw_only=True)
class NavGrid:
    """Cell-centred grid: cell (row i, column j) is centred at (centre_x0 + j·h, centre_y0 + i·h).

    The origin is a cell *centre* (the kernel's cell lists count from a cell *corner*; each name
    says which).

    Attributes:
        centre_x0: x of the centre of column 0 (m).
        centre_y0: y of the centre of row 0 (m).
        h: Cell size (m).
        free: Boolean array (ny, nx): True where the cell centre lies in the domain.
    """

    centre_x0: float
    centre_y0: float
    h: float
    free: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(ny, nx)."""
        return (int(self.free.shape[0]), int(self.free.shape[1]))

    @classmethod
    def covering(cls, domain: BaseGeometry, h: float) -> NavGrid:
        """A grid of spacing ``h`` (m) over the bounds of ``domain``, free inside it."""
        xmin, ymin, xmax, ymax = domain.bounds
        x0 = xmin + 0.5 * h - PAD_CELLS * h
        y0 = ymin + 0.5 * h - PAD_CELLS * h
        nx = int(np.ceil((xmax - xmin) / h)) + 2 * PAD_CELLS
        ny = int(np.ceil((ymax - ymin) / h)) + 2 * PAD_CELLS
        xs, ys = np.meshgrid(x0 + h * np.arange(nx), y0 + h * np.arange(ny))
        free = shapely.contains_xy(domain, xs, ys)
        return cls(centre_x0=float(x0), centre_y0=float(y0), h=float(h), free=free)

    def coarsened(self, factor: int) -> NavGrid:
        """A grid of ``factor`` × ``factor`` blocks of this one, free where the whole block is.

        Only free where every fine cell is free, so a coarse grid never opens a wall; a
        passage narrower than about two coarse cells closes. Block (I, J) covers fine rows
        ``factor·I … factor·I + factor − 1``; partial blocks at the edges are blocked.
        """
        ny, nx = self.shape
        by, bx = ny // factor, nx // factor
        blocks = self.free[: by * factor, : bx * factor].reshape(by, factor, bx, factor)
        offset = 0.5 * (factor - 1) * self.h
        return NavGrid(
            centre_x0=self.centre_x0 + offset,
            centre_y0=self.centre_y0 + offset,
            h=self.h * factor,
            free=np.asarray(blocks.all(axis=(1, 3))),
        )

    def walled(self, segments: np.ndarray) -> NavGrid:
        """This grid with every wall segment made impassable, however thin the wall.

        A cell is free when its centre is walkable, so a wall thinner than a cell (a 1 cm
        partition or fence drawn as a line) usually has free centres on both sides and fast
        marching, which joins neighbouring centres, walks straight through it. Fast marching
        only ever joins a cell to its four neighbours, so it is enough to cut every such link
        that a wall segment crosses: of the two free cells a crossed link joins, the one whose
        centre is nearer the wall is blocked. Links that no wall crosses are left alone, so a
        doorway between two wall ends keeps every link through it (a 0.8 m door on a 0.1 m
        grid stays 7 to 8 cells wide), and walls the grid already sees (the area's outline,
        whose outer side is blocked) block no further cell. See :func:`wall_crossings`.

        Args:
            segments: (n, 4) wall segments x1, y1, x2, y2 (m), as the dynamics uses them.
        """
        cut = wall_crossings(self, segments)
        if not cut.any():
            return self
        return NavGrid(
            centre_x0=self.centre_x0, centre_y0=self.centre_y0, h=self.h, free=self.free & ~cut
        )

    @cached_property
    def nearest_free(self) -> np.ndarray:
        """(2, ny, nx): row and column of the nearest free cell of every cell (itself if free)."""
        return nearest_index(self.free)

    @cached_property
    def _wall_transform(self) -> tuple[np.ndarray, np.ndarray]:
        return ndimage.distance_transform_edt(self.free, return_indices=True)

    @cached_property
    def wall_m(self) -> np.ndarray:
        """(ny, nx) distance from each cell centre to the nearest blocked cell's centre (m)."""
        return np.asarray(self._wall_transform[0]) * self.h

    @cached_property
    def wall_away(self) -> np.ndarray:
        """(ny, nx, 2) unit vectors pointing away from the nearest blocked cell (0 if blocked)."""
        idx = self._wall_transform[1]
        rows, cols = np.indices(self.free.shape)
        away = np.stack([cols - idx[1], rows - idx[0]], axis=-1).astype(float)
        norm = np.linalg.norm(away, axis=-1, keepdims=True)
        return np.divide(away, norm, out=np.zeros_like(away), where=norm > 0)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """X and y of every cell centre, each of shape (ny, nx)."""
        ny, nx = self.shape
        return np.meshgrid(
            self.centre_x0 + self.h * np.arange(nx), self.centre_y0 + self.h * np.arange(ny)
        )

    def inside(self, geometry: BaseGeometry) -> np.ndarray:
        """Boolean (ny, nx): cells whose centre lies inside ``geometry``."""
        ny, nx = self.shape
        out = np.zeros((ny, nx), bool)
        if geometry.is_empty:
            return out
        # Only the cells within the geometry's bounds can lie inside it.
        x0, y0, x1, y1 = geometry.bounds
        j0 = max(0, int(np.floor((x0 - self.centre_x0) / self.h)))
        j1 = min(nx, int(np.ceil((x1 - self.centre_x0) / self.h)) + 1)
        i0 = max(0, int(np.floor((y0 - self.centre_y0) / self.h)))
        i1 = min(ny, int(np.ceil((y1 - self.centre_y0) / self.h)) + 1)
        if j0 < j1 and i0 < i1:
            xs, ys = np.meshgrid(
                self.centre_x0 + self.h * np.arange(j0, j1),
                self.centre_y0 + self.h * np.arange(i0, i1),
            )
            out[i0:i1, j0:j1] = shapely.contains_xy(geometry, xs, ys)
        return out

    def sample(self, values: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """Bilinear interpolation of a cell array (ny, nx) at points ``xy`` (n, 2)."""
        ny, nx = self.shape
        fx = np.clip((xy[:, 0] - self.centre_x0) / self.h, 0.0, nx - 1.000001)
        fy = np.clip((xy[:, 1] - self.centre_y0) / self.h, 0.0, ny - 1.000001)
        j = fx.astype(np.intp)
        i = fy.astype(np.intp)
        ax = fx - j
        ay = fy - i
        v00, v01 = values[i, j], values[i, j + 1]
        v10, v11 = values[i + 1, j], values[i + 1, j + 1]
        return (v00 * (1 - ax) + v01 * ax) * (1 - ay) + (v10 * (1 - ax) + v11 * ax) * ay


def nearest_index(mask: np.ndarray) -> np.ndarray:
    """(2, ny, nx): row and column of the nearest cell of ``mask`` (itself if in it)."""
    _, idx = ndimage.distance_transform_edt(~mask, return_indices=True)
    return np.asarray(idx)


def nearest_of(mask: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Flat indices of the nearest cell of ``mask`` to each of the boolean ``cells`` (row-major).

    Where ``cells`` is small, only a window round them is searched, widened until no cell
    outside it could be nearer; the result is what :func:`nearest_index` gives, up to ties.

    Args:
        mask: Boolean (ny, nx): the cells to find.
        cells: Boolean (ny, nx): the cells to find them for.

    Returns:
        (k,) int64, one per true cell of ``cells`` in row-major order.
    """
    ny, nx = mask.shape
    rows, cols = np.nonzero(cells)
    if len(rows) == 0:
        return np.zeros(0, np.int64)
    margin = 8
    while True:
        i0, i1 = max(0, rows.min() - margin), min(ny, rows.max() + margin + 1)
        j0, j1 = max(0, cols.min() - margin), min(nx, cols.max() + margin + 1)
        window = mask[i0:i1, j0:j1]
        whole = (i0, i1, j0, j1) == (0, ny, 0, nx)
        if window.any():
            dist, idx = ndimage.distance_transform_edt(~window, return_indices=True)
            # A cell outside the window lies at least ``margin`` cells from every one of
            # ``cells``: nearer found cells cannot be beaten from there.
            if whole or dist[rows - i0, cols - j0].max() < margin:
                near_i = idx[0][rows - i0, cols - j0] + i0
                near_j = idx[1][rows - i0, cols - j0] + j0
                return (near_i * nx + near_j).astype(np.int64)
        if whole:
            raise ValueError("no cell of the mask to find")
        margin *= 4


def wall_crossings(grid: NavGrid, segments: np.ndarray) -> np.ndarray:
    """Boolean (ny, nx): free cells to block so that no link between free cells crosses a wall.

    A link joins the centres of two neighbouring cells in a row (it lies on a row line
    y = centre_y0 + i·h) or in a column (on a column line x = centre_x0 + j·h). A segment
    crosses each row line within its y range once, and each column line within its x range
    once, so its crossed links are found in one vectorised pass over those lines, at a cost
    proportional to the segment's length in cells. A crossing at a link's end (a wall through
    a centre) counts, so a wall that runs along a row of centres blocks them.

    Args:
        grid: The navigation grid.
        segments: (n, 4) wall segments x1, y1, x2, y2 (m).
    """
    free = grid.free
    out = np.zeros_like(free)
    seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
    if len(seg) == 0:
        return out
    # Segment ends in cell units, measured from the centre of cell (0, 0).
    u1 = (seg[:, 0] - grid.centre_x0) / grid.h
    v1 = (seg[:, 1] - grid.centre_y0) / grid.h
    u2 = (seg[:, 2] - grid.centre_x0) / grid.h
    v2 = (seg[:, 3] - grid.centre_y0) / grid.h
    # Row lines (v integer) cut links along rows; column lines (u integer), links along columns.
    for along, across, along2, across2, transpose in (
        (u1, v1, u2, v2, False),
        (v1, u1, v2, u2, True),
    ):
        rows, left, frac = _line_crossings(across, along, across2, along2)
        a_free = free.T if transpose else free
        n_lines, n_cells = a_free.shape
        ok = (rows >= 0) & (rows < n_lines) & (left >= 0) & (left + 1 < n_cells)
        rows, left, frac = rows[ok], left[ok], frac[ok]
        both = a_free[rows, left] & a_free[rows, left + 1]
        rows, left, frac = rows[both], left[both], frac[both]
        cell = left + (frac > 0.5)  # the end nearer the wall
        target = out.T if transpose else out
        target[rows, cell] = True
    return out


def _line_crossings(
    a1: np.ndarray, b1: np.ndarray, a2: np.ndarray, b2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where segments (a1, b1)–(a2, b2) cross the lines a = integer.

    Returns the line index, the index of the link's lower end along b (floor of the crossing's
    b) and the crossing's fraction along the link (0 at the lower end, 1 at the upper).
    Segments parallel to the lines are skipped (the other family of lines sees them).
    """
    lo = np.minimum(a1, a2)
    hi = np.maximum(a1, a2)
    moving = a2 != a1
    first = np.ceil(lo).astype(np.int64)
    last = np.floor(hi).astype(np.int64)
    count = np.where(moving, np.maximum(last - first + 1, 0), 0)
    k = np.repeat(np.arange(len(a1)), count)
    offset = np.arange(len(k)) - np.repeat(np.cumsum(count) - count, count)
    line = np.repeat(first, count) + offset
    t = (line - a1[k]) / (a2[k] - a1[k])
    b = b1[k] + t * (b2[k] - b1[k])
    low = np.floor(b)
    return line, low.astype(np.int64), b - low
